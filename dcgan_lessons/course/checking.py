"""The exercise-check framework: cases, planted mistakes, comparison and feedback.

An exercise registers its reference solution, public cases (shown to learners), hidden cases (kept
for grading) and planted mistakes: the wrong answers learners usually write, each with a hint. When a
learner's answer fails, the checker runs every planted mistake on the failing cases; a hint is shown only
when its mistake gives the same wrong output (or raises alike) on *every* failing case. Feedback shows
expected vs got for public cases and never the solution; hidden cases say only which kind of check failed.

`exercises.check` (the learner's entry point, which sits above the lessons' registry) also refuses to
tick the course's own version: after a failed attempt it hands the reference back (so the lesson runs
on), and re-running only the check cell would otherwise check the reference. An answer that is, or calls,
the reference gets "re-run your exercise cell first" instead of ✓.

The course's own code (the reference, the planted mistakes) runs with warnings silenced and its outputs
cached per case: cases are fixed, so a check costs about one run of the learner's answer.

The tests prove, for every exercise, that the reference passes and that the unsolved stub and every
planted mistake fail (tests/test_exercises.py), and that learner-style wrong answers fail and differently
written right answers pass (tests/test_checks_lessonNN.py).
"""

from __future__ import annotations

import contextlib
import copy
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .validation import describe

_FROM_REFERENCE = object()  # sentinel: a case's expected value is the reference's output


@dataclass(frozen=True)
class Fresh:
    """A case argument made anew for every call, e.g. a Keras input or a model an answer will train.

    Deep-copying such objects is unreliable; building them again is not, and each answer (the
    learner's, the reference, every planted mistake) starts from the same state.
    """

    make: Callable[[], Any]
    label: str = "a fresh object"


def _materialise(value):
    return value.make() if isinstance(value, Fresh) else copy.deepcopy(value)


@dataclass(frozen=True)
class Case:
    """One input for an exercise. `expected` defaults to what the reference returns for it."""

    name: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    expected: Any = _FROM_REFERENCE

    def arguments(self) -> tuple[tuple, dict]:
        # Deep copies (or fresh objects): an answer that modifies its input in place must not change the
        # case for the reference, for the next case, or for the mistake detector.
        args = tuple(_materialise(a) for a in self.args)
        return args, {k: _materialise(v) for k, v in self.kwargs.items()}

    def call(
        self, function: Callable, observe: Callable | None = None, runner: Callable | None = None
    ) -> Any:
        """Call `function` on this case; with `observe`, return observe(result, args) instead.

        With `runner`, runner(function, args, kwargs) makes the call(s) instead, e.g. several training steps.
        """
        args, kwargs = self.arguments()
        result = function(*args, **kwargs) if runner is None else runner(function, args, kwargs)
        return result if observe is None else observe(result, args)


@dataclass(frozen=True)
class Mistake:
    """A planted wrong answer: what a learner plausibly writes, and the hint that explains it."""

    name: str
    answer: Callable
    hint: str


