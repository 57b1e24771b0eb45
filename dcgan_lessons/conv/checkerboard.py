"""A number for checkerboard artifacts: how unevenly a generator's output varies across the phases of
its upsampling stride (lesson 03; Odena, Dumoulin & Olah, *Deconvolution and Checkerboard Artifacts*,
Distill 2016)."""

from __future__ import annotations

from ..course.validation import check_images, require_int


def checkerboard_strength(images, period: int = 2, border: int = 4) -> float:
    """Relative spread of the per-pixel variation across the period x period phases of the image grid.

    For each pixel, the standard deviation over the batch (averaged over channels) says how much the
    generator can change it. With even overlap, every phase (row mod period, column mod period) gets
    about the same; a transposed convolution whose kernel is not divisible by its stride favours some
    phases. Returns (max phase mean - min phase mean) / overall mean: near 0 without artifacts.

    Args:
        images: (batch, height, width, channels), batch >= 2.
        period: the stride of the upsampling to test (2 for stride-2 layers).
        border: pixels ignored at each edge, where padding makes the overlap uneven anyway.
    """
    images = check_images(images, "images", dtype="float")
    period = require_int(period, "period", minimum=2)
    border = require_int(border, "border", minimum=0)
    if images.shape[0] < 2:
        raise ValueError(f"images must hold at least 2 samples to measure variation, got {images.shape[0]}.")
    spread = images.std(axis=0).mean(axis=-1)
    spread = spread[border : spread.shape[0] - border, border : spread.shape[1] - border]
    if min(spread.shape) < period:
        raise ValueError(
            f"images of {images.shape[1]}x{images.shape[2]} pixels leave no {period}x{period} grid after "
            f"ignoring a border of {border}; use a smaller border."
        )
    phases = [spread[a::period, b::period].mean() for a in range(period) for b in range(period)]
    overall = spread.mean()
    return float((max(phases) - min(phases)) / overall) if overall > 0 else 0.0
