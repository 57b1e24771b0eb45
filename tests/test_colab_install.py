"""Lesson 00 as on a fresh Colab runtime: TF and Keras there, the course not; its first cell installs it.

Slow (a new virtual environment with TensorFlow, several minutes), so it runs only when asked:
`RUN_COLAB_INSTALL_TEST=1 python -m pytest tests/test_colab_install.py` (.ci/run does, as its own step).

1. A temporary git repository holds the working tree (tracked and untracked, not ignored files), its lessons
   stamped with its own `file://` address by the course's build, as `build --repo` would for a fork.
2. A fresh virtual environment gets what Colab preinstalls that the course uses (TensorFlow, Keras, NumPy,
   SciPy, matplotlib, scikit-learn, Pillow, ipywidgets, nbformat, ipykernel; the versions of
   requirements.txt), and not the course.
3. nbval runs that repository's lesson 00 in a kernel of that environment, in the `quick` profile: its first
   cell pip-installs the course from the `file://` URL, the rest runs as a learner's would.
4. Then the offline fallback, for real: the package is removed, the repository address made unreachable,
   and the install cell installs the wheel `python -m dcgan_lessons wheel` built, next to the notebook.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dcgan_lessons.authoring.build import build
from dcgan_lessons.authoring.colab import CourseAddress, build_wheel, install_source

ROOT = Path(__file__).resolve().parents[1]
COLAB_HAS = (
    "tensorflow keras numpy scipy matplotlib scikit-learn pillow ipywidgets nbformat ipykernel".split()
)

pytestmark = pytest.mark.skipif(
    os.environ.get("RUN_COLAB_INSTALL_TEST") != "1",
    reason="slow (a fresh venv with TensorFlow): RUN_COLAB_INSTALL_TEST=1 runs it (.ci/run does)",
)


def git(*args, cwd):
    command = ["git", "-c", "user.name=ci", "-c", "user.email=ci@localhost", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def course_repository(target: Path) -> CourseAddress:
    """The working tree as a git repository at `target`, lessons stamped with its file:// address."""
    for name in git("ls-files", "-co", "--exclude-standard", "-z", cwd=ROOT).split("\0"):
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    address = CourseAddress(target.as_uri())
    build(target / "solutions", target / "notebooks", address=address)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "course", cwd=target)
    return address


def pinned(names) -> list[str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if version:
            pins[name.lower()] = f"{name}=={version}"
    return [pins[name] for name in names]


def test_lesson_00_installs_and_runs_as_on_a_fresh_colab_runtime(tmp_path):
    start = time.perf_counter()
    repo, lesson, jupyter = tmp_path / "repo", tmp_path / "lesson", tmp_path / "jupyter"
    address = course_repository(repo)

    venv = tmp_path / "colab-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", *pinned(COLAB_HAS)], check=True)
    missing = subprocess.run([python, "-c", "import dcgan_lessons"], cwd=tmp_path, capture_output=True)
    assert missing.returncode != 0, "the fresh environment must not have the course yet"
    print(f"environment ready after {time.perf_counter() - start:.0f} s")

    kernel = jupyter / "kernels" / "colab-like"
    kernel.mkdir(parents=True)
    argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "Colab-like", "language": "python"}
    (kernel / "kernel.json").write_text(json.dumps(spec))
    lesson.mkdir()
    shutil.copy(repo / "notebooks" / "00_setup.ipynb", lesson)
    shutil.copy(ROOT / "conftest.py", lesson)  # hands nbval the expected output of tagged cells
    (lesson / "pytest.ini").write_text("[pytest]\n")  # not the repository's options (--nbval-current-env)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(JUPYTER_PATH=str(jupyter), DCGAN_LESSONS_PROFILE="quick")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-kernel-name", "colab-like", "00_setup.ipynb"],
        cwd=lesson, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    site = subprocess.run(
        [python, "-c", "import dcgan_lessons, pathlib; print(pathlib.Path(dcgan_lessons.__file__).parent)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert str(venv) in site, f"the course came from {site}, not from the install cell"
    direct_url = next((venv / "lib").glob("python3*/site-packages/dcgan_lessons-*.dist-info/direct_url.json"))
    assert json.loads(direct_url.read_text())["url"] == address.url
    print(f"lesson 00 passed under nbval after {time.perf_counter() - start:.0f} s")

    # Offline: the repository cannot be reached, a wheel lies next to the notebook.
    subprocess.run([python, "-m", "pip", "uninstall", "--quiet", "--yes", "dcgan-lessons"], check=True)
    wheel = build_wheel(lesson, root=repo)
    unreachable = CourseAddress((tmp_path / "no-such-repository").as_uri())
    cell = subprocess.run(
        [python, "-c", install_source(unreachable)], cwd=lesson, env=env, capture_output=True, text=True
    )
    assert cell.returncode == 0, cell.stderr[-3000:]
    assert f"so it installed ./{wheel.name} instead." in cell.stdout
    print(f"{cell.stdout.strip()}\nall done after {time.perf_counter() - start:.0f} s")
