"""A small classifier of the training data: the feature extractor behind lesson 06's measures.

FID and the Inception Score read a network trained on ImageNet (Inception v3), whose weights would be
downloaded at run time and which knows nothing about 28x28 digits. The course trains its own small CNN on
the same data set instead (the "Fréchet LeNet distance" idea): its penultimate layer gives the features
for a Fréchet distance and its softmax the class probabilities for an Inception-Score analogue and a
class histogram.

It is trained once, with a fixed seed, and cached as a plain NumPy file in a folder you control:
the `cache_dir` argument, else $DCGAN_LESSONS_CACHE, else ~/.cache/dcgan_lessons (or under
$XDG_CACHE_HOME). The file name holds the data set, the image shape, the training settings and
`VERSION`, so a model from other settings, or from an older version of this module, is never reused.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..course.environment import set_seed
from ..course.validation import check_images, require_int

CACHE_ENV_VAR = "DCGAN_LESSONS_CACHE"
VERSION = 1  # bump when the architecture or training changes, so old cached weights are not reused
FEATURES = 64  # width of the penultimate layer: the features of the Fréchet distance
# Epochs per data set: the bundled digits are small (1,437 training images), the Keras sets large.
_DEFAULT_EPOCHS = {"digits": 12}
_OTHER_EPOCHS = 3


def cache_folder(cache_dir=None) -> Path:
    """Where trained classifiers are kept: `cache_dir`, else $DCGAN_LESSONS_CACHE, else a per-user folder."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV_VAR, "").strip():
        return Path(os.environ[CACHE_ENV_VAR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dcgan_lessons"


def build_classifier(image_shape, classes: int = 10):
    """A small CNN: two strided convolutions, a FEATURES-wide dense layer (the features), class logits."""
    import keras

    classes = require_int(classes, "classes", minimum=2)
    images = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(images)
    x = keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Flatten()(x)
    # The features are the dense layer's values *before* its ReLU: after it, many are exactly 0 for every
    # image (dead units), which makes their covariance singular and the Fréchet distance unstable.
    features = keras.layers.Dense(FEATURES, name="features")(x)
    x = keras.layers.ReLU()(features)
    logits = keras.layers.Dense(classes, name="logits")(x)
    return keras.Model(images, logits, name="classifier")


@dataclass
class Classifier:
    """A trained classifier with the two outputs the measures read. Build it with `load_or_train_classifier`.

    Attributes:
        model: the Keras model (images in [-1, 1] -> class logits).
        class_names: a name per class.
        test_accuracy: accuracy on the data set's test split, measured after training.
        path: the cached weights file.
    """

    model: object
    class_names: tuple[str, ...]
    test_accuracy: float
    path: Path

    def __post_init__(self):
        import keras

        self._both = keras.Model(
            self.model.inputs, [self.model.get_layer("features").output, self.model.outputs[0]]
        )

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.model.input_shape[1:])

    def features_and_probabilities(self, images, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """(features, probabilities) for images in [-1, 1]: shapes (n, FEATURES) and (n, classes)."""
        from scipy.special import softmax

        images = check_images(images, dtype="float", value_range=(-1.0, 1.0), tolerance=1e-2)
        if len(images) == 0:
            raise ValueError(f"images: expected at least one image, got shape {images.shape}.")
        if tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"images: this classifier was trained on images of shape {self.image_shape}, "
                f"got shape {tuple(images.shape[1:])}."
            )
        features, logits = self._both.predict(images.astype("float32"), batch_size=batch_size, verbose=0)
        return features.astype(np.float64), softmax(logits.astype(np.float64), axis=1)

    def features(self, images) -> np.ndarray:
        """Penultimate-layer features, (n, FEATURES)."""
        return self.features_and_probabilities(images)[0]

    def probabilities(self, images) -> np.ndarray:
        """Class probabilities p(y|x), (n, classes); each row sums to 1."""
        return self.features_and_probabilities(images)[1]


def cache_path(dataset: str, image_shape, epochs: int, seed: int, limit: int | None, cache_dir=None) -> Path:
    """The cache file for one classifier: every setting that changes the weights is in its name."""
    shape = "x".join(str(int(s)) for s in image_shape)
    subset = "all" if limit is None else str(limit)
    name = f"classifier-{dataset}-{shape}-{subset}-e{epochs}-s{seed}-v{VERSION}.npz"
    return cache_folder(cache_dir) / name


def load_or_train_classifier(
    dataset: str = "digits",
    *,
    image_size: int | None = None,
    cache_dir=None,
    epochs: int | None = None,
    seed: int = 0,
    limit: int | None = None,
    verbose: bool = True,
) -> Classifier:
    """The course's classifier for `dataset`: loaded from the cache, or trained once (seeded) and cached.

    Args:
        dataset: a name `load_dataset` knows ("digits" offline; "mnist", "fashion_mnist", "cifar10").
        image_size: the image side (as for `load_dataset`); must match the images you will measure.
        cache_dir: where to keep the weights (default: $DCGAN_LESSONS_CACHE or ~/.cache/dcgan_lessons).
        epochs: training epochs (default 12 on the digits, 3 on the larger sets).
        seed: seeds the weights and the batch order.
        limit: train on the first `limit` training images only (None: all).
        verbose: print where the model came from and its test accuracy.
    """
    import keras

    from ..course.data import load_dataset

    epochs = require_int(
        _DEFAULT_EPOCHS.get(dataset, _OTHER_EPOCHS) if epochs is None else epochs, "epochs", minimum=1
    )
    seed = require_int(seed, "seed", minimum=0)
    train = load_dataset(dataset, split="train", image_size=image_size, limit=limit)
    test = load_dataset(dataset, split="test", image_size=image_size)
    path = cache_path(dataset, train.images.shape[1:], epochs, seed, limit, cache_dir)

    set_seed(seed)
    model = build_classifier(train.images.shape[1:], len(train.class_names))
    if path.exists():
        with np.load(path, allow_pickle=False) as saved:
            model.set_weights([saved[f"w{i}"] for i in range(len(model.weights))])
            accuracy = float(json.loads(str(saved["info"]))["test_accuracy"])
        where = f"loaded from {path}"
    else:
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        model.fit(train.images, train.labels, batch_size=64, epochs=epochs, shuffle=True, verbose=0)
        accuracy = float(model.evaluate(test.images, test.labels, batch_size=256, verbose=0)[1])
        _save(path, model, {"test_accuracy": accuracy, "dataset": dataset, "epochs": epochs, "seed": seed})
        where = f"trained ({epochs} epochs on {len(train)} images) and saved to {path}"
    if verbose:
        print(f"Classifier for {dataset}: {where}; test accuracy {accuracy:.1%}.")
    return Classifier(model, train.class_names, accuracy, path)


def _save(path: Path, model, info: dict) -> None:
    """Write the weights atomically (a temporary name, then a rename), so a killed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"w{i}": np.asarray(w) for i, w in enumerate(model.get_weights())}
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(temporary, info=np.array(json.dumps(info)), **arrays)
    os.replace(temporary, path)
