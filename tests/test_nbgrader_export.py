"""The nbgrader source version: answer cells and locked test cells with the right metadata and points,
and test cells that give nbgrader partial credit the way the course's grader does."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from dcgan_lessons import all_exercises, cli, get_exercise, scale_images
from dcgan_lessons.grading.nbgrader_export import nbgrader_points

ROOT = Path(__file__).resolve().parents[1]


def test_every_exercise_gets_an_answer_cell_and_a_test_cell_before_its_check(tmp_path):
    assert cli.main(["nbgrader-source", str(tmp_path), "--solutions", str(ROOT / "solutions")]) == 0
    found = set()
    for path in sorted(tmp_path.glob("lesson*/*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for index, cell in enumerate(cells):
            meta = cell.metadata.get("nbgrader")
            if not meta or not meta["solution"]:
                continue
            test, after = cells[index + 1], cells[index + 2]
            exercise_id = cell.source.splitlines()[0].split()[-1]
            assert "### BEGIN SOLUTION" in cell.source and not meta["grade"] and not meta["locked"]
            assert test.metadata["nbgrader"]["grade"] and test.metadata["nbgrader"]["locked"]
            assert test.metadata["nbgrader"]["points"] == get_exercise(exercise_id).points
            assert f'nbgrader_points("{exercise_id}",' in test.source
            assert f'check("{exercise_id}"' in after.source
            found.add(exercise_id)
    assert found == set(all_exercises())
    ids = [
        c.metadata["nbgrader"]["grade_id"]
        for p in tmp_path.rglob("*.ipynb")
        for c in nbformat.read(p, as_version=4).cells
        if "nbgrader" in c.metadata
    ]
    assert len(ids) == len(set(ids))


def test_nbgrader_points_gives_full_partial_or_no_credit(capsys):
    assert nbgrader_points("00.scale_images", scale_images) == 1
    partial = nbgrader_points("00.scale_images", lambda images: images.astype(np.float32) / 128.0 - 1.0)
    assert 0 < partial < 1
    with pytest.raises(AssertionError, match="no case passes"):
        nbgrader_points("00.scale_images", lambda images: images)
    hidden = [case.name for case in get_exercise("00.scale_images").hidden]
    assert not any(name in capsys.readouterr().out for name in hidden)


def test_the_check_writes_nothing_to_stderr_for_an_answer_that_warns(capfd):
    def jensen_shannon(p, q):  # correct, but np.where evaluates log(0) on the discarded branch
        p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
        m = (p + q) / 2
        return sum(0.5 * np.sum(np.where(a > 0, a * np.log(a / m), 0.0)) for a in (p, q))

    with np.errstate(all="warn"):
        assert nbgrader_points("02.jensen_shannon", jensen_shannon) == 1
    captured = capfd.readouterr()
    assert captured.err == "" and "✓ 02.jensen_shannon" in captured.out


def test_a_rebound_helper_is_undone_and_patched_comparisons_give_no_points(monkeypatch):
    import importlib

    import dcgan_lessons.course.checking
    import dcgan_lessons.grading.nbgrader_export as grading

    source = grading.test_cell_source("00.scale_images")
    monkeypatch.setattr(grading, "nbgrader_points", lambda *args: 1)
    namespace = {"scale_images": lambda images: images}  # wrong
    with pytest.raises(AssertionError, match="no case passes"):
        exec(source, namespace)
    monkeypatch.setattr(np, "isclose", lambda *args, **kwargs: np.array(True))
    with pytest.raises(AssertionError, match="numpy.isclose"):
        exec(source, namespace)
    monkeypatch.undo()
    monkeypatch.setattr(dcgan_lessons.course.checking, "compare_values", lambda *args, **kwargs: None)
    with pytest.raises(AssertionError, match="compare_values"):
        exec(source, namespace)
    monkeypatch.undo()
    importlib.reload(grading)
    assert grading.nbgrader_points("00.scale_images", scale_images) == 1
