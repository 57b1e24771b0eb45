"""Settings for every test run, the notebook runs (nbval) included.

nbval starts each notebook's kernel as a child process, which inherits this environment: so the
notebooks run in the `quick` profile on the TensorFlow backend, and matplotlib draws off-screen.
A value already set by the caller wins, so `DCGAN_LESSONS_PROFILE=cpu python -m pytest` runs the
notebooks at learner size.
"""

import os
import tempfile

os.environ.setdefault("DCGAN_LESSONS_PROFILE", "quick")
# Lesson 05 writes its run folder under $DCGAN_LESSONS_RUNS: a fresh folder per test session, so a run
# is never resumed from an earlier session's checkpoint and nothing lands in the repository.
os.environ.setdefault("DCGAN_LESSONS_RUNS", tempfile.mkdtemp(prefix="dcgan-lessons-runs-"))
# Lesson 06's classifier is trained once and cached under $DCGAN_LESSONS_CACHE: a fresh folder per session
# too, shared by the tests and the notebook kernels, so it is trained once per session and never read
# from (or written to) the user's own cache.
os.environ.setdefault("DCGAN_LESSONS_CACHE", tempfile.mkdtemp(prefix="dcgan-lessons-cache-"))
# JAX runs (tests/jax_loops.py) keep their compilations in a per-session folder, not the user's cache.
os.environ.setdefault("DCGAN_LESSONS_JAX_CACHE", tempfile.mkdtemp(prefix="dcgan-lessons-jax-cache-"))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides real failures
# One thread per worker and library: the suite runs two workers on CI's two cores, and each library's own
# pool of one thread per core had four threads fight for two. On 1 December 2026, with --durations=0: the
# tests' summed time 1,269 s against 1,395 s, the suite 11 min 4 s against 11 min 13 s to 12 min 10 s (one
# run against three). Learner-view kernels get a learner's environment, without these.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")


# The files that cost the most CPU, costliest first (`benchmarks/suite_cost.py` measures them). They are
# handed out first, so that the two workers of `-n 2 --dist loadfile` share the long files and end together
# on the short ones. xdist's own order (files with the most tests first, `--no-loadscope-reorder` turns it
# off) started a one-test file of a minute and more last on one worker while the other stood idle.
# A file not named here keeps its place after them, notebooks first (each is a whole lesson's run).
LONGEST_FIRST = (  # CPU seconds each took in benchmarks/suite_cost.py on 1 December 2026, load average 9
    "tests/test_nbgrader_autograde.py",  # 97: 16 kernels, nbgrader's and the grader's
    "tests/test_learner_view.py",  # every learner notebook again, in a learner's fresh kernel
    "tests/test_fast_training.py",  # 90
    "tests/test_exercises.py",  # 87
    "tests/test_grading.py",  # 83
    "tests/test_grading_hostile.py",  # 67
    "tests/test_benchmarks.py",  # 64
    "tests/test_grading_parts.py",  # 60, and kernels' time limits
    "tests/test_devices.py",  # 57
    "tests/test_checks_lesson05.py",  # 53
    "tests/test_grading_dcgan_class.py",  # 45
    "tests/test_dcgan_training.py",  # 45
    "tests/test_measures.py",  # 40
    "tests/test_ema.py",  # 38
    "solutions/05_train_dcgan.ipynb",  # 33
    "tests/test_rollback.py",  # 29
    "notebooks/05_train_dcgan.ipynb",  # 25
    "tests/test_nbval_outputs.py",  # 24
    "tests/test_colab.py",  # 23
    "notebooks/06_evaluate_and_explore.ipynb",  # 20
    "tests/test_cli_faults.py",  # 18
    "tests/test_dcgan_backends.py",  # 18
    "tests/test_environment.py",  # 16
    "tests/test_recipe_search.py",  # 16
    "tests/test_epoch_files.py",  # 15
)


def run_order(items):
    """The items regrouped file by file, the costliest files first; each file's own order is kept."""
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}

    def key(item):
        path = item.nodeid.split("::")[0]
        return (rank.get(path, len(rank)), not path.endswith(".ipynb"))

    return sorted(items, key=key)  # stable: a file's tests (a notebook's cells) stay in order


def pytest_collection_modifyitems(items):
    """Run the costliest files first (see `run_order`), and give nbval a reference output for every cell
    tagged `nbval-check-output`.

    Notebooks are committed without outputs, and nbval compares only cells that carry one. So a
    deterministic cell keeps what it must print in its metadata, `expected_output` (stdout text),
    and it is handed to nbval here as if the cell had been run and saved. A marked cell without an
    expected output is an error, so a marker can never silently check nothing.
    """
    import nbformat

    for item in items:
        cell = getattr(item, "cell", None)
        if cell is None or cell.get("cell_type") != "code":
            continue
        # The build moves the marker to the tag nbval reads alike; a cell not yet rebuilt has the comment.
        tagged = "nbval-check-output" in cell.metadata.get("tags", [])
        if not tagged and "NBVAL_CHECK_OUTPUT" not in cell.source:
            continue
        expected = cell.metadata.get("expected_output")
        if expected is None:
            raise ValueError(
                f"{item.nodeid}: a cell tagged nbval-check-output (# NBVAL_CHECK_OUTPUT) needs the text "
                "it prints in its metadata as 'expected_output'."
            )
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=expected)]
        cell.execution_count = 1
    items[:] = run_order(items)
