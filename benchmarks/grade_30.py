"""Benchmark: grade 30 submissions of lesson 00 and report the wall time and how busy the cores were.

    python benchmarks/grade_30.py [--workers 2] [--count 30]

The submissions are built from the lesson's notebooks: a third solved, a third unsolved, a third
partly right. Each runs in full (environment report, data, checks, score), in the `quick` profile, as
`python -m dcgan_lessons grade` runs them. "cores busy" is the CPU time of the grader and its kernels
divided by the wall time: 2.0 means both cores worked all the time.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dcgan_lessons.grading.grader import grade  # noqa: E402
from dcgan_lessons.grading.kernel_run import Limits  # noqa: E402

PARTLY = (
    "# EXERCISE 00.scale_images\ndef scale_images(images):\n    return images.astype('float32') / 128.0 - 1.0"
)


def submissions(folder: Path, count: int) -> None:
    solution = nbformat.read(ROOT / "solutions" / "00_setup.ipynb", as_version=4)
    learner = nbformat.read(ROOT / "notebooks" / "00_setup.ipynb", as_version=4)
    partly = nbformat.reads(nbformat.writes(learner), as_version=4)
    for cell in partly.cells:
        if cell.source.startswith("# EXERCISE 00.scale_images"):
            cell.source = PARTLY
    kinds = [solution, learner, partly]
    for index in range(count):
        nbformat.write(kinds[index % 3], folder / f"learner{index:02d}.ipynb")


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        submissions(folder, args.count)
        cpu, start = cpu_seconds(), time.perf_counter()
        grades = grade([folder], Path(tmp) / "results", limits=Limits(), workers=args.workers)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    totals = sorted({g.total for g in grades})
    print(
        f"graded {len(grades)} submissions with {args.workers} worker(s) in {wall:.1f} s "
        f"({wall / len(grades):.2f} s per notebook); cores busy: {cpu / wall:.2f}; totals seen: {totals}"
    )


if __name__ == "__main__":
    main()
