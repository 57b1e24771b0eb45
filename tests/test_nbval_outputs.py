"""The notebook runs compare outputs of cells tagged `nbval-check-output` for real (see conftest.py).

The build moves `# NBVAL_CHECK_OUTPUT` lines into that tag; a cell that still has the comment is checked too.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def run_nbval(tmp_path, source, metadata):
    path = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source, metadata=metadata)]), path)
    # -p conftest loads the course's root conftest.py (on PYTHONPATH) for a notebook outside the repo.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "--nbval-lax"]
    command += ["--nbval-current-env", "-q", str(path)]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)


# The two ways a cell is marked: the tag (what the build writes) and the comment (a cell not yet rebuilt).
MARKED = {
    "tag": ("print(1 + 1)", {"tags": ["nbval-check-output"]}),
    "comment": ("# NBVAL_CHECK_OUTPUT\nprint(1 + 1)", {}),
}


@pytest.mark.parametrize("how", MARKED)
def test_matching_output_passes(tmp_path, how):
    source, metadata = MARKED[how]
    result = run_nbval(tmp_path, source, {**metadata, "expected_output": "2\n"})
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("how", MARKED)
@pytest.mark.parametrize(
    ("metadata", "message"),
    [({"expected_output": "3\n"}, "Cell outputs differ"), ({}, "needs the text it prints")],
)
def test_wrong_or_missing_expected_output_fails(tmp_path, how, metadata, message):
    source, marker_metadata = MARKED[how]
    result = run_nbval(tmp_path, source, {**marker_metadata, **metadata})
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_an_untagged_cell_is_not_compared(tmp_path):
    result = run_nbval(tmp_path, "print(1 + 1)", {"expected_output": "3\n"})
    assert result.returncode == 0, result.stdout
