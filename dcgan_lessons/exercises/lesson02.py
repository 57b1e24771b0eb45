"""Lesson 02's exercises: the value function, D*, the Jensen-Shannon divergence, stable BCE from logits,
the discriminator and non-saturating generator losses, and one-sided label smoothing.

Learners may answer with NumPy or `keras.ops`; the references use `keras.ops` (float32), hence the
loss exercises' tolerance of 1e-4 relative.
"""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Mistake
from ..losses.minimax import (
    bce_from_logits,
    discriminator_loss,
    generator_loss,
    jensen_shannon,
    optimal_discriminator,
    smoothed_discriminator_loss,
    value_function,
)

_rng = np.random.default_rng(2)  # fixed cases: the same for every learner and every run
_f32 = np.float32
LN2, LN9 = float(np.log(2.0)), float(np.log(9.0))


def _gauss(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def _probs(*shape):
    return _rng.uniform(0.02, 0.98, shape).round(3)


def _logits(*shape, scale=3.0):
    return (_rng.normal(0, scale, shape)).astype(_f32).round(3)


# NumPy building blocks for the planted mistakes.
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _bce(x, z):
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


VALUE_FUNCTION = Exercise(
    id="02.value_function",
    title="V(D, G) from D's outputs",
    reference=value_function,
    public=[
        Case("D = 1/2 everywhere", args=(np.full(4, 0.5), np.full(4, 0.5)), expected=-np.log(4.0)),
        Case("6 real and 3 fake outputs", args=(_probs(6), _probs(3))),
    ],
    hidden=[
        Case("a confident, correct D", args=(np.full(5, 0.999), np.full(8, 0.001))),
        Case("batches of shape (n, 1)", args=(_probs(7, 1), _probs(4, 1))),
        Case("large unequal batches", args=(_probs(50), _probs(20))),
    ],
    mistakes=[
        Mistake(
            "sign flipped",
            lambda d_real, d_fake: -(np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))),
            "V is a sum of logs of probabilities, so it is never positive: D maximises V, and D's *loss* is "
            "-V. Here you want V itself.",
        ),
        Mistake(
            "log D(G(z)) instead of log(1 - D(G(z)))",
            lambda d_real, d_fake: np.mean(np.log(d_real)) + np.mean(np.log(d_fake)),
            "the second term is log(1 - D(G(z))): D is rewarded for giving fakes a *low* probability.",
        ),
        Mistake(
            "one mean over both batches",
            lambda d_real, d_fake: np.mean(
                np.concatenate([np.log(d_real).ravel(), np.log(1 - d_fake).ravel()])
            ),
            "V has two expectations, one over real samples and one over noise: take one mean per batch and "
            "add them. One mean over both is half as large when the batches are equal, and wrong otherwise.",
        ),
        Mistake(
            "sums instead of means",
            lambda d_real, d_fake: np.sum(np.log(d_real)) + np.sum(np.log(1 - d_fake)),
            "the expectations are estimated by *means* over each batch, not sums (a sum grows with the "
            "batch size).",
        ),
    ],
)

_X = np.array([0.0, 0.5, 1.0])
_GRID = np.linspace(-3, 4, 12).reshape(3, 4)

OPTIMAL_DISCRIMINATOR = Exercise(
    id="02.optimal_discriminator",
    title="the optimal discriminator D*",
    reference=optimal_discriminator,
    public=[
        Case(
            "N(0,1) vs N(1,1) at x = 0, 0.5, 1",
            args=(_gauss(_X, 0, 1), _gauss(_X, 1, 1)),
            expected=np.array([0.622459, 0.5, 0.377541]),
        ),
        Case(
            "N(0,1) vs N(0,2^2) at x = 0",
            args=(_gauss(np.zeros(1), 0, 1), _gauss(np.zeros(1), 0, 2)),
            expected=np.array([2 / 3]),
        ),
    ],
    hidden=[
        Case("a 2-D grid of points", args=(_gauss(_GRID, 0, 1), _gauss(_GRID, 2, 0.5))),
        Case("where p_g is 0", args=(np.array([0.3, 0.2]), np.array([0.0, 0.1]))),
    ],
    mistakes=[
        Mistake(
            "p_g on top",
            lambda p_data, p_g: p_g / (p_data + p_g),
            "D(x) is the probability that x is *real*, so p_data goes on top: D* = p_data / (p_data + p_g).",
        ),
        Mistake(
            "the ratio p_data / p_g",
            lambda p_data, p_g: p_data / p_g,
            "D* is a probability, between 0 and 1: divide by p_data + p_g, not by p_g alone.",
        ),
        Mistake(
            "normalises over all x",
            lambda p_data, p_g: p_data / np.sum(p_data + p_g),
            "D* is computed point by point: at each x, p_data(x) / (p_data(x) + p_g(x)), no sum over x.",
        ),
    ],
)