@dataclass(frozen=True)
class Exercise:
    """An exercise: its id ("00.scale_images"), reference, cases and planted mistakes."""

    id: str
    title: str
    reference: Callable
    public: Sequence[Case]
    hidden: Sequence[Case]
    mistakes: Sequence[Mistake]
    points: int = 1
    rtol: float = 1e-5
    atol: float = 1e-6
    check_dtype: bool = False  # True when the dtype is part of what the exercise teaches
    integers: bool = False  # True when the spec asks for integers: a float 3.0 for 3 then fails
    # What to compare, when not the return value itself: observe(result, args) -> comparable value.
    # E.g. what a model computes, or the weights a training step left behind in its arguments.
    observe: Callable | None = None
    # How to call an answer on a case, when not once: runner(answer, args, kwargs) -> result.
    runner: Callable | None = None
    # Names of the items of a returned tuple, for feedback ("the D loss"), instead of "item 2".
    item_labels: Sequence[str] | None = None
    # A comparison of its own (pure: expected, got -> Mismatch | None), when == and allclose do not fit.
    comparator: Callable | None = None

    @property
    def lesson(self) -> str:
        return self.id.split(".", 1)[0]

    def expected(self, case: Case) -> Any:
        if case.expected is not _FROM_REFERENCE:
            return case.expected
        return self.course_output(case, self.reference)

    def course_output(self, case: Case, answer: Callable) -> Any:
        """What the reference or a planted mistake gives on `case`, computed once per process.

        Cases are fixed (seeded), so these never change; caching them keeps a check of a wrong answer to
        the cost of running the answer itself. An exception is cached and raised again.
        """
        key = (id(self), id(case), id(answer))
        entry = _COURSE_OUTPUTS.get(key)
        if entry is None or entry[0] is not case or entry[1] is not answer:
            try:
                # The course's own code never warns into the learner's output. (Not redirecting stderr: a
                # library imported meanwhile, e.g. TensorFlow's absl logging, would keep the sink for good.)
                with quiet():
                    entry = (case, answer, True, self.run(case, answer))
            except Exception as error:  # noqa: BLE001 - kept and raised again, like a value
                entry = (case, answer, False, error)
            _COURSE_OUTPUTS[key] = entry
        _, _, returned, value = entry
        if not returned:
            raise value
        return value

    def run(self, case: Case, answer: Callable) -> Any:
        """What the checks compare for `answer` on `case`."""
        return case.call(answer, self.observe, self.runner)

    def compare(self, expected, got) -> Mismatch | None:
        if self.comparator is not None:
            return self.comparator(expected, got)
        return compare_values(
            expected,
            got,
            rtol=self.rtol,
            atol=self.atol,
            check_dtype=self.check_dtype,
            labels=self.item_labels,
            integers=self.integers,
        )


_COURSE_OUTPUTS: dict[tuple[int, int, int], tuple] = {}


