"""The grader's calls of a learner's functions: one per case, its arguments as plain data.

`kernel_run.py` sends each call to the learner's kernel, where `probe.call` makes it; `grader.py` judges
the replies. A case's arguments travel as data (`probe.encode_value`), except those only the course's own
case can build (a Keras input, fresh models, an object to copy), which are named by the case's place in
the exercise: the kernel builds them from its copy of the course. Private cases must be plain data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .probe import encode_value


@dataclass
class Call:
    """One call the grader makes: which exercise, which case (by its place), and the request sent."""

    exercise_id: str
    index: int
    request: str  # JSON: the arguments as plain data, or which course case to build them from
    hidden: bool


def make_calls(exercise, cases: list[tuple]) -> list[Call]:
    """The calls for one exercise's cases [(case, hidden), ...]: course cases first, private ones last.

    An argument that is plain data travels as data; one that is not (a Keras input, a model) can only be
    a course case's, and is named by its place, for the kernel to build from the course's package.
    """
    calls = []
    groups = [("public", len(exercise.public)), ("hidden", len(exercise.hidden))]
    for index, (case, hidden) in enumerate(cases):
        place, offset = None, index
        for group, size in groups:
            if offset < size:
                place = (group, offset)
                break
            offset -= size
        args = [_argument(value, place, position) for position, value in enumerate(case.args)]
        kwargs = {key: _argument(value, place, key) for key, value in case.kwargs.items()}
        request = json.dumps({"args": args, "kwargs": kwargs, "public": not hidden})
        calls.append(Call(exercise.id, index, request, hidden))
    return calls


def _argument(value, place, position) -> dict:
    try:
        return {"value": encode_value(value)}
    except TypeError:
        if place is None:
            raise ValueError(
                f"a private case's arguments must be plain data (arrays, numbers, strings), got {type(value)}"
            ) from None
        return {"course_case": [place[0], place[1], position]}
