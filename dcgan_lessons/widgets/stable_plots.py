"""Lesson 07's static figures: a run's curves with the epoch a problem began, the ring-of-8 comparison over
seeds, and the digits comparison of the DCGAN baseline, WGAN-GP and hinge + spectral norm.

Each function draws from numbers it is given (a run's history, `ring_comparison.compare_on_ring`'s results,
measured rows) and returns the Figure; nothing here trains or measures.
"""

from __future__ import annotations

import numpy as np


def show_run_curves(history: list[dict], title: str = "the run", mark_epoch: int | None = None):
    """Losses, and D(x) with D(G(z)), per epoch; `mark_epoch` draws a line where a problem began."""
    import matplotlib.pyplot as plt

    if not history:
        raise ValueError("history: expected the per-epoch records of a run, got an empty list.")
    epochs = [h["epoch"] for h in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3))
    left.plot(epochs, [h["d_loss"] for h in history], "o-", label="d_loss")
    left.plot(epochs, [h["g_loss"] for h in history], "o-", label="g_loss")
    if "d_real" in history[0]:
        right.plot(epochs, [h["d_real"] for h in history], "o-", label="D(x)")
        right.plot(epochs, [h["d_fake"] for h in history], "o-", label="D(G(z))")
    for ax, name in ((left, "loss"), (right, "D's output")):
        if mark_epoch is not None:
            ax.axvline(mark_epoch, color="red", linestyle="--", linewidth=1, label=f"epoch {mark_epoch}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def show_ring_comparison(results: dict[str, dict[str, list[tuple]]]):
    """Modes captured and high-quality share, one dot per seed and a bar for the mean, per method and setting.

    `results`: {setting: compare_on_ring(...)}, i.e. {setting: {method: [(seed, modes, high_quality), ...]}}.
    """
    import matplotlib.pyplot as plt

    labels, modes, quality = [], [], []
    for setting, by_method in results.items():
        for method, rows in by_method.items():
            labels.append(f"{method}\n{setting}")
            modes.append([row[1] for row in rows])
            quality.append([100 * row[2] for row in rows])
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.2))
    x = np.arange(len(labels))
    for ax, values, name in ((axes[0], modes, "modes captured (of 8)"), (axes[1], quality, "high-quality %")):
        ax.bar(x, [np.mean(v) for v in values], color="lightgray", label="mean over seeds")
        for i, v in enumerate(values):
            ax.plot([i] * len(v), v, "o", color="tab:blue", markersize=4)
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylabel(name)
    axes[0].set_ylim(0, 8.5)
    axes[0].legend(fontsize=8)
    figure.suptitle("ring of 8: each dot one seed")
    figure.tight_layout()
    return figure


def show_stabiliser_comparison(rows: dict[str, dict[str, float]]):
    """Bars of FD (log scale), classes covered and seconds per epoch, one bar per method.

    `rows`: {method: {"fd": ..., "classes_covered": ..., "seconds_per_epoch": ...}}.
    """
    import matplotlib.pyplot as plt

    panels = (
        ("fd", "FD (lower is better)"),
        ("classes_covered", "classes covered"),
        ("seconds_per_epoch", "seconds per epoch"),
    )
    figure, axes = plt.subplots(1, len(panels), figsize=(11, 3))
    names = list(rows)
    for ax, (key, label) in zip(axes, panels, strict=True):
        ax.bar(
            names,
            [rows[name][key] for name in names],
            color=["tab:gray", "tab:blue", "tab:orange", "tab:green"][: len(names)],
        )
        ax.set_title(label, fontsize=10)
        ax.tick_params(axis="x", labelsize=8, rotation=15)
    axes[0].set_yscale("log")
    figure.tight_layout()
    return figure
