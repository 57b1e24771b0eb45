"""Pictures for reading a run by its measures (lesson 06): curves over the epochs, next to sample grids;
class histograms side by side; generated images next to their nearest training images."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..evaluate.measures import nearest_neighbour_distances

_TITLES = {
    "fd": "Fréchet distance (lower is better)",
    "inception_score": "Inception-Score analogue (higher)",
    "classes_covered": "classes covered",
    "memorisation_ratio": "memorisation ratio (≈1 fine, ≪1 copies)",
}


def show_measures(history: list[dict], real: dict | None = None, run_dir=None, grid_epochs=None):
    """Plot the measures in a run's `history` against the epochs; `real` (Evaluator.measure of held-out
    real images) adds the level real data reaches. With `run_dir`, the sample grids of `grid_epochs`
    (default: first, middle, last) are drawn in a row below. Returns the Figure."""
    import matplotlib.pyplot as plt

    measured = [h for h in history if "fd" in h]
    if not measured:
        raise ValueError("history: no epoch has measures; train with train_dcgan(..., measures=evaluator).")
    epochs = [h["epoch"] for h in measured]
    grids = _grid_paths(run_dir, epochs, grid_epochs) if run_dir is not None else []
    figure = plt.figure(figsize=(12, 3.2 + (2.8 if grids else 0)), layout="constrained")
    if grids:
        top, bottom = figure.subfigures(2, 1, height_ratios=[3.2, 2.8])
    else:
        top, bottom = figure, None
    for ax, (name, title) in zip(top.subplots(1, 4), _TITLES.items(), strict=True):
        ax.plot(epochs, [h[name] for h in measured], marker=".")
        if real is not None:
            ax.axhline(real[name], color="grey", linestyle="--", label="held-out real")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("epoch")
        if name == "fd":
            ax.set_yscale("log")
            if real is not None:
                ax.legend(fontsize=8)
    grid_axes = np.atleast_1d(bottom.subplots(1, len(grids))) if grids else []
    for ax, (epoch, path) in zip(grid_axes, grids, strict=True):
        ax.imshow(plt.imread(path), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"samples after epoch {epoch}", fontsize=9)
        ax.axis("off")
    return figure


def _grid_paths(run_dir, epochs, grid_epochs) -> list[tuple[int, Path]]:
    if grid_epochs is None:
        grid_epochs = sorted({epochs[0], epochs[len(epochs) // 2], epochs[-1]})
    paths = [(e, Path(run_dir) / "samples" / f"epoch_{e:03d}.png") for e in grid_epochs]
    return [(e, p) for e, p in paths if p.exists()]


def show_class_histograms(histograms: dict, class_names=None):
    """Bars of several class histograms side by side, e.g. {"real": ..., "generator": ...}; the Figure."""
    import matplotlib.pyplot as plt

    names = list(histograms)
    classes = len(next(iter(histograms.values())))
    labels = list(class_names) if class_names is not None else [str(c) for c in range(classes)]
    width = 0.8 / len(names)
    figure, ax = plt.subplots(figsize=(8, 3))
    for index, name in enumerate(names):
        ax.bar(
            np.arange(classes) + (index - (len(names) - 1) / 2) * width, histograms[name], width, label=name
        )
    ax.axhline(1 / classes, color="grey", linestyle=":", label="fair share 1/K")
    ax.set_xticks(range(classes), labels, fontsize=8)
    ax.set_ylabel("share of images")
    ax.legend(fontsize=8)
    figure.tight_layout()
    return figure


def show_nearest_neighbours(samples, training, count: int = 8):
    """Each of the first `count` samples (top row) above its nearest training image (bottom row)."""
    from .plots import show_images

    samples = np.asarray(samples)[:count]
    distances, index = nearest_neighbour_distances(samples, training, return_index=True)
    pairs = np.concatenate([samples, np.asarray(training)[index]])
    labels = [f"d={d:.1f}" for d in distances] + ["nearest"] * len(samples)
    return show_images(
        pairs, ncols=len(samples), labels=labels, title="samples (top) and nearest training images"
    )