@contextlib.contextmanager
def quiet():
    """Silence warnings (Python's and NumPy's) raised while the course's own code runs."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


@dataclass(frozen=True)
class Mismatch:
    """Why an answer differs from the expected value. `kind` is safe to show for hidden cases."""

    kind: str  # "type", "shape", "dtype", "values", "error", "length", "timeout", "crash"
    detail: str


_KIND_TEXT = {
    "type": "returned the wrong type of value",
    "shape": "returned the wrong shape",
    "length": "returned the wrong number of items",
    "dtype": "returned the wrong dtype",
    "values": "returned wrong values",
    "error": "raised an exception",
    "timeout": "took too long and was stopped",
    "crash": "ended the Python process",
}


def _short(value, limit: int = 8) -> str:
    """A compact rendering of a value for feedback: small arrays in full, large ones summarised."""
    array = np.asarray(value)
    if array.size <= limit:
        if not array.ndim:
            return _scalar(array)
        flat = np.array2string(array.ravel(), precision=6, separator=", ")
        return flat if array.ndim == 1 else f"{flat} (flattened)"
    return f"array of shape {array.shape}, values in [{array.min():.6g}, {array.max():.6g}]"


def _scalar(value) -> str:
    item = np.asarray(value).item()
    return f"{item:.6g}" if isinstance(item, float) else repr(item)


def _to_array(value) -> np.ndarray | None:
    """NumPy view of arrays, tensors and numbers; None for things that are not numeric arrays."""
    if isinstance(value, (str, bytes, dict, set)) or value is None or callable(value):
        return None
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that refuses conversion is simply "not an array"
        return None
    return array if (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_) else None


def compare_values(
    expected,
    got,
    *,
    rtol=1e-5,
    atol=1e-6,
    check_dtype=False,
    labels: Sequence[str] | None = None,
    integers: bool = False,
) -> Mismatch | None:
    """Compare `got` with `expected`; None when they match, else a Mismatch saying how they differ.

    Arrays (NumPy, TensorFlow, JAX) and numbers are compared with a tolerance; tuples and lists
    element by element (named by `labels` when given, else by position); anything else with ==.
    Pure: no printing, no state, so a grader can call it on values a learner's kernel sent back.
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return Mismatch(
                "type", f"expected a {type(expected).__name__} of {len(expected)} items, got {describe(got)}"
            )
        if len(got) != len(expected):
            what = f" ({', '.join(labels)})" if labels and len(labels) == len(expected) else ""
            return Mismatch("length", f"expected {len(expected)} items{what}, got {len(got)}")
        for index, (want, have) in enumerate(zip(expected, got, strict=False)):
            mismatch = compare_values(
                want, have, rtol=rtol, atol=atol, check_dtype=check_dtype, integers=integers
            )
            if mismatch:
                name = (
                    labels[index]
                    if labels and index < len(labels)
                    else f"item {index + 1} of {len(expected)}"
                )
                return Mismatch(mismatch.kind, f"{name}: {mismatch.detail}")
        return None

    want = _to_array(expected)
    if want is None:
        if got == expected:
            return None
        return Mismatch("values", f"expected {expected!r}, got {got!r}")

    have = _to_array(got)
    if have is None:
        what = f"an array of shape {want.shape}" if want.ndim else "a number"
        return Mismatch("type", f"expected {what}, got {describe(got)}")
    if have.shape != want.shape:
        return Mismatch("shape", f"expected shape {want.shape}, got shape {have.shape}")
    if check_dtype and have.dtype != want.dtype:
        return Mismatch("dtype", f"expected dtype {want.dtype}, got dtype {have.dtype}")
    if integers and np.issubdtype(want.dtype, np.integer) and not np.issubdtype(have.dtype, np.integer):
        what = "an integer" if not want.ndim else "an integer array"
        return Mismatch("dtype", f"expected {what}, got {have.dtype} values")
    if want.size == 0:
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(
            have.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True
        )
    if close.all():
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(have.astype(np.float64) - want.astype(np.float64))
    if not want.ndim:
        return Mismatch("values", f"expected {_scalar(want)}, got {_scalar(have)}")
    first = np.unravel_index(int(np.argmin(close)), close.shape)
    largest = _max_or_nan(diff)
    count = f"{int((~close).sum())} of {close.size} values differ; max |expected - got| = {largest:.6g}"
    where = tuple(int(i) for i in first)
    if want.size <= 8:  # small: both arrays whole, and "expected ... got" said once
        return Mismatch(
            "values", f"{count}, first at index {where}; expected {_short(want)}, got {_short(have)}"
        )
    detail = f"{count}; first at index {where}: expected {_scalar(want[first])}, got {_scalar(have[first])}"
    return Mismatch("values", detail)


def _max_or_nan(values: np.ndarray) -> float:
    """The largest finite difference, or nan when there is none (an all-NaN answer), without a warning."""
    finite = values[~np.isnan(values)]
    return float(finite.max()) if finite.size else float("nan")


@dataclass
class CaseResult:
    name: str
    hidden: bool
    passed: bool
    mismatch: Mismatch | None = None
    hint: str | None = None  # the first planted mistake that reproduces this case's wrong output
    hints: tuple[str, ...] | None = None  # every one that does (None: not known, e.g. from an old grader)

    def explanations(self) -> tuple[str, ...]:
        if self.hints is not None:
            return self.hints
        return (self.hint,) if self.hint else ()