def _kl_to_mid(p, q, log=np.log):
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * np.sum(p * log(p / m)) + 0.5 * np.sum(q * log(q / m))


def _dist(n):
    weights = _rng.uniform(0, 1, n)
    return weights / weights.sum()


JENSEN_SHANNON = Exercise(
    id="02.jensen_shannon",
    title="the Jensen-Shannon divergence in nats",
    reference=jensen_shannon,
    public=[
        Case(
            "p = [.5, .5, 0], q = [0, .5, .5]",
            args=(np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])),
            expected=0.5 * np.log(2.0),
        ),
        Case("two distributions on 6 points", args=(_dist(6), _dist(6))),
    ],
    hidden=[
        Case("disjoint supports", args=(np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.3, 0.7]))),
        Case("identical distributions", args=(np.full(5, 0.2), np.full(5, 0.2))),
        Case("20 points", args=(_dist(20), _dist(20))),
    ],
    mistakes=[
        Mistake(
            "0 * log 0 not handled",
            _kl_to_mid,
            "where p_i = 0 the term p_i log(p_i / m_i) is 0 (the limit), but NumPy computes 0 * -inf = nan. "
            "Sum only over the entries where p_i > 0 (and likewise for q).",
        ),
        Mistake(
            "KL(p || q) instead",
            lambda p, q: np.sum(p * np.log(p / q)),
            "the JSD compares p and q with their *average* m = (p + q) / 2: KL(p||m)/2 + KL(q||m)/2. "
            "KL(p||q) is not symmetric and is infinite where q = 0 < p.",
        ),
        Mistake(
            "in bits",
            lambda p, q: float(_kl_to_mid(np.where(p > 0, p, 1e-300), np.where(q > 0, q, 1e-300), np.log2)),
            "use the natural log: C(G) = -log 4 + 2 JSD holds in nats, and the JSD's maximum is "
            "ln 2 = 0.693.",
        ),
        Mistake(
            "forgets the halves",
            lambda p, q: 2 * jensen_shannon(p, q),
            "JSD = KL(p||m)/2 + KL(q||m)/2: each KL is weighted by one half, so the JSD is at most ln 2.",
        ),
    ],
)

_EXTREME = np.array([100.0, 0.0, 2.0, -100.0], dtype=_f32)

BCE_FROM_LOGITS = Exercise(
    id="02.bce_from_logits",
    title="binary cross-entropy from logits, stable",
    reference=bce_from_logits,
    rtol=1e-4,
    public=[
        Case(
            "logits 100, 0, 2, -100 with labels 0, 0, 1, 1",
            args=(_EXTREME, np.array([0.0, 0.0, 1.0, 1.0], dtype=_f32)),
            expected=np.array([100.0, LN2, 0.126928, 100.0]),
        ),
        Case("6 moderate logits", args=(_logits(6), _rng.integers(0, 2, 6).astype(_f32))),
        Case(
            # Beyond what exp() holds in float32 (88) and float64 (709): only a stable formula survives.
            "logits ±1000 with both labels",
            args=(np.array([1000.0, -1000.0, 1000.0, -1000.0], _f32), np.array([0, 1, 1, 0], dtype=_f32)),
            expected=np.array([1000.0, 1000.0, 0.0, 0.0]),
        ),
    ],
    hidden=[
        Case(
            "huge logits",
            args=(np.array([1e4, -1e4, 500.0, -500.0], dtype=_f32), np.array([0, 1, 1, 0], dtype=_f32)),
        ),
        Case("soft labels", args=(_logits(5), np.full(5, 0.9, dtype=_f32))),
        Case("a (3, 4) batch", args=(_logits(3, 4), _rng.integers(0, 2, (3, 4)).astype(_f32))),
    ],
    mistakes=[
        Mistake(
            "the naive formula",
            lambda logits, labels: (
                -labels * np.log(_sigmoid(logits)) - (1 - labels) * np.log(1 - _sigmoid(logits))
            ),
            "at large |logit| sigmoid rounds to exactly 0 or 1 and log gives -inf: rewrite the loss as "
            "max(x, 0) - x * z + log(1 + exp(-|x|)), which never takes the log of 0.",
        ),
        Mistake(
            "treats logits as probabilities",
            lambda logits, labels: -labels * np.log(logits) - (1 - labels) * np.log(1 - logits),
            "these are logits (any real number), not probabilities: log(x) of a logit is nan for x < 0. "
            "Use the from-logits formula.",
        ),
        Mistake(
            "sign flipped",
            lambda logits, labels: -_bce(logits, labels),
            "a cross-entropy is never negative: check the sign of each term.",
        ),
        Mistake(
            "takes the mean",
            lambda logits, labels: np.mean(_bce(logits, labels)),
            "return one loss per element, the same shape as logits; the losses that use it take the mean.",
        ),
    ],
)


