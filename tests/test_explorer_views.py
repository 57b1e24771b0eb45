"""What the explorers and coverage messages show a learner: a steady image scale, readable labels,
the same settings as the figure above, and plurals that agree."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dcgan_lessons import conv_transpose_explorer  # noqa: E402
from dcgan_lessons.toy.mode_coverage import ModeCoverage, coverage_in_words  # noqa: E402
from dcgan_lessons.widgets.latent_explorer import draw_latent_point  # noqa: E402


def faint_or_strong(noise, training=False):
    """A stand-in generator: a 4x4 image that is the first 16 latent values, so z sets its range."""
    return np.tanh(np.asarray(noise)[:, :16].reshape(-1, 4, 4, 1))


@pytest.mark.parametrize("scale", [0.05, 3.0])
def test_latent_image_keeps_one_scale_whatever_the_frame_holds(scale):
    z = scale * np.linspace(-1, 1, 32)
    figure = draw_latent_point(faint_or_strong, z)
    (image,) = figure.axes[0].get_images()
    assert image.get_clim() == (0.0, 1.0)
    # A faint frame stays faint: its pixels are not stretched to black..white.
    pixels = image.get_array()
    assert (pixels.max() - pixels.min() < 0.1) == (scale < 1)
    plt.close(figure)


def test_conv_explorer_opens_like_the_static_figure_with_whole_labels():
    widget = conv_transpose_explorer()
    controls = {child.description: child for child in widget.children if getattr(child, "description", "")}
    # Lesson 03 draws draw_transpose_connections(4, 3, 2, padding="same") just above it.
    assert [controls[k].value for k in ("input size", "kernel", "stride", "padding", "output_padding")] == [
        4,
        3,
        2,
        "same",
        "None",
    ]
    assert all(control.style.description_width == "initial" for control in controls.values())
    plt.close("all")


@pytest.mark.parametrize(
    ("captured", "modes", "words"),
    [
        (1, None, "1 mode captured, 98.6% high quality"),
        (2, None, "2 modes captured, 98.6% high quality"),
        (8, None, "8 modes captured, 98.6% high quality"),
        (1, 8, "1 of 8 modes captured, 98.6% high quality"),
    ],
)
def test_coverage_in_words_agrees_in_number(captured, modes, words):
    assert coverage_in_words(captured, 0.986, modes=modes) == words


def test_mode_coverage_prints_in_the_same_words():
    assert str(ModeCoverage(1, 0.5, np.array([10, 0, 0]))) == "1 of 3 modes captured, 50.0% high quality"
