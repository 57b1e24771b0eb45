"""Instructor grading: run every submitted notebook, then grade the learner's functions with all cases.

`grade(paths, out_dir)` reads every submission into memory, runs each in its own kernel (two at a time
by default, see `kernel_run.py`), and scores each exercise of its lesson from the probe's results with
the course's own comparison, in this process: the share of public and hidden cases passed, times the
exercise's points. Then it writes, from this process only, the gradebook and one feedback file per
learner (`gradebook.py`). A submission that cannot be run or is broken gets zero for what it lacks and
a reason; it never stops the run or touches another's grade.

Learner functions are found by name: exercise `NN.name` is graded on the function `name` the notebook
defined last, its own, not the course's reference that a failed `check` substitutes.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .checking import CaseResult, CheckResult, Exercise, Mismatch, judge_case
from .extra_cases import grading_cases, load_extra_cases
from .kernel_run import KernelRun, Limits, run_notebook
from .probe import decode_value, function_name
from .submissions import Submission, read_submissions


@dataclass
class ExerciseGrade:
    """One exercise's grade: the points earned, and the check result or the reason there is none."""

    exercise: Exercise
    result: CheckResult | None = None
    reason: str | None = None  # why the function was not graded (missing, not the learner's own, ...)

    @property
    def score(self) -> float:
        return self.result.score if self.result is not None else 0.0


@dataclass
class SubmissionGrade:
    submission: Submission
    exercises: list[ExerciseGrade] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the notebook ran: errors, limits, restarts
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(grade.score for grade in self.exercises)

    @property
    def max_points(self) -> float:
        return sum(grade.exercise.points for grade in self.exercises)


def grade_submissions(
    paths: list[Path | str],
    *,
    lesson: str | None = None,
    limits: Limits | None = None,
    extra_cases: Path | str | None = None,
    workers: int = 2,
    progress=None,
) -> list[SubmissionGrade]:
    """Grade every submission in `paths` (files or folders); results in the order the files were found."""
    from .exercises import lesson_exercises

    limits = limits or Limits()
    extra = load_extra_cases(extra_cases) if extra_cases else {}
    submissions = read_submissions(paths, lesson)  # all read before any runs

    def one(submission: Submission) -> SubmissionGrade:
        start = time.monotonic()
        grade = SubmissionGrade(submission)
        if submission.problem is None:
            exercises = lesson_exercises(submission.lesson)
            try:
                run = run_notebook(
                    submission.notebook, submission.path.name, submission.lesson, limits, extra_cases
                )
            except Exception as error:  # noqa: BLE001 - one broken run must not stop the others
                run = KernelRun(
                    notes=[f"the grader could not run this notebook ({type(error).__name__}: {error})"]
                )
            grade.notes = run.cell_errors + run.notes
            grade.exercises = [grade_exercise(exercise, extra, run) for exercise in exercises]
        if submission.path.exists() and submission.data and submission.path.read_bytes() != submission.data:
            grade.notes.append(
                "the file changed on disk while grading ran; this grade is for the version read first"
            )
        grade.seconds = time.monotonic() - start
        if progress:
            progress(grade)
        return grade

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, submissions))


def grade_exercise(exercise: Exercise, extra: dict, run: KernelRun) -> ExerciseGrade:
    """The grade of one exercise from the probe's lines for it."""
    name = function_name(exercise.id)
    lines = [line for line in run.lines if line["exercise"] == exercise.id]
    header = next((line for line in lines if "origin" in line), None)
    if header is None:
        why = "the notebook did not run far enough for the grader to reach it" if run.notes else "not reached"
        return ExerciseGrade(exercise, reason=f"not graded: {why} (see above)")
    origin = header["origin"]
    if origin == "missing":
        return ExerciseGrade(exercise, reason=f"the notebook defines no function called `{name}`")
    if origin == "course":
        return ExerciseGrade(
            exercise,
            reason=f"`{name}` is the course's own implementation from `dcgan_lessons`, not your function",
        )
    if origin == "other":
        return ExerciseGrade(exercise, reason=f"`{name}` is a {header.get('type', 'value')}, not a function")
    by_index = {line["case"]: line for line in lines if isinstance(line.get("case"), int)}
    results: list[CaseResult] = []
    crashed = False
    for index, (case, hidden) in enumerate(grading_cases(exercise, extra)):
        line = by_index.get(index)
        if line is None:
            detail = (
                "not run: the Python process had already ended"
                if crashed
                else ("the Python process ended while this case ran")
            )
            crashed = True
            results.append(CaseResult(case.name, hidden, False, Mismatch("crash", detail)))
            continue
        status = line.get("status")
        if status == "raised":
            if line.get("not_implemented") and not results:
                return ExerciseGrade(exercise, CheckResult(exercise, "not_attempted"))
            detail = f"raised {line.get('type')}: {line.get('message')}"
            results.append(CaseResult(case.name, hidden, False, Mismatch("error", detail)))
        elif status == "timeout":
            detail = f"took longer than {line.get('seconds')} s and was stopped (an endless loop?)"
            results.append(CaseResult(case.name, hidden, False, Mismatch("timeout", detail)))
        elif status == "returned":
            results.append(judge_case(exercise, case, hidden, decode_value(line["value"])))
        else:  # "judged" in the kernel: a tensor, model or other value that does not travel as plain data
            passed = bool(line.get("passed"))
            mismatch = None if passed else Mismatch(line.get("kind") or "values", line.get("detail") or "")
            results.append(CaseResult(case.name, hidden, passed, mismatch, line.get("hint")))
    status = "passed" if all(result.passed for result in results) else "failed"
    return ExerciseGrade(exercise, CheckResult(exercise, status, results))


def grade(paths, out_dir, **options) -> list[SubmissionGrade]:
    """Grade `paths` and write the gradebook and feedback files into `out_dir`; returns the grades."""
    from .gradebook import write_results

    grades = grade_submissions(paths, **options)
    write_results(grades, out_dir)
    return grades


def print_progress(grade: SubmissionGrade) -> None:
    submission = grade.submission
    score = (
        f"{grade.total:g} / {grade.max_points:g}"
        if submission.problem is None
        else f"not graded: {submission.problem}"
    )
    print(f"{submission.learner}: {score} ({grade.seconds:.1f} s)", file=sys.stderr, flush=True)
