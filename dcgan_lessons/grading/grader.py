"""Instructor grading: run every submitted notebook, then judge the learner's functions case by case here.

`grade(paths, out_dir)` reads every submission into memory, runs each in its own kernel (two at a time
by default, see `kernel_run.py`), and has the kernel call the learner's functions on every public,
hidden and private case, one call at a time. The kernel only calls: what comes back is plain data
(arrays, numbers, strings), and every expected value, tolerance, hint and score is computed in this
process, with the course's own comparison (`checking.judge_case`), imported before any kernel starts.
So nothing a notebook patches in its kernel (the course's checks, NumPy, Keras) reaches the judgement,
and a value that is not plain data scores 0 for its case, with a note. The score is the share of cases
passed times the exercise's points. Then it writes, from this process only, the gradebook and one
feedback file per learner (`gradebook.py`). A submission that cannot be run or is broken gets zero for
what it lacks and a reason; it never stops the run or touches another's grade.

Learner functions are found by name: exercise `NN.name` is graded on the function `name` the notebook
defined last, its own, not the course's reference that a failed `check` substitutes.
"""

from __future__ import annotations

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..course.checking import CaseResult, CheckResult, Exercise, Mismatch, judge_case
from .calls import Call, make_calls
from .extra_cases import grading_cases, load_extra_cases
from .kernel_guard import adopting_orphans
from .kernel_run import KernelRun, Limits, run_notebook
from .probe import decode_value, function_name
from .results import ExerciseGrade, SubmissionGrade
from .submissions import Submission, read_submissions

_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}")
_PLAIN = (
    "the grader accepts NumPy arrays, numbers, strings and lists, tuples or dicts of them "
    "(np.asarray(...) converts a tensor)"
)


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
    from ..exercises import lesson_exercises

    limits = limits or Limits()
    extra = load_extra_cases(extra_cases) if extra_cases else {}
    submissions = read_submissions(paths, lesson)  # all read before any runs
    lessons = sorted({s.lesson for s in submissions if s.problem is None})
    plans = {name: lesson_calls(lesson_exercises(name), extra) for name in lessons}
    prepare_expected(plans, extra)  # before any kernel runs: nothing it does can reach these imports

    def one(submission: Submission) -> SubmissionGrade:
        start = time.monotonic()
        grade = SubmissionGrade(submission)
        if submission.problem is None:
            exercises = lesson_exercises(submission.lesson)
            try:
                calls = plans[submission.lesson]
                run = run_notebook(
                    submission.notebook, submission.path.name, submission.lesson, limits, calls
                )
            except Exception as error:  # noqa: BLE001 - one broken run must not stop the others
                run = KernelRun(notes=[f"the grader could not run this notebook ({type(error).__name__})"])
            grade.notes = run.cell_errors + run.notes
            for exercise in exercises:
                try:
                    grade.exercises.append(grade_exercise(exercise, extra, run))
                except Exception as error:  # noqa: BLE001 - a reply nobody foresaw costs this exercise only
                    reason = f"not graded: the grader could not read its results ({type(error).__name__})"
                    grade.exercises.append(ExerciseGrade(exercise, reason=reason))
        if submission.path.exists() and submission.data and submission.path.read_bytes() != submission.data:
            grade.notes.append(
                "the file changed on disk while grading ran; this grade is for the version read first"
            )
        grade.seconds = time.monotonic() - start
        if progress:
            progress(grade)
        return grade

    with adopting_orphans(), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, submissions))


def lesson_calls(exercises: list[Exercise], extra: dict) -> list[Call]:
    """Every call the grader makes for a lesson: all public cases first, then all hidden and private ones.

    So by the time learner code has seen a hidden case's input, no more of its text reaches the feedback.
    """
    calls = [call for exercise in exercises for call in make_calls(exercise, grading_cases(exercise, extra))]
    return [call for call in calls if not call.hidden] + [call for call in calls if call.hidden]


