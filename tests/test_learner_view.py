"""What a learner sees: no TensorFlow start-up lines, no warnings, no errors; a real error still shows.

Each learner notebook runs in a fresh kernel the way JupyterLab starts one: the environment holds only
PATH, the locale, a fresh HOME (with matplotlib's font cache copied in, as on any machine that has
drawn a plot before) and DCGAN_LESSONS_PROFILE=quick, a setting the README offers learners, so each
lesson takes seconds. None of conftest.py's test settings (TF_CPP_MIN_LOG_LEVEL, MPLBACKEND=Agg,
KERAS_BACKEND, the cache and run folders) reach it. Any stderr output (TensorFlow/absl lines, Python
warnings) or error output fails the test and is quoted; a cell tagged `nbval-check-output` must print
its `expected_output` here too. Marked `learner_view`: `-m "not learner_view"` leaves these runs out.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import ipykernel.kernelspec
import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from dcgan_lessons.course.quiet_start import is_startup_chatter, split_startup_output

ROOT = Path(__file__).resolve().parents[1]
LEARNER_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# What TensorFlow 2.21 wrote on this project's CPU machine when imported without the package's help.
SEEN_AT_START = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796072269.751677    5527 port.cc:153] oneDNN custom operations are on. You may see slightly \
different numerical results due to floating-point round-off errors from different computation orders.
I0000 00:00:1796072269.752763    5527 cudart_stub.cc:31] Could not find cuda drivers on your machine, \
GPU will not be used.
I0000 00:00:1796072275.107433    5569 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use \
available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other operations, rebuild \
TensorFlow with the appropriate compiler flags.
E0000 00:00:1796072273.486309    5527 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: \
Failed call to cuInit: UNKNOWN ERROR (303)
"""


def learner_environment(home: Path) -> dict[str, str]:
    """A learner's environment: PATH, locale, a HOME of their own, and the quick profile."""
    env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
    env.update(HOME=str(home), DCGAN_LESSONS_PROFILE="quick")
    font_cache = Path.home() / ".cache" / "matplotlib"
    if font_cache.is_dir():  # else matplotlib's one-off "building the font cache" note would count as noise
        shutil.copytree(font_cache, home / ".cache" / "matplotlib")
    return env


def without_test_settings() -> dict[str, str]:
    """This process's environment less what conftest.py set for the tests."""
    test_only = (
        "TF_CPP_MIN_LOG_LEVEL",
        "MPLBACKEND",
        "KERAS_BACKEND",
        "DCGAN_LESSONS_CACHE",
        "DCGAN_LESSONS_RUNS",
    )
    return {k: v for k, v in os.environ.items() if k not in test_only}


def test_the_startup_lines_seen_are_recognised_and_nothing_else():
    kept, rest = split_startup_output(
        SEEN_AT_START + "Traceback (most recent call last):\nE0000 00:00:1.2 3 x.cc:1] a real failure\n"
    )
    assert len(kept) == len(SEEN_AT_START.splitlines())
    assert rest == "Traceback (most recent call last):\nE0000 00:00:1.2 3 x.cc:1] a real failure\n"
    assert not is_startup_chatter("UserWarning: something the learner should see")


def run_python(code: str, tmp_path: Path, *args: str, pythonpath: Path | None = None):
    env = without_test_settings()
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(ROOT)])
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )


def fake_tensorflow(tmp_path: Path, body: str) -> Path:
    """A stand-in `tensorflow` package whose import writes to descriptor 2 like the real one's C++ side."""
    package = tmp_path / "fake" / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(body))
    return tmp_path / "fake"


