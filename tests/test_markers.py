"""Test markers live in cell tags, not in what a learner reads; the build moves them there."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dcgan_lessons.authoring.build import build, move_markers_to_tags

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize(
    ("line", "tag"),
    [
        ("# NBVAL_CHECK_OUTPUT", "nbval-check-output"),
        ("#NBVAL_CHECK_OUTPUT", "nbval-check-output"),
        ("    # NBVAL_SKIP", "nbval-skip"),
        ("# NBVAL_IGNORE_OUTPUT", "nbval-ignore-output"),
        ("# NBVAL_RAISES_EXCEPTION", "nbval-raises-exception"),
    ],
)
def test_a_marker_line_becomes_the_tag_nbval_reads(line, tag):
    cell = new_code_cell(f"{line}\n# a comment stays\nprint(1)  # so does this", metadata={"x": 1})
    move_markers_to_tags(cell)
    assert cell.source == "# a comment stays\nprint(1)  # so does this"
    assert cell.metadata == {"x": 1, "tags": [tag]}


def test_moving_is_idempotent_and_keeps_other_tags():
    cell = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)", metadata={"tags": ["keep", "nbval-check-output"]})
    move_markers_to_tags(cell)
    once = (cell.source, list(cell.metadata["tags"]))
    move_markers_to_tags(cell)
    assert (cell.source, cell.metadata["tags"]) == once == ("print(1)", ["keep", "nbval-check-output"])


def test_a_line_that_only_mentions_a_marker_is_not_one():
    source = "# cells tagged like NBVAL_CHECK_OUTPUT are compared\nprint(1)"
    cell = new_code_cell(source)
    move_markers_to_tags(cell)
    assert cell.source == source and "tags" not in cell.metadata


def test_build_moves_a_merged_marker_and_check_flags_it_until_then(tmp_path):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    cell = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)", metadata={"expected_output": "2\n"})
    nbformat.write(new_notebook(cells=[cell]), solutions / "00_setup.ipynb")
    assert not build(solutions, notebooks, check=True).ok
    build(solutions, notebooks)
    for path in (solutions / "00_setup.ipynb", notebooks / "00_setup.ipynb"):
        (built,) = nbformat.read(path, as_version=4).cells
        assert built.source == "print(2)"
        assert built.metadata == {"expected_output": "2\n", "tags": ["nbval-check-output"]}
    assert build(solutions, notebooks).written == []
    assert build(solutions, notebooks, check=True).ok


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_test_or_lint_marker_is_visible_in_a_cell(path):
    visible = [
        f"cell {index}: {line.strip()}"
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if "NBVAL_" in line or "# noqa" in line or "#noqa" in line
    ]
    assert not visible, f"{path.name}: markers a learner would read:\n" + "\n".join(visible)
