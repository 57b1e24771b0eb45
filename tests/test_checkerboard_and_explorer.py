"""Lesson 03's checkerboard measure separates uneven from even overlap, and its explorer draws every
setting (impossible ones as a message) without waiting on a widget."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dcgan_lessons import checkerboard_strength, conv_transpose_explorer, draw_transpose_connections  # noqa: E402
from dcgan_lessons.conv.numpy_reference import conv2d_transpose  # noqa: E402


def _transposed_noise(kernel_size, samples=64):
    """Random inputs through one random-free transposed convolution (all-ones kernel): overlap only."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 10, 10, 1))
    return conv2d_transpose(x, np.ones((kernel_size, kernel_size, 1, 1)), 2, "same")


def test_checkerboard_strength_separates_uneven_from_even_overlap():
    uneven, even = checkerboard_strength(_transposed_noise(3)), checkerboard_strength(_transposed_noise(4))
    assert uneven > 0.5
    assert even < 0.1
    flat = np.random.default_rng(1).normal(size=(64, 16, 16, 1))
    assert checkerboard_strength(flat) < 0.2


@pytest.mark.parametrize(
    ("images", "words"),
    [
        (np.zeros((1, 16, 16, 1)), "at least 2 samples"),
        (np.zeros((4, 6, 6, 1)), "no 2x2 grid"),
        (np.zeros((4, 16, 16)), "shape"),
    ],
)
def test_checkerboard_strength_rejects_bad_input(images, words):
    with pytest.raises(ValueError, match=words):
        checkerboard_strength(images)


@pytest.mark.parametrize(
    "setting",
    [
        (4, 3, 2, "same", None),
        (3, 2, 3, "valid", None),
        (5, 4, 2, "same", 1),
        (1, 1, 1, "valid", 0),
        (3, 5, 1, 2, 0),
    ],
)
def test_draw_transpose_connections_draws_the_overlap_counts(setting):
    figure = draw_transpose_connections(*setting)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "x0" in texts
    assert len(figure.axes[1].images) == 1  # the 2-D overlap map
    plt.close(figure)


def test_impossible_settings_draw_the_error_instead_of_raising():
    figure = draw_transpose_connections(7, 4, 2, "same", 0)
    assert "Not possible" in figure.axes[0].texts[0].get_text()
    plt.close(figure)


def test_explorer_builds_its_sliders():
    widget = conv_transpose_explorer()
    descriptions = {getattr(child, "description", "") for child in widget.children}
    assert {"input size", "kernel", "stride", "padding", "output_padding"} <= descriptions
    plt.close("all")
