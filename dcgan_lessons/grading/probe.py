"""The grader's agent in a learner's kernel: it finds the learner's functions and calls them, nothing else.

The instructor grader (`grader.py`) runs each submitted notebook in its own kernel. Before the first
learner cell it calls `install`, which registers an IPython `post_run_cell` hook: after every cell the
hook notes, for each exercise `NN.name` of the lesson, the latest function called `name` that the
learner wrote (not the course's reference, which a failed `check` puts in its place). After the last
cell the grader sends one `call` per case: the case's arguments as plain data (or, for a Keras input or
model, which case of the course's own to build), and gets back, as plain data, what the function
returned (after the exercise's `observe`, e.g. a model's layer summary).

This module holds no case, no expected value and no comparison: the kernel is the learner's, and
whatever runs in it can be patched. Every decision (expected values, tolerances, hints, scores) is taken
in the grader's own process, on the plain data that comes back (`encode_value` / `decode_value`).
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

MIME = "application/x-dcgan-lessons-probe+json"  # how a call's reply travels back to the grader
MAX_VALUE_BYTES = 64 * 2**20  # larger results are refused: no exercise returns anything near this
_MAX_DEPTH = 12
# Tensors are the normal return type of answers written with keras.ops: they are converted to NumPy
# arrays here. The array is then judged like any other returned value, so a converter that lies gains
# nothing a learner could not return directly.
_TENSOR_MODULES = ("tensorflow.", "jax.", "jaxlib.", "torch", "keras.src.backend")
_state: dict = {}  # the learner's functions found so far; nothing secret


def function_name(exercise_id: str) -> str:
    """The name of the function a learner defines for an exercise: '00.scale_images' -> 'scale_images'."""
    return exercise_id.split(".", 1)[1]


def is_course_function(value, exercise) -> bool:
    """True for the exercise's reference and for anything else the course's package defines."""
    module = getattr(value, "__module__", None) or ""
    return value is exercise.reference or module == "dcgan_lessons" or module.startswith("dcgan_lessons.")


def install(lesson: str) -> None:
    """Start watching the notebook's namespace for the learner's functions (run before any learner cell)."""
    from IPython import get_ipython

    from ..exercises import lesson_exercises

    shell = get_ipython()
    exercises = lesson_exercises(lesson)
    found: dict[str, tuple] = {}  # exercise id -> ("learner" | "course" | "other", value[, globals])

    def capture(*_):
        for exercise in exercises:
            value = shell.user_ns.get(function_name(exercise.id), found)
            if value is found:
                continue
            if callable(value) and not is_course_function(value, exercise):
                if found.get(exercise.id, ("", None))[1] is not value:
                    found[exercise.id] = ("learner", value, dict(shell.user_ns))
            elif found.get(exercise.id, ("",))[0] != "learner":
                found[exercise.id] = ("course" if callable(value) else "other", value)

    shell.events.register("post_run_cell", capture)
    _state.update(ids=[exercise.id for exercise in exercises], found=found, capture=capture, shell=shell)


def _reply(data: dict) -> None:
    from IPython.display import publish_display_data

    publish_display_data({MIME: json.dumps(data)})


def origins() -> None:
    """Reply with where each exercise's function came from: the learner, the course, or nowhere."""
    _state["capture"]()
    reply = {}
    for exercise_id in _state["ids"]:
        origin, value, *_ = _state["found"].get(exercise_id, ("missing", None))
        reply[exercise_id] = {"origin": origin, "type": _type_name(value)}
    _reply(reply)


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


def call(exercise_id: str, request: str, seconds: float) -> None:
    """Call the learner's function for `exercise_id` on one case and reply with what happened.

    `request` is JSON: {"args": [...], "kwargs": {...}, "public": bool}, each argument either
    {"value": encoded plain data} or {"course_case": [group, index, position]} (a Keras input or model
    that only the course's own case can build, made here afresh).
    """
    from ..exercises import get_exercise

    exercise = get_exercise(exercise_id)
    request = json.loads(request)
    origin, value, snapshot = _state["found"][exercise_id]
    function = as_defined(value, snapshot, _state["shell"].user_ns)
    sink = _Discard()
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            args, kwargs = _arguments(exercise, request)
            # An exercise with a runner is called its way (lesson 05: one call per training step).
            runner = getattr(exercise, "runner", None)
            got = function(*args, **kwargs) if runner is None else runner(function, args, kwargs)
            if exercise.observe is not None:
                got = exercise.observe(got, args)
            reply = {"status": "returned", "value": encode_value(to_plain(got))}
    except _CaseTimeout:
        reply = {"status": "timeout"}
    except _NotPlain as error:
        reply = {"status": "not_plain", "type": str(error)}
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are feedback too
        reply = _raised(error, public=bool(request.get("public")))
    _reply(reply)


def _arguments(exercise, request: dict) -> tuple[list, dict]:
    """The call's arguments: decoded from the request, or built by the course's own case where it says so."""
    items = [*request["args"], *request["kwargs"].values()]
    named = [item["course_case"] for item in items if "course_case" in item]
    built_args, built_kwargs = (), {}
    if named:  # all of them at once, in order, as the case itself makes them (seeds, fresh models, copies)
        group, index, _ = named[0]
        built_args, built_kwargs = getattr(exercise, group)[index].arguments()

    def one(item, position):
        if "value" in item:
            return decode_value(item["value"])
        return built_args[position] if isinstance(position, int) else built_kwargs[position]

    args = [one(item, position) for position, item in enumerate(request["args"])]
    return args, {key: one(item, key) for key, item in request["kwargs"].items()}


