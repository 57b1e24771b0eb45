"""Benchmark: how long lesson 01's 2-D GAN explorer takes per click or per Play tick (step + redraw).

    python benchmarks/explorer_step.py [--ticks 40] [--rounds-per-tick 5]

Each tick does what the widget does: take the steps, move the figure's artists (heat-map, samples,
arrows, coverage line, title) and render the PNG the widget shows. The target is under 0.2 s per tick
on a 2-core CPU. Printed: the median and 90th percentile per action, and the parts of a tick.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from dcgan_lessons.gan_explorer import GANExplorer  # noqa: E402


def _summary(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"{name:<34} median {1000 * statistics.median(seconds):7.1f} ms   p90 {1000 * p90:7.1f} ms"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=40)
    parser.add_argument("--rounds-per-tick", type=int, default=5, help="the widget's default speed")
    args = parser.parse_args(argv)
    if args.ticks < 1 or args.rounds_per_tick < 1:
        parser.error(
            f"--ticks and --rounds-per-tick: expected at least 1, got {args.ticks}, {args.rounds_per_tick}"
        )

    machine = platform.processor() or platform.machine()
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"{machine}, {os.cpu_count()} logical CPUs{load}, Python {platform.python_version()}")
    explorer = GANExplorer(seed=0)
    explorer.png()  # build the figure once, as the widget does when it is shown

    actions = {
        f"Play tick ({args.rounds_per_tick} rounds) + redraw": ("round", args.rounds_per_tick),
        "D step + redraw": ("D", 1),
        "G step + redraw": ("G", 1),
        "round + redraw": ("round", 1),
    }
    for name, (which, times) in actions.items():
        seconds = []
        for _ in range(args.ticks):
            start = time.perf_counter()
            explorer.step(which, times)  # steps, measures coverage, moves the artists
            explorer.png()  # what the widget sends to the browser
            seconds.append(time.perf_counter() - start)
        print(_summary(name, seconds))

    parts = {"steps + coverage measure": [], "artists moved": [], "PNG rendered": []}
    explorer._figure = None  # time the parts separately: step without redraw, then redraw
    explorer.png()
    figure_kept = explorer._figure
    for _ in range(args.ticks):
        explorer._figure = None
        start = time.perf_counter()
        explorer.step("round", args.rounds_per_tick)
        parts["steps + coverage measure"].append(time.perf_counter() - start)
        explorer._figure = figure_kept
        start = time.perf_counter()
        explorer.update_figure()
        parts["artists moved"].append(time.perf_counter() - start)
        start = time.perf_counter()
        explorer.png()
        parts["PNG rendered"].append(time.perf_counter() - start)
    for name, seconds in parts.items():
        print(_summary(f"  {name}", seconds))
    print(f"state after the benchmark: {explorer.title().splitlines()[0]}")


if __name__ == "__main__":
    main()
