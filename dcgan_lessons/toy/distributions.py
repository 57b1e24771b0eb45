"""Toy distributions small enough to watch a GAN learn, or fail to, in seconds.

A ring or a grid of Gaussian modes makes mode collapse visible: a collapsed generator covers a few
modes and ignores the rest. A 1-D mixture lets a lesson plot p_data next to the generator's density.
All samples are float32 NumPy arrays; pass `seed` for repeatable samples.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..course.validation import as_array, describe, require_int, require_positive_float


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The centres of `modes` Gaussians spaced evenly on a circle of `radius`, shape (modes, 2)."""
    modes = require_int(modes, "modes", minimum=1)
    radius = require_positive_float(radius, "radius")
    # endpoint=False: with it, the last angle would be 2*pi, the same point as the first.
    angles = np.linspace(0.0, 2.0 * np.pi, modes, endpoint=False)
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def grid_centers(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """The centres of a side x side grid of Gaussians centred on 0, shape (side * side, 2)."""
    side = require_int(side, "side", minimum=1)
    spacing = require_positive_float(spacing, "spacing")
    coordinates = (np.arange(side) - (side - 1) / 2.0) * spacing  # side 5, spacing 2: -4, -2, 0, 2, 4
    x, y = np.meshgrid(coordinates, coordinates, indexing="ij")
    return np.stack([x.ravel(), y.ravel()], axis=1).astype(np.float32)


def sample_ring(
    n: int,
    *,
    modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    seed: int | None = None,
    return_modes: bool = False,
):
    """Draw `n` points from a ring of Gaussian modes: a uniformly chosen centre plus noise of `std`.

    Returns:
        points, shape (n, 2) float32; with `return_modes=True`, `(points, mode_index)` where
        `mode_index` (n,) int64 says which centre of `ring_centers(modes, radius)` each point came from.
    """
    return _sample_centers(n, ring_centers(modes, radius), std, seed, return_modes)


def sample_grid(
    n: int,
    *,
    side: int = 5,
    spacing: float = 2.0,
    std: float = 0.05,
    seed: int | None = None,
    return_modes: bool = False,
):
    """Draw `n` points from a side x side grid of Gaussian modes; returns like `sample_ring`."""
    return _sample_centers(n, grid_centers(side, spacing), std, seed, return_modes)


def sample_mixture_1d(
    n: int,
    *,
    means=(-2.0, 2.0),
    stds=(0.5, 0.5),
    weights=None,
    seed: int | None = None,
) -> np.ndarray:
    """Draw `n` values from a 1-D mixture of Gaussians, shape (n, 1) float32.

    Args:
        means, stds: one per component; stds > 0.
        weights: the components' probabilities, non-negative and summing to 1 (None: all equal).
    """
    n = require_int(n, "n", minimum=1)
    means, stds, weights = _mixture_parameters(means, stds, weights)
    rng = np.random.default_rng(seed)
    component = rng.choice(len(means), size=n, p=weights)
    values = rng.normal(means[component], stds[component])
    return values.astype(np.float32)[:, None]


def mixture_1d_pdf(x, *, means=(-2.0, 2.0), stds=(0.5, 0.5), weights=None) -> np.ndarray:
    """The density of the mixture `sample_mixture_1d` draws from, evaluated at `x` (same shape, float64).

    p(x) = sum_k w_k * exp(-(x - mu_k)^2 / (2 sigma_k^2)) / (sigma_k * sqrt(2 pi))
    """
    means, stds, weights = _mixture_parameters(means, stds, weights)
    x = as_array(x, "x")
    if not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"x must hold numbers, got {describe(x)}.")
    x = x.astype(np.float64)[..., None]  # (..., 1) against (components,)
    densities = np.exp(-0.5 * ((x - means) / stds) ** 2) / (stds * np.sqrt(2.0 * np.pi))
    return densities @ weights


def _sample_centers(n, centers: np.ndarray, std, seed, return_modes: bool):
    """Shared sampler: pick a centre uniformly for each point and add isotropic Gaussian noise."""
    n = require_int(n, "n", minimum=1)
    std = require_positive_float(std, "std")
    rng = np.random.default_rng(seed)
    mode_index = rng.integers(0, len(centers), size=n)
    points = (centers[mode_index] + rng.normal(0.0, std, size=(n, 2))).astype(np.float32)
    return (points, mode_index.astype(np.int64)) if return_modes else points


def _as_vector(values, name: str) -> np.ndarray:
    """A 1-D float64 array of finite real numbers, or raise."""
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    array = as_array(values, name)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be a non-empty sequence of numbers, got {describe(array)}.")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {array.tolist()}.")
    return array


def _mixture_parameters(means, stds, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a mixture's means, stds and weights and return them as float64 vectors."""
    means = _as_vector(means, "means")
    stds = _as_vector(stds, "stds")
    if len(stds) != len(means):
        raise ValueError(f"means and stds must have the same length, got {len(means)} and {len(stds)}.")
    if np.any(stds <= 0):
        raise ValueError(f"stds must all be > 0, got {stds.tolist()}.")
    if weights is None:
        weights = np.full(len(means), 1.0 / len(means))
    else:
        weights = _as_vector(weights, "weights")
        if len(weights) != len(means):
            raise ValueError(f"weights must have one entry per component ({len(means)}), got {len(weights)}.")
        if np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-6:
            raise ValueError(
                f"weights must be non-negative and sum to 1, got {weights.tolist()} (sum {weights.sum():g})."
            )
        # Remove the tolerated rounding so rng.choice accepts them as probabilities.
        weights = weights / weights.sum()
    return means, stds, weights
