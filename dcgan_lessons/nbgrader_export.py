"""For instructors who use nbgrader: the lessons as nbgrader source notebooks.

The solution markers are already nbgrader's (`### BEGIN SOLUTION` / `### END SOLUTION`); nbgrader also
needs cell metadata. `python -m dcgan_lessons nbgrader-source OUT` writes `OUT/lessonNN/NN_name.ipynb`
for every solution notebook, in which:

- each exercise cell (`# EXERCISE NN.name`) is an nbgrader "autograded answer" cell;
- right after it comes a locked "autograder tests" cell, `nbgrader_points("NN.name", name)`, worth the
  exercise's points. It runs the public and hidden cases on the learner's function (before the check
  cell can replace it by the course's reference) and gives nbgrader partial credit the same way the
  course's grader does: it raises when nothing passes, and otherwise shows the points earned, which
  nbgrader (0.7 and later) reads as partial credit.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from .build import LESSON_FILE, clean, exercise_ids, serialise
from .probe import function_name

_IMPORT = "from dcgan_lessons.nbgrader_export import nbgrader_points"


def nbgrader_points(exercise_id: str, answer) -> float:
    """An nbgrader test: print the feedback, raise when no case passes, else return the points earned."""
    from .checking import run_check
    from .exercises import get_exercise

    result = run_check(get_exercise(exercise_id), answer, include_hidden=True)
    print(result.feedback())
    if result.score <= 0:
        raise AssertionError(f"{exercise_id}: no case passes (0 of {result.exercise.points} points).")
    return round(result.score, 3)


def _metadata(grade_id: str, *, solution: bool, points: float | None = None) -> dict:
    metadata = {"grade": points is not None, "grade_id": grade_id, "locked": not solution}
    metadata.update(schema_version=3, solution=solution, task=False)
    if points is not None:
        metadata["points"] = points
    return metadata


def nbgrader_notebook(solution: nbformat.NotebookNode, lesson: str) -> nbformat.NotebookNode:
    """An nbgrader source version of a solution notebook (a new object)."""
    from .exercises import get_exercise

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
        name = function_name(exercise.id)
        source = f'{_IMPORT}\n\nnbgrader_points("{exercise.id}", {name})'
        test = nbformat.v4.new_code_cell(source)
        test.metadata["nbgrader"] = _metadata(f"test_{slug}", solution=False, points=exercise.points)
        cells.append(test)
    notebook.cells = cells
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
