"""Tests for dcgan_lessons.course.data: the offline digits, keras.datasets (from a fake cache), scaling."""

import gzip
import os
import urllib.error

import numpy as np
import pytest

from dcgan_lessons.course.data import (
    DATASETS,
    DatasetUnavailableError,
    ImageDataset,
    _digits_split_indices,
    load_dataset,
    scale_images,
    unscale_images,
)

DIGITS_COUNT = 1797


@pytest.fixture(scope="module")
def sklearn_digits():
    from sklearn.datasets import load_digits

    return load_digits()


# --- digits -------------------------------------------------------------------------------------------


def test_digits_train_is_scaled_nhwc_float32():
    data = load_dataset("digits")
    assert isinstance(data, ImageDataset)
    assert data.images.shape == (len(data), 28, 28, 1)
    assert data.images.dtype == np.float32
    # The tanh range, with both ends reached: background is -1, the darkest ink is +1.
    assert data.images.min() == -1.0
    assert data.images.max() == 1.0
    assert data.labels.shape == (len(data),)
    assert data.labels.dtype == np.int64
    assert data.class_names == tuple("0123456789")
    assert "offline" in data.source


def test_digits_split_sizes_sum_and_do_not_overlap():
    train_indices = _digits_split_indices("train", DIGITS_COUNT)
    test_indices = _digits_split_indices("test", DIGITS_COUNT)
    assert len(train_indices) + len(test_indices) == DIGITS_COUNT
    assert len(test_indices) == round(0.2 * DIGITS_COUNT)
    assert not set(train_indices) & set(test_indices)
    assert len(load_dataset("digits", split="train")) == len(train_indices)
    assert len(load_dataset("digits", split="test")) == len(test_indices)


def test_digits_split_is_deterministic_and_documented():
    first = load_dataset("digits", split="test", scaled=False)
    second = load_dataset("digits", split="test", scaled=False)
    np.testing.assert_array_equal(first.images, second.images)
    # The split is a fixed seed-0 permutation with the last 20% for testing, as the docstring says.
    order = np.random.default_rng(0).permutation(DIGITS_COUNT)
    np.testing.assert_array_equal(_digits_split_indices("test", DIGITS_COUNT), order[-359:])


def test_digits_train_and_test_images_differ():
    train = load_dataset("digits", split="train", scaled=False).images.reshape(-1, 28 * 28)
    test = load_dataset("digits", split="test", scaled=False).images.reshape(-1, 28 * 28)
    train_rows = {row.tobytes() for row in train}
    duplicates = sum(row.tobytes() in train_rows for row in test)
    # scikit-learn's digits hold a few identical images; only a handful may coincide, not a shared split.
    assert duplicates <= 5


def test_digits_labels_and_images_match_sklearn(sklearn_digits):
    import scipy.ndimage

    data = load_dataset("digits", split="train", scaled=False)
    indices = _digits_split_indices("train", DIGITS_COUNT)
    np.testing.assert_array_equal(data.labels, sklearn_digits.target[indices])
    # An independent bilinear resize (scipy, pixel-area aligned) of the same 8x8 digits agrees to within
    # one grey level, so every image is its label's digit, resized into the centred 20x20 box.
    expected = scipy.ndimage.zoom(
        sklearn_digits.images[indices], (1, 2.5, 2.5), order=1, grid_mode=True, mode="nearest"
    )
    expected = np.clip(np.rint(expected * 255 / 16), 0, 255)
    box = data.images[:, 4:24, 4:24, 0].astype(float)
    assert np.abs(box - expected).max() <= 1


def test_digits_centre_the_digit_in_a_background_border():
    images = load_dataset("digits").images[..., 0]
    border = np.ones((28, 28), dtype=bool)
    border[4:24, 4:24] = False
    assert np.all(images[:, border] == -1.0)
    # Every digit has ink inside the box.
    assert np.all(images[:, 4:24, 4:24].max(axis=(1, 2)) > 0)


def test_digits_unscaled_is_uint8_0_255():
    data = load_dataset("digits", scaled=False)
    assert data.images.dtype == np.uint8
    assert data.images.min() == 0 and data.images.max() == 255
    np.testing.assert_array_equal(scale_images(data.images), load_dataset("digits").images)


