"""Proof that every registered exercise's check can fail: the reference passes, the unsolved stub is
"not attempted", and every planted mistake fails, on the public cases (what learners see) and with
the hidden ones (what grading uses)."""

import re

import pytest

from dcgan_lessons import all_exercises, run_check
from dcgan_lessons.authoring.build import stub_lines

EXERCISES = list(all_exercises().values())
MISTAKES = [(exercise, mistake) for exercise in EXERCISES for mistake in exercise.mistakes]


def make_stub(exercise_id):
    """A function whose body is exactly the stub the build writes into learner notebooks."""
    namespace = {}
    body = "\n".join(stub_lines(exercise_id, "    "))
    exec(f"def answer(*args, **kwargs):\n{body}\n", namespace)
    return namespace["answer"]


def ids(value):
    return getattr(value, "id", None) or getattr(value, "name", None)


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_reference_passes_public_and_hidden_cases(exercise):
    result = run_check(exercise, exercise.reference, include_hidden=True)
    assert result.passed, result.feedback()
    assert result.score == exercise.points


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_stub_is_not_attempted(exercise):
    result = run_check(exercise, make_stub(exercise.id), include_hidden=True)
    assert result.status == "not_attempted"
    assert result.score == 0
    assert "not attempted yet" in result.feedback()


@pytest.mark.parametrize(("exercise", "mistake"), MISTAKES, ids=lambda v: ids(v))
def test_planted_mistake_fails_a_public_case_and_gets_its_hint(exercise, mistake):
    result = run_check(exercise, mistake.answer)
    assert result.status == "failed", (
        f"{exercise.id}: planted mistake {mistake.name!r} passes the public cases"
    )
    # The feedback recognises the mistake: its own hint is shown, not another's or none.
    assert mistake.hint in result.feedback(), (
        f"{exercise.id}: no hint explains planted mistake {mistake.name!r}"
    )
    graded = run_check(exercise, mistake.answer, include_hidden=True)
    assert graded.score < exercise.points


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_every_exercise_is_complete(exercise):
    assert re.fullmatch(r"\d\d\.[A-Za-z][A-Za-z0-9_]*", exercise.id)
    assert len(exercise.public) >= 1 and len(exercise.hidden) >= 1
    assert len(exercise.mistakes) >= 2, "each check must be proven against at least two planted mistakes"
    assert exercise.points > 0


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_feedback_never_shows_hidden_cases(exercise):
    """A wrong answer fails hidden cases too; their names and contents must not appear in the feedback."""

    def wrong(*args, **kwargs):
        return "nonsense"

    feedback = run_check(exercise, wrong, include_hidden=True).feedback()
    assert "a hidden case" in feedback
    for case in exercise.hidden:
        assert case.name not in feedback


def test_every_exercise_is_proven_against_learner_style_answers():
    """tests/test_checks_lessonNN.py hold, per exercise, wrong answers a learner writes that are not planted
    mistakes (at least three) and correct answers written differently from the course's (at least two)."""
    import importlib

    wrong, right = {}, {}
    for lesson in sorted({exercise.lesson for exercise in EXERCISES}):
        module = importlib.import_module(f"test_checks_lesson{lesson}")
        wrong.update(module.WRONG)
        right.update(module.RIGHT)
    planted = {id(m.answer) for exercise in EXERCISES for m in exercise.mistakes}
    missing = [
        exercise.id
        for exercise in EXERCISES
        if len(wrong.get(exercise.id, ())) < 3 or len(right.get(exercise.id, ())) < 2
    ]
    assert missing == [], f"exercises without 3 learner-style wrong and 2 right answers: {missing}"
    assert not any(id(answer) in planted for answers in wrong.values() for answer in answers)