def _d_loss(real, fake, real_target=1.0, fake_target=0.0, reduce=np.mean):
    return float(reduce(_bce(real, real_target)) + reduce(_bce(fake, fake_target)))


DISCRIMINATOR_LOSS = Exercise(
    id="02.discriminator_loss",
    title="D's loss from logits",
    reference=discriminator_loss,
    rtol=1e-4,
    public=[
        Case("all logits 0", args=(np.zeros(4, _f32), np.zeros(4, _f32)), expected=2 * LN2),
        Case("6 real and 3 fake logits", args=(_logits(6), _logits(3))),
        Case(
            "logits far beyond exp()'s range",
            args=(np.array([800.0, -900.0, 3.0], _f32), np.array([-1000.0, 750.0], _f32)),
            expected=900.0 / 3 + 750.0 / 2 + float(np.log1p(np.exp(-3.0))) / 3,
        ),
    ],
    hidden=[
        Case("extreme logits", args=(np.array([60.0, -80.0], _f32), np.array([-90.0, 70.0, 0.0], _f32))),
        Case("logits of shape (n, 1)", args=(_logits(8, 1), _logits(5, 1))),
        Case("a large batch", args=(_logits(64), _logits(64))),
    ],
    mistakes=[
        Mistake(
            "sign flipped",
            lambda real_logits, fake_logits: -_d_loss(real_logits, fake_logits),
            "D's loss is minimised: it is BCE(real, 1) + BCE(fake, 0) = -V, which is never negative.",
        ),
        Mistake(
            "probabilities passed as logits",
            lambda real_logits, fake_logits: _d_loss(_sigmoid(real_logits), _sigmoid(fake_logits)),
            "you applied the sigmoid before a from-logits loss, so it is applied twice: pass the logits "
            "themselves.",
        ),
        Mistake(
            "one mean over both batches",
            lambda real_logits, fake_logits: float(
                np.mean(np.concatenate([_bce(real_logits, 1.0).ravel(), _bce(fake_logits, 0.0).ravel()]))
            ),
            "take one mean over the real batch and one over the fake batch, then add them (two "
            "expectations in V).",
        ),
        Mistake(
            "labels swapped",
            lambda real_logits, fake_logits: _d_loss(real_logits, fake_logits, 0.0, 1.0),
            "real samples have label 1 and fakes label 0: D outputs the probability of *real*.",
        ),
        Mistake(
            "sums instead of means",
            lambda real_logits, fake_logits: _d_loss(real_logits, fake_logits, reduce=np.sum),
            "average over each batch instead of summing, so the loss does not grow with the batch size.",
        ),
    ],
)

