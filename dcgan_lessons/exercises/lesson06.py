"""Lesson 06's exercises: the measures of a generator and spherical interpolation, all in NumPy.

The cases are small fixed arrays. The Fréchet-distance cases include the content notes' worked numbers
(identical sets give 0; a shift by 1 gives 1, in 1-D and 2-D; mean (1, 1) and covariance 4I against 0 and I
give 4), built from samples whitened to an exact zero mean and identity covariance, and a case whose
covariances do not commute, where shortcuts through separate square roots fail.
"""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Mistake
from ..evaluate.latent import lerp, slerp
from ..evaluate.measures import class_histogram, inception_score, nearest_neighbour_distances
from ..evaluate.quality import frechet_distance


def _white(samples: int, width: int, seed: int) -> np.ndarray:
    """Samples with exactly zero mean and identity (sample) covariance."""
    x = np.random.default_rng(seed).standard_normal((samples, width))
    x -= x.mean(axis=0)
    return x @ np.linalg.inv(np.linalg.cholesky(np.atleast_2d(np.cov(x, rowvar=False))).T)


def _correlated(samples: int, width: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((samples, width)) @ rng.standard_normal((width, width)) + rng.normal(
        size=width
    )


# --- 06.frechet_distance ---------------------------------------------------------------------------


def _fd_variant(*, squared_mean=True, factor=2.0, separate_roots=False, matrix=np.atleast_2d):
    def frechet(features_a, features_b):
        from scipy import linalg

        a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
        cov_a, cov_b = matrix(np.cov(a, rowvar=False)), matrix(np.cov(b, rowvar=False))
        if separate_roots:
            root = (linalg.sqrtm(cov_a) @ linalg.sqrtm(cov_b)).real
        else:
            root = linalg.sqrtm(cov_a @ cov_b).real
        gap = np.linalg.norm(a.mean(axis=0) - b.mean(axis=0))
        return float((gap**2 if squared_mean else gap) + np.trace(cov_a + cov_b - factor * root))

    return frechet


_ONE_D = _white(50, 1, 1)
_TWO_D = _white(60, 2, 2)

FRECHET_DISTANCE = Exercise(
    id="06.frechet_distance",
    title="Fréchet distance between two sets of features",
    reference=frechet_distance,
    rtol=1e-6,
    atol=1e-6,
    public=[
        Case("identical sets: 0", args=(_correlated(40, 3, 3), _correlated(40, 3, 3))),
        Case("1-D, shifted by 1: 1", args=(_ONE_D, _ONE_D + 1.0), expected=1.0),
        Case("2-D, shifted by (0.6, 0.8): 1", args=(_TWO_D, _TWO_D + np.array([0.6, 0.8])), expected=1.0),
        Case("2-D, mean (1, 1) and covariance 4I vs 0 and I: 4", args=(_TWO_D, 2 * _TWO_D + 1), expected=4.0),
        Case("3-D, correlated features", args=(_correlated(40, 3, 4), _correlated(30, 3, 5))),
    ],
    hidden=[
        Case("4-D, correlated features", args=(_correlated(50, 4, 6), _correlated(45, 4, 7))),
        Case("2-D, shifted by (3, -4)", args=(_TWO_D, _TWO_D + np.array([3.0, -4.0])), expected=25.0),
    ],
    mistakes=[
        Mistake(
            "mean distance not squared",
            _fd_variant(squared_mean=False),
            "the mean term is the *squared* distance between the means, ||mu_1 - mu_2||^2 "
            "(np.sum((mu_1 - mu_2) ** 2)).",
        ),
        Mistake(
            "cross term without its factor 2",
            _fd_variant(factor=1.0),
            "the covariance term is Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)): the square-root term counts twice.",
        ),
        Mistake(
            "a single feature's covariance left 0-d",
            _fd_variant(matrix=np.asarray),
            "with one feature, np.cov(x, rowvar=False) returns a 0-d array, not a 1x1 matrix, and the "
            "matrix product and sqrtm need matrices: wrap it in np.atleast_2d, as the lesson says.",
        ),
        Mistake(
            "square roots taken separately",
            _fd_variant(separate_roots=True),
            "(S_1 S_2)^(1/2) is the matrix square root of the product (scipy.linalg.sqrtm(S_1 @ S_2)); "
            "sqrtm(S_1) @ sqrtm(S_2) differs when the covariances do not commute.",
        ),
    ],
)

# --- 06.inception_score ----------------------------------------------------------------------------


def _softmax_rows(samples: int, classes: int, seed: int, sharpness: float = 3.0) -> np.ndarray:
    logits = sharpness * np.random.default_rng(seed).standard_normal((samples, classes))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def _is_variant(kind: str):
    def score(probabilities):
        p = np.asarray(probabilities, np.float64)
        marginal = p.mean(axis=0)
        tiny = 1e-12
        if kind == "reversed":
            kl = np.sum(marginal * (np.log(marginal + tiny) - np.log(p + tiny)), axis=1)
        else:
            kl = np.sum(p * (np.log(p + tiny) - np.log(marginal + tiny)), axis=1)
        if kind == "no_exp":
            return float(kl.mean())
        if kind == "exp_inside":
            return float(np.exp(kl).mean())
        return float(np.exp(kl.mean()))

    return score


_TEN_BALANCED = np.eye(10)[np.arange(30) % 10]
_ONE_CLASS = np.eye(10)[np.full(12, 4)]

INCEPTION_SCORE = Exercise(
    id="06.inception_score",
    title="Inception-Score analogue exp(E KL(p(y|x) || p(y)))",
    reference=inception_score,
    public=[
        Case("ten balanced, confident classes: 10", args=(_TEN_BALANCED,), expected=10.0),
        Case("one class: 1", args=(_ONE_CLASS,), expected=1.0),
        Case("softmax of random logits", args=(_softmax_rows(20, 5, 0),)),
    ],
    hidden=[
        Case("uncertain predictions", args=(_softmax_rows(25, 10, 1, sharpness=0.5),)),
        Case("three balanced classes", args=(np.eye(3)[np.arange(9) % 3],), expected=3.0),
    ],
    mistakes=[
        Mistake(
            "no exponential",
            _is_variant("no_exp"),
            "the score is exp of the mean KL divergence; without exp you have its logarithm "
            "(ten balanced confident classes should give 10, not ln 10).",
        ),
        Mistake(
            "KL divergence reversed",
            _is_variant("reversed"),
            "the divergence is KL(p(y|x) || p(y)) = sum_y p(y|x) log(p(y|x) / p(y)): the per-image "
            "prediction comes first and weights the sum.",
        ),
        Mistake(
            "exp inside the mean",
            _is_variant("exp_inside"),
            "take the mean of the KL divergences over the images first, then exp once: exp(mean(KL)).",
        ),
    ],
)

# --- 06.class_histogram ----------------------------------------------------------------------------


def _hist_variant(kind: str):
    def histogram(probabilities):
        p = np.asarray(probabilities, np.float64)
        if kind == "soft":
            return p.mean(axis=0)
        if kind == "no_minlength":
            return np.bincount(p.argmax(axis=1)) / len(p)
        counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
        return counts if kind == "counts" else counts / len(p)

    return histogram


_MISSING_LAST = _softmax_rows(40, 10, 3, sharpness=4.0)
_MISSING_LAST[:, 9] = 0.0
_MISSING_LAST /= _MISSING_LAST.sum(axis=1, keepdims=True)

CLASS_HISTOGRAM = Exercise(
    id="06.class_histogram",
    title="share of images per predicted class (mode coverage)",
    reference=class_histogram,
    public=[
        Case("one class predicted", args=(_ONE_CLASS,)),
        Case("the last classes never predicted", args=(_MISSING_LAST,)),
        Case("softmax of random logits", args=(_softmax_rows(30, 4, 5),)),
    ],
    hidden=[
        Case("ten balanced classes", args=(_TEN_BALANCED,)),
        Case("uncertain predictions", args=(_softmax_rows(50, 6, 6, sharpness=0.7),)),
    ],
    mistakes=[
        Mistake(
            "probabilities averaged",
            _hist_variant("soft"),
            "count each image once, in its most probable class (argmax over axis 1), rather than "
            "averaging the probabilities.",
        ),
        Mistake(
            "bincount without minlength",
            _hist_variant("no_minlength"),
            "np.bincount stops at the largest class it sees: pass minlength=probabilities.shape[1] so "
            "classes no image falls in still get their 0.",
        ),
        Mistake(
            "counts, not shares",
            _hist_variant("counts"),
            "return shares that sum to 1: divide the counts by the number of images.",
        ),
    ],
)

# --- 06.slerp --------------------------------------------------------------------------------------


def _slerp_variant(kind: str):
    def interpolate(z0, z1, t):
        z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
        if kind == "lerp":
            return lerp(z0, z1, t)
        cos = np.dot(z0, z1)
        if kind != "unnormalised":
            cos /= np.linalg.norm(z0) * np.linalg.norm(z1)
        omega = np.arccos(np.clip(cos, -1.0, 1.0))
        w0, w1 = (
            (np.sin(t * omega), np.sin((1 - t) * omega))
            if kind == "swapped"
            else (np.sin((1 - t) * omega), np.sin(t * omega))
        )
        with np.errstate(invalid="ignore", divide="ignore"):  # parallel vectors: 0 / 0
            return (w0 * z0 + w1 * z1) / np.sin(omega)

    return interpolate


_RNG = np.random.default_rng(8)
_Z0, _Z1, _Z2 = (_RNG.standard_normal(6) for _ in range(3))

SLERP = Exercise(
    id="06.slerp",
    title="spherical interpolation between two latent vectors",
    reference=slerp,
    public=[
        Case("a quarter of the way", args=(_Z0, _Z1, 0.25)),
        Case("orthogonal unit vectors, halfway", args=(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5)),
        Case("parallel vectors: like lerp", args=(np.array([1.0, 2.0, 2.0]), np.array([2.0, 4.0, 4.0]), 0.5)),
    ],
    hidden=[
        Case("t = 0 gives z0", args=(_Z1, _Z2, 0.0)),
        Case("most of the way", args=(_Z0, _Z2, 0.9)),
    ],
    mistakes=[
        Mistake(
            "linear interpolation",
            _slerp_variant("lerp"),
            "that is linear interpolation, which cuts through the sphere; slerp weights z0 and z1 by "
            "sin((1 - t) omega) / sin(omega) and sin(t omega) / sin(omega).",
        ),
        Mistake(
            "no case for parallel vectors",
            _slerp_variant("plain"),
            "when z0 and z1 point the same way, omega = 0 and sin(omega) = 0: fall back to linear "
            "interpolation for (nearly) parallel vectors.",
        ),
        Mistake(
            "angle from the unnormalised dot product",
            _slerp_variant("unnormalised"),
            "the angle omega comes from the cosine of the two vectors: divide their dot product by both "
            "norms.",
        ),
        Mistake(
            "weights swapped",
            _slerp_variant("swapped"),
            "at t = 0 slerp must return z0: z0's weight is sin((1 - t) omega) / sin(omega).",
        ),
    ],
)

# --- 06.nearest_neighbour_distances ----------------------------------------------------------------


def _nn_variant(kind: str):
    def distances(samples, training):
        a = np.asarray(samples, np.float64).reshape(len(samples), -1)
        b = np.asarray(training, np.float64).reshape(len(training), -1)
        squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)  # (samples, training)
        if kind == "squared":
            return squared.min(axis=1)
        if kind == "mean":
            return np.sqrt(squared).mean(axis=1)
        return squared.argmin(axis=1)

    return distances