@pytest.mark.parametrize(("size", "box"), [(64, 46), (32, 23)])
def test_digits_other_image_sizes_scale_the_box(size, box):
    images = load_dataset("digits", image_size=size, limit=20).images
    assert images.shape == (20, size, size, 1)
    start = (size - box) // 2
    inside = np.zeros((size, size), dtype=bool)
    inside[start : start + box, start : start + box] = True
    assert np.all(images[:, ~inside, 0] == -1.0)
    assert np.all(images[:, inside, 0].max(axis=1) > 0)


def test_limit_keeps_the_first_images():
    full = load_dataset("digits")
    some = load_dataset("digits", limit=10)
    assert len(some) == 10
    np.testing.assert_array_equal(some.images, full.images[:10])
    np.testing.assert_array_equal(some.labels, full.labels[:10])


def test_repr_is_a_short_summary():
    text = repr(load_dataset("digits", limit=5))
    assert text == "ImageDataset('digits', 5 images of shape (28, 28, 1), float32 in [-1, 1])"


def test_datasets_lists_the_names():
    assert DATASETS == ("digits", "mnist", "fashion_mnist", "cifar10")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": "celeba"}, ValueError, r"Unknown dataset name 'celeba'; expected one of: 'digits'"),
        ({"name": "digits", "split": "val"}, ValueError, r"split 'val'; expected one of: 'train', 'test'"),
        ({"name": "digits", "limit": 0}, ValueError, r"limit must be >= 1, got 0"),
        ({"name": "digits", "limit": 2.5}, TypeError, r"limit must be an integer, got float"),
        ({"name": "digits", "image_size": 4}, ValueError, r"image_size must be >= 8, got 4"),
        ({"name": "digits", "scaled": "yes"}, TypeError, r"scaled must be True or False, got str"),
        ({"name": "mnist", "image_size": 64}, ValueError, r"native size, image_size=28; got image_size=64"),
        ({"name": "cifar10", "image_size": 28}, ValueError, r"native size, image_size=32; got image_size=28"),
    ],
)
def test_bad_arguments_raise_with_helpful_messages(kwargs, error, match):
    kwargs = dict(kwargs)
    with pytest.raises(error, match=match):
        load_dataset(kwargs.pop("name"), **kwargs)


# --- keras.datasets, from a fake cache ------------------------------------------------------------------


@pytest.fixture
def keras_cache(tmp_path, monkeypatch):
    """Point Keras's cache at an empty folder and make every download fail; returns the datasets folder."""
    import keras.src.backend.config as keras_config
    import keras.src.utils.file_utils as file_utils

    # Keras reads its home folder once, at import; get_file looks for <home>/datasets/<fname> through it.
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(tmp_path))

    def no_download(*args, **kwargs):
        raise urllib.error.URLError("offline (the tests never download)")

    # A file missing from the fake cache would make Keras download it: fail instead, so the tests never
    # reach the network and a missing fixture file shows up as an error rather than a 100 MB download.
    monkeypatch.setattr(file_utils, "urlretrieve", no_download)
    return tmp_path / "datasets"


def _write_idx(path, array, header_size):
    """Write uint8 data with a zeroed IDX header, gzipped, as Keras's Fashion-MNIST files are read."""
    with gzip.open(path, "wb") as file:
        file.write(bytes(header_size) + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def test_fashion_mnist_loads_from_the_keras_cache(keras_cache):
    rng = np.random.default_rng(1)
    x_train = rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8)
    x_train[0, 0, 0], x_train[0, 0, 1] = 0, 255  # both ends present, so the scaled range is exactly [-1, 1]
    y_train = np.arange(12) % 10
    x_test = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    y_test = np.array([9, 8, 7, 6, 5])
    folder = keras_cache / "fashion-mnist"
    folder.mkdir(parents=True)
    # Keras's Fashion-MNIST reader skips an 8-byte header on labels and a 16-byte header on images.
    _write_idx(folder / "train-labels-idx1-ubyte.gz", y_train, 8)
    _write_idx(folder / "train-images-idx3-ubyte.gz", x_train, 16)
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", y_test, 8)
    _write_idx(folder / "t10k-images-idx3-ubyte.gz", x_test, 16)

    train = load_dataset("fashion_mnist")
    assert train.images.shape == (12, 28, 28, 1)
    assert train.images.dtype == np.float32
    assert train.images.min() == -1.0 and train.images.max() == 1.0
    np.testing.assert_array_equal(unscale_images(train.images)[..., 0], x_train)
    np.testing.assert_array_equal(train.labels, y_train)
    assert train.labels.dtype == np.int64
    assert train.class_names[0] == "T-shirt/top" and train.class_names[9] == "Ankle boot"
    assert train.source == "keras.datasets.fashion_mnist"

    test = load_dataset("fashion_mnist", split="test", scaled=False, limit=3)
    np.testing.assert_array_equal(test.images[..., 0], x_test[:3])
    np.testing.assert_array_equal(test.labels, y_test[:3])


