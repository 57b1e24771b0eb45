"""Tests for dcgan_lessons.widgets.plots: the montage array and the matplotlib figures."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # draw off-screen; must be set before matplotlib is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dcgan_lessons.course.images import image_grid  # noqa: E402
from dcgan_lessons.widgets.plots import show_images, show_toy_samples  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_grid_shape_and_layout_row_major():
    images = np.zeros((5, 4, 3, 1), dtype=np.float32)  # all mid-grey 0.5 once mapped from [-1, 1]
    images[4, 2, 1, 0] = 1.0  # one white pixel in the fifth image
    grid = image_grid(images, ncols=2, padding=1)
    # 3 rows of (4 + 1) plus the outer pad, 2 columns of (3 + 1) plus the outer pad.
    assert grid.shape == (3 * 5 + 1, 2 * 4 + 1, 1)
    assert grid.dtype == np.float32
    # Fifth image: row 2, column 0 -> top-left corner at (1 + 2 * 5, 1 + 0 * 4).
    assert grid[1 + 2 * 5 + 2, 1 + 1, 0] == 1.0
    assert grid[1 + 2 * 5, 1, 0] == 0.5
    assert np.sum(grid == 1.0) == _count_padding(grid.shape, 4, 3, rows=3, cols=2, empty_cells=1) + 1


def _count_padding(shape, height, width, *, rows, cols, empty_cells):
    """Pixels that are padding or unused cells, all filled with pad_value."""
    return shape[0] * shape[1] - (rows * cols - empty_cells) * height * width


def test_default_columns_make_a_near_square_grid():
    # ceil(sqrt(10)) = 4 columns, so 3 rows.
    assert image_grid(np.zeros((10, 2, 2, 1)), padding=0).shape == (3 * 2, 4 * 2, 1)
    assert image_grid(np.zeros((9, 2, 2, 1)), padding=0).shape == (3 * 2, 3 * 2, 1)


def test_padding_and_empty_cells_use_pad_value():
    images = -np.ones((3, 2, 2, 3), dtype=np.float32)  # black RGB
    grid = image_grid(images, ncols=2, padding=2, pad_value=0.25)
    assert grid.shape == (2 * 4 + 2, 2 * 4 + 2, 3)
    assert np.all(grid[:2] == 0.25) and np.all(grid[:, :2] == 0.25)
    assert np.all(grid[2:4, 2:4] == 0.0)  # first image
    assert np.all(grid[6:8, 6:8] == 0.25)  # the empty fourth cell
    assert np.sum(grid == 0.0) == 3 * 2 * 2 * 3


def test_uint8_and_float_inputs_give_the_same_grid():
    rng = np.random.default_rng(0)
    uint8_images = rng.integers(0, 256, size=(6, 5, 5, 1), dtype=np.uint8)
    float_images = uint8_images.astype(np.float32) / 127.5 - 1.0
    np.testing.assert_allclose(image_grid(uint8_images), image_grid(float_images), atol=1e-6)
    # Values in [0, 1] with value_range=(0, 1) give the same montage, and so do images without a channel axis.
    np.testing.assert_allclose(image_grid(uint8_images / 255.0, value_range=(0, 1)), image_grid(uint8_images))
    np.testing.assert_allclose(image_grid(uint8_images[..., 0]), image_grid(uint8_images))


def test_grid_maps_range_ends_to_zero_and_one():
    images = np.array([-1.0, 1.0], dtype=np.float32).reshape(2, 1, 1, 1)
    grid = image_grid(images, ncols=2, padding=0)
    np.testing.assert_array_equal(grid[..., 0], [[0.0, 1.0]])


@pytest.mark.parametrize(
    ("images", "kwargs", "error", "match"),
    [
        (np.zeros((4, 4)), {}, ValueError, r"shape \(batch, height, width, channels\), got shape \(4, 4\)"),
        (np.zeros((2, 4, 4, 5)), {}, ValueError, r"1 or 3 channel\(s\).*got shape \(2, 4, 4, 5\)"),
        (np.full((2, 4, 4, 1), 3.0), {}, ValueError, r"values in \[-1, 1\], got values in \[3, 3\]"),
        (np.full((2, 4, 4, 1), -0.5), {"value_range": (0, 1)}, ValueError, r"values in \[0, 1\]"),
        (np.zeros((0, 4, 4, 1)), {}, ValueError, r"at least one image"),
        (np.zeros((2, 4, 4, 1)), {"ncols": 0}, ValueError, r"ncols must be >= 1, got 0"),
        (np.zeros((2, 4, 4, 1)), {"padding": -1}, ValueError, r"padding must be >= 0, got -1"),
        (np.zeros((2, 4, 4, 1)), {"pad_value": 2}, ValueError, r"pad_value must be a number in \[0, 1\]"),
        (np.zeros((2, 4, 4, 1)), {"value_range": (1, -1)}, ValueError, r"low < high"),
        ("not images", {}, TypeError, r"images must be an array, got str"),
    ],
)
def test_grid_rejects_bad_input(images, kwargs, error, match):
    with pytest.raises(error, match=match):
        image_grid(images, **kwargs)


def test_show_images_draws_one_montage():
    images = np.linspace(-1, 1, 8 * 6 * 6).reshape(8, 6, 6, 1).astype(np.float32)
    figure = show_images(images, title="samples")
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 1
    ax = figure.axes[0]
    assert ax.get_title() == "samples"
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    shown = ax.images[0]
    assert shown.get_cmap().name == "gray"
    assert shown.get_clim() == (0.0, 1.0)
    np.testing.assert_allclose(shown.get_array(), image_grid(images)[..., 0])


def test_show_images_with_labels_uses_one_subplot_per_image():
    images = np.zeros((5, 4, 4, 3), dtype=np.uint8)
    figure = show_images(images, labels=["a", "b", "c", "d", "e"], ncols=3, title="classes")
    assert len(figure.axes) == 5
    assert [ax.get_title() for ax in figure.axes] == ["a", "b", "c", "d", "e"]
    assert figure._suptitle.get_text() == "classes"


def test_show_images_draws_into_a_given_ax():
    figure, ax = plt.subplots()
    assert show_images(np.zeros((4, 3, 3, 1), dtype=np.uint8), ax=ax) is figure
    assert len(ax.images) == 1


def test_show_images_rejects_bad_labels():
    images = np.zeros((3, 4, 4, 1), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"one caption per image \(3\), got 2"):
        show_images(images, labels=["a", "b"])
    with pytest.raises(TypeError, match=r"sequence of 3 captions"):
        show_images(images, labels="abc")
    with pytest.raises(ValueError, match=r"cannot be drawn into a given ax"):
        show_images(images, labels=["a", "b", "c"], ax=plt.subplots()[1])


def test_show_images_saves_a_png(tmp_path):
    figure = show_images(np.zeros((4, 8, 8, 1), dtype=np.uint8))
    path = tmp_path / "grid.png"
    figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_toy_samples_scatters_points_and_centres():
    points = np.random.default_rng(0).normal(size=(100, 2))
    centers = np.array([[0.0, 0.0], [1.0, 1.0]])
    figure = show_toy_samples(points, centers=centers, title="ring")
    ax = figure.axes[0]
    assert len(ax.collections) == 2
    np.testing.assert_allclose(ax.collections[0].get_offsets(), points)
    np.testing.assert_allclose(ax.collections[1].get_offsets(), centers)
    assert ax.get_aspect() == 1.0
    assert ax.get_title() == "ring"
    with pytest.raises(ValueError, match=r"points must be 2-D points of shape \(n, 2\), got .*\(5, 3\)"):
        show_toy_samples(np.zeros((5, 3)))
