"""Instructor grading, end to end: one run over a folder of planted submissions of lesson 00.

Each planted notebook is built here from the lesson's solution or learner version. Expected scores come
from `run_check` in this process on the same code, so the grader (which runs each notebook in its own
kernel) must agree with the course's own check, hidden and private cases included.
"""

import csv
import dataclasses
import hashlib
from pathlib import Path

import nbformat
import numpy as np
import pytest

from dcgan_lessons import cli, get_exercise, run_check
from dcgan_lessons.course.checking import Case

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = nbformat.read(ROOT / "solutions" / "00_setup.ipynb", as_version=4)
LEARNER = nbformat.read(ROOT / "notebooks" / "00_setup.ipynb", as_version=4)

SCALE_OK = "def scale_images(images):\n    return images.astype('float32') / 127.5 - 1.0"
SCALE_DIV128 = "def scale_images(images):\n    return images.astype('float32') / 128.0 - 1.0"
SCALE_DIV255 = "def scale_images(images):\n    return images.astype('float32') / 255.0"
UNSCALE_GRAY_ONLY = (  # right for one channel only
    "def unscale_images(images):\n    return np.rint((images[..., :1] + 1.0) * 127.5).astype(np.uint8)"
)
UNSCALE_LOOPS = "def unscale_images(images):\n    while True:\n        pass"
# An endless loop that Jupyter's interrupt (SIGINT) cannot stop. It sleeps rather than spins: deaf, it is
# stopped only by the kill, after the 25 s notebook limit and 5 s more, and spinning it held a core for
# those 30 s, taken from the other test worker (loops_forever spins, as a learner's loop does).
UNSCALE_LOOPS_DEAF = (
    "def unscale_images(images):\n    import signal, time\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "    while True:\n        time.sleep(0.05)"
)

EXTRA_CASES = """
import numpy as np
from dcgan_lessons.course.checking import Case

CASES = {
    "00.scale_images": [
        Case("instructor-only: one pixel of value 77", args=(np.full((1, 1, 1, 1), 77, dtype=np.uint8),)),
    ],
}
"""
EXTRA = [Case("instructor-only: one pixel of value 77", args=(np.full((1, 1, 1, 1), 77, dtype=np.uint8),))]


def function_from(source):
    namespace = {"np": np}
    exec(source, namespace)
    return next(value for key, value in namespace.items() if key not in ("np", "__builtins__"))


def expected_score(exercise_id, source):
    """What the course's own check gives this code, with the hidden and the private extra cases."""
    exercise = get_exercise(exercise_id)
    if exercise_id == "00.scale_images":
        exercise = dataclasses.replace(exercise, hidden=[*exercise.hidden, *EXTRA])
    return run_check(exercise, function_from(source), include_hidden=True)


def copy(notebook):
    return nbformat.reads(nbformat.writes(notebook), as_version=4)


def slim(notebook):
    """Without the cells that load TensorFlow and draw (a learner may delete them too): faster to grade."""
    notebook = copy(notebook)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "environment_report" in cell.source:
            cell.source = "import numpy as np"
        cell.source = cell.source.replace("load_dataset, show_images", "load_dataset")
        cell.source = "\n".join(
            line for line in cell.source.splitlines() if not line.startswith("show_images(")
        )
    return notebook


def code_index(notebook, text):
    return next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and text in c.source)


def with_exercise(notebook, exercise_id, source):
    notebook = copy(notebook)
    notebook.cells[
        code_index(notebook, f"# EXERCISE {exercise_id}")
    ].source = f"# EXERCISE {exercise_id}\n{source}"
    return notebook


def with_cell_after(notebook, text, source):
    notebook = copy(notebook)
    notebook.cells.insert(code_index(notebook, text) + 1, nbformat.v4.new_code_cell(source))
    return notebook


def survives_errors(solution):
    """An error at import, megabytes of output, and sys.exit between the two exercises."""
    notebook = with_cell_after(solution, "import importlib", "import dcgan_lessons_no_such_module")
    notebook = with_cell_after(notebook, "import dcgan_lessons_no_such_module", "print('x' * 3_000_000)")
    return with_cell_after(notebook, 'check("00.scale_images"', "import sys\nsys.exit(3)")


def tampered():
    """Deletes the check cells, fakes `check`, monkeypatches the comparisons, then rebinds names."""
    notebook = with_exercise(slim(LEARNER), "00.scale_images", SCALE_DIV255)
    notebook = with_exercise(notebook, "00.unscale_images", SOLUTION_UNSCALE)
    notebook.cells = [c for c in notebook.cells if 'check("' not in c.source]
    fake = (
        "def check(exercise_id, answer):\n    print('✓ all cases pass')\n    return answer\n"
        "import numpy\nnumpy.isclose = lambda *a, **k: numpy.array(True)\n"
        "import dcgan_lessons.course.checking\n"
        "dcgan_lessons.course.checking.compare_values = lambda *a, **k: None\n"
        "dcgan_lessons.course.checking.run_check = lambda *a, **k: None\n"
        "scale_images = check('00.scale_images', scale_images)"
    )
    notebook.cells.insert(
        code_index(notebook, "# EXERCISE 00.unscale_images"), nbformat.v4.new_code_cell(fake)
    )
    notebook.cells.append(
        nbformat.v4.new_code_cell("unscale_images = 'overwritten'\nprint = None\nnp = None")
    )
    return notebook