def test_mnist_loads_from_the_keras_cache(keras_cache, monkeypatch):
    import keras.src.utils.file_utils as file_utils

    rng = np.random.default_rng(2)
    arrays = {
        "x_train": rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8),
        "y_train": np.array([0, 1, 2, 3, 4, 5, 6], dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8),
        "y_test": np.array([7, 8, 9, 0], dtype=np.uint8),
    }
    keras_cache.mkdir(parents=True)
    np.savez(keras_cache / "mnist.npz", **arrays)
    # Keras checks mnist.npz against the sha256 of the real 11 MB file; this test stands in a small one.
    monkeypatch.setattr(file_utils, "validate_file", lambda *args, **kwargs: True)

    test = load_dataset("mnist", split="test", scaled=False)
    assert test.images.shape == (4, 28, 28, 1) and test.images.dtype == np.uint8
    np.testing.assert_array_equal(test.images[..., 0], arrays["x_test"])
    np.testing.assert_array_equal(test.labels, [7, 8, 9, 0])
    assert test.class_names == tuple("0123456789")

    train = load_dataset("mnist")
    np.testing.assert_array_equal(unscale_images(train.images)[..., 0], arrays["x_train"])


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_missing_keras_dataset_raises_with_the_offline_fallback(keras_cache, name):
    with pytest.raises(DatasetUnavailableError) as caught:
        load_dataset(name)
    message = str(caught.value)
    assert repr(name) in message
    assert "load_dataset('digits')" in message
    assert os.path.join(str(keras_cache.parent), "datasets") in message
    assert "offline (the tests never download)" in message
    assert isinstance(caught.value, RuntimeError)


def test_other_keras_errors_are_not_disguised_as_download_failures(monkeypatch):
    import keras.datasets.mnist

    def broken():
        raise KeyError("x_train")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", broken)
    with pytest.raises(KeyError):
        load_dataset("mnist")


# --- scale_images / unscale_images --------------------------------------------------------------------


def test_scale_unscale_round_trip_is_exact_for_every_value():
    values = np.arange(256, dtype=np.uint8).reshape(4, 8, 8, 1)
    scaled = scale_images(values)
    assert scaled.dtype == np.float32
    assert scaled.shape == values.shape
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    np.testing.assert_allclose(scaled.ravel(), np.arange(256) / 127.5 - 1.0, atol=1e-6)
    back = unscale_images(scaled)
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, values)


def test_scale_keeps_rgb_shape():
    images = np.zeros((2, 5, 6, 3), dtype=np.uint8)
    assert scale_images(images).shape == (2, 5, 6, 3)


def test_unscale_rounds_and_clips():
    images = np.array([-1.0005, -1.0, 0.0, 0.999, 1.0004], dtype=np.float32).reshape(1, 1, 5, 1)
    # 0.0 -> 127.5 rounds half to even (128 is even); 0.999 -> 254.87 rounds up, not down to 254.
    np.testing.assert_array_equal(unscale_images(images).ravel(), [0, 0, 128, 255, 255])


@pytest.mark.parametrize(
    ("function", "images", "error", "match"),
    [
        (scale_images, np.zeros((1, 4, 4, 1)), TypeError, r"dtype uint8 \(values 0-255\), got float64"),
        (scale_images, np.zeros((4, 4, 1), np.uint8), ValueError, r"\(batch, height, width, channels\)"),
        (scale_images, np.zeros((1, 4, 4, 2), np.uint8), ValueError, r"1 or 3 channel\(s\).*\(1, 4, 4, 2\)"),
        (unscale_images, np.zeros((1, 4, 4, 1), np.uint8), TypeError, r"floating dtype, got uint8"),
        (unscale_images, np.full((1, 4, 4, 1), 2.0), ValueError, r"in \[-1, 1\], got values in \[2, 2\]"),
        (unscale_images, np.zeros((4, 4)), ValueError, r"got shape \(4, 4\)"),
    ],
)
def test_scaling_rejects_bad_input(function, images, error, match):
    with pytest.raises(error, match=match):
        function(images)
