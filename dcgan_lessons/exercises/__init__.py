"""The registry of every exercise in the course, one module per lesson.

Each lesson module defines `EXERCISES`, a list of `checking.Exercise`. Add a lesson by writing its
module and listing it in `_LESSON_MODULES`; the tests then prove its checks (tests/test_exercises.py).
"""

from __future__ import annotations

import difflib
from functools import cache

from ..course.checking import Exercise, run_check
from . import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07

__all__ = ["all_exercises", "check", "get_exercise", "lesson_exercises"]

_LESSON_MODULES = (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07)


@cache
def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise by id, in lesson order."""
    registry: dict[str, Exercise] = {}
    for module in _LESSON_MODULES:
        for exercise in module.EXERCISES:
            if exercise.id in registry:
                raise RuntimeError(f"Exercise id {exercise.id!r} is registered twice.")
            registry[exercise.id] = exercise
    return registry


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id, or a ValueError that suggests the nearest ids."""
    registry = all_exercises()
    if not isinstance(exercise_id, str):
        raise TypeError(
            f"An exercise id is a string like '00.scale_images', got {type(exercise_id).__name__}."
        )
    if exercise_id not in registry:
        near = difflib.get_close_matches(exercise_id, list(registry), n=3)
        suggestion = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ValueError(
            f"Unknown exercise id {exercise_id!r}.{suggestion} Known ids: {', '.join(registry)}."
        )
    return registry[exercise_id]


def lesson_exercises(lesson: str) -> list[Exercise]:
    """The exercises of one lesson ("00", "01", ...), in the order they appear."""
    return [exercise for exercise in all_exercises().values() if exercise.lesson == lesson]


def check(exercise_id: str, answer):
    """Check a learner's answer on the exercise's public cases and print feedback.

    Returns the function the rest of the lesson should use: the learner's own when it passes,
    otherwise the course's reference, so a notebook always runs to the end.
    """
    exercise = get_exercise(exercise_id)
    result = run_check(exercise, answer, detect_reference=True)
    print(result.feedback())
    if result.passed:
        return answer
    name = getattr(exercise.reference, "__name__", "the reference")
    if result.status != "reference":
        print(
            f"  The rest of the lesson uses the course's reference `dcgan_lessons.{name}` until yours passes."
        )
    return exercise.reference