def prepare_expected(plans: dict[str, list[Call]], extra: dict) -> None:
    """Compute every expected value once in this process, which also imports all that judging needs."""
    from ..exercises import lesson_exercises

    with np.errstate(all="ignore"):  # planted mistakes overflow on purpose: no noise for the instructor
        for lesson in plans:
            for exercise in lesson_exercises(lesson):
                for case, _hidden in grading_cases(exercise, extra):
                    exercise.expected(case)


def grade_exercise(exercise: Exercise, extra: dict, run: KernelRun) -> ExerciseGrade:
    """The grade of one exercise from the kernel's replies for it, judged here."""
    name = function_name(exercise.id)
    header = run.origins.get(exercise.id)
    if header is None:
        why = "the notebook did not run far enough for the grader to reach it" if run.notes else "not reached"
        return ExerciseGrade(exercise, reason=f"not graded: {why} (see above)")
    origin = header.get("origin")
    if origin == "course":
        return ExerciseGrade(
            exercise,
            reason=f"`{name}` is the course's own implementation from `dcgan_lessons`, not your function",
        )
    if origin == "other":
        what = _type_name(header.get("type"))
        return ExerciseGrade(exercise, reason=f"`{name}` is a {what}, not a function")
    if origin != "learner":
        return ExerciseGrade(exercise, reason=f"the notebook defines no function called `{name}`")
    results: list[CaseResult] = []
    for index, (case, hidden) in enumerate(grading_cases(exercise, extra)):
        reply = run.replies.get((exercise.id, index))
        if reply is None:
            if run.in_flight == (exercise.id, index):
                detail = "the Python process ended while this case ran"
            elif run.probe_stopped:
                detail = "not run: the Python process had already ended"
            else:
                detail = "the grader got no reply for this case"
            results.append(CaseResult(case.name, hidden, False, Mismatch("crash", detail)))
            continue
        if reply.get("status") == "raised" and reply.get("not_implemented") is True and not results:
            return ExerciseGrade(exercise, CheckResult(exercise, "not_attempted"))
        results.append(judge_reply(exercise, case, hidden, reply))
    status = "passed" if all(result.passed for result in results) else "failed"
    return ExerciseGrade(exercise, CheckResult(exercise, status, results))


def judge_reply(exercise: Exercise, case, hidden: bool, reply: dict) -> CaseResult:
    """One case's result from the kernel's reply: only plain data is judged, with the course's comparison.

    Text from the kernel appears only for public cases (hidden ones show only the kind of failure), and
    only the parts a reply may hold: a type name and a short message.
    """
    status = reply.get("status")
    if status == "returned":
        try:
            got = decode_value(reply.get("value"))
        except (ValueError, TypeError, KeyError):
            unreadable = Mismatch("type", "the grader could not read the value")
            return CaseResult(case.name, hidden, False, unreadable)
        try:
            with np.errstate(all="ignore"):
                return judge_case(exercise, case, hidden, got)
        except Exception as error:  # noqa: BLE001 - plain data the comparison cannot handle is a wrong value
            detail = f"the returned value could not be compared ({type(error).__name__})"
            return CaseResult(case.name, hidden, False, Mismatch("type", detail))
    if status == "raised":
        message = reply.get("message")
        message = message[:300] if isinstance(message, str) and not hidden else ""
        detail = f"raised {_type_name(reply.get('type'))}" + (f": {message}" if message else "")
        return CaseResult(case.name, hidden, False, Mismatch("error", detail))
    if status == "timeout":
        detail = "took too long and was stopped (an endless loop?)"
        return CaseResult(case.name, hidden, False, Mismatch("timeout", detail))
    if status == "not_plain":
        what = "a value that is not plain data" if hidden else f"a {_type_name(reply.get('type'))}"
        return CaseResult(case.name, hidden, False, Mismatch("type", f"returned {what}: {_PLAIN}"))
    return CaseResult(case.name, hidden, False, Mismatch("error", "the grader got no usable reply"))


def _type_name(name) -> str:
    return name if isinstance(name, str) and _TYPE_NAME.fullmatch(name) else "value"


def grade(paths, out_dir, **options) -> list[SubmissionGrade]:
    """Grade `paths` and write the gradebook and feedback files into `out_dir`; returns the grades.

    The results are written here, once, after every kernel and everything they started has ended.
    """
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
