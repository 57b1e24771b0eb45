"""Mode coverage on toy distributions: how many modes a generator captures, and how good its samples are.

The two metrics of VEEGAN and PacGAN, taught in lesson 01: a sample is *high quality* when it lies
within 3 standard deviations of its nearest mode centre; a mode is *captured* when it is the nearest
mode of at least one high-quality sample. Report both: a generator collapsed onto one mode still
scores about 99% high quality, with 1 mode captured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..course.validation import as_array, describe, require_positive_float


@dataclass(frozen=True)
class ModeCoverage:
    """The two metrics, plus how many samples each mode received."""

    modes_captured: int
    high_quality: float  # share of samples within 3 std of their nearest mode, 0 to 1
    counts: np.ndarray  # high-quality samples per mode, shape (modes,)

    def __str__(self) -> str:
        return coverage_in_words(self.modes_captured, self.high_quality, modes=len(self.counts))


def coverage_in_words(modes_captured: int, high_quality: float, modes: int | None = None) -> str:
    """'1 mode captured, 98.6% high quality' (or '3 of 8 modes captured, ...' when `modes` is given)."""
    captured = f"{modes_captured} of {modes} modes" if modes is not None else f"{modes_captured} modes"
    if modes is None and modes_captured == 1:
        captured = "1 mode"
    return f"{captured} captured, {100 * high_quality:.1f}% high quality"


def mode_coverage(samples, centers, std: float) -> tuple[int, float]:
    """(modes captured, share of high-quality samples) for 2-D `samples` against mode `centers`.

    Args:
        samples: (n, 2) generated points.
        centers: (modes, 2) the true mode centres (e.g. `ring_centers()`).
        std: the modes' standard deviation; "high quality" means within 3 * std of the nearest centre.
    """
    result = mode_coverage_report(samples, centers, std)
    return result.modes_captured, result.high_quality


def mode_coverage_report(samples, centers, std: float) -> ModeCoverage:
    """Like `mode_coverage`, returning a `ModeCoverage` with the per-mode counts too."""
    samples = _points(samples, "samples")
    centers = _points(centers, "centers")
    std = require_positive_float(std, "std")
    distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)  # (n, modes)
    nearest = distances.argmin(axis=1)
    good = distances.min(axis=1) <= 3.0 * std
    counts = np.bincount(nearest[good], minlength=len(centers))
    return ModeCoverage(int(np.count_nonzero(counts)), float(good.mean()), counts)


def _points(values, name: str) -> np.ndarray:
    array = as_array(values, name)
    if (
        array.ndim != 2
        or array.shape[1] != 2
        or array.shape[0] == 0
        or not np.issubdtype(array.dtype, np.number)
    ):
        raise ValueError(
            f"{name} must be a non-empty array of 2-D points, shape (n, 2), got {describe(array)}."
        )
    return array.astype(np.float64)


def mode_shares(samples, centers) -> np.ndarray:
    """The share of *all* samples whose nearest centre is each mode, shape (modes,), summing to 1.

    Unlike `modes_captured`, it ignores quality: it says where the generator's mass sits even while
    its samples are still blurry or moving.
    """
    samples = _points(samples, "samples")
    centers = _points(centers, "centers")
    nearest = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1).argmin(axis=1)
    return np.bincount(nearest, minlength=len(centers)) / len(samples)


def occupied_modes(samples, centers, min_share: float = 0.1) -> frozenset[int]:
    """The modes holding at least `min_share` of the samples (nearest-centre assignment)."""
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], got {min_share!r}.")
    return frozenset(int(i) for i in np.flatnonzero(mode_shares(samples, centers) >= min_share))


def count_mode_hops(occupied, max_modes: int = 2) -> int:
    """How many times a collapsed generator jumps to other modes, from its occupied modes over time.

    A hop is a pair of consecutive snapshots where the generator sits on at most `max_modes` modes in
    both, and the two sets share no mode: all of its mass has moved elsewhere. A generator spread over
    all modes never hops, however its shares wobble.
    """
    sets = [frozenset(s) for s in occupied]
    return sum(
        1
        for before, after in zip(sets, sets[1:], strict=False)
        if 0 < len(before) <= max_modes and 0 < len(after) <= max_modes and not before & after
    )
