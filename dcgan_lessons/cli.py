"""Command line: `python -m dcgan_lessons <command>`.

doctor   print the environment report (exit 1 when something the course needs is missing)
build    write the learner notebooks from solutions/ (--check: verify only; --repo: for a fork)
wheel    build the package's wheel, for Colab's install cell when the repository cannot be reached
train    train the course's DCGAN headless into a run folder (resumes when the folder has a checkpoint)
diagnose name what went wrong in a run folder (divergence, D winning, collapse, oscillation) and when
grade    grade submitted notebooks: a gradebook CSV and one feedback file per learner
nbgrader-source  write the lessons as nbgrader source notebooks (cell metadata and test cells)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _doctor(args: argparse.Namespace) -> int:
    from .course.environment import environment_report

    report = environment_report()
    print(report)
    return 1 if report.problems else 0


def _build(args: argparse.Namespace) -> int:
    from .authoring.build import BuildError, build
    from .authoring.colab import AddressError, CourseAddress, write_address

    try:
        address = CourseAddress.parse(args.repo) if args.repo is not None else None
        if address and not args.check:  # the fork's address becomes the setting, so --check agrees later
            write_address(Path(args.solutions).resolve().parent / "pyproject.toml", address)
            print(f"pyproject.toml: the course's address is now {address}")
        report = build(args.solutions, args.notebooks, check=args.check, address=address)
    except (BuildError, FileNotFoundError, AddressError) as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a notebooks folder that cannot be written, or a file in its place
        print(
            f"build failed: could not write {error.filename or args.notebooks} ({error.strerror or error}); "
            "expected writable folders. Fix them or pass --notebooks.",
            file=sys.stderr,
        )
        return 2
    for path in report.written:
        print(f"wrote {path}")
    if args.check:
        if report.ok:
            print(f"Up to date: {len(report.lessons)} lesson(s) in {args.solutions}/ and {args.notebooks}/.")
            return 0
        print("Out of date (run `python -m dcgan_lessons build` and commit the result):", file=sys.stderr)
        for path in report.outdated:
            print(f"  {path}", file=sys.stderr)
        return 1
    for path in report.outdated:
        print(
            f"warning: {path} has no source in {args.solutions}/; delete it or restore its solution.",
            file=sys.stderr,
        )
    if not report.written:
        print(f"Nothing to do: {len(report.lessons)} lesson(s) already up to date.")
    return 0


def _wheel(args: argparse.Namespace) -> int:
    from .authoring.colab import build_wheel

    try:
        wheel = build_wheel(args.out)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"wheel failed: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {wheel}\nOn Colab, upload it next to the notebook (Files pane) or to MyDrive/dcgan-lessons/ "
        "on Drive: a lesson's first cell installs it when the course's repository cannot be reached."
    )
    return 0


def _keras_problem(command: str) -> str | None:
    """A one-line message when Keras cannot start (e.g. a bad KERAS_BACKEND), else None."""
    import os

    try:
        import keras  # noqa: F401 - importing it is the check
    except Exception as error:  # noqa: BLE001 - any start-up failure gets the same advice
        backend = os.environ.get("KERAS_BACKEND")
        named = f"KERAS_BACKEND={backend!r}" if backend else "its default backend"
        return (
            f"{command}: Keras could not start with {named} ({type(error).__name__}: {error}).\n"
            "Expected tensorflow or jax (installed): unset KERAS_BACKEND or set it to one of them."
        )
    return None


def _devices(text: str) -> int | str:
    """--devices: "all", or a count (train_dcgan checks its range and names the numbers)."""
    return text if text == "all" or not text.lstrip("-").isdigit() else int(text)


def _train(args: argparse.Namespace) -> int:
    def refuse(message: str) -> int:
        print(f"train: {message}", file=sys.stderr)
        return 2

    problem = _keras_problem("train")  # before the profile: finding the device imports Keras
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from .course.profiles import get_profile

    try:
        profile = get_profile(args.profile)
    except ValueError as error:
        return refuse(str(error))

    from .course.data import DATASETS, DatasetUnavailableError
    from .course.environment import fast_precision
    from .dcgan.training import RunConfig, TrainingDiverged, train_dcgan
    from .runs.checkpoint import CheckpointError
    from .runs.run_folder import RunFolderError

    dataset = args.dataset or ("mnist" if profile.name == "gpu" else "digits")
    if dataset not in DATASETS:
        return refuse(f"--dataset must be one of {', '.join(DATASETS)}; got {dataset!r}.")
    for name in ("epochs", "batch_size", "limit", "measure_samples", "latent_dim"):
        value = getattr(args, name)
        if value is not None and value < 1:
            return refuse(f"--{name.replace('_', '-')} must be a positive whole number, got {value}.")
    if args.n_critic is not None and args.n_critic < 1:
        return refuse(f"--n-critic must be a positive whole number, got {args.n_critic}.")
    for name in ("keep_checkpoints", "from_epoch", "seed"):
        value = getattr(args, name)
        if value is not None and value < 0:
            return refuse(f"--{name.replace('_', '-')} must be 0 or more, got {value}.")
    from .losses.stabilisers import optimizer_defaults

    paper = optimizer_defaults(args.loss)  # lesson 07: each loss's paper settings, unless given
    g_rate = paper.g_learning_rate if args.learning_rate is None else args.learning_rate
    # D's rate defaults to G's (--learning-rate sets both), except where the paper gives D its own (TTUR).
    d_rate = args.d_learning_rate
    if d_rate is None:
        d_rate = paper.d_learning_rate if paper.d_learning_rate != paper.g_learning_rate else g_rate
    config = RunConfig(
        loss=args.loss,
        spectral_norm=args.spectral_norm,
        d_learning_rate=None if d_rate == g_rate else d_rate,
        beta_2=paper.beta_2 if args.beta_2 is None else args.beta_2,
        n_critic=args.n_critic,
        dataset=dataset,
        batch_size=args.batch_size or profile.batch_size,
        latent_dim=args.latent_dim,
        seed=args.seed,
        limit=args.limit or profile.max_train_images,
        image_size=args.image_size,
        real_target=args.real_target,
        learning_rate=g_rate,
        beta_1=paper.beta_1 if args.beta_1 is None else args.beta_1,
        precision=fast_precision() if args.precision == "auto" else args.precision,
        ema=args.ema or None,
    )
    epochs = args.epochs or profile.epochs
    print(
        f"Training on {dataset} for {epochs} epochs, batch {config.batch_size}, {config.precision}, "
        f"into {args.out} ({profile.name} profile)."
    )
    try:
        evaluator = None
        if args.measures:  # lesson 06's measures in every epoch's log line, history.json and losses.csv
            from .evaluate.measures import make_evaluator

            evaluator = make_evaluator(dataset, held_out=args.measure_samples, cache_dir=args.cache_dir)
        run = train_dcgan(
            args.out,
            epochs=epochs,
            config=config,
            grid_images=profile.grid_images,
            verbose=2,
            measures=evaluator,
            measure_samples=args.measure_samples,
            keep_every=args.keep_checkpoints,
            from_epoch=args.from_epoch,
            devices=_devices(args.devices),
        )
    except (ValueError, TypeError, DatasetUnavailableError, CheckpointError, RunFolderError) as error:
        return refuse(str(error))
    except TrainingDiverged as error:  # the settings were valid; the run blew up (NaN), its files kept
        print(f"train: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"\ntrain: interrupted. {args.out} keeps every finished epoch; run the same command to resume.",
            file=sys.stderr,
        )
        return 130
    except OSError as error:  # a folder that fails outside the checked writes
        where = f" {error.filename}" if error.filename else ""
        return refuse(
            f"could not use{where} ({error.strerror or error}). Check the folder (space, permissions) "
            "and run the same command again: the run resumes from its last checkpoint."
        )
    if run.history:
        last = run.history[-1]
        print(
            f"Done: {len(run.history)} epochs in {args.out}; last epoch d_loss {last['d_loss']:.3f}, "
            f"g_loss {last['g_loss']:.3f}; {run.images_per_second():,.0f} images/s."
        )
        if "fd" in last:
            print(
                f"Measures after epoch {last['epoch']}: FD {last['fd']:.2f}, "
                f"IS {last['inception_score']:.2f}, {last['classes_covered']:.0f} classes covered, "
                f"memorisation ratio {last['memorisation_ratio']:.2f}, "
                f"confident share {last.get('confident_share', float('nan')):.2f}."
            )
    return 0


def _diagnose(args: argparse.Namespace) -> int:
    from .runs.diagnose import report

    try:
        print(report(args.run_dir))
    except (FileNotFoundError, ValueError) as error:
        print(f"diagnose: {error}", file=sys.stderr)
        return 2
    return 0


def _grade_arguments_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with `grade`'s options, in one line, or None."""
    import math

    from .course.profiles import PROFILES

    for name in ("timeout", "case_timeout", "max_output_mb"):
        value = getattr(args, name)
        if not (math.isfinite(value) and value > 0):
            return f"--{name.replace('_', '-')}: expected a number > 0, got {value}."
    if args.workers < 1:
        return f"--workers: expected at least 1 notebook at once, got {args.workers}."
    if args.profile not in PROFILES:
        return f"--profile: expected one of {', '.join(PROFILES)}, got {args.profile!r}."
    out = Path(args.out)
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "is a file" if existing == out else f"lies under {existing}, which is a file"
        return f"--out {out} {where}; expected a results folder. Choose another --out."
    return None


