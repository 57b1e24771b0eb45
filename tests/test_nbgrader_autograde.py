"""nbgrader's own `generate_assignment` and `autograde` on the course's nbgrader export agree with the
course's grader, exercise by exercise, on four submissions of lessons 00 and 02: solved, unsolved,
partly solved (a correct answer that warns, planted mistakes), and one that rebinds the test helper.

nbgrader is an optional test dependency (requirements-test.txt); without it this file is skipped.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -r requirements-test.txt)")

from dcgan_lessons.authoring.build import exercise_ids  # noqa: E402
from dcgan_lessons.grading.grader import grade_submissions  # noqa: E402
from dcgan_lessons.grading.kernel_run import Limits  # noqa: E402
from dcgan_lessons.grading.nbgrader_export import nbgrader_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {"00": "00_setup", "02": "02_minimax_loss"}

# A correct Jensen-Shannon divergence whose np.where evaluates log(0) on the branch it discards: NumPy
# warns on stderr, which nbgrader would score 0 if the test cell did not silence it.
JSD_WHERE = """def jensen_shannon(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = (p + q) / 2
    kl = lambda a: np.sum(np.where(a > 0, a * np.log(a / m), 0.0))
    return 0.5 * kl(p) + 0.5 * kl(q)"""
BCE_NAIVE = """def bce_from_logits(logits, labels):
    s = 1 / (1 + np.exp(-logits))
    return -labels * np.log(s) - (1 - labels) * np.log(1 - s)"""
SCALE_DIV128 = "def scale_images(images):\n    return images.astype('float32') / 128.0 - 1.0"
REBINDS = (  # wrong answer, then an attempt to replace the nbgrader test helper and NumPy's comparison
    "import numpy\nimport dcgan_lessons.grading.nbgrader_export as grading\n"
    "grading.nbgrader_points = lambda *args: 1\nnbgrader_points = lambda *args: 1\n"
    "numpy.isclose = lambda *args, **kwargs: numpy.array(True)\n"
)


def slim_solution(lesson):
    """The solution notebook with only the imports its answers use, the exercises and their checks (faster).

    Lesson 00's answers are NumPy only: its 8 kernels (4 submissions, nbgrader's and ours) skip Keras and
    TensorFlow (the file took 97 CPU s instead of 133); lesson 02's answers use `keras.ops`.
    """
    notebook = nbformat.read(ROOT / "solutions" / f"{LESSONS[lesson]}.ipynb", as_version=4)
    keras_import = "from keras import ops\n" if lesson != "00" else ""
    imports = f"import numpy as np\n{keras_import}from dcgan_lessons import check"
    kept = [nbformat.v4.new_code_cell(imports)]
    kept += [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and (exercise_ids(cell.source) or "= check(" in cell.source)
    ]
    notebook.cells = kept
    return notebook


def answers(notebook):
    return {
        exercise_ids(c.source)[0]: c
        for c in notebook.cells
        if c.cell_type == "code" and exercise_ids(c.source)
    }


def solution_code(cell):
    lines = [
        line
        for line in cell.source.splitlines()
        if "### BEGIN SOLUTION" not in line and "### END" not in line
    ]
    return "\n".join(lines)


def submissions(release, solution):
    """name -> notebook: the release with some answer cells replaced."""
    solved = {eid: solution_code(cell) for eid, cell in answers(solution).items()}
    first = next(iter(solved))
    partly = {first: solved[first]}
    if first.startswith("02"):
        partly.update({"02.jensen_shannon": JSD_WHERE, "02.bce_from_logits": BCE_NAIVE})
    else:
        partly["00.scale_images"] = SCALE_DIV128
        partly["00.unscale_images"] = solved["00.unscale_images"]
    hostile = {
        first: REBINDS
        + "\n"
        + (
            "def scale_images(images):\n    return images"
            if first.startswith("00")
            else "def value_function(d_real, d_fake):\n    return 0.0"
        )
    }
    result = {}
    for name, replaced in [("solved", solved), ("unsolved", {}), ("partly", partly), ("rebinds", hostile)]:
        notebook = nbformat.reads(nbformat.writes(release), as_version=4)
        for eid, cell in answers(notebook).items():
            if eid in replaced:
                cell.source = f"# EXERCISE {eid}\n{replaced[eid]}"
        result[name] = notebook
    return result


def run_nbgrader(course, *args):
    # nbgrader runs some of its tools (alembic) by name: they live next to this Python.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--force"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, PATH=path),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def both_grades(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'dcgan'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n"
        "c.ExecutePreprocessor.timeout = 120\n"
        "c.Execute.timeout = 120\n"
    )
    students = ["solved", "unsolved", "partly", "rebinds"]
    for lesson, name in LESSONS.items():
        source = course / "source" / f"lesson{lesson}"
        source.mkdir(parents=True)
        nbformat.write(nbgrader_notebook(slim_solution(lesson), lesson), source / f"{name}.ipynb")
    ours = {}
    for lesson, name in LESSONS.items():
        run_nbgrader(course, "generate_assignment", f"lesson{lesson}")
        release = nbformat.read(course / "release" / f"lesson{lesson}" / f"{name}.ipynb", as_version=4)
        solution = nbformat.read(course / "source" / f"lesson{lesson}" / f"{name}.ipynb", as_version=4)
        for student, notebook in submissions(release, solution).items():
            folder = course / "submitted" / student / f"lesson{lesson}"
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / f"{name}.ipynb")
        run_nbgrader(course, "autograde", f"lesson{lesson}")
        files = [course / "submitted" / s / f"lesson{lesson}" / f"{name}.ipynb" for s in students]
        for grade in grade_submissions(files, limits=Limits(notebook_seconds=120, case_seconds=20)):
            student = grade.submission.path.parents[1].name
            ours[student, lesson] = {g.exercise.id: round(g.score, 3) for g in grade.exercises}

    from nbgrader.api import Gradebook

    theirs = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for (student, lesson), scores in ours.items():
            for exercise_id in scores:
                grade_id = f"test_{exercise_id.replace('.', '_')}"
                found = gradebook.find_grade(grade_id, LESSONS[lesson], f"lesson{lesson}", student)
                theirs.setdefault((student, lesson), {})[exercise_id] = round(found.score, 3)
    return ours, theirs


@pytest.mark.parametrize("lesson", sorted(LESSONS))
@pytest.mark.parametrize("student", ["solved", "unsolved", "partly", "rebinds"])
def test_nbgrader_autograde_gives_the_course_graders_scores(both_grades, student, lesson):
    ours, theirs = both_grades
    assert theirs[student, lesson] == pytest.approx(ours[student, lesson], abs=1e-3)
    total = sum(ours[student, lesson].values())
    maximum = {"00": 2, "02": 7}[lesson]
    expected = {"solved": maximum, "unsolved": 0, "rebinds": 0}
    if student in expected:
        assert total == pytest.approx(expected[student], abs=1e-3)
    else:  # partly: the warning answer scores full, the naive BCE partial, the rest nothing
        assert 0 < total < maximum
        if lesson == "02":
            assert ours[student, lesson]["02.jensen_shannon"] == 1
            assert 0 < ours[student, lesson]["02.bce_from_logits"] < 1