@dataclass
class CheckResult:
    """The outcome of checking one answer: status, per-case results and the score they earn."""

    exercise: Exercise
    status: str  # "passed", "failed", "not_attempted" or "reference" (handed the course's own version)
    cases: list[CaseResult] = field(default_factory=list)
    note: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def fraction(self) -> float:
        """Share of cases passed (0 when not attempted): the basis of partial credit."""
        if not self.cases:
            return 0.0
        return sum(case.passed for case in self.cases) / len(self.cases)

    @property
    def score(self) -> float:
        return self.exercise.points * self.fraction

    def hints(self) -> list[str]:
        """Hints of the planted mistakes that reproduce the answer's output on *every* failing case.

        A mistake that explains one failing case but not another is not what went wrong, so it says nothing.
        """
        failed = [case for case in self.cases if not case.passed]
        if not failed:
            return []
        common = list(failed[0].explanations())
        for case in failed[1:]:
            common = [hint for hint in common if hint in case.explanations()]
        return common

    def feedback(self) -> str:
        """Text for the learner: what failed and why, with hints; hidden cases without their content."""
        exercise = self.exercise
        if self.status == "not_attempted":
            return (
                f"… {exercise.id} ({exercise.title}): not attempted yet. Replace the "
                "`raise NotImplementedError(...)` line with your code and run the cell again."
            )
        if self.status == "reference":
            return (
                f"… {exercise.id} ({exercise.title}): this is the course's own version, not yours (a failed "
                "check hands it back so that the lesson runs on). Re-run your exercise cell first, then "
                "this cell."
            )
        public = [c for c in self.cases if not c.hidden]
        hidden = [c for c in self.cases if c.hidden]
        failed = [c for c in self.cases if not c.passed]
        if not failed:
            extra = f" and {len(hidden)} hidden" if hidden else ""
            return f"✓ {exercise.id} ({exercise.title}): all {len(public)} public{extra} cases pass."
        which = f"{len(self.cases)} cases" if hidden else f"{len(self.cases)} public cases"
        lines = [f"✗ {exercise.id} ({exercise.title}): {len(failed)} of {which} fail."]
        if self.note:
            lines.append(f"  {self.note}")
        for case in failed:
            if case.hidden:
                kind = _KIND_TEXT.get(case.mismatch.kind, "gave a wrong answer")
                lines.append(f"  - a hidden case: your answer {kind}.")
                continue
            lines.append(f"  - case '{case.name}': {case.mismatch.detail}")
        lines += [f"  hint: {hint}" for hint in self.hints()]
        return "\n".join(lines)


def run_check(
    exercise: Exercise, answer, *, include_hidden: bool = False, detect_reference: bool = False
) -> CheckResult:
    """Run an exercise's cases against `answer` and return the result; prints nothing.

    With `detect_reference`, an answer that is, or calls, the course's reference gets status "reference"
    and no score: what `check` and `show_score` use, so re-running a check cell after a failed attempt
    (which bound the name to the reference) never shows a ✓ that is not the learner's.
    """
    if not callable(answer):
        return CheckResult(
            exercise,
            "failed",
            [CaseResult(c.name, False, False, Mismatch("type", "not run")) for c in exercise.public],
            note=f"Expected a function, got {describe(answer)}: pass the function itself, without ().",
        )
    if detect_reference and is_reference(exercise, answer):
        return CheckResult(exercise, "reference")
    cases = [(case, False) for case in exercise.public]
    if include_hidden:
        cases += [(case, True) for case in exercise.hidden]
    results = []
    for index, (case, hidden) in enumerate(cases):
        called = answer
        if detect_reference and index == 0:
            called = _watching_for(exercise.reference, answer)
        try:
            got = exercise.run(case, called)
        except Exception as error:  # noqa: BLE001 - any exception in learner code is feedback, not a crash
            if getattr(called, "entered_reference", False):
                return CheckResult(exercise, "reference")
            if isinstance(error, NotImplementedError) and not results:
                # The generated stub raises this at once: nothing has been written yet.
                return CheckResult(exercise, "not_attempted")
            results.append(_raised(exercise, case, hidden, error))
            continue
        if getattr(called, "entered_reference", False):
            return CheckResult(exercise, "reference")
        results.append(judge_case(exercise, case, hidden, got))
    status = "passed" if all(r.passed for r in results) else "failed"
    return CheckResult(exercise, status, results)


def is_reference(exercise: Exercise, answer) -> bool:
    """True for the exercise's reference itself (under any name); wrappers are caught while they run."""
    code = getattr(exercise.reference, "__code__", None)
    return answer is exercise.reference or (code is not None and getattr(answer, "__code__", None) is code)


_WATCHED_EVENTS = 20_000  # calls watched for the reference: a thin wrapper reaches it within a handful