VANDAL = """import glob
from pathlib import Path
for target in ["../out/gradebook.csv", "../out/feedback/empty.md", "gradebook.csv"]:
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text("hacked")
for pattern in ["*.ipynb", "../*.ipynb", "../subs/*.ipynb", "../subs/*/*.ipynb"]:
    for path in glob.glob(pattern):
        Path(path).write_text("overwritten")
"""

SOLUTION_UNSCALE = SOLUTION.cells[code_index(SOLUTION, "# EXERCISE 00.unscale_images")].source.split("\n", 1)[
    1
]
SOLUTION_UNSCALE = SOLUTION_UNSCALE.replace("    ### BEGIN SOLUTION\n", "").replace(
    "\n    ### END SOLUTION", ""
)


def planted():
    """file name -> notebook (or bytes) of every planted submission."""
    learner = slim(LEARNER)
    solution = slim(SOLUTION)
    other = copy(solution)
    other.metadata["dcgan_lessons"]["lesson"] = "03"
    bare = copy(solution)
    del bare.metadata["dcgan_lessons"]
    return {
        "renamed_perfect.ipynb": SOLUTION,
        "empty.ipynb": learner,
        "partly_a.ipynb": with_exercise(
            with_exercise(learner, "00.scale_images", SCALE_OK), "00.unscale_images", UNSCALE_GRAY_ONLY
        ),
        "partly_b.ipynb": with_exercise(learner, "00.scale_images", SCALE_DIV128),
        "syntax_error.ipynb": with_exercise(
            solution, "00.scale_images", "def scale_images(images)\n    return 1"
        ),
        "survives_errors.ipynb": survives_errors(solution),
        "ignores_interrupts.ipynb": with_exercise(solution, "00.unscale_images", UNSCALE_LOOPS_DEAF),
        "loops_forever.ipynb": with_exercise(solution, "00.unscale_images", UNSCALE_LOOPS),
        "kills_kernel.ipynb": with_cell_after(solution, 'check("00.scale_images"', "import os\nos._exit(1)"),
        "tampered.ipynb": tampered(),
        "vandal.ipynb": with_cell_after(solution, "import importlib", VANDAL),
        "not_a_notebook.ipynb": b"\x89PNG\r\n\x1a\n this is an image, not a notebook",
        "json_not_notebook.ipynb": b'{"hello": "world"}',
        "other_lesson.ipynb": other,
        "group2/no_metadata.ipynb": bare,
    }


