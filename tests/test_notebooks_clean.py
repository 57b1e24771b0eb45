"""Committed notebooks carry no outputs, and every exercise is wired up: named, built, checked."""

import re
from pathlib import Path

import nbformat
import pytest

from dcgan_lessons import all_exercises
from dcgan_lessons.authoring.build import exercise_ids

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_lessons():
    assert any(p.name == "00_setup.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    dirty = [
        i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; run `python -m dcgan_lessons build`"


def solution_exercises():
    found = {}
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        for exercise_id in exercise_ids(source):
            found.setdefault(exercise_id, []).append((path.name, source))
    return found


def test_every_registered_exercise_appears_in_exactly_one_lesson_and_is_checked():
    found = solution_exercises()
    for exercise_id in all_exercises():
        assert len(found.get(exercise_id, [])) == 1, (
            f"{exercise_id} should appear in exactly one solution notebook"
        )
        _, source = found[exercise_id][0]
        assert re.search(rf'check\("{re.escape(exercise_id)}",', source), f"no check cell for {exercise_id}"
    assert set(found) <= set(all_exercises())
