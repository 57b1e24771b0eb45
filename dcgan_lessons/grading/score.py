"""The learner's own score: the last cell of every lesson runs `show_score("NN", globals())`.

It checks each of the lesson's exercises on its public cases, with the same points and partial credit
as the instructor's grader, and prints a small table (plain text: it reads the same in JupyterLab, on
Colab and in a terminal). The instructor grades with hidden cases too, so the final score can be lower.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..course.checking import run_check
from .probe import function_name, is_course_function


def public_score(lesson: str, namespace: Mapping) -> list[tuple[object, float, str]]:
    """For each exercise of `lesson`: (exercise, points earned on public cases, a short status)."""
    from ..exercises import lesson_exercises

    if not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be the notebook's globals(), got {type(namespace).__name__}.")
    exercises = lesson_exercises(lesson)
    if not exercises:
        raise ValueError(f"Lesson {lesson!r} has no exercises; lessons are numbered like '00', '01'.")
    rows = []
    for exercise in exercises:
        name = function_name(exercise.id)
        answer = namespace.get(name)
        if answer is None:
            rows.append((exercise, 0.0, f"no function `{name}` yet: run its exercise cell"))
        elif callable(answer) and is_course_function(answer, exercise):
            rows.append(
                (exercise, 0.0, "not passing its check yet (the lesson runs on the course's version)")
            )
        else:
            result = run_check(exercise, answer, detect_reference=True)
            if result.status == "not_attempted":
                status = "not attempted yet"
            elif result.status == "reference":
                status = "the course's version, not yours: re-run your exercise cell"
            elif result.passed:
                status = "all public cases pass"
            else:
                status = f"{sum(not c.passed for c in result.cases)} of {len(result.cases)} public cases fail"
            rows.append((exercise, result.score, status))
    return rows


def show_score(lesson: str, namespace: Mapping) -> None:
    """Print your current score on lesson `lesson`'s public cases: `show_score("00", globals())`."""
    rows = public_score(lesson, namespace)
    earned = sum(score for _, score, _ in rows)
    total = sum(exercise.points for exercise, _, _ in rows)
    width = max(len(exercise.id) for exercise, _, _ in rows)
    print(f"Your score on lesson {lesson}'s public cases: {earned:g} / {total:g} points")
    for exercise, score, status in rows:
        mark = (
            "✓" if score == exercise.points else ("…" if status.startswith(("not att", "no func")) else "✗")
        )
        print(f"  {mark} {exercise.id:<{width}}  {score:g} / {exercise.points:g}  {status}")
    print(
        "Your instructor also grades with hidden cases, so a function that passes here can still lose points."
    )