def test_startup_chatter_is_hidden_and_everything_else_written_to_stderr_reaches_it(tmp_path):
    chatter = SEEN_AT_START.encode()
    fake = fake_tensorflow(
        tmp_path,
        f"""
        import os
        os.write(2, {chatter!r})
        os.write(2, b"libcudnn: a real failure while loading\\n")
        """,
    )
    code = "import dcgan_lessons, tensorflow; print(dcgan_lessons.course.quiet_start.startup_lines()[0])"
    result = run_python(code, tmp_path, pythonpath=fake)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "libcudnn: a real failure while loading\n"
    assert result.stdout.startswith("WARNING: All log messages before absl::InitializeLog()")
    # Without the package the same import shows everything: the check above could fail.
    bare = run_python("import tensorflow", tmp_path, pythonpath=fake)
    assert "cudart_stub.cc" in bare.stderr


def test_a_failing_tensorflow_import_still_shows_its_error(tmp_path):
    fake = fake_tensorflow(
        tmp_path, 'import os\nos.write(2, b"loader says why\\n")\nraise ImportError("broken")\n'
    )
    result = run_python("import dcgan_lessons, tensorflow", tmp_path, pythonpath=fake)
    assert result.returncode == 1
    assert "loader says why" in result.stderr and "ImportError: broken" in result.stderr


def test_real_tensorflow_starts_quietly_and_doctor_says_what_the_gpu_probe_found(tmp_path):
    bare = run_python("import tensorflow as tf; tf.config.list_physical_devices()", tmp_path)
    if not any(is_startup_chatter(line) for line in bare.stderr.splitlines()):
        pytest.skip("this TensorFlow writes no start-up lines here: nothing to hide")
    result = run_python("", tmp_path, "-m", "dcgan_lessons", "doctor")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Accelerators   none (CPU only)" in result.stdout or "Accelerators" in result.stdout
    if "none (CPU only)" in result.stdout:
        assert "GPU probe      TensorFlow found" in result.stdout
        assert "No GPU found" in result.stdout


def test_train_prints_no_tensorflow_startup_lines(tmp_path):
    out = tmp_path / "run"
    result = run_python(
        "", tmp_path, "-m", "dcgan_lessons", "train", "--epochs", "1", "--dataset", "digits",
        "--profile", "quick", "--limit", "64", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    noise = [line for line in (result.stdout + result.stderr).splitlines() if is_startup_chatter(line)]
    assert not noise, "\n".join(noise)
    assert result.stderr == ""
    assert (out / "config.json").exists() and "Done: 1 epochs" in result.stdout


class _CurrentPython(KernelSpecManager):
    """The `python3` kernel of the Python running the tests (the course's venv), as nbval's current env."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


def noise_in(notebook) -> list[str]:
    """Every stderr stream and error output of an executed notebook, with the cell it came from."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            first_line = cell.source.splitlines()[0] if cell.source else ""
            if output.output_type == "error":
                found.append(f"cell {index} ({first_line}): {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and (
                output.name == "stderr" or any(is_startup_chatter(x) for x in output.text.splitlines())
            ):
                found.append(f"cell {index} ({first_line}) wrote:\n{output.text}")
    return found


@pytest.mark.learner_view
@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_learner_notebook_runs_clean_in_a_fresh_kernel(path, tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    notebook = nbformat.read(path, as_version=4)
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=_CurrentPython())
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=600,
        allow_errors=True,
        resources={"metadata": {"path": str(work)}},
    )
    # cleanup_kc: shut the kernel down here. nbclient keeps a kernel it did not start alive until the
    # process exits, so each lesson's kernel (TensorFlow loaded, about 1 GB) outlived its test.
    client.execute(env=learner_environment(home), cleanup_kc=True)
    noise = noise_in(notebook)
    assert not noise, f"{path.name} shows a learner:\n" + "\n".join(noise)
    # The cells nbval checks print the same for a learner as under the test settings.
    for index, cell in enumerate(notebook.cells):
        if "nbval-check-output" in cell.metadata.get("tags", []):
            printed = "".join(o.text for o in cell.outputs if o.get("name") == "stdout")
            assert printed == cell.metadata["expected_output"], f"{path.name} cell {index}"
