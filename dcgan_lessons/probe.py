"""The grader's side inside a learner's kernel: find the learner's functions and run every case on them.

The instructor grader (`grading.py`) runs each submitted notebook in its own kernel. Before the first
learner cell it calls `install`, which registers an IPython `post_run_cell` hook: after every cell the
hook notes, for each exercise `NN.name` of the lesson, the latest function called `name` that the
learner wrote (not the course's reference, which a failed `check` puts in its place). After the last
cell `report` runs every public and hidden case on those functions (with the global names they had when
their cell ran), each call with a time limit and its printing discarded, and writes one JSON line per
case to a file the grader named.

Nothing here trusts the notebook's namespace: the exercises, cases and captured functions live in this
module's closure from before the first learner cell ran, so deleting or rewriting check cells, or
rebinding `check`, `np` or `print`, changes nothing. Plain values (NumPy arrays and scalars, numbers,
strings and lists, tuples or dicts of them) go back to the grader, which compares them itself; other
values (tensors, models) are compared here with the exercise's own comparison.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import io
import json
import signal
import types

import numpy as np

from .checking import judge_case

_MAX_ARRAY_BYTES = 64 * 2**20  # larger results are compared in the kernel instead of sent back
_state: dict = {}


def function_name(exercise_id: str) -> str:
    """The name of the function a learner defines for an exercise: '00.scale_images' -> 'scale_images'."""
    return exercise_id.split(".", 1)[1]


def is_course_function(value, exercise) -> bool:
    """True for the exercise's reference and for anything else the course's package defines."""
    module = getattr(value, "__module__", None) or ""
    return value is exercise.reference or module == "dcgan_lessons" or module.startswith("dcgan_lessons.")


def install(lesson: str, extra_cases_path: str | None = None) -> None:
    """Start watching the notebook's namespace for the learner's functions (run before any learner cell)."""
    from IPython import get_ipython

    from .exercises import lesson_exercises
    from .extra_cases import grading_cases, load_extra_cases

    extra = load_extra_cases(extra_cases_path) if extra_cases_path else {}
    shell = get_ipython()
    plan = [(exercise, grading_cases(exercise, extra)) for exercise in lesson_exercises(lesson)]
    found: dict[str, tuple[str, object]] = {}  # exercise id -> ("learner" | "course" | "other", value)

    def capture(*_):
        for exercise, _cases in plan:
            value = shell.user_ns.get(function_name(exercise.id), found)
            if value is found:
                continue
            if callable(value) and not is_course_function(value, exercise):
                if found.get(exercise.id, ("", None))[1] is not value:
                    found[exercise.id] = ("learner", value, dict(shell.user_ns))
            elif found.get(exercise.id, ("",))[0] != "learner":
                found[exercise.id] = ("course" if callable(value) else "other", value)

    shell.events.register("post_run_cell", capture)
    _state.update(plan=plan, found=found, capture=capture, shell=shell)


def as_defined(function, snapshot: dict, live: dict):
    """`function` looking up global names as they were when its cell ran.

    So a learner who later rebinds `np`, or shadows a built-in such as `print`, does not break a function
    that worked. Names first defined after it (a helper written further down) are taken as they are now.
    """
    if not isinstance(function, types.FunctionType):
        return function
    later = {
        name: value for name, value in live.items() if name not in snapshot and not hasattr(builtins, name)
    }
    names = {**later, **snapshot}
    rebound = types.FunctionType(
        function.__code__, names, function.__name__, function.__defaults__, function.__closure__
    )
    rebound.__kwdefaults__ = function.__kwdefaults__
    return rebound


def report(path: str, case_seconds: float) -> None:
    """Run every case on the captured functions and append the results to `path` as JSON lines."""
    _state["capture"]()
    with open(path, "a", encoding="utf-8") as out:
        for exercise, cases in _state["plan"]:
            origin, value, *snapshot = _state["found"].get(exercise.id, ("missing", None))
            line = {"exercise": exercise.id, "origin": origin}
            if origin == "other":
                line["type"] = type(value).__name__
            _write(out, line)
            if origin != "learner":
                continue
            function = as_defined(value, snapshot[0], _state["shell"].user_ns)
            for index, (case, hidden) in enumerate(cases):
                result = run_case(exercise, case, hidden, function, case_seconds)
                _write(out, {"exercise": exercise.id, "case": index, **result})


def _write(out, line: dict) -> None:
    out.write(json.dumps(line) + "\n")
    out.flush()  # what was written survives the kernel dying on the next case


class _CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that a learner's `except Exception` cannot swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    if not hasattr(signal, "setitimer"):  # Windows: only the grader's limit on the whole notebook applies
        yield
        return

    def alarm(*_):
        raise _CaseTimeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Discard(io.TextIOBase):
    def write(self, text):
        return len(text)


def run_case(exercise, case, hidden: bool, function, seconds: float) -> dict:
    """Call the learner's function on one case; describe what happened as JSON-ready data."""
    sink = _Discard()
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            got = exercise.run(case, function)  # the compared value (observe hooks applied)
    except _CaseTimeout:
        return {"status": "timeout", "seconds": seconds}
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are feedback too
        return {
            "status": "raised",
            "type": type(error).__name__,
            "message": str(error)[:300],
            "not_implemented": isinstance(error, NotImplementedError),
        }
    try:
        return {"status": "returned", "value": encode_value(got)}
    except TypeError:
        pass
    try:
        result = judge_case(exercise, case, hidden, got)
    except Exception as error:  # noqa: BLE001 - a value the comparison cannot handle is a wrong value
        return {
            "status": "judged",
            "passed": False,
            "kind": "type",
            "detail": f"could not compare: {error!r}",
        }
    mismatch = result.mismatch
    return {
        "status": "judged",
        "passed": result.passed,
        "kind": mismatch.kind if mismatch else None,
        "detail": mismatch.detail if mismatch else None,
        "hint": result.hint,
    }


def encode_value(value) -> dict:
    """JSON-ready form of plain data; TypeError for anything else (tensors, models, learner classes)."""
    if value is None or type(value) in (bool, int, float, str):
        return {"t": "py", "v": value}
    if type(value) in (list, tuple):
        return {"t": type(value).__name__, "items": [encode_value(item) for item in value]}
    if type(value) is dict and all(type(key) is str for key in value):
        return {"t": "dict", "items": {key: encode_value(item) for key, item in value.items()}}
    if type(value) is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value)
        if array.dtype.hasobject or array.nbytes > _MAX_ARRAY_BYTES:
            raise TypeError("not plain data")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        kind = "scalar" if isinstance(value, np.generic) else "array"
        return {"t": kind, "npy": base64.b64encode(buffer.getvalue()).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not plain data")


def decode_value(data: dict):
    """The value `encode_value` encoded (never unpickles anything)."""
    kind = data["t"]
    if kind == "py":
        return data["v"]
    if kind in ("list", "tuple"):
        items = [decode_value(item) for item in data["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {key: decode_value(item) for key, item in data["items"].items()}
    if kind in ("array", "scalar"):
        array = np.load(io.BytesIO(base64.b64decode(data["npy"])), allow_pickle=False)
        return array[()] if kind == "scalar" else array
    raise ValueError(f"unknown encoded value kind {kind!r}")