def digest(folder):
    """Hashes of the files under `folder`, bytecode caches left out: another pytest-xdist worker may
    legitimately (re)compile the package's modules while this test grades, and Python checks a cached
    .pyc against its source's size and time, which the sources' hashes here would catch."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    subs, out = base / "subs", base / "out"
    for name, content in planted().items():
        path = subs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else nbformat.writes(content).encode())
    extra = base / "private_cases.py"
    extra.write_text(EXTRA_CASES)
    before = {
        "subs": digest(subs),
        "package": digest(ROOT / "dcgan_lessons"),
        "solutions": digest(ROOT / "solutions"),
    }
    argv = ["grade", str(subs), "--out", str(out), "--lesson", "00", "--extra-cases", str(extra)]
    code = cli.main(argv + ["--timeout", "25", "--case-timeout", "1"])
    with open(out / "gradebook.csv", newline="") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    feedback = {p.stem: p.read_text() for p in (out / "feedback").glob("*.md")}
    return {"code": code, "rows": rows, "feedback": feedback, "before": before, "subs": subs, "out": out}


def total(graded, learner):
    return float(graded["rows"][learner]["total"])


def test_every_submission_has_a_row_and_a_feedback_file(graded):
    assert graded["code"] == 0
    names = {Path(name).with_suffix("").as_posix() for name in planted()}
    assert set(graded["rows"]) == names
    assert set(graded["feedback"]) == {name.replace("/", "__") for name in names}
    header = list(next(iter(graded["rows"].values())))
    assert header == [
        "learner",
        "file",
        "lesson",
        "00.scale_images",
        "00.unscale_images",
        "total",
        "max",
        "problem",
        "notes",
    ]


def test_perfect_renamed_and_unmarked_submissions_get_full_marks(graded):
    assert total(graded, "renamed_perfect") == 2
    assert total(graded, "group2/no_metadata") == 2
    assert "matched by its exercise markers" in graded["feedback"]["group2__no_metadata"]


def test_unsolved_notebook_gets_zero_as_not_attempted(graded):
    assert total(graded, "empty") == 0
    assert graded["feedback"]["empty"].count("not attempted yet") == 2


def test_partly_right_submissions_get_the_partial_credit_the_course_check_gives(graded):
    gray_only = expected_score("00.unscale_images", UNSCALE_GRAY_ONLY)
    div128 = expected_score("00.scale_images", SCALE_DIV128)
    assert 0 < gray_only.score < 1 and 0 <= div128.score < 1
    row = graded["rows"]["partly_a"]
    assert float(row["00.scale_images"]) == 1
    assert float(row["00.unscale_images"]) == pytest.approx(gray_only.score, abs=1e-3)
    row = graded["rows"]["partly_b"]
    assert float(row["00.scale_images"]) == pytest.approx(div128.score, abs=1e-3)
    assert float(row["00.unscale_images"]) == 0
    # A public failure is explained with the planted mistake's hint.
    assert get_exercise("00.scale_images").mistakes[2].hint in graded["feedback"]["partly_b"]


def test_syntax_error_loses_only_the_function_it_broke(graded):
    row = graded["rows"]["syntax_error"]
    assert (float(row["00.scale_images"]), float(row["00.unscale_images"])) == (0, 1)
    text = graded["feedback"]["syntax_error"]
    assert "SyntaxError" in text and "defines no function called `scale_images`" in text


def test_errors_at_import_sys_exit_and_megabytes_of_output_are_reported_and_cost_nothing(graded):
    """Every cell runs even after an error, so the functions defined after it count."""
    assert total(graded, "survives_errors") == 2
    text = graded["feedback"]["survives_errors"]
    assert "ModuleNotFoundError" in text and "SystemExit" in text and "MB of output" in text


def test_endless_loop_is_stopped_by_the_time_limits(graded):
    row = graded["rows"]["loops_forever"]
    assert (float(row["00.scale_images"]), float(row["00.unscale_images"])) == (1, 0)
    text = graded["feedback"]["loops_forever"]
    assert "time limit" in graded["rows"]["loops_forever"]["notes"]
    assert "time limit (25 s) was reached" in text and "took too long and was stopped" in text


def test_a_loop_that_ignores_interrupts_is_killed_and_what_came_before_counts(graded):
    row = graded["rows"]["ignores_interrupts"]
    assert (float(row["00.scale_images"]), float(row["00.unscale_images"])) == (1, 0)
    text = graded["feedback"]["ignores_interrupts"]
    assert "time limit (25 s) was reached" in text and "started a fresh kernel" in text


def test_killing_the_kernel_keeps_what_came_before(graded):
    row = graded["rows"]["kills_kernel"]
    assert (float(row["00.scale_images"]), float(row["00.unscale_images"])) == (1, 0)
    assert "started a fresh kernel" in graded["feedback"]["kills_kernel"]


def test_deleted_checks_fake_check_and_monkeypatching_change_nothing(graded):
    row = graded["rows"]["tampered"]
    div255 = expected_score("00.scale_images", SCALE_DIV255)
    assert div255.score == 0
    assert float(row["00.scale_images"]) == 0
    assert float(row["00.unscale_images"]) == 1  # its own function counts, though the name was rebound later


def test_a_submission_cannot_overwrite_results_or_other_submissions(graded):
    assert total(graded, "vandal") == 2
    assert digest(graded["subs"]) == graded["before"]["subs"]
    assert digest(ROOT / "dcgan_lessons") == graded["before"]["package"]
    assert digest(ROOT / "solutions") == graded["before"]["solutions"]
    written = {p.relative_to(graded["out"]).as_posix() for p in graded["out"].rglob("*") if p.is_file()}
    assert written == {"gradebook.csv"} | {f"feedback/{name}.md" for name in graded["feedback"]}
    assert "hacked" not in "".join(graded["feedback"].values())


def test_files_that_are_not_notebooks_or_of_another_lesson_are_reported(graded):
    for learner in ("not_a_notebook", "json_not_notebook"):
        assert graded["rows"][learner]["problem"].startswith("not a Jupyter notebook")
        assert total(graded, learner) == 0
    assert "lesson 03's notebook" in graded["rows"]["other_lesson"]["problem"]
    assert "Not graded" in graded["feedback"]["other_lesson"]


def test_private_extra_cases_count(graded):
    """The private case fails for /128: the grade matches the check with that case added."""
    exercise = get_exercise("00.scale_images")
    without = run_check(exercise, function_from(SCALE_DIV128), include_hidden=True).score
    with_extra = expected_score("00.scale_images", SCALE_DIV128).score
    assert with_extra != without
    assert float(graded["rows"]["partly_b"]["00.scale_images"]) == pytest.approx(with_extra, abs=1e-3)


def test_hidden_cases_never_appear_in_feedback(graded):
    hidden = [
        case.name for ex in ("00.scale_images", "00.unscale_images") for case in get_exercise(ex).hidden
    ]
    hidden += [case.name for case in EXTRA]
    details = [
        case.mismatch.detail
        for source, exercise_id in [
            (SCALE_DIV128, "00.scale_images"),
            (UNSCALE_GRAY_ONLY, "00.unscale_images"),
        ]
        for case in expected_score(exercise_id, source).cases
        if case.hidden and not case.passed
    ]
    assert details, "the planted mistakes should fail some hidden cases"
    for text in graded["feedback"].values():
        for secret in hidden + details:
            assert secret not in text
    assert "a hidden case: your answer" in graded["feedback"]["partly_b"]
