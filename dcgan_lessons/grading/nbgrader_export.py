"""For instructors who use nbgrader: the lessons as nbgrader source notebooks.

The solution markers are already nbgrader's (`### BEGIN SOLUTION` / `### END SOLUTION`); nbgrader also
needs cell metadata. `python -m dcgan_lessons nbgrader-source OUT` writes `OUT/lessonNN/NN_name.ipynb`
for every solution notebook, in which:

- each exercise cell (`# EXERCISE NN.name`) is an nbgrader "autograded answer" cell;
- right after it comes a locked "autograder tests" cell, `nbgrader_points("NN.name", name)`, worth the
  exercise's points. It runs the public and hidden cases on the learner's function (before the check
  cell can replace it by the course's reference) and gives nbgrader partial credit the same way the
  course's grader does: it raises when nothing passes, and otherwise shows the points earned, which
  nbgrader (0.7 and later) reads as partial credit;
- a locked first code cell loads this module before any answer cell runs.

nbgrader gives 0 to a test cell that writes anything to stderr, so warnings (a correct answer using
`np.where` warns about the branch it discards) and stderr, Python's and the process's, are silenced
while the check runs. The test cell reloads this module, so an answer cell that rebinds
`nbgrader_points` (the name or the module's attribute) changes nothing, and the check refuses to give
points when the course's checking functions or NumPy's comparisons are no longer the ones this module
first loaded with. This is all nbgrader allows: its tests run in the learner's own kernel, where a
determined learner can patch anything. The course's own grader (`grade`) judges outside the kernel.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np

from ..authoring.build import LESSON_FILE, clean, exercise_ids, serialise
from ..course import checking
from .probe import function_name

_MODULE = "dcgan_lessons.grading.nbgrader_export"
_SETUP = f"import {_MODULE}  # the nbgrader checks, loaded before any answer cell can change them"
_WATCHED = (
    (checking, ("run_check", "judge_case", "compare_values", "_to_array")),
    (np, ("isclose", "allclose", "asarray", "array_equal", "abs", "argmin")),
)
# What the checks are made of, as first loaded; kept across reloads (a reload re-runs this file).
_ORIGINAL = globals().get("_ORIGINAL") or {
    (module.__name__, name): getattr(module, name) for module, names in _WATCHED for name in names
}


def _tampered() -> list[str]:
    return [
        f"{module.__name__}.{name}"
        for module, names in _WATCHED
        for name in names
        if getattr(module, name, None) is not _ORIGINAL[(module.__name__, name)]
    ]


@contextlib.contextmanager
def _silenced():
    """No warning and nothing on stderr (Python's or the process's): nbgrader scores such a cell 0."""
    saved = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
        saved = os.dup(2)
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def nbgrader_points(exercise_id: str, answer) -> float:
    """An nbgrader test: print the feedback, raise when no case passes, else return the points earned."""
    from ..exercises import get_exercise

    changed = _tampered()
    if changed:
        raise AssertionError(
            f"{exercise_id}: the notebook replaced {', '.join(changed)}; the check cannot be trusted "
            "and gives no points. Restart the kernel and run the notebook without that change."
        )
    with _silenced():
        result = checking.run_check(get_exercise(exercise_id), answer, include_hidden=True)
    print(result.feedback())
    if result.score <= 0:
        raise AssertionError(f"{exercise_id}: no case passes (0 of {result.exercise.points} points).")
    return round(result.score, 3)


def test_cell_source(exercise_id: str) -> str:
    """A test cell's code: this module reloaded (so a rebound helper is undone), then the check."""
    name = function_name(exercise_id)
    return (
        f'import importlib, {_MODULE}\n\nimportlib.reload({_MODULE}).nbgrader_points("{exercise_id}", {name})'
    )


def _metadata(grade_id: str, *, solution: bool, points: float | None = None) -> dict:
    metadata = {"grade": points is not None, "grade_id": grade_id, "locked": not solution}
    metadata.update(schema_version=3, solution=solution, task=False)
    if points is not None:
        metadata["points"] = points
    return metadata


def nbgrader_notebook(solution: nbformat.NotebookNode, lesson: str) -> nbformat.NotebookNode:
    """An nbgrader source version of a solution notebook (a new object)."""
    from ..exercises import get_exercise

    notebook = clean(nbformat.reads(nbformat.writes(solution), as_version=4), lesson, "nbgrader")
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        ids = exercise_ids(cell.source) if cell.cell_type == "code" else []
        if len(ids) != 1:
            continue
        exercise = get_exercise(ids[0])
        slug = exercise.id.replace(".", "_")
        cell.metadata["nbgrader"] = _metadata(f"answer_{slug}", solution=True)
        test = nbformat.v4.new_code_cell(test_cell_source(exercise.id))
        test.metadata["nbgrader"] = _metadata(f"test_{slug}", solution=False, points=exercise.points)
        cells.append(test)
    setup = nbformat.v4.new_code_cell(_SETUP)
    setup.metadata["nbgrader"] = _metadata(f"setup_{lesson}", solution=False)
    notebook.cells = [setup, *cells]
    return notebook


def export_nbgrader(solutions_dir: Path | str, out_dir: Path | str) -> list[Path]:
    """Write `out_dir/lessonNN/NN_name.ipynb` for every solution notebook; returns the paths written."""
    solutions_dir, out_dir = Path(solutions_dir), Path(out_dir)
    sources = sorted(p for p in solutions_dir.glob("*.ipynb") if LESSON_FILE.match(p.name))
    if not sources:
        raise FileNotFoundError(f"No lesson notebooks (NN_name.ipynb) in {solutions_dir.resolve()}.")
    written = []
    for source in sources:
        lesson = source.name[:2]
        target = out_dir / f"lesson{lesson}" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(serialise(nbgrader_notebook(nbformat.read(source, as_version=4), lesson)), "utf-8")
        written.append(target)
    return written
