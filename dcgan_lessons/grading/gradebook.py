"""The grader's outputs: a gradebook CSV and one feedback file per learner.

`gradebook.csv` has one row per submission and one column per exercise (points earned), then the total,
the maximum, why a submission was not graded, and notes on how it ran (errors, time limit, restarts).
`feedback/<learner>.md` explains each lost point: the check's feedback for public cases (expected vs
got, a hint), only the kind of failure for hidden ones, never their names or values, and never the
solution.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from .results import SubmissionGrade
from .submissions import safe_file_name


def _text(value: str) -> str:
    """A text cell that spreadsheets will not run as a formula (file names come from learners)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _points(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def gradebook_rows(grades: list[SubmissionGrade]) -> tuple[list[str], list[list[str]]]:
    """The gradebook's header and rows; exercise columns in the registry's order."""
    from ..exercises import all_exercises

    graded = {grade.exercise.id for g in grades for grade in g.exercises}
    columns = [exercise_id for exercise_id in all_exercises() if exercise_id in graded]
    header = ["learner", "file", "lesson", *columns, "total", "max", "problem", "notes"]
    rows = []
    for g in grades:
        scores = {grade.exercise.id: _points(grade.score) for grade in g.exercises}
        submission = g.submission
        rows.append(
            [
                _text(submission.learner),
                _text(submission.path.name),
                submission.lesson or "",
                *(scores.get(column, "") for column in columns),
                _points(g.total),
                _points(g.max_points),
                _text(submission.problem or ""),
                _text(" | ".join(g.notes)[:500]),
            ]
        )
    return header, rows


def feedback_text(grade: SubmissionGrade) -> str:
    """The feedback a learner receives, in Markdown."""
    submission = grade.submission
    lines = [f"# Feedback for {submission.learner}", "", f"File: `{submission.path.name}`"]
    if submission.problem is not None:
        lines += ["", f"**Not graded:** {submission.problem}.", ""]
        return "\n".join(lines)
    lines += [
        f"Lesson {submission.lesson} (matched by its {submission.how_matched})",
        "",
        f"**Score: {_points(grade.total)} / {_points(grade.max_points)} points.**",
        "",
    ]
    if grade.notes:
        lines += ["## How your notebook ran", ""] + [f"- {note}" for note in grade.notes] + [""]
    lines += ["## Exercises", ""]
    for item in grade.exercises:
        exercise = item.exercise
        lines += [f"### {exercise.id}: {_points(item.score)} / {_points(exercise.points)}", ""]
        if item.result is None:
            lines.append(f"✗ {exercise.id} ({exercise.title}): {item.reason}.")
        else:
            lines.append(item.result.feedback())
        lines.append("")
    lines.append(
        "Hidden cases are the ones your instructor keeps for grading: only the kind of failure is shown. "
        "Run your notebook's check cells for details on the public cases."
    )
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_results(grades: list[SubmissionGrade], out_dir: Path | str) -> Path:
    """Write `gradebook.csv` and `feedback/*.md` into `out_dir` (created if missing); returns the CSV."""
    out_dir = Path(out_dir)
    feedback_dir = out_dir / "feedback"
    feedback_dir.mkdir(parents=True, exist_ok=True)
    header, rows = gradebook_rows(grades)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    taken: set[str] = set()
    for grade in grades:
        name = safe_file_name(grade.submission.learner, taken)
        _write_atomic(feedback_dir / f"{name}.md", feedback_text(grade))
    gradebook = out_dir / "gradebook.csv"
    _write_atomic(gradebook, buffer.getvalue())
    return gradebook
