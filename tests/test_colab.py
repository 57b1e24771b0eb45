"""The course's address in every lesson, the install cell's wheel fallback, `wheel`, and the T4 path."""

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from dcgan_lessons.authoring.colab import (
    BADGE_TAG,
    INSTALL_TAG,
    AddressError,
    CourseAddress,
    install_source,
    read_address,
)
from dcgan_lessons.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "dcgan_lessons", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def cli(monkeypatch, capsys):
    """`python -m dcgan_lessons ...` in this process (faster than a child), in a given folder."""

    def run(*args, cwd):
        monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


@pytest.fixture
def course(tmp_path):
    """A copy of the course's lessons and pyproject.toml, to re-stamp without touching the repository."""
    for name in ("solutions", "notebooks"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def tagged(path: Path, tag: str):
    notebook = nbformat.read(path, as_version=4)
    return [c for c in notebook.cells if tag in c.metadata.get("tags", [])]


def test_every_lesson_has_one_install_cell_and_one_badge_for_the_configured_address():
    address = read_address(ROOT / "pyproject.toml")
    for folder in ("solutions", "notebooks"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            install, badge = tagged(path, INSTALL_TAG), tagged(path, BADGE_TAG)
            assert len(install) == 1 and len(badge) == 1, path
            assert f'COURSE_PACKAGE = "{address.pip_requirement}"' in install[0].source
            assert notebook.cells[0] is not None and BADGE_TAG in notebook.cells[0].metadata.get("tags", [])
            assert f"/blob/main/{folder}/{path.name})" in badge[0].source
            # The install cell comes before any other code cell: nothing may import the package before it.
            first_code = next(c for c in notebook.cells if c.cell_type == "code")
            assert INSTALL_TAG in first_code.metadata.get("tags", []), path


@pytest.mark.parametrize(
    ("tag", "old", "new"),
    [
        (INSTALL_TAG, "git+https://github.com/dcgan-lessons/dcgan-lessons", "git+https://github.com/other/x"),
        (BADGE_TAG, "github/dcgan-lessons/dcgan-lessons/blob", "github/other/x/blob"),
    ],
)
def test_check_fails_when_a_lesson_points_elsewhere(cli, course, tag, old, new):
    assert cli("build", "--check", cwd=course).returncode == 0
    path = course / "notebooks" / "03_conv_vs_transposed.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if tag in c.metadata.get("tags", []))
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)
    result = cli("build", "--check", cwd=course)
    assert result.returncode == 1 and "notebooks/03_conv_vs_transposed.ipynb" in result.stderr


def test_check_fails_when_the_setting_changes_without_a_rebuild(cli, course):
    pyproject = course / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('tag = ""', 'tag = "v9"'))
    result = cli("build", "--check", cwd=course)
    assert result.returncode == 1 and "solutions/00_setup.ipynb" in result.stderr


def test_repo_restamps_every_lesson_for_a_fork_and_saves_the_setting(cli, course):
    result = cli("build", "--repo", "https://github.com/teacher/gans@spring-2027", cwd=course)
    assert result.returncode == 0, result.stderr
    assert read_address(course / "pyproject.toml") == CourseAddress(
        "https://github.com/teacher/gans", "spring-2027"
    )
    for folder in ("solutions", "notebooks"):
        for path in sorted((course / folder).glob("*.ipynb")):
            text = path.read_text()
            assert "dcgan-lessons/dcgan-lessons" not in text, path
            assert 'git+https://github.com/teacher/gans@spring-2027\\"' in text
            assert (
                f"colab.research.google.com/github/teacher/gans/blob/spring-2027/{folder}/{path.name}" in text
            )
    assert cli("build", "--check", cwd=course).returncode == 0
    # Back to the original: byte for byte what the repository holds.
    assert (
        cli("build", "--repo", "https://github.com/dcgan-lessons/dcgan-lessons", cwd=course).returncode == 0
    )
    for name in ("pyproject.toml", "notebooks/05_train_dcgan.ipynb", "solutions/00_setup.ipynb"):
        assert (course / name).read_text() == (ROOT / name).read_text()


@pytest.mark.parametrize("repo", ["github.com/me/fork", "https://", "me/fork@v1", ""])
def test_a_bad_repo_is_refused_and_changes_nothing(cli, course, repo):
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    result = cli("build", "--repo", repo, cwd=course)
    assert result.returncode == 2 and "expected a git repository URL" in result.stderr
    assert {p: p.read_bytes() for p in course.rglob("*") if p.is_file()} == before


def test_addresses_parse_with_and_without_a_tag():
    assert (
        CourseAddress.parse("https://github.com/a/b@v1.0").pip_requirement
        == "git+https://github.com/a/b@v1.0"
    )
    assert CourseAddress.parse("file:///tmp/course/").pip_requirement == "git+file:///tmp/course"
    assert CourseAddress.parse("https://gitlab.com/a/b").colab_url("notebooks/x.ipynb") is None
    with pytest.raises(AddressError, match="got 'ftp://x'"):
        CourseAddress.parse("ftp://x")


