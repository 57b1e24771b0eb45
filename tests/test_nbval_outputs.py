"""The notebook runs compare outputs of `# NBVAL_CHECK_OUTPUT` cells for real (see conftest.py)."""

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


def test_matching_output_passes(tmp_path):
    result = run_nbval(tmp_path, "# NBVAL_CHECK_OUTPUT\nprint(1 + 1)", {"expected_output": "2\n"})
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("metadata", "message"),
    [({"expected_output": "3\n"}, "Cell outputs differ"), ({}, "needs the text it prints")],
)
def test_wrong_or_missing_expected_output_fails(tmp_path, metadata, message):
    result = run_nbval(tmp_path, "# NBVAL_CHECK_OUTPUT\nprint(1 + 1)", metadata)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
