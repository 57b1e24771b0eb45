"""Submitted notebooks: find them, read them into memory, and tell which lesson each one is.

A submission is matched to its lesson by what the course's build wrote into it, the notebook metadata
`dcgan_lessons.lesson`, so a renamed file still grades; when a learner copied the cells into a fresh
notebook, its `# EXERCISE NN.name` lines tell, and only then the file name (`NN_name.ipynb`).
Every file is read before any is executed, so no submission can change another before it is graded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..authoring.build import LESSON_FILE, exercise_ids

MAX_NOTEBOOK_BYTES = 50 * 2**20
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Submission:
    """One submitted file: who it is from, its bytes, and the lesson it is (or why it cannot be graded)."""

    path: Path
    learner: str  # the path relative to the submissions' common folder, without `.ipynb`
    data: bytes
    notebook: nbformat.NotebookNode | None = None
    lesson: str | None = None
    how_matched: str = ""  # "notebook metadata", "exercise markers" or "file name"
    problem: str | None = None  # why it is not graded; None when it is


def find_files(paths: list[Path | str]) -> list[Path]:
    """The files to grade: files as given, and every .ipynb under the given folders (checkpoints skipped)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*.ipynb")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"No submission file or folder at {path.resolve()}.")
    unique = list(dict.fromkeys(p.resolve() for p in files))
    if not unique:
        raise FileNotFoundError(f"No .ipynb files in {', '.join(map(str, paths))}.")
    return unique


def learner_names(files: list[Path]) -> list[str]:
    """A short unique name per file: its path relative to the files' common folder, without `.ipynb`."""
    root = Path(os.path.commonpath([str(p.parent) for p in files]))
    names = []
    for path in files:
        relative = path.relative_to(root)
        names.append(
            relative.with_suffix("").as_posix() if relative.suffix == ".ipynb" else relative.as_posix()
        )
    return names


def safe_file_name(name: str, taken: set[str]) -> str:
    """A file name for a learner's feedback that stays inside the results folder and is unique."""
    base = _SAFE.sub("_", name.replace("/", "__")).strip("._") or "submission"
    candidate, number = base, 2
    while candidate.lower() in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate.lower())
    return candidate


def read_submissions(paths: list[Path | str], lesson: str | None = None) -> list[Submission]:
    """Read every submission into memory and match it to a lesson; `lesson` restricts grading to one."""
    from ..exercises import lesson_exercises

    files = find_files(paths)
    submissions = []
    for path, learner in zip(files, learner_names(files), strict=True):
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            submissions.append(
                Submission(path, learner, b"", problem=f"too large to be a notebook ({size:,} bytes)")
            )
            continue
        submission = Submission(path, learner, path.read_bytes())
        submission.notebook, submission.problem = parse_notebook(submission.data)
        if submission.notebook is not None:
            submission.lesson, submission.how_matched = which_lesson(submission.notebook, path.name)
            if submission.lesson is None and lesson is not None:
                submission.lesson, submission.how_matched = lesson, "--lesson option (nothing else tells)"
            if submission.lesson is None:
                submission.problem = (
                    "cannot tell which lesson this notebook is: no `dcgan_lessons.lesson` in its metadata, "
                    "no `# EXERCISE NN.name` lines, and its file name does not start with a lesson number"
                )
            elif lesson is not None and submission.lesson != lesson:
                submission.problem = (
                    f"this is lesson {submission.lesson}'s notebook (by its {submission.how_matched}), "
                    f"not lesson {lesson}'s"
                )
            elif not lesson_exercises(submission.lesson):
                submission.problem = f"lesson {submission.lesson} has no registered exercises to grade"
        submissions.append(submission)
    return submissions


def parse_notebook(data: bytes) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook in `data`, or None and why it is not one."""
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        cells = notebook.cells
        if not isinstance(cells, list) or not all(isinstance(c.get("source", ""), str) for c in cells):
            raise ValueError("its cells are malformed")
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - whatever the reason, it is not a notebook we can run
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return None, f"not a Jupyter notebook ({reason})"
    return notebook, None


def which_lesson(notebook: nbformat.NotebookNode, file_name: str) -> tuple[str | None, str]:
    """The lesson a notebook belongs to and how that was found: metadata, exercise markers, file name."""
    recorded = notebook.metadata.get("dcgan_lessons", {})
    lesson = recorded.get("lesson") if isinstance(recorded, dict) else None
    if isinstance(lesson, str) and re.fullmatch(r"\d\d", lesson):
        return lesson, "notebook metadata"
    marked = {
        exercise_id.split(".", 1)[0]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for exercise_id in exercise_ids(cell.source)
    }
    if len(marked) == 1:
        return marked.pop(), "exercise markers"
    match = LESSON_FILE.match(file_name) or re.match(r"^(\d\d)_", file_name)
    if match:
        return match.group(1), "file name"
    return None, ""
