"""Benchmark: how long lesson 01's 2-D GAN explorer takes per click or per Play tick (step + redraw).

    python benchmarks/explorer_step.py [--ticks 40] [--rounds-per-tick 5]

Each action goes through the widget itself (a button click, a tick of its Play control): take the steps,
measure the modes captured, move the figure's artists (heat-map, samples, arrows, coverage line), render
the PNG and the title label the widget shows. Not included: sending them to the browser. The target is
under 0.2 s per tick on a 2-core CPU. Printed: the median and 90th percentile per action, and the
parts of a tick.
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

from dcgan_lessons.widgets.gan_explorer import GANExplorer  # noqa: E402


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
    box = explorer.widget()  # as in the lesson: every change redraws the title label and the picture
    if box is None:
        raise SystemExit("ipywidgets is not installed: the benchmark times the widget's redraw.")
    play = box.controls["play"]
    box.controls["speed"].value = args.rounds_per_tick

    actions = {
        f"Play tick ({args.rounds_per_tick} rounds) + redraw": lambda: setattr(play, "value", play.value + 1),
        "D step + redraw": box.buttons["D step"].click,
        "G step + redraw": box.buttons["G step"].click,
        "round + redraw": box.buttons["round"].click,
    }
    for name, action in actions.items():
        seconds = []
        for _ in range(args.ticks):
            start = time.perf_counter()
            action()  # the steps, the coverage measure, the artists moved, the PNG the browser gets
            seconds.append(time.perf_counter() - start)
        print(_summary(name, seconds))

    # The parts of a Play tick, timed one by one (the widget's redraw is held back meanwhile).
    parts = {"steps + coverage measure": [], "artists moved": [], "PNG rendered": []}
    callbacks, explorer._on_change = explorer._on_change, []
    figure = explorer.figure()
    for _ in range(args.ticks):
        explorer._figure = None  # step without moving the artists
        start = time.perf_counter()
        explorer.step("round", args.rounds_per_tick)
        parts["steps + coverage measure"].append(time.perf_counter() - start)
        explorer._figure = figure
        start = time.perf_counter()
        explorer.update_figure()
        parts["artists moved"].append(time.perf_counter() - start)
        start = time.perf_counter()
        explorer.png()
        parts["PNG rendered"].append(time.perf_counter() - start)
    explorer._on_change = callbacks
    for name, seconds in parts.items():
        print(_summary(f"  {name}", seconds))
    print(f"state after the benchmark: {explorer.title().splitlines()[0]}")


if __name__ == "__main__":
    main()
