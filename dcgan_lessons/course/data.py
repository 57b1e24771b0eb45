"""Image data sets for the course, laid out the way a DCGAN expects them.

Every loader returns images as (batch, height, width, channels). With `scaled=True` (the default) the
values are float32 in [-1, 1], the range of the generator's tanh output, so real and fake images can
be compared pixel for pixel by the discriminator.

`"digits"` is scikit-learn's bundled 8x8 digits, resized to MNIST's 28x28 layout. It needs no network,
so every lesson and test can run offline. The other names load the real data sets through
`keras.datasets`, which downloads them once into Keras's cache folder.

Lesson 00 asks learners to write `scale_images` and `unscale_images`; the versions here are the
reference answers the checker compares against.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from .validation import check_images, require_choice, require_int

DATASETS = ("digits", "mnist", "fashion_mnist", "cifar10")
SPLITS = ("train", "test")

_DIGIT_NAMES = tuple(str(digit) for digit in range(10))
_FASHION_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_CIFAR10_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# name -> (class names, native image size) for the data sets that come through keras.datasets.
_KERAS_DATASETS = {
    "mnist": (_DIGIT_NAMES, 28),
    "fashion_mnist": (_FASHION_NAMES, 28),
    "cifar10": (_CIFAR10_NAMES, 32),
}

# MNIST centres each digit in a 20x20 box inside its 28x28 frame; the digits loader copies that layout.
_MNIST_SIZE = 28
_MNIST_BOX = 20
_DIGITS_TEST_FRACTION = 0.2
_DIGITS_SPLIT_SEED = 0


# A download that receives nothing for this many seconds is given up (a proxy that never answers).
DOWNLOAD_TIMEOUT_S = 60.0


class DatasetUnavailableError(RuntimeError):
    """A data set could not be loaded, usually because it is not cached and the download failed."""


@dataclass(eq=False, repr=False)
class ImageDataset:
    """A batch of images with their labels.

    Attributes:
        images: (batch, height, width, channels); float32 in [-1, 1], or uint8 0-255 when not scaled.
        labels: (batch,) int64 class indices into `class_names`.
        name: the data set's name, one of `DATASETS`.
        class_names: a readable name for every class index.
        source: where the images came from.
    """

    images: np.ndarray
    labels: np.ndarray
    name: str
    class_names: tuple[str, ...]
    source: str

    def __len__(self) -> int:
        return len(self.images)

    def __repr__(self) -> str:
        # Summaries only: printing a data set in a notebook must never dump thousands of pixels.
        value_range = (
            f" in [{float(self.images.min()):g}, {float(self.images.max()):g}]" if self.images.size else ""
        )
        return (
            f"ImageDataset({self.name!r}, {len(self)} images of shape {tuple(self.images.shape[1:])}, "
            f"{self.images.dtype}{value_range})"
        )


def load_dataset(
    name: str,
    *,
    split: str = "train",
    limit: int | None = None,
    scaled: bool = True,
    image_size: int | None = None,
) -> ImageDataset:
    """Load one of `DATASETS` as (batch, height, width, channels) images with int64 labels.

    Args:
        name: "digits" (offline, bundled with scikit-learn), "mnist", "fashion_mnist" or "cifar10"
            (downloaded once by keras.datasets into Keras's cache folder).
        split: "train" or "test".
        limit: keep only the first `limit` images (None keeps all).
        scaled: True gives float32 in [-1, 1] (the generator's tanh range); False gives uint8 0-255.
        image_size: side of the square images. "digits" can be resized to any size >= 8 (default 28,
            MNIST's layout); the Keras data sets only come in their native size (28, or 32 for CIFAR-10).

    Raises:
        DatasetUnavailableError: a Keras data set is not cached and could not be downloaded.
    """
    require_choice(name, "dataset name", DATASETS)
    require_choice(split, "split", SPLITS)
    if limit is not None:
        limit = require_int(limit, "limit", minimum=1)
    if not isinstance(scaled, bool):
        raise TypeError(f"scaled must be True or False, got {type(scaled).__name__}.")

    if name == "digits":
        size = _MNIST_SIZE if image_size is None else require_int(image_size, "image_size", minimum=8)
        images, labels = _load_digits(split, size)
        class_names, source = _DIGIT_NAMES, "scikit-learn bundled digits (offline)"
    else:
        class_names, native_size = _KERAS_DATASETS[name]
        if image_size is not None and require_int(image_size, "image_size") != native_size:
            raise ValueError(
                f"{name} only comes in its native size, image_size={native_size}; "
                f"got image_size={image_size}. Resize the images yourself, "
                f"or use load_dataset('digits', image_size={image_size}) "
                f"(command line: --image-size {native_size}, or --dataset digits --image-size {image_size})."
            )
        images, labels = _load_keras(name, split)
        source = f"keras.datasets.{name}"

    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    if scaled:
        images = scale_images(images)
    return ImageDataset(images=images, labels=labels, name=name, class_names=class_names, source=source)


def scale_images(images) -> np.ndarray:
    """Map uint8 images (0-255) to float32 in [-1, 1], the range of a tanh generator.

    0 becomes -1.0 and 255 becomes 1.0; the shape is kept. Lesson 00 writes this function.
    """
    images = check_images(images, dtype="uint8")
    return images.astype(np.float32) / 127.5 - 1.0


def unscale_images(images) -> np.ndarray:
    """Map float images in [-1, 1] back to uint8 0-255, rounding to the nearest integer.

    The inverse of `scale_images`: `unscale_images(scale_images(x))` gives `x` back exactly. Values a hair
    outside [-1, 1] (float rounding) are clipped. Lesson 00 writes this function.
    """
    images = check_images(images, dtype="float", value_range=(-1.0, 1.0))
    # Rounding, not truncating: truncation would turn 254.99999 (float error on 255) into 254.
    return np.rint((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def _digits_split_indices(split: str, count: int) -> np.ndarray:
    """Indices into scikit-learn's digits for one split: a fixed permutation, the last 20% for testing."""
    order = np.random.default_rng(_DIGITS_SPLIT_SEED).permutation(count)
    test_count = round(count * _DIGITS_TEST_FRACTION)
    return order[: count - test_count] if split == "train" else order[count - test_count :]


def _bilinear_matrix(source_size: int, target_size: int) -> np.ndarray:
    """A (target, source) matrix whose product with a signal resizes it by linear interpolation.

    Pixels are treated as squares (half-pixel centres, as in image resizing), and every row sums to 1,
    so the resized values stay within the original range.
    """
    position = (np.arange(target_size) + 0.5) * source_size / target_size - 0.5
    position = np.clip(position, 0, source_size - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, source_size - 1)
    weight_high = position - low
    matrix = np.zeros((target_size, source_size))
    rows = np.arange(target_size)
    np.add.at(matrix, (rows, low), 1.0 - weight_high)
    np.add.at(matrix, (rows, high), weight_high)
    return matrix


def _load_digits(split: str, image_size: int) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits upsampled into a centred box of an image_size-square frame, as uint8."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    indices = _digits_split_indices(split, len(digits.images))
    small = digits.images[indices]  # (batch, 8, 8), values 0-16

    box = max(1, round(image_size * _MNIST_BOX / _MNIST_SIZE))
    resize = _bilinear_matrix(small.shape[1], box)  # (box, 8)
    # One matrix product per axis resizes the whole batch at once: rows, then columns.
    boxed = np.einsum("ai,nij,bj->nab", resize, small, resize)  # (batch, box, box)

    frame = np.zeros((len(small), image_size, image_size), dtype=np.uint8)
    start = (image_size - box) // 2
    frame[:, start : start + box, start : start + box] = np.clip(np.rint(boxed * 255.0 / 16.0), 0, 255)
    return frame[..., None], digits.target[indices].astype(np.int64)


def _keras_cache_folder() -> str:
    """The folder keras.datasets downloads into: $KERAS_HOME/datasets, or ~/.keras/datasets."""
    try:
        # Keras fixes its home folder when it is imported; ask it rather than guess.
        from keras.src.backend.config import keras_home

        home = keras_home()
    except ImportError:
        home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.join(os.path.expanduser(home), "datasets")


def _is_download_failure(error: Exception) -> bool:
    """Whether an error from keras.datasets means the files could not be fetched or read."""
    # keras.utils.get_file turns HTTP and URL errors into a bare Exception("URL fetch failure on ...").
    if type(error) is Exception and "URL fetch failure" in str(error):
        return True
    # A download that arrived corrupted fails the hash check with a ValueError.
    if isinstance(error, ValueError) and "hash" in str(error):
        return True
    # No network (URLError is an OSError), a full disk, or a truncated archive.
    return isinstance(error, (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error))


def _load_keras(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Load a keras.datasets data set as uint8 (batch, height, width, channels) images and int64 labels."""
    import importlib
    import socket

    module = importlib.import_module(f"keras.datasets.{name}")
    # keras.utils.get_file opens its URL without a timeout: without this a network or proxy that accepts
    # the connection and never answers would hang forever. The timeout applies to each read, so a slow
    # download that keeps arriving is never cut.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        (x_train, y_train), (x_test, y_test) = module.load_data()
    except Exception as error:  # noqa: BLE001 - narrowed by _is_download_failure, anything else re-raised
        if not _is_download_failure(error):
            raise
        stalled = isinstance(error, TimeoutError) or "timed out" in str(error)
        reason = (
            f"no data arrived for {DOWNLOAD_TIMEOUT_S:g} s" if stalled else f"{type(error).__name__}: {error}"
        )
        raise DatasetUnavailableError(
            f"Could not load the {name!r} data set: it is not in Keras's cache folder "
            f"{_keras_cache_folder()} and downloading it failed ({reason}).\n"
            f"Connect to the internet and try again, copy the files into that folder, or work offline with "
            f"the bundled digits: --dataset digits (command line), load_dataset('digits') (Python)."
        ) from error
    finally:
        socket.setdefaulttimeout(previous)

    images, labels = (x_train, y_train) if split == "train" else (x_test, y_test)
    images = np.asarray(images, dtype=np.uint8)
    if images.ndim == 3:
        images = images[..., None]  # grayscale: add the channel axis, (batch, 28, 28, 1)
    elif images.shape[1] == 3 and images.shape[-1] != 3:
        # keras.datasets.cifar10 gives channels first when Keras is configured for channels_first.
        images = images.transpose(0, 2, 3, 1)
    return images, np.asarray(labels).reshape(-1).astype(np.int64)