GENERATOR_LOSS = Exercise(
    id="02.generator_loss",
    title="the non-saturating generator loss from logits",
    reference=generator_loss,
    rtol=1e-4,
    public=[
        Case("all logits 0", args=(np.zeros(3, _f32),), expected=LN2),
        Case("5 logits", args=(_logits(5),)),
        Case(
            "fakes rejected far beyond exp()'s range",
            args=(np.array([-1000.0, 900.0], _f32),),
            expected=500.0,
        ),
    ],
    hidden=[
        Case("fakes confidently rejected", args=(np.array([-100.0, -30.0, -8.0], _f32),)),
        Case("logits of shape (n, 1)", args=(_logits(6, 1),)),
    ],
    mistakes=[
        Mistake(
            "the saturating loss",
            lambda fake_logits: float(np.mean(-_bce(fake_logits, 0.0))),
            "that is the minimax loss log(1 - D(G(z))), whose gradient vanishes when D rejects the fakes. "
            "The non-saturating loss is -log D(G(z)) = BCE(fake logits, label 1).",
        ),
        Mistake(
            "sign flipped",
            lambda fake_logits: -float(np.mean(_bce(fake_logits, 1.0))),
            "the generator *minimises* -log D(G(z)), a positive number: check the sign.",
        ),
        Mistake(
            "probabilities passed as logits",
            lambda fake_logits: float(np.mean(_bce(_sigmoid(fake_logits), 1.0))),
            "you applied the sigmoid before a from-logits loss, so it is applied twice: pass the logits.",
        ),
        Mistake(
            "sums instead of means",
            lambda fake_logits: float(np.sum(_bce(fake_logits, 1.0))),
            "average over the batch instead of summing.",
        ),
    ],
)

SMOOTHED_DISCRIMINATOR_LOSS = Exercise(
    id="02.smoothed_discriminator_loss",
    title="D's loss with one-sided label smoothing",
    reference=smoothed_discriminator_loss,
    rtol=1e-4,
    public=[
        Case(
            "real logit ln 9, fake logit -2",
            args=(np.array([LN9], _f32), np.array([-2.0], _f32)),
            expected=0.325083 + 0.126928,
        ),
        Case("alpha = 0.8, 5 real and 4 fake logits", args=(_logits(5), _logits(4)), kwargs={"alpha": 0.8}),
        Case(
            "logits far beyond exp()'s range",
            args=(np.array([1000.0, -1000.0], _f32), np.array([-800.0, 900.0], _f32)),
            # real: BCE(1000, 0.9) = 0.1 * 1000, BCE(-1000, 0.9) = 0.9 * 1000; fake: BCE(900, 0) = 900
            expected=(100.0 + 900.0) / 2 + 900.0 / 2,
        ),
    ],
    hidden=[
        Case("logits of shape (n, 1)", args=(_logits(6, 1), _logits(6, 1))),
        Case("extreme logits", args=(np.array([50.0, -50.0], _f32), np.array([-60.0, 40.0], _f32))),
        Case("alpha = 1 is the plain loss", args=(_logits(4), _logits(4)), kwargs={"alpha": 1.0}),
    ],
    mistakes=[
        Mistake(
            "smooths both sides",
            lambda real_logits, fake_logits, alpha=0.9: _d_loss(real_logits, fake_logits, alpha, 1 - alpha),
            "*one-sided* smoothing changes only the real labels (1 -> alpha); fake labels stay 0. Smoothing "
            "the fakes too rewards D for calling fakes partly real, where p_data is 0.",
        ),
        Mistake(
            "Keras's label_smoothing",
            lambda real_logits, fake_logits, alpha=0.9: _d_loss(
                real_logits, fake_logits, 1 - (1 - alpha) / 2, (1 - alpha) / 2
            ),
            "that is what Keras's label_smoothing=0.1 does: both sides, 1 -> 0.95 and 0 -> 0.05. One-sided "
            "smoothing uses target alpha for real samples and 0 for fakes.",
        ),
        Mistake(
            "smooths the fakes only",
            lambda real_logits, fake_logits, alpha=0.9: _d_loss(real_logits, fake_logits, 1.0, 1 - alpha),
            "smooth the *real* labels (1 -> alpha) and leave the fakes at 0.",
        ),
        Mistake(
            "ignores alpha",
            lambda real_logits, fake_logits, alpha=0.9: _d_loss(real_logits, fake_logits),
            "the real samples' target is alpha (0.9 by default), not 1.",
        ),
    ],
)

EXERCISES = [
    VALUE_FUNCTION,
    OPTIMAL_DISCRIMINATOR,
    JENSEN_SHANNON,
    BCE_FROM_LOGITS,
    DISCRIMINATOR_LOSS,
    GENERATOR_LOSS,
    SMOOTHED_DISCRIMINATOR_LOSS,
]
