"""The exercise-check framework: cases, planted mistakes, comparison and feedback.

An exercise registers its reference solution, public cases (shown to learners), hidden cases (kept
for grading) and planted mistakes: the wrong answers learners usually write, each with a hint. When a
learner's answer fails a case, the checker also runs every planted mistake on that case; if one gives
the same wrong output, its hint says what probably went wrong. Feedback shows expected vs got for
public cases and never the solution; hidden cases say only which kind of check failed.

The tests prove, for every exercise, that the reference passes and that the unsolved stub and every
planted mistake fail (tests/test_exercises.py).
"""

from __future__ import annotations

import copy
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

    def call(self, function: Callable, observe: Callable | None = None) -> Any:
        """Call `function` on this case; with `observe`, return observe(result, args) instead."""
        args, kwargs = self.arguments()
        result = function(*args, **kwargs)
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
    # What to compare, when not the return value itself: observe(result, args) -> comparable value.
    # E.g. a model's layer summary, or the weights a training step left behind in its arguments.
    observe: Callable | None = None

    @property
    def lesson(self) -> str:
        return self.id.split(".", 1)[0]

    def expected(self, case: Case) -> Any:
        return self.run(case, self.reference) if case.expected is _FROM_REFERENCE else case.expected

    def run(self, case: Case, answer: Callable) -> Any:
        """What the checks compare for `answer` on `case`."""
        return case.call(answer, self.observe)

    def compare(self, expected, got) -> Mismatch | None:
        return compare_values(expected, got, rtol=self.rtol, atol=self.atol, check_dtype=self.check_dtype)


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


def compare_values(expected, got, *, rtol=1e-5, atol=1e-6, check_dtype=False) -> Mismatch | None:
    """Compare `got` with `expected`; None when they match, else a Mismatch saying how they differ.

    Arrays (NumPy, TensorFlow, JAX) and numbers are compared with a tolerance; tuples and lists
    element by element; anything else with ==.
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return Mismatch(
                "type", f"expected a {type(expected).__name__} of {len(expected)} items, got {describe(got)}"
            )
        if len(got) != len(expected):
            return Mismatch("length", f"expected {len(expected)} items, got {len(got)}")
        for index, (want, have) in enumerate(zip(expected, got, strict=False)):
            mismatch = compare_values(want, have, rtol=rtol, atol=atol, check_dtype=check_dtype)
            if mismatch:
                return Mismatch(mismatch.kind, f"item {index}: {mismatch.detail}")
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
    if want.size == 0:
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(
            have.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True
        )
    if close.all():
        return None
    diff = np.abs(have.astype(np.float64) - want.astype(np.float64))
    first = np.unravel_index(int(np.argmin(close)), close.shape) if want.ndim else ()
    where = f" at index {tuple(int(i) for i in first)}" if want.ndim else ""
    detail = (
        f"{int((~close).sum())} of {close.size} values differ; "
        f"max |expected - got| = {_max_or_nan(diff):.6g}; "
        f"first{where}: expected {_scalar(want[first])}, got {_scalar(have[first])}"
    )
    if want.size <= 8:
        detail += f" (expected {_short(want)}, got {_short(have)})"
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
    hint: str | None = None


@dataclass
class CheckResult:
    """The outcome of checking one answer: status, per-case results and the score they earn."""

    exercise: Exercise
    status: str  # "passed", "failed" or "not_attempted"
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

    def feedback(self) -> str:
        """Text for the learner: what failed and why, with hints; hidden cases without their content."""
        exercise = self.exercise
        if self.status == "not_attempted":
            return (
                f"… {exercise.id} ({exercise.title}): not attempted yet. Replace the "
                "`raise NotImplementedError(...)` line with your code and run the cell again."
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
        hints_shown = set()
        for case in failed:
            if case.hidden:
                kind = _KIND_TEXT.get(case.mismatch.kind, "gave a wrong answer")
                lines.append(f"  - a hidden case: your answer {kind}.")
                continue
            lines.append(f"  - case '{case.name}': {case.mismatch.detail}")
            if case.hint and case.hint not in hints_shown:
                lines.append(f"    hint: {case.hint}")
                hints_shown.add(case.hint)
        return "\n".join(lines)


def run_check(exercise: Exercise, answer, *, include_hidden: bool = False) -> CheckResult:
    """Run an exercise's cases against `answer` and return the result; prints nothing."""
    if not callable(answer):
        return CheckResult(
            exercise,
            "failed",
            [CaseResult(c.name, False, False, Mismatch("type", "not run")) for c in exercise.public],
            note=f"Expected a function, got {describe(answer)}: pass the function itself, without ().",
        )
    cases = [(case, False) for case in exercise.public]
    if include_hidden:
        cases += [(case, True) for case in exercise.hidden]
    results = []
    for case, hidden in cases:
        try:
            got = exercise.run(case, answer)
        except Exception as error:  # noqa: BLE001 - any exception in learner code is feedback, not a crash
            if isinstance(error, NotImplementedError) and not results:
                # The generated stub raises this at once: nothing has been written yet.
                return CheckResult(exercise, "not_attempted")
            results.append(CaseResult(case.name, hidden, False, Mismatch("error", _describe_error(error))))
            continue
        results.append(judge_case(exercise, case, hidden, got))
    status = "passed" if all(r.passed for r in results) else "failed"
    return CheckResult(exercise, status, results)


def judge_case(exercise: Exercise, case: Case, hidden: bool, got) -> CaseResult:
    """Compare what an answer returned for one case with the expected value, with a hint on a mismatch.

    Used by `run_check` and by the instructor grader, which gets `got` back from a learner's kernel.
    """
    mismatch = exercise.compare(exercise.expected(case), got)
    hint = _diagnose(exercise, case, got) if mismatch else None
    return CaseResult(case.name, hidden, mismatch is None, mismatch, hint)


def _describe_error(error: BaseException) -> str:
    return f"raised {type(error).__name__}: {error}"


def _diagnose(exercise: Exercise, case: Case, got) -> str | None:
    """The hint of the first planted mistake that produces the same wrong output on this case."""
    for mistake in exercise.mistakes:
        try:
            planted = exercise.run(case, mistake.answer)
        except Exception:  # noqa: BLE001 - a mistake that cannot run on this case explains nothing
            continue
        if exercise.compare(planted, got) is None:
            return mistake.hint
    return None


def check(exercise_id: str, answer):
    """Check a learner's answer on the exercise's public cases and print feedback.

    Returns the function the rest of the lesson should use: the learner's own when it passes,
    otherwise the course's reference, so a notebook always runs to the end.
    """
    from .exercises import get_exercise

    exercise = get_exercise(exercise_id)
    result = run_check(exercise, answer)
    print(result.feedback())
    if result.passed:
        return answer
    name = getattr(exercise.reference, "__name__", "the reference")
    print(f"  The rest of the lesson uses the course's reference `dcgan_lessons.{name}` until yours passes.")
    return exercise.reference
