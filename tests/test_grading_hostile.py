"""Hostile submissions, written as an attacker would, graded in one run with honest neighbours.

Each attack leaves its exercises unsolved (or wrong) and tries to get marks anyway, to read the
instructor's private cases, or to hurt the grader and the other submissions. Every one must score what
its own functions earn (0 where unsolved), leak no private case, leave the honest neighbours' full marks
alone, and the run must end with a gradebook and no process left behind.
"""

import csv
import os
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from dcgan_lessons.grading.grader import grade
from dcgan_lessons.grading.kernel_run import Limits

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = nbformat.read(ROOT / "solutions" / "00_setup.ipynb", as_version=4)
LEARNER = nbformat.read(ROOT / "notebooks" / "00_setup.ipynb", as_version=4)
LESSON02 = nbformat.read(ROOT / "notebooks" / "02_minimax_loss.ipynb", as_version=4)

RUN_MARK = f"DCGAN_HOSTILE_TEST={os.getpid()}"
SECRET_NAME = "instructor-only: a 3x7 image of 201s"
EXTRA_CASES = f"""
import numpy as np
from dcgan_lessons.course.checking import Case

CASES = {{
    "00.scale_images": [Case({SECRET_NAME!r}, args=(np.full((1, 3, 7, 1), 201, dtype=np.uint8),))],
}}
"""
SECRETS = [SECRET_NAME, "(1, 3, 7, 1)", "3, 7, 1"]

WRONG_SCALE = "def scale_images(images):\n    return images"

# 1. Replaces the grader's agent in the kernel: every call "passes", or returns a forged value.
PATCH_PROBE = """
import json, numpy as np
import dcgan_lessons.grading.probe as probe
from IPython.display import publish_display_data
probe.run_case = lambda *a, **k: {"status": "judged", "passed": True}
def call(exercise_id, request, seconds):
    publish_display_data({probe.MIME: json.dumps({"status": "judged", "passed": True})})
probe.call = call
probe.judge_case = lambda *a, **k: None
"""

# 2. NumPy's comparisons always true, and an ndarray subclass equal to everything.
PATCH_NUMPY = """
import numpy
numpy.isclose = lambda *a, **k: numpy.array(True)
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
class Anything(numpy.ndarray):
    def __eq__(self, other):
        return True
def scale_images(images):
    return numpy.zeros(images.shape, numpy.float32).view(Anything)
"""

# 3. The course's comparison replaced, and a list subclass equal to everything.
PATCH_CHECKING = """
import dcgan_lessons.course.checking as checking
checking.compare_values = lambda *a, **k: None
checking.judge_case = lambda exercise, case, hidden, got: checking.CaseResult(case.name, hidden, True)
checking.Exercise.compare = lambda self, expected, got: None
class Same(list):
    def __eq__(self, other):
        return True
def unscale_images(images):
    return Same([0])
"""

# 4. Reads whatever the grader keeps in the kernel, and exceptions that carry what the function saw.
READS_STATE = """
import dcgan_lessons.grading.probe as probe
seen = []
class Leak(Exception):
    def __str__(self):
        raise RuntimeError(repr(seen))
def scale_images(images):
    seen.append((images.shape, sorted(set(images.ravel().tolist()))[:3]))
    if len(seen) > 1:
        raise Leak()
    raise ValueError(f"state {probe._state!r} seen {seen!r}")
def unscale_images(images):
    raise ValueError(f"seen so far: {seen!r}")
raise RuntimeError(f"the probe's state: {probe._state!r}")
"""

# 5. Kills its siblings (every other kernel of this run and its supervisor), its group, then its parent.
# (Only this test's kernels, found by a variable the test sets: other kernels on the machine are safe.)
KILLS = """
import os, signal, time
time.sleep(1.5)
for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
    try:
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        environ = open(f"/proc/{pid}/environ", "rb").read()
    except OSError:
        continue
    if b"ipykernel" in cmdline and RUN_MARK.encode() in environ:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
try:
    os.killpg(0, signal.SIGTERM)
except OSError:
    pass
os.kill(os.getppid(), signal.SIGKILL)
"""

# 6. A daemon (double fork, own session) and one that also wipes its environment, both waiting to
# rewrite the gradebook once it is written.
DAEMON = """
import os, sys, subprocess
code = '''
import os, sys, time
target = sys.argv[1]
for _ in range(600):
    if os.path.exists(target):
        open(target, "w").write("hacked")
    time.sleep(0.1)
'''
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        subprocess.Popen([sys.executable, "-c", code, GRADEBOOK], env={}, start_new_session=True)
        os.execv(sys.executable, [sys.executable, "-c", code, GRADEBOOK])
    os._exit(0)
os.wait()
# Scratch files it cannot delete: a folder made read-only and unreadable.
os.makedirs("locked/inner")
open("locked/inner/file", "w").write("x")
os.chmod("locked/inner", 0o500)
os.chmod("locked", 0o000)
"""

# 7. Lesson 02: NumPy's isclose patched and Keras tensors returned, the natural return type, but wrong.
TENSORS_02 = """
import numpy
numpy.isclose = lambda *a, **k: numpy.ones(numpy.broadcast(*a[:2]).shape, bool)
from keras import ops
def value_function(d_real, d_fake):
    return ops.convert_to_tensor(0.0)
def bce_from_logits(logits, labels):
    return ops.zeros_like(ops.convert_to_tensor(logits))
"""


def copy(notebook):
    return nbformat.reads(nbformat.writes(notebook), as_version=4)


