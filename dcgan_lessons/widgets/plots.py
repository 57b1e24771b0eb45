"""Pictures of images and toy samples: the quickest way to see what a generator has learned.

`image_grid` builds a montage as a plain array, so the same picture can be shown, saved as a PNG or
become a frame of a training GIF. `show_images` and `show_toy_samples` draw with matplotlib and return
the Figure without calling `plt.show()`: Jupyter's inline backend displays it when the cell ends.
"""

from __future__ import annotations

import math

import numpy as np

from ..course.images import as_unit_images, image_grid
from ..course.validation import as_array, describe, require_int


def show_images(
    images,
    *,
    ncols: int | None = None,
    title: str | None = None,
    labels=None,
    value_range: tuple[float, float] = (-1, 1),
    figsize: tuple[float, float] | None = None,
    ax=None,
):
    """Draw a batch of images as a grid and return the matplotlib Figure.

    Args:
        images: as for `image_grid`.
        labels: one caption per image (e.g. class names); the images are then drawn one subplot each so
            every caption sits above its image. Not possible together with `ax`.
        ax: draw the montage into this Axes instead of a new figure.
    """
    import matplotlib.pyplot as plt

    unit_images = as_unit_images(images, value_range)
    count = len(unit_images)
    ncols = math.ceil(math.sqrt(count)) if ncols is None else require_int(ncols, "ncols", minimum=1)
    nrows = math.ceil(count / ncols)
    if figsize is None:
        # About an inch per image, shrunk so that large grids still fit a notebook's width.
        inch = min(1.0, 10.0 / max(ncols, nrows))
        caption_space = 0.2 * nrows if labels is not None else 0.0
        figsize = (ncols * inch + 0.5, nrows * inch + (0.8 if title else 0.5) + caption_space)

    if labels is None:
        # The montage is already scaled to [0, 1], so a value range other than (-1, 1) is not needed again.
        grid = image_grid(unit_images, ncols=ncols, value_range=(0, 1))
        if ax is None:
            figure, ax = plt.subplots(figsize=figsize)
        else:
            figure = ax.figure
        _imshow(ax, grid)
        if title:
            ax.set_title(title)
        return figure

    if ax is not None:
        raise ValueError(
            "labels need one subplot per image, so they cannot be drawn into a given ax; pass ax=None."
        )
    if isinstance(labels, str) or not hasattr(labels, "__len__"):
        raise TypeError(f"labels must be a sequence of {count} captions, got {describe(labels)}.")
    if len(labels) != count:
        raise ValueError(f"labels must have one caption per image ({count}), got {len(labels)}.")
    figure = plt.figure(figsize=figsize)
    for index, (image, label) in enumerate(zip(unit_images, labels, strict=True)):
        axes = figure.add_subplot(nrows, ncols, index + 1)
        _imshow(axes, image)
        axes.set_title(str(label), fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def show_toy_samples(points, *, centers=None, ax=None, title: str | None = None):
    """Scatter 2-D samples (e.g. from `sample_ring`) with the true mode centres marked; returns the Figure."""
    import matplotlib.pyplot as plt

    points = _as_points(points, "points")
    if ax is None:
        figure, ax = plt.subplots(figsize=(4.5, 4.5))
    else:
        figure = ax.figure
    ax.scatter(points[:, 0], points[:, 1], s=4, alpha=0.5, label="samples", zorder=3)
    if centers is not None:
        centers = _as_points(centers, "centers")
        # Hollow markers under the samples: the samples on a mode stay visible.
        ax.scatter(
            centers[:, 0],
            centers[:, 1],
            s=120,
            facecolors="none",
            edgecolors="red",
            linewidths=1,
            label="mode centres",
            zorder=2,
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
    # Equal aspect: a ring must look round, or spread along one axis looks like spread along the other.
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title:
        ax.set_title(title)
    return figure


def _as_points(points, name: str) -> np.ndarray:
    """Validate a (n, 2) array of 2-D points."""
    array = as_array(points, name)
    if array.ndim != 2 or array.shape[1] != 2 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be 2-D points of shape (n, 2), got {describe(array)}.")
    return array


def _imshow(ax, image: np.ndarray) -> None:
    """Show one [0, 1] image (height, width, channels) without ticks; grayscale when it has one channel."""
    # Nearest: each pixel a crisp block, which is also what keeps a notebook's PNGs small (a smoothed
    # upscaling of a digit grid took 3-4 times the bytes).
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(image, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
