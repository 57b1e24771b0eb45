"""Solution markers typed almost right must stop the build (they would publish the answer), and no
committed learner notebook holds any line of its solutions' blocks."""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dcgan_lessons import cli
from dcgan_lessons.authoring.build import BEGIN, END, BuildError, learner_source

ROOT = Path(__file__).resolve().parents[1]


def _cell(begin, end):
    return (
        f"# EXERCISE 00.scale_images\ndef f(images):\n    {begin}\n    return images / 127.5 - 1\n    {end}"
    )


@pytest.mark.parametrize(
    ("begin", "end", "line"),
    [
        ("### Begin Solution", "### End Solution", 3),
        ("### begin solution", "### END SOLUTION", 3),
        ("###  BEGIN  SOLUTION", "### END SOLUTION", 3),
        ("#BEGIN SOLUTION", "### END SOLUTION", 3),
        ("BEGIN SOLUTION", "### END SOLUTION", 3),
        ("### BEGIN_SOLUTION", "### END SOLUTION", 3),
        ("### BEGIN SOLUTION", "## END SOLUTION ##", 5),
        ("### BEGIN SOLUTION", "# end solution.", 5),
    ],
)
def test_near_miss_markers_are_refused_with_cell_and_line(begin, end, line):
    with pytest.raises(BuildError, match=rf"00_x.ipynb cell 2, line {line}: .*looks like a solution marker"):
        learner_source(_cell(begin, end), where="00_x.ipynb cell 2")


def test_exact_markers_and_ordinary_code_still_pass():
    out = learner_source(_cell(BEGIN, END))
    assert "127.5" not in out and "NotImplementedError" in out
    ordinary = "end_solution = 1\nbegin = 'solution'\n# the solution begins below"
    assert learner_source(ordinary) == ordinary


def test_cli_build_refuses_a_near_miss_and_writes_nothing(tmp_path, capsys):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    notebook = new_notebook(cells=[new_code_cell(_cell("### Begin Solution", "### End Solution"))])
    nbformat.write(notebook, solutions / "00_x.ipynb")
    code = cli.main(["build", "--solutions", str(solutions), "--notebooks", str(notebooks)])
    err = capsys.readouterr().err
    assert code == 2 and "00_x.ipynb cell 0, line 3" in err and "'### BEGIN SOLUTION'" in err
    assert not notebooks.exists()


def test_build_check_names_a_notebook_that_is_not_json(tmp_path, capsys):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    (solutions / "00_broken.ipynb").write_text('{"cells": [')
    code = cli.main(["build", "--check", "--solutions", str(solutions), "--notebooks", str(tmp_path / "nb")])
    err = capsys.readouterr().err
    assert code == 2 and "00_broken.ipynb is not a readable notebook" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def _block_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def _code_lines(notebook) -> set[str]:
    return {line.strip() for c in notebook.cells if c.cell_type == "code" for line in c.source.splitlines()}


def leaked_lines(solution, learner) -> list[str]:
    """Solution-block lines found in the learner notebook (lines that also occur outside every block of
    the solution, e.g. a bare `return x`, cannot tell and are skipped)."""
    outside = set()
    for cell in solution.cells:
        if cell.cell_type == "code":
            kept = [line for line in cell.source.splitlines() if line.strip() not in (BEGIN, END)]
            block = set(_block_lines(cell.source))
            outside |= {line.strip() for line in kept if line.strip() not in block}
    secret = {line for c in solution.cells if c.cell_type == "code" for line in _block_lines(c.source)}
    return sorted((secret - outside) & _code_lines(learner))


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_learner_notebook_contains_its_solution_lines(path):
    solution = nbformat.read(path, as_version=4)
    learner = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    assert any(_block_lines(c.source) for c in solution.cells if c.cell_type == "code")
    assert leaked_lines(solution, learner) == []


def test_the_leak_check_catches_a_leaked_line():
    path = ROOT / "solutions" / "02_minimax_loss.ipynb"
    solution = nbformat.read(path, as_version=4)
    leaked = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    # The leak this issue found: a near-miss marker left the whole block in the learner's cell.
    index = next(i for i, c in enumerate(solution.cells) if _block_lines(c.source))
    leaked.cells[index].source = re.sub("### (BEGIN|END) SOLUTION", "", solution.cells[index].source)
    assert leaked_lines(solution, leaked)


def test_build_into_a_file_says_so(tmp_path, capsys):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), solutions / "00_x.ipynb")
    (tmp_path / "notebooks").write_text("mine")
    code = cli.main(["build", "--solutions", str(solutions), "--notebooks", str(tmp_path / "notebooks")])
    err = capsys.readouterr().err
    assert code == 2 and "build failed: could not write" in err and "Traceback" not in err
    assert (tmp_path / "notebooks").read_text() == "mine"