def _raised(error: BaseException, *, public: bool) -> dict:
    """An exception as plain data; its message only for a public case, and never one that fails to print."""
    reply = {
        "status": "raised",
        "type": _type_name(error),
        "not_implemented": isinstance(error, NotImplementedError),
    }
    if public:
        try:
            with _time_limit(2):
                message = str(error)
            reply["message"] = message[:300] if type(message) is str else ""
        except BaseException:  # noqa: BLE001 - an exception whose message cannot be read
            reply["message"] = "(its message could not be shown)"
    return reply


def _type_name(value) -> str:
    try:
        name = type(value).__name__
        return name if type(name) is str else "object"
    except BaseException:  # noqa: BLE001 - a metaclass can make even this fail
        return "object"


class _NotPlain(Exception):
    """A returned value that is not plain data; its message is the value's type."""


def to_plain(value, depth: int = 0):
    """`value` as plain data (exact built-in types, NumPy arrays and scalars); tensors become arrays.

    Subclasses (of ndarray, list, float, ...) are refused: their methods are the learner's.
    """
    kind = type(value)
    if depth > _MAX_DEPTH:
        raise _NotPlain("a value nested too deeply")
    if value is None or kind in (bool, int, float, str):
        return value
    if kind in (list, tuple):
        return kind(to_plain(item, depth + 1) for item in value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise _NotPlain("dict with keys that are not strings")
        return {key: to_plain(item, depth + 1) for key, item in value.items()}
    if kind is np.ndarray or (isinstance(value, np.generic) and kind.__module__ == "numpy"):
        return _plain_array(value)
    module = getattr(kind, "__module__", "") or ""
    if module.startswith(_TENSOR_MODULES) and not kind.__name__.startswith("Keras"):
        array = np.asarray(value)
        if type(array) is np.ndarray:
            return _plain_array(array)
    raise _NotPlain(f"{module}.{_type_name(value)}" if module else _type_name(value))


def _plain_array(value):
    array = np.asarray(value)
    if array.dtype.hasobject:
        raise _NotPlain("an array of Python objects")
    if array.nbytes > MAX_VALUE_BYTES:
        raise _NotPlain(f"an array of {array.nbytes / 2**20:.0f} MB (too large)")
    return value


def encode_value(value) -> dict:
    """JSON-ready form of plain data; TypeError for anything else (tensors, models, learner classes)."""
    if value is None or type(value) in (bool, int, float, str):
        return {"t": "py", "v": value}
    if type(value) in (list, tuple):
        return {"t": type(value).__name__, "items": [encode_value(item) for item in value]}
    if type(value) is dict and all(type(key) is str for key in value):
        return {"t": "dict", "items": {key: encode_value(item) for key, item in value.items()}}
    if type(value) is np.ndarray or (isinstance(value, np.generic) and type(value).__module__ == "numpy"):
        array = np.asarray(value)
        if array.dtype.hasobject or array.nbytes > MAX_VALUE_BYTES:
            raise TypeError("not plain data (objects inside, or too large)")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        kind = "scalar" if isinstance(value, np.generic) else "array"
        return {"t": kind, "npy": base64.b64encode(buffer.getvalue()).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not plain data")


def decode_value(data):
    """The value `encode_value` encoded, checked to be exactly that shape (never unpickles anything).

    Raises ValueError on anything else, so that the grader can read a reply from an untrusted kernel.
    """
    if type(data) is not dict or type(data.get("t")) is not str:
        raise ValueError("not an encoded value")
    kind = data["t"]
    if kind == "py":
        value = data.get("v")
        if value is None or type(value) in (bool, int, float, str):
            return value
    elif kind in ("list", "tuple") and type(data.get("items")) is list:
        items = [decode_value(item) for item in data["items"]]
        return items if kind == "list" else tuple(items)
    elif kind == "dict" and type(data.get("items")) is dict:
        return {str(key): decode_value(item) for key, item in data["items"].items()}
    elif kind in ("array", "scalar") and type(data.get("npy")) is str:
        try:
            array = np.load(io.BytesIO(base64.b64decode(data["npy"], validate=True)), allow_pickle=False)
        except Exception as error:  # noqa: BLE001 - whatever is wrong, it is not a value we sent
            raise ValueError(f"not an encoded array ({type(error).__name__})") from None
        if type(array) is not np.ndarray or array.dtype.hasobject:
            raise ValueError("not an encoded array")
        return array[()] if kind == "scalar" else array
    raise ValueError(f"not an encoded value (kind {kind!r})")


class _CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that a learner's `except Exception` cannot swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    if not hasattr(signal, "setitimer"):  # Windows: only the grader's limit on each call applies
        yield
        return

    def alarm(*_):
        raise _CaseTimeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    remaining, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, remaining)
        signal.signal(signal.SIGALRM, previous)


class _Discard(io.TextIOBase):
    def write(self, text):
        return len(text)