def _grade(args: argparse.Namespace) -> int:
    try:
        from .grading.grader import grade, print_progress
        from .grading.kernel_run import Limits
    except ImportError as error:
        print(
            f"grade needs nbclient and ipykernel ({error}): pip install -r requirements.txt", file=sys.stderr
        )
        return 2

    problem = _grade_arguments_problem(args) or _keras_problem("grade")
    if problem:
        print(problem if problem.startswith("grade:") else f"grade: {problem}", file=sys.stderr)
        return 2
    limits = Limits(
        notebook_seconds=args.timeout,
        case_seconds=args.case_timeout,
        max_output_bytes=int(args.max_output_mb * 2**20),
        profile=args.profile,
    )
    out = Path(args.out).resolve()
    try:
        grades = grade(
            args.submissions,
            out,
            lesson=args.lesson,
            limits=limits,
            extra_cases=args.extra_cases,
            workers=args.workers,
            progress=print_progress,
        )
    except (FileNotFoundError, ValueError, TypeError) as error:
        print(f"grade failed: {error}", file=sys.stderr)
        return 2
    graded = sum(g.submission.problem is None for g in grades)
    print(f"Graded {graded} of {len(grades)} submission(s): {out / 'gradebook.csv'} and {out / 'feedback'}/")
    return 0


