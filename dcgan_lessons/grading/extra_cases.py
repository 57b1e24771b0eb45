"""Instructors' private hidden cases: a Python file the grader reads, kept out of the course.

The file defines `CASES`, a dict from exercise id to a list of `Case`; each case is graded as a
hidden one, after the course's own public and hidden cases, and never shown in feedback. The file is
read by the grader only; a learner's kernel receives one case's arguments (plain data) at a time, when
the grader calls the function, after all the notebook's cells have run:

    import numpy as np
    from dcgan_lessons.course.checking import Case

    CASES = {
        "00.scale_images": [
            Case("one white pixel", args=(np.full((1, 1, 1, 1), 255, dtype=np.uint8),)),
        ],
    }

A case's expected value is what the course's reference returns for it, unless it sets `expected=`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..course.checking import Case, Exercise


def load_extra_cases(path: Path | str) -> dict[str, list[Case]]:
    """Read an extra-cases file and check it: known exercise ids, Case objects, the reference passes."""
    from ..exercises import get_exercise

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No extra-cases file at {path.resolve()}: expected a .py file defining CASES."
        )
    spec = importlib.util.spec_from_file_location("dcgan_lessons_extra_cases", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - reported to the instructor, with where it came from
        raise ValueError(f"{path} does not run: {type(error).__name__}: {error}") from error
    cases = getattr(module, "CASES", None)
    if not isinstance(cases, dict):
        raise TypeError(
            f"{path}: expected a dict named CASES from exercise id to a list of Case, "
            f"got {type(cases).__name__}."
        )
    checked: dict[str, list[Case]] = {}
    for exercise_id, extra in cases.items():
        exercise = get_exercise(exercise_id)  # a ValueError naming the nearest ids when unknown
        if not isinstance(extra, (list, tuple)) or not all(isinstance(case, Case) for case in extra):
            raise TypeError(
                f"{path}: CASES[{exercise_id!r}] must be a list of dcgan_lessons.course.checking.Case."
            )
        names = [case.name for case, _ in grading_cases(exercise, {})] + [case.name for case in extra]
        if len(set(names)) != len(names):
            raise ValueError(
                f"{path}: the case names of {exercise_id} must differ from each other and the course's."
            )
        for case in extra:
            _plain_arguments(exercise, case, path)
            _reference_passes(exercise, case, path)
        checked[exercise_id] = list(extra)
    return checked


def _plain_arguments(exercise: Exercise, case: Case, path: Path) -> None:
    """Private cases travel to the learner's kernel as data, one call at a time: plain data only."""
    from .probe import encode_value

    for value in [*case.args, *case.kwargs.values()]:
        try:
            encode_value(value)
        except TypeError:
            raise TypeError(
                f"{path}: case {case.name!r} of {exercise.id} has an argument of type "
                f"{type(value).__name__}; "
                "private cases take plain data only (NumPy arrays, numbers, strings, lists, tuples, dicts), "
                "which the grader sends to each learner's kernel when it calls the function."
            ) from None


def _reference_passes(exercise: Exercise, case: Case, path: Path) -> None:
    try:
        mismatch = exercise.compare(exercise.expected(case), exercise.run(case, exercise.reference))
    except Exception as error:  # noqa: BLE001 - reported to the instructor with the case's name
        raise ValueError(
            f"{path}: case {case.name!r} of {exercise.id} fails on the reference: {error!r}"
        ) from error
    if mismatch:
        raise ValueError(
            f"{path}: case {case.name!r} of {exercise.id} fails on the reference ({mismatch.detail}); "
            "fix its expected value or leave `expected` out."
        )


def grading_cases(exercise: Exercise, extra: dict[str, list[Case]]) -> list[tuple[Case, bool]]:
    """Every case the grader runs for an exercise, in order, each with whether it is hidden."""
    return (
        [(case, False) for case in exercise.public]
        + [(case, True) for case in exercise.hidden]
        + [(case, True) for case in extra.get(exercise.id, ())]
    )