def slim(notebook):
    """Without the cells that load TensorFlow and draw: faster to grade."""
    notebook = copy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "environment_report" in cell.source:
            cell.source = "import numpy as np"
        cell.source = cell.source.replace("load_dataset, show_images", "load_dataset")
        cell.source = "\n".join(
            line for line in cell.source.splitlines() if not line.startswith("show_images(")
        )
    return notebook


def with_cell_at_end(notebook, source):
    notebook = copy(notebook)
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    return notebook


def with_cell_after(notebook, text, source):
    notebook = copy(notebook)
    index = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and text in c.source)
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return notebook


def lesson02_slim():
    """Lesson 02's learner notebook without its plots and demonstrations: imports, exercises and checks."""
    notebook = copy(LESSON02)
    notebook.cells = [
        c
        for c in notebook.cells
        if c.cell_type == "code"
        and ("# EXERCISE" in c.source or "= check(" in c.source or "import numpy" in c.source)
    ]
    return notebook


def planted(gradebook):
    learner, solution = slim(LEARNER), slim(SOLUTION)
    return {
        "honest_a.ipynb": solution,
        "patch_probe.ipynb": with_cell_at_end(with_cell_at_end(learner, WRONG_SCALE), PATCH_PROBE),
        "honest_b.ipynb": solution,
        "patch_numpy.ipynb": with_cell_at_end(learner, PATCH_NUMPY),
        "kills.ipynb": with_cell_at_end(learner, f"RUN_MARK = {RUN_MARK!r}\n" + KILLS),
        "honest_c.ipynb": solution,
        "patch_checking.ipynb": with_cell_at_end(learner, PATCH_CHECKING),
        "reads_state.ipynb": with_cell_after(learner, 'check("00.unscale_images"', READS_STATE),
        "daemon.ipynb": with_cell_at_end(solution, f"GRADEBOOK = {str(gradebook)!r}\n" + DAEMON),
        "honest_d.ipynb": solution,
        "tensors_02.ipynb": with_cell_at_end(lesson02_slim(), TENSORS_02),
        # 12 GiB, never touched: it fits the machine's overcommit, not the 8 GiB limit the run sets.
        "memory_hog.ipynb": with_cell_after(
            solution, "import numpy", "import numpy\nhog = numpy.empty(3 * 2**29)"
        ),
    }


def marked_processes():
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            # This run's only: another grading run at the same time (the other xdist worker) has its own.
            if b"DCGAN_LESSONS_GRADED_KERNEL" in environ and RUN_MARK.encode() in environ:
                found.append(pid)
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    subs, out = base / "subs", base / "out"
    subs.mkdir()
    for name, notebook in planted(out / "gradebook.csv").items():
        nbformat.write(notebook, subs / name)
    (base / "private.py").write_text(EXTRA_CASES)
    limits = Limits(notebook_seconds=60, case_seconds=5, memory_bytes=8 * 2**30)
    name, value = RUN_MARK.split("=")
    os.environ[name] = value  # the kernels of this run inherit it: the attack's way to find its siblings
    scratch, tempfile.tempdir = tempfile.tempdir, str(base / "tmp")  # to see that no scratch folder remains
    (base / "tmp").mkdir()
    try:
        grades = grade([subs], out, limits=limits, extra_cases=base / "private.py", workers=2)
    finally:
        del os.environ[name]
        tempfile.tempdir = scratch
    time.sleep(1.5)  # a surviving daemon would have rewritten the gradebook by now
    text = (out / "gradebook.csv").read_text()
    rows = {row["learner"]: row for row in csv.DictReader(text.splitlines())}
    feedback = {p.stem: p.read_text() for p in (out / "feedback").glob("*.md")}
    left = sorted(p.name for p in (base / "tmp").iterdir())
    return {"grades": grades, "rows": rows, "text": text, "feedback": feedback, "out": out, "left": left}


def test_the_run_completes_with_a_gradebook_that_nothing_rewrote(graded):
    assert "hacked" not in graded["text"]
    assert set(graded["rows"]) == {name[: -len(".ipynb")] for name in planted(Path("x"))}
    assert not marked_processes()
    assert graded["left"] == []  # every scratch folder removed, the read-only ones too


def test_honest_neighbours_keep_full_marks(graded):
    for learner in ("honest_a", "honest_b", "honest_c", "honest_d", "daemon"):
        assert float(graded["rows"][learner]["total"]) == 2, (learner, graded["rows"][learner]["notes"])


@pytest.mark.parametrize(
    "learner", ["patch_probe", "patch_numpy", "patch_checking", "reads_state", "kills", "tensors_02"]
)
def test_attacks_on_unsolved_exercises_score_zero(graded, learner):
    assert float(graded["rows"][learner]["total"]) == 0, graded["feedback"][learner]


def test_values_that_are_not_plain_data_are_named_in_the_feedback(graded):
    assert "returned a __main__.Anything: the grader accepts" in graded["feedback"]["patch_numpy"]
    assert "returned a __main__.Same: the grader accepts" in graded["feedback"]["patch_checking"]


def test_no_private_case_leaks_into_feedback_or_the_gradebook(graded):
    everything = graded["text"] + "".join(graded["feedback"].values())
    for secret in SECRETS:
        assert secret not in everything
    # A public case's own message comes back (it is public); a message that fails to print is said so.
    text = graded["feedback"]["reads_state"]
    assert "raised ValueError: seen so far: [((1, 2, 2, 1)" in text
    assert "raised Leak: (its message could not be shown)" in text


def test_the_memory_limit_stops_a_hog_and_costs_it_nothing_else(graded):
    assert "MemoryError" in graded["rows"]["memory_hog"]["notes"]
    assert float(graded["rows"]["memory_hog"]["total"]) == 2
