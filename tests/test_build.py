"""The lesson build: stubs replace solution blocks, bad markers fail clearly, --check catches drift."""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dcgan_lessons.authoring.build import BuildError, build, learner_source

ROOT = Path(__file__).resolve().parents[1]

SOLUTION = '''# EXERCISE 00.scale_images
def scale_images(images):
    """Docstring stays."""
    ### BEGIN SOLUTION
    secret = 127.5
    return images / secret - 1
    ### END SOLUTION'''


def test_solution_block_becomes_a_stub_naming_the_exercise():
    out = learner_source(SOLUTION)
    assert "secret" not in out and "BEGIN SOLUTION" not in out
    assert (
        '    raise NotImplementedError("Exercise 00.scale_images: replace this line with your code.")' in out
    )
    assert '"""Docstring stays."""' in out and out.startswith("# EXERCISE 00.scale_images")


def test_stub_runs_the_cell_and_raises_only_when_called():
    namespace = {}
    exec(learner_source(SOLUTION), namespace)
    with pytest.raises(NotImplementedError, match="00.scale_images"):
        namespace["scale_images"](None)


def test_cells_without_markers_are_unchanged():
    assert learner_source("x = 1\nprint(x)") == "x = 1\nprint(x)"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "exactly one exercise"),
        ("# EXERCISE 00.a\ndef f():\n    ### BEGIN SOLUTION\n    return 1", "never closed"),
        ("# EXERCISE 00.a\ndef f():\n    return 1\n    ### END SOLUTION", "without a matching"),
        ("# EXERCISE 00.a\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "inside a function body"),
        (
            "# EXERCISE 00.a\ndef f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION",
            "inside another",
        ),
        (
            "# EXERCISE 00.a\n# EXERCISE 00.b\ndef f():\n    ### BEGIN SOLUTION\n    ### END SOLUTION",
            "found 00.a, 00.b",
        ),
    ],
)
def test_bad_markers_raise_build_errors(source, message):
    with pytest.raises(BuildError, match=message):
        learner_source(source, where="test cell")


def write_lesson(folder: Path, name: str, cells) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_build_writes_learner_notebooks_and_strips_outputs(tmp_path):
    cell = new_code_cell(SOLUTION, execution_count=3, outputs=[nbformat.v4.new_output("stream", text="hi")])
    write_lesson(tmp_path / "solutions", "00_setup.ipynb", [new_markdown_cell("# Title"), cell])
    report = build(tmp_path / "solutions", tmp_path / "notebooks")
    assert {p.name for p in report.written} == {"00_setup.ipynb"} and len(report.written) == 2
    learner = nbformat.read(tmp_path / "notebooks" / "00_setup.ipynb", as_version=4)
    solution = nbformat.read(tmp_path / "solutions" / "00_setup.ipynb", as_version=4)
    assert "NotImplementedError" in learner.cells[1].source and "secret" in solution.cells[1].source
    for notebook, version in ((learner, "learner"), (solution, "solution")):
        assert notebook.metadata["dcgan_lessons"] == {"lesson": "00", "version": version}
        assert all(
            c.outputs == [] and c.execution_count is None for c in notebook.cells if c.cell_type == "code"
        )
    # A second build has nothing to do, and --check agrees.
    assert build(tmp_path / "solutions", tmp_path / "notebooks").written == []
    assert build(tmp_path / "solutions", tmp_path / "notebooks", check=True).ok


def test_check_fails_after_a_solution_is_edited_without_rebuilding(tmp_path):
    path = write_lesson(tmp_path / "solutions", "00_setup.ipynb", [new_code_cell(SOLUTION)])
    build(tmp_path / "solutions", tmp_path / "notebooks")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(new_markdown_cell("A new paragraph."))
    nbformat.write(notebook, path)
    report = build(tmp_path / "solutions", tmp_path / "notebooks", check=True)
    assert not report.ok and tmp_path / "notebooks" / "00_setup.ipynb" in report.outdated


def test_check_flags_a_learner_notebook_without_a_source(tmp_path):
    write_lesson(tmp_path / "solutions", "00_setup.ipynb", [new_code_cell("x = 1")])
    build(tmp_path / "solutions", tmp_path / "notebooks")
    write_lesson(tmp_path / "notebooks", "09_orphan.ipynb", [])
    assert (
        tmp_path / "notebooks" / "09_orphan.ipynb"
        in build(tmp_path / "solutions", tmp_path / "notebooks", check=True).outdated
    )


@pytest.mark.parametrize(
    ("name", "source", "message"),
    [
        ("00_setup.ipynb", SOLUTION.replace("00.scale_images", "00.no_such_exercise"), "not registered"),
        ("01_gan_game.ipynb", SOLUTION, "belongs to another lesson"),
        ("setup.ipynb", "x = 1", "NN_name.ipynb"),
    ],
)
def test_build_rejects_unknown_exercises_and_bad_names(tmp_path, name, source, message):
    write_lesson(tmp_path / "solutions", name, [new_code_cell(source)])
    with pytest.raises(BuildError, match=message):
        build(tmp_path / "solutions", tmp_path / "notebooks")


def test_missing_solutions_folder_says_where_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="course's root folder"):
        build(tmp_path / "nowhere", tmp_path / "notebooks")


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "dcgan_lessons", *args], cwd=cwd, capture_output=True, text=True
    )


def test_committed_learner_notebooks_are_up_to_date():
    result = run_cli("build", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_check_fails_after_editing_a_committed_solution(tmp_path):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    assert run_cli("build", "--check", cwd=tmp_path).returncode == 0
    path = tmp_path / "solutions" / "00_setup.ipynb"
    path.write_text(path.read_text().replace("127.5", "127.50"))
    result = run_cli("build", "--check", cwd=tmp_path)
    assert result.returncode == 1 and "00_setup.ipynb" in result.stderr
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert run_cli("build", "--check", cwd=tmp_path).returncode == 0