class FakePip:
    """subprocess.run for the install cell: pip fails on the repository (as offline) and records the rest."""

    def __init__(self, repository_works: bool):
        self.repository_works, self.calls = repository_works, []

    def __call__(self, command, **kwargs):
        self.calls.append(command[-1])
        ok = self.repository_works or not command[-1].startswith("git+")
        stderr = "" if ok else "fatal: unable to access 'https://github.com/x/y/': Could not resolve host"
        return subprocess.CompletedProcess(command, 0 if ok else 1, "", stderr)


def run_install_cell(monkeypatch, tmp_path, repository_works, wheel_names=()):
    for name in wheel_names:
        (tmp_path / name).write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    fake = FakePip(repository_works)
    monkeypatch.setattr(subprocess, "run", fake)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)  # as on a fresh runtime
    exec(install_source(CourseAddress("https://github.com/x/y")), {})
    return fake.calls


def test_install_cell_uses_the_repository_when_it_can(monkeypatch, tmp_path, capsys):
    calls = run_install_cell(monkeypatch, tmp_path, True, ["dcgan_lessons-0.1.0-py3-none-any.whl"])
    assert calls == ["git+https://github.com/x/y"]
    assert capsys.readouterr().out == "Installed the course's package from git+https://github.com/x/y.\n"


def test_install_cell_falls_back_to_an_uploaded_wheel_and_says_so(monkeypatch, tmp_path, capsys):
    wheel = "dcgan_lessons-0.1.0-py3-none-any.whl"
    calls = run_install_cell(monkeypatch, tmp_path, False, [wheel, "other-1.0-py3-none-any.whl"])
    assert calls == ["git+https://github.com/x/y", f"./{wheel}"]
    out = capsys.readouterr().out
    assert f"so it installed ./{wheel} instead" in out and "Could not resolve host" in out


def test_install_cell_without_repository_or_wheel_says_where_it_looked(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match=r"Could not install git\+https://github.com/x/y .*MyDrive"):
        run_install_cell(monkeypatch, tmp_path, False)


def test_wheel_command_builds_an_installable_wheel(tmp_path):
    stale = ROOT / "build" / "lib" / "dcgan_lessons" / "training.py"  # what a 0.1 build left behind
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("raise ImportError('a stale module from an old build')\n")
    result = run_cli("wheel", "--out", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("dcgan_lessons-*-py3-none-any.whl")
    assert f"wrote {wheel}" in result.stdout and "MyDrive" in result.stdout
    names = zipfile.ZipFile(wheel).namelist()
    assert "dcgan_lessons/authoring/colab.py" in names and "dcgan_lessons/exercises/__init__.py" in names
    source = {path.relative_to(ROOT).as_posix() for path in (ROOT / "dcgan_lessons").rglob("*.py")}
    assert {name for name in names if name.endswith(".py")} == source  # nothing stale, nothing missing


def test_wheel_outside_the_course_folder_says_where_to_run(tmp_path, monkeypatch):
    from dcgan_lessons.authoring import colab

    monkeypatch.setattr(
        colab, "__file__", str(tmp_path / "site-packages" / "dcgan_lessons" / "authoring" / "colab.py")
    )
    with pytest.raises(FileNotFoundError, match="folder you cloned the course into"):
        colab.course_root(tmp_path)


def test_a_t4_gets_float16_with_loss_scaling(monkeypatch):
    """The T4 path on the CPU: TensorFlow reports a GPU of compute capability 7.5."""
    import keras
    import tensorflow as tf

    from dcgan_lessons.course import environment
    from dcgan_lessons.dcgan.training import RunConfig, make_gan

    t4 = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    real = tf.config.list_physical_devices
    monkeypatch.setattr(
        tf.config, "list_physical_devices", lambda kind=None: [t4] if kind == "GPU" else real(kind)
    )
    monkeypatch.setattr(
        tf.config.experimental, "get_device_details", lambda d: {"compute_capability": (7, 5)}
    )
    assert environment._gpu_capability() == 7.5
    precision = environment.fast_precision()
    assert precision == "mixed_float16"
    gan = make_gan(RunConfig(batch_size=8, latent_dim=8, precision=precision), (16, 16, 1))
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    layer = next(layer for layer in gan.generator.layers if "conv" in layer.name)
    assert (layer.compute_dtype, layer.variable_dtype) == ("float16", "float32")
    # That this trains: test_fast_training.py::test_float16_uses_loss_scaling_and_trains


def test_a_new_runtime_resumes_a_run_folder_on_drive(tmp_path):
    """Two processes (two Colab runtimes), one run folder: the second resumes after the first's epoch."""
    out = tmp_path / "content" / "drive" / "MyDrive" / "dcgan-lessons" / "runs" / "digits"
    train = ("train", "--profile", "quick", "--dataset", "digits", "--limit", "64", "--batch-size", "32")
    first = run_cli(*train, "--epochs", "1", "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert not list(out.rglob("*.tmp*")), "a temporary file was left behind"
    second = run_cli(*train, "--epochs", "2", "--out", str(out), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"Resuming {out} after epoch 1 of 2." in second.stdout
    history = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