def _nbgrader_source(args: argparse.Namespace) -> int:
    from .grading.nbgrader_export import export_nbgrader

    try:
        written = export_nbgrader(args.solutions, args.out)
    except (FileNotFoundError, ValueError) as error:
        print(f"nbgrader-source failed: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dcgan_lessons", description="DCGAN Lessons course tools."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    doctor = commands.add_parser(
        "doctor", help="report Python, libraries, Keras backend, GPU, Colab, profile"
    )
    doctor.set_defaults(run=_doctor)

    build = commands.add_parser("build", help="write notebooks/ (learner versions) from solutions/")
    build.add_argument("--check", action="store_true", help="change nothing; exit 1 if notebooks/ is stale")
    build.add_argument(
        "--solutions", default="solutions", help="folder of solution notebooks (default: %(default)s)"
    )
    build.add_argument(
        "--notebooks", default="notebooks", help="folder of learner notebooks (default: %(default)s)"
    )
    build.add_argument(
        "--repo",
        metavar="URL[@TAG]",
        help="stamp this repository (a fork) into every install cell and badge; saved in pyproject.toml",
    )
    build.set_defaults(run=_build)

    wheel = commands.add_parser("wheel", help="build the package's wheel for an offline Colab install")
    wheel.add_argument("--out", default="dist", help="folder for the .whl (default: %(default)s)")
    wheel.set_defaults(run=_wheel)

    train = commands.add_parser("train", help="train the DCGAN into a run folder (resumable)")
    train.add_argument(
        "--out",
        required=True,
        help="run folder: samples, GIF, loss log, checkpoints (on Colab, a folder on the mounted Drive, "
        "/content/drive/MyDrive/..., survives a disconnect: run the same command in a new runtime to resume)",
    )
    train.add_argument(
        "--dataset", help="digits (offline), mnist, fashion_mnist or cifar10 (default: by profile)"
    )
    train.add_argument("--epochs", type=int, help="total epochs the run should reach (default: by profile)")
    train.add_argument("--batch-size", type=int, help="default: by profile")
    train.add_argument("--limit", type=int, help="use only the first LIMIT training images")
    train.add_argument("--seed", type=int, default=0, help="default: %(default)s")
    train.add_argument("--latent-dim", type=int, default=100, help="noise size (default: %(default)s)")
    train.add_argument(
        "--image-size", type=int, help="side of the images (digits only: any >= 8; default: the data's)"
    )
    train.add_argument("--real-target", type=float, default=1.0, help="0.9 for one-sided label smoothing")
    train.add_argument(
        "--loss",
        choices=["bce", "wgan-gp", "hinge"],
        default="bce",
        help="bce: the DCGAN's; wgan-gp: critic + gradient penalty (lambda 10, 5 critic updates per G "
        "update); hinge: D's hinge loss (lesson 07). Each brings its paper's Adam settings (default: bce)",
    )
    train.add_argument(
        "--spectral-norm", action="store_true", help="spectrally normalise D's layers (Miyato et al. 2018)"
    )
    train.add_argument(
        "--learning-rate", type=float, help="G's Adam rate (default: 2e-4 bce, 1e-4 wgan-gp and hinge)"
    )
    train.add_argument(
        "--d-learning-rate", type=float, help="D's Adam rate (default: G's; hinge: 4e-4, TTUR)"
    )
    train.add_argument("--beta-1", type=float, help="Adam's beta_1 (default: 0.5 bce, 0 wgan-gp and hinge)")
    train.add_argument(
        "--beta-2", type=float, help="Adam's beta_2 (default: 0.999 bce, 0.9 wgan-gp and hinge)"
    )
    train.add_argument("--n-critic", type=int, help="D updates per G update (default: 5 wgan-gp, else 1)")
    train.add_argument(
        "--ema",
        type=float,
        metavar="DECAY",
        help="draw samples, grids and measures from a moving average of G's weights with this decay, "
        "e.g. 0.999 (default: none)",
    )
    train.add_argument(
        "--keep-checkpoints",
        type=int,
        default=5,
        metavar="N",
        help="also keep every N-th epoch's checkpoint in checkpoints/ for --from-epoch (0: only the last; "
        "default: %(default)s)",
    )
    train.add_argument(
        "--from-epoch",
        type=int,
        metavar="K",
        help="roll the run back to kept epoch K (later epochs are set aside in branches/), then train on",
    )
    train.add_argument(
        "--profile", choices=["quick", "cpu", "gpu"], help="default: $DCGAN_LESSONS_PROFILE or by device"
    )
    train.add_argument(
        "--precision",
        choices=["auto", "float32", "mixed_bfloat16", "mixed_float16"],
        default="auto",
        help="auto: the fastest this device computes well (bfloat16 on recent GPUs and CPUs that have it)",
    )
    train.add_argument(
        "--devices",
        default="1",
        metavar="N|all",
        help="split each batch over N GPUs (or all of them) with Keras's distribution API; the batch size "
        "is the global batch, a multiple of N (default: %(default)s)",
    )
    train.add_argument(
        "--measures",
        action="store_true",
        help="log lesson 06's measures (FD, IS analogue, classes covered, memorisation) every epoch",
    )
    train.add_argument(
        "--measure-samples", type=int, default=360, help="images measured per epoch (default: %(default)s)"
    )
    train.add_argument(
        "--cache-dir",
        help="where the measures' classifier is cached (default: $DCGAN_LESSONS_CACHE or ~/.cache)",
    )
    train.set_defaults(run=_train)
    diagnose = commands.add_parser(
        "diagnose", help="name what went wrong in a run folder, when, and the epoch to roll back to"
    )
    diagnose.add_argument("run_dir", help="a run folder written by train")
    diagnose.set_defaults(run=_diagnose)
    grade = commands.add_parser(
        "grade", help="grade submitted notebooks into a gradebook CSV and feedback files (see README)"
    )
    grade.add_argument("submissions", nargs="+", help="submitted .ipynb files, or folders searched for them")
    grade.add_argument("--out", required=True, help="results folder: gradebook.csv and feedback/")
    grade.add_argument(
        "--lesson", help="grade only this lesson (e.g. 00); other lessons' notebooks are reported"
    )
    grade.add_argument(
        "--extra-cases", help="a .py file of private hidden cases (CASES = {exercise id: [Case]})"
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds for all of a notebook's cells (default: %(default)s)",
    )
    grade.add_argument(
        "--case-timeout",
        type=float,
        default=10,
        help="seconds per call of a learner's function (default: %(default)s)",
    )
    grade.add_argument("--workers", type=int, default=2, help="notebooks run at once (default: %(default)s)")
    grade.add_argument(
        "--max-output-mb", type=float, default=1.0, help="output above this is reported (default: 1)"
    )
    grade.add_argument(
        "--profile",
        default="quick",
        help="run profile the notebooks run in while graded (default: %(default)s)",
    )
    grade.set_defaults(run=_grade)

    nbgrader = commands.add_parser(
        "nbgrader-source", help="write the lessons as nbgrader source notebooks into OUT/lessonNN/"
    )
    nbgrader.add_argument("out", help="nbgrader's source folder, e.g. my-course/source")
    nbgrader.add_argument(
        "--solutions", default="solutions", help="folder of solution notebooks (default: %(default)s)"
    )
    nbgrader.set_defaults(run=_nbgrader_source)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return args.run(args)
