"""Lesson 06's measures of a generator, all from the course's own classifier (no Inception weights).

- Fréchet distance on the classifier's penultimate features (`quality.frechet_distance`): how far the
  generated images' feature statistics are from the real training images'. 0 for identical sets.
- Inception-Score analogue, exp(E_x KL(p(y|x) || p(y))): high when each image is confidently one class
  *and* the classes are balanced; 1 for a single class, K for K balanced confident classes.
- Class histogram: the share of images the classifier puts in each class; `classes_covered` counts
  the classes that get at least a quarter of their fair share. A collapsed generator covers few.
- Confident share: the share of images the classifier assigns to some class with p >= 0.9. A malformed
  stroke between two digits gets a hedged answer; FD, an average over all images, hardly sees a few of
  them, the confident share counts them (held-out real digits: about 0.95).
- Nearest-neighbour distances to the training images: a generator that copies its training data has
  samples much closer to them than fresh real images are (`memorisation_ratio` well below 1).

`Evaluator` computes them all for a batch of images; `EpochMeasures` (dcgan/epoch_measures.py) adds them to a
training run's per-epoch log.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..course.validation import as_array, require_int
from .quality import frechet_distance

COVERAGE_SHARE = 0.25  # a class is "covered" when it gets at least this fraction of its fair share 1/K
CONFIDENT = 0.9  # an image is "confidently" of a class when the classifier gives that class at least this


def _probabilities(probabilities, name: str = "probabilities") -> np.ndarray:
    p = as_array(probabilities, name).astype(np.float64)
    if p.ndim != 2 or p.shape[1] < 2 or len(p) < 1:
        raise ValueError(f"{name}: expected shape (samples, classes) with classes >= 2, got {p.shape}.")
    if (p < -1e-9).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError(f"{name}: expected rows of probabilities (>= 0, summing to 1).")
    return np.clip(p, 0.0, 1.0)


def inception_score(probabilities) -> float:
    """exp(mean over x of KL(p(y|x) || p(y))) with p(y) the mean of the rows. Lesson 06 writes it."""
    p = _probabilities(probabilities)
    marginal = p.mean(axis=0)  # p(y), shape (classes,)
    # 0 log 0 = 0: terms with p(y|x) = 0 add nothing (a tiny floor keeps log finite elsewhere).
    tiny = 1e-12
    kl = np.sum(p * (np.log(p + tiny) - np.log(marginal + tiny)), axis=1)  # (samples,)
    return float(np.exp(kl.mean()))


def class_histogram(probabilities) -> np.ndarray:
    """The share of samples whose most probable class is each class, shape (classes,), summing to 1."""
    p = _probabilities(probabilities)
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
    return counts / len(p)


def confident_share(probabilities, threshold: float = CONFIDENT) -> float:
    """The share of samples whose most probable class has probability >= `threshold` (default 0.9)."""
    p = _probabilities(probabilities)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ValueError(f"threshold: expected a probability in (0, 1], got {threshold!r}.")
    return float(np.mean(p.max(axis=1) >= threshold))


def classes_covered(histogram, min_share: float | None = None) -> int:
    """Classes whose share is at least `min_share` (default a quarter of the fair share, 0.25 / K)."""
    histogram = as_array(histogram, "histogram").astype(np.float64)
    if histogram.ndim != 1 or len(histogram) < 2:
        raise ValueError(f"histogram: expected one share per class, got shape {histogram.shape}.")
    if not np.isfinite(histogram).all() or (histogram < 0).any():
        raise ValueError(f"histogram: expected shares >= 0, got {np.round(histogram, 4).tolist()}.")
    if not np.isclose(histogram.sum(), 1.0, atol=1e-3):
        raise ValueError(
            f"histogram: expected shares summing to 1 (class_histogram's output), got values summing to "
            f"{histogram.sum():g}; counts? Divide them by their total first."
        )
    threshold = COVERAGE_SHARE / len(histogram) if min_share is None else float(min_share)
    return int(np.count_nonzero(histogram >= threshold))


def _flat(images, name: str) -> np.ndarray:
    array = as_array(images, name).astype(np.float64)
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{name}: expected a non-empty batch, shape (n, ...), got shape {array.shape}.")
    flat = array.reshape(len(array), -1)
    bad = ~np.isfinite(flat).all(axis=1)
    if bad.any():
        # One NaN image would make every distance NaN and every nearest index 0, silently.
        raise ValueError(
            f"{name}: expected finite values, got NaN or infinite values in {int(bad.sum())} of "
            f"{len(flat)} images (the first is image {int(np.argmax(bad))})."
        )
    return flat


def nearest_neighbour_distances(samples, training, *, return_index: bool = False, chunk: int = 2**22):
    """Euclidean distance from each sample to its nearest training image (both flattened). Lesson 06.

    Returns (n,) distances, and the nearest training image's index too with `return_index=True`.
    Large sets are compared in chunks (`chunk` distances at a time), so memory stays small.
    """
    a, b = _flat(samples, "samples"), _flat(training, "training")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"samples have {a.shape[1]} values each and training images {b.shape[1]}.")
    shape_a, shape_b = np.shape(samples)[1:], np.shape(training)[1:]
    if tuple(shape_a) != tuple(shape_b):
        # Flattened, a 28x28 and a 14x56 image would be compared pixel by pixel without an error.
        raise ValueError(
            f"samples and training: expected images of one shape, got {tuple(shape_a)} and "
            f"{tuple(shape_b)} per image. Load both at the same image_size."
        )
    b_squared = (b**2).sum(axis=1)
    step = max(1, chunk // len(b))
    index = np.empty(len(a), dtype=np.int64)
    for start in range(0, len(a), step):
        part = a[start : start + step]
        # ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b: one matrix product finds the nearest image...
        squared = (part**2).sum(axis=1)[:, None] + b_squared[None, :] - 2.0 * part @ b.T
        index[start : start + step] = squared.argmin(axis=1)
    # ...and the exact distance to it is computed directly (the expansion loses digits near 0).
    distances = np.linalg.norm(a - b[index], axis=1)
    return (distances, index) if return_index else distances


def memorisation_ratio(samples, training, held_out) -> float:
    """Median nearest-neighbour distance to `training`: of the samples, over that of held-out real images.

    About 1 or more: the samples are no closer to the training images than new real images are.
    Far below 1: the generator reproduces training images (memorisation).
    """
    generated = np.median(nearest_neighbour_distances(samples, training))
    real = np.median(nearest_neighbour_distances(held_out, training))
    return _ratio(generated, real)


def _ratio(generated: float, real: float) -> float:
    if not real > 0:
        raise ValueError(
            "held_out: expected real images the training set does not contain, got images whose median "
            "distance to the training images is 0 (copies of them). Use the test split."
        )
    return float(generated / real)


class Evaluator:
    """All of lesson 06's measures for batches of images, against one data set's real images.

    Args:
        classifier: a `classifier.Classifier` trained on the same data set.
        training: real training images in [-1, 1]: the reference of the Fréchet distance and of the
            nearest-neighbour check.
        held_out: real images the generator never saw (the test split): the memorisation baseline.
    """

    SCALARS = (
        "fd",
        "inception_score",
        "classes_covered",
        "max_class_share",
        "memorisation_ratio",
        "confident_share",
    )

    def __init__(self, classifier, training, held_out):
        self.classifier = classifier
        self.training = np.asarray(training, dtype=np.float32)
        self.held_out = np.asarray(held_out, dtype=np.float32)
        self.training_features = classifier.features(self.training)
        self.held_out_nn = float(np.median(nearest_neighbour_distances(self.held_out, self.training)))

    def measure(self, images) -> dict:
        """A dict of every measure for `images` (in [-1, 1]); `SCALARS` lists the single numbers."""
        from scipy import linalg

        count = len(images) if hasattr(images, "__len__") else 0
        if count < 2:
            raise ValueError(
                f"images: expected a batch of at least 2 images (the measures compare statistics), "
                f"got {count}."
            )
        features, probabilities = self.classifier.features_and_probabilities(images)
        histogram = class_histogram(probabilities)
        nn = nearest_neighbour_distances(images, self.training)
        with warnings.catch_warnings():
            # A collapsed generator's features barely vary: their covariance is singular, which SciPy
            # warns about; the distance is still right (and large), so the warning adds nothing here.
            warnings.simplefilter("ignore", category=getattr(linalg, "LinAlgWarning", RuntimeWarning))
            fd = frechet_distance(self.training_features, features)
        return {
            "fd": fd,
            "inception_score": inception_score(probabilities),
            "classes_covered": classes_covered(histogram),
            "max_class_share": float(histogram.max()),
            "memorisation_ratio": _ratio(float(np.median(nn)), self.held_out_nn),
            "confident_share": confident_share(probabilities),
            "class_histogram": histogram,
            "nn_distances": nn,
        }

    def summary(self, images) -> str:
        """One line of the scalar measures, for a print-out."""
        m = self.measure(images)
        return (
            f"FD {m['fd']:.2f}, IS {m['inception_score']:.2f}, {m['classes_covered']} of "
            f"{len(m['class_histogram'])} classes covered (largest share {m['max_class_share']:.0%}), "
            f"memorisation ratio {m['memorisation_ratio']:.2f}, confident share {m['confident_share']:.0%}"
        )


def make_evaluator(dataset: str = "digits", *, image_size=None, held_out: int | None = None, cache_dir=None):
    """An `Evaluator` for a data set: its cached classifier, training images and `held_out` test images."""
    from ..course.data import load_dataset
    from .classifier import load_or_train_classifier

    if held_out is not None:
        held_out = require_int(held_out, "held_out", minimum=2)
    classifier = load_or_train_classifier(dataset, image_size=image_size, cache_dir=cache_dir)
    training = load_dataset(dataset, split="train", image_size=image_size).images
    test = load_dataset(dataset, split="test", image_size=image_size, limit=held_out).images
    return Evaluator(classifier, training, test)
