"""Input checks shared by the public helpers.

Every helper a learner calls validates its arguments here, so a wrong shape, dtype or value range
fails at once with a message that says what was expected and what came, instead of deep inside
TensorFlow.
"""

from __future__ import annotations

import numbers

import numpy as np


def describe(value) -> str:
    """A short description of a value for error messages: type, shape and dtype where it has them."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"{type(value).__name__} of shape {tuple(shape)} and dtype {dtype}"
    if isinstance(value, str):
        return f"str {value!r}"
    return type(value).__name__


def require_int(value, name: str, *, minimum: int | None = None) -> int:
    """Return `value` as an int, or raise if it is not an integer (bools excluded) or is below `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {describe(value)}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return value


def require_positive_float(value, name: str) -> float:
    """Return `value` as a float, or raise if it is not a real number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {describe(value)}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}.")
    return float(value)


def require_choice(value, name: str, choices) -> str:
    """Return `value` if it is one of `choices`, else raise with the list of valid names."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"Unknown {name} {value!r}; expected one of: {', '.join(map(repr, choices))}.")
    return value


def as_array(value, name: str) -> np.ndarray:
    """Convert NumPy arrays, tensors (TensorFlow, JAX) and nested lists to NumPy, or raise TypeError."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise TypeError(f"{name} must be an array, got {describe(value)}.")
    try:
        return np.asarray(value)
    except Exception as error:  # noqa: BLE001 - report any conversion failure the same way
        raise TypeError(f"{name} must be an array, got {describe(value)} ({error}).") from None


def check_images(
    images,
    name: str = "images",
    *,
    dtype: str | None = None,
    value_range: tuple[float, float] | None = None,
    channels: tuple[int, ...] = (1, 3),
    tolerance: float = 1e-3,
) -> np.ndarray:
    """Validate a batch of images laid out as (batch, height, width, channels) and return it as an array.

    Args:
        dtype: "uint8" or "float" (any floating dtype) when the dtype matters.
        value_range: (low, high) the values must lie in, with `tolerance` of slack for float rounding.
        channels: the allowed channel counts.
    """
    array = as_array(images, name)
    if array.ndim != 4:
        raise ValueError(
            f"{name} must have shape (batch, height, width, channels), got shape {array.shape}"
            + (" (add a channel axis with images[..., None])" if array.ndim == 3 else "")
            + "."
        )
    if array.shape[-1] not in channels:
        raise ValueError(
            f"{name} must have {' or '.join(map(str, channels))} channel(s) in the last axis, "
            f"got shape {array.shape}."
        )
    if dtype == "uint8" and array.dtype != np.uint8:
        raise TypeError(f"{name} must have dtype uint8 (values 0-255), got {array.dtype}.")
    if dtype == "float" and not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{name} must have a floating dtype, got {array.dtype}.")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}.")
    if value_range is not None and array.size:
        low, high = value_range
        found_low, found_high = float(np.min(array)), float(np.max(array))
        if not np.isfinite(found_low) or not np.isfinite(found_high):
            raise ValueError(f"{name} contain NaN or infinite values.")
        if found_low < low - tolerance or found_high > high + tolerance:
            raise ValueError(
                f"{name} must have values in [{low:g}, {high:g}], got values in "
                f"[{found_low:.4g}, {found_high:.4g}]."
            )
    return array