def _images(count: int, seed: int) -> np.ndarray:
    return np.tanh(np.random.default_rng(seed).standard_normal((count, 4, 4, 1)))


_TRAIN = _images(12, 10)

NEAREST_NEIGHBOUR = Exercise(
    id="06.nearest_neighbour_distances",
    title="distance from each sample to its nearest training image",
    reference=nearest_neighbour_distances,
    public=[
        Case("new images", args=(_images(5, 11), _TRAIN)),
        Case("copies of training images: 0", args=(_TRAIN[[3, 7]], _TRAIN)),
        Case("flat vectors", args=(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 0.5]]))),
    ],
    hidden=[
        Case("more new images", args=(_images(7, 12), _images(9, 13))),
        Case("one sample", args=(_images(1, 14), _TRAIN)),
    ],
    mistakes=[
        Mistake(
            "squared distances",
            _nn_variant("squared"),
            "take the square root: the Euclidean distance is sqrt(sum((a - b) ** 2)).",
        ),
        Mistake(
            "mean instead of nearest",
            _nn_variant("mean"),
            "keep only the *nearest* training image's distance (min over the training images), not the mean.",
        ),
        Mistake(
            "index instead of distance",
            _nn_variant("index"),
            "return the distances themselves (min), not which training image is nearest (argmin).",
        ),
    ],
)

EXERCISES = [FRECHET_DISTANCE, INCEPTION_SCORE, CLASS_HISTOGRAM, SLERP, NEAREST_NEIGHBOUR]
