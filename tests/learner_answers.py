"""Helpers for the tests/test_checks_lessonNN.py modules: answers written as a learner would write them.

Each of those modules lists, per exercise, wrong answers a learner plausibly writes that are *not* among the
exercise's planted mistakes (each must fail a public case: what a learner alone sees), and correct answers
written differently from the course's (each must pass the public and the hidden cases).
"""

from dcgan_lessons import get_exercise, run_check


def fails_publicly(exercise_id, answer):
    """Assert that `answer` fails at least one public case, and return the feedback a learner would read."""
    result = run_check(get_exercise(exercise_id), answer)
    assert result.status == "failed", f"{exercise_id}: a wrong answer passes every public case"
    return result.feedback()


def passes_everything(exercise_id, answer):
    result = run_check(get_exercise(exercise_id), answer, include_hidden=True)
    assert result.passed, result.feedback()


def cases(table):
    """pytest parameters (exercise id, answer), with the answer's name as the test id."""
    return [(exercise_id, answer) for exercise_id, answers in table.items() for answer in answers]


def ids(value):
    return getattr(value, "__name__", str(value))