def _watching_for(reference: Callable, answer: Callable) -> Callable:
    """`answer`, noting in `.entered_reference` whether the reference's code ran during the call.

    Catches thin wrappers (`lambda x: dcgan_lessons.scale_images(x)`, functools.partial, a learner's
    function that returns the reference's result) without looking at their source.
    """
    code = getattr(reference, "__code__", None)

    def call(function, *args, **kwargs):
        if code is None:
            return function(*args, **kwargs)
        previous = sys.getprofile()
        events = [0]

        def profile(frame, event, arg):
            if event == "call" and frame.f_code is code:
                watched.entered_reference = True
            events[0] += 1
            if events[0] > _WATCHED_EVENTS:  # a wrapper calls the reference at once; spare long runs
                sys.setprofile(previous)
            if previous is not None:
                previous(frame, event, arg)

        sys.setprofile(profile)
        try:
            return function(*args, **kwargs)
        finally:
            sys.setprofile(previous)

    def watched(*args, **kwargs):
        return call(answer, *args, **kwargs)

    inner = getattr(answer, "python_function", None)  # a @tf.function: a runner may trace it afresh
    if callable(inner):
        watched.python_function = lambda *args, **kwargs: call(inner, *args, **kwargs)
    watched.entered_reference = False
    return watched


def judge_case(exercise: Exercise, case: Case, hidden: bool, got) -> CaseResult:
    """Compare what an answer returned for one case with the expected value, with hints on a mismatch.

    Used by `run_check` and by the instructor grader, which gets `got` back from a learner's kernel.
    """
    mismatch = exercise.compare(exercise.expected(case), got)
    if mismatch is None:
        return CaseResult(case.name, hidden, True)
    hints = _diagnose(exercise, case, got)
    return CaseResult(case.name, hidden, False, mismatch, hints[0] if hints else None, hints)


def _raised(exercise: Exercise, case: Case, hidden: bool, error: BaseException) -> CaseResult:
    """A case whose answer raised: the error with the learner's line, and mistakes that raise the same."""
    hints = _diagnose(exercise, case, error)
    mismatch = Mismatch("error", describe_error(error))
    return CaseResult(case.name, hidden, False, mismatch, hints[0] if hints else None, hints)


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # dcgan_lessons/, not course/
_LIBRARY_DIRS = tuple({os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix) if p})


def describe_error(error: BaseException) -> str:
    """'raised ValueError: ... (in `f`, line 3: `code`)': the error and the learner's line that raised it.

    The line is the last frame of the traceback outside the course's package and installed libraries:
    the learner's own code (a notebook cell or their file), even when the error came from deep in NumPy.
    """
    text = f"raised {type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if _is_learner_file(f.filename)]
    if own:
        frame = own[-1]
        where = f"in `{frame.name}`, line {frame.lineno}"
        if not frame.filename.startswith("<") and "ipykernel" not in frame.filename:
            where += f" of {os.path.basename(frame.filename)}"
        code = (frame.line or "").strip()
        text += f" ({where}: `{code}`)" if code else f" ({where})"
    return text


def _is_learner_file(filename: str) -> bool:
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    if path.startswith("<"):
        return "ipython-input" in path or path.startswith("<string")
    if path.startswith(_PACKAGE_DIR + os.sep) or "site-packages" in path or "dist-packages" in path:
        return False
    return not any(path.startswith(d + os.sep + "lib") for d in _LIBRARY_DIRS)


def _diagnose(exercise: Exercise, case: Case, got) -> tuple[str, ...]:
    """Hints of the planted mistakes that give the same wrong output on this case (or raise alike).

    `got` is the answer's compared value, or the exception it raised.
    """
    hints = []
    for mistake in exercise.mistakes:
        try:
            planted = exercise.course_output(case, mistake.answer)
        except Exception as error:  # noqa: BLE001 - a mistake that raises matches an answer raising alike
            if isinstance(got, BaseException) and type(error) is type(got):
                hints.append(mistake.hint)
            continue
        if isinstance(got, BaseException):
            continue
        try:
            with quiet():
                same = exercise.compare(planted, got) is None
        except Exception:  # noqa: BLE001 - a value the comparison cannot handle explains nothing
            same = False
        if same:
            hints.append(mistake.hint)
    return tuple(hints)
