"""Image montages as plain arrays: the one picture a notebook shows, a PNG on disk or a GIF frame holds.

`image_grid` lives here, below the trainer and the widgets, because both need it: the training loop saves
its sample grids with it, and `widgets.plots.show_images` draws the same montage.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .validation import as_array, check_images, require_int


def image_grid(
    images,
    *,
    ncols: int | None = None,
    padding: int = 1,
    pad_value: float = 1.0,
    value_range: tuple[float, float] = (-1, 1),
) -> np.ndarray:
    """Tile a batch of images into one montage array with values in [0, 1].

    Args:
        images: (batch, height, width), (batch, height, width, 1) or (batch, height, width, 3);
            uint8 0-255, or numbers in `value_range` (the generator's tanh range by default).
        ncols: images per row (default: ceil(sqrt(batch)), a near-square grid).
        padding: pixels of `pad_value` between and around the images.
        pad_value: the gap colour, 0 (black) to 1 (white); it also fills unused cells of the last row.

    Returns:
        float32 array of shape (rows * (height + padding) + padding, ncols * (width + padding) + padding,
        channels), images laid out row by row.
    """
    images = as_unit_images(images, value_range)
    count, height, width, channels = images.shape
    ncols = math.ceil(math.sqrt(count)) if ncols is None else require_int(ncols, "ncols", minimum=1)
    padding = require_int(padding, "padding", minimum=0)
    if isinstance(pad_value, bool) or not isinstance(pad_value, numbers.Real) or not 0 <= pad_value <= 1:
        raise ValueError(f"pad_value must be a number in [0, 1], got {pad_value!r}.")
    nrows = math.ceil(count / ncols)

    cell_height, cell_width = height + padding, width + padding
    grid = np.full(
        (nrows * cell_height + padding, ncols * cell_width + padding, channels), pad_value, dtype=np.float32
    )
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        top, left = padding + row * cell_height, padding + col * cell_width
        grid[top : top + height, left : left + width] = image
    return grid


def as_unit_images(images, value_range) -> np.ndarray:
    """Validate a batch of images and return it as float32 in [0, 1], (batch, height, width, channels)."""
    array = as_array(images, "images")
    if array.ndim == 3:
        array = array[..., None]  # grayscale without a channel axis
    if array.dtype == np.uint8:
        array = check_images(array, dtype="uint8")
        unit = array.astype(np.float32) / 255.0
    else:
        low, high = _check_value_range(value_range)
        array = check_images(array, value_range=(low, high))
        # Clip: values within check_images's tolerance of the range must not leave [0, 1].
        unit = np.clip((array.astype(np.float32) - low) / (high - low), 0.0, 1.0)
    if len(unit) == 0:
        raise ValueError(f"images must hold at least one image, got shape {unit.shape}.")
    return unit


def _check_value_range(value_range) -> tuple[float, float]:
    """Return (low, high) as floats, or raise if it is not a pair of numbers with low < high."""
    try:
        low, high = (float(bound) for bound in value_range)
    except (TypeError, ValueError):
        raise TypeError(f"value_range must be a pair (low, high), got {value_range!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"value_range must be two finite numbers, got {value_range!r}.")
    if not low < high:
        raise ValueError(f"value_range must have low < high, got {value_range!r}.")
    return low, high
