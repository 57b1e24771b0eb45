"""Lesson 01's exercises: the ring of 8 Gaussians, the mode-coverage metrics, one round of Algorithm 1,
D's accuracy for reading a training curve, and where a G step pushes each sample of the 2-D game."""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Mistake
from ..losses.minimax import discriminator_accuracy
from ..toy.distributions import ring_centers, sample_ring
from ..toy.gan_1d import alternating_step
from ..toy.gan_2d import generator_pull
from ..toy.mode_coverage import mode_coverage

_rng = np.random.default_rng(1)  # fixed cases: the same for every learner and every run

RING_CENTERS = Exercise(
    id="01.ring_centers",
    title="the centres of a ring of Gaussians",
    reference=ring_centers,
    rtol=1e-4,
    atol=1e-5,
    public=[
        Case("8 modes on a circle of radius 2", args=(8, 2.0)),
        Case(
            "4 modes on the unit circle", args=(4, 1.0), expected=np.array([[1, 0], [0, 1], [-1, 0], [0, -1]])
        ),
    ],
    hidden=[Case("3 modes, radius 1.5", args=(3, 1.5)), Case("25 modes, radius 0.5", args=(25, 0.5))],
    mistakes=[
        Mistake(
            "includes the endpoint",
            lambda modes, radius: (
                radius * np.stack([np.cos(a := np.linspace(0, 2 * np.pi, modes)), np.sin(a)], axis=1)
            ),
            "your last centre lands on your first: np.linspace(0, 2*pi, modes) includes 2*pi, which is the "
            "same angle as 0, so you have one mode fewer than asked. Use endpoint=False.",
        ),
        Mistake(
            "angles in degrees",
            lambda modes, radius: (
                radius
                * np.stack([np.cos(a := np.linspace(0, 360, modes, endpoint=False)), np.sin(a)], axis=1)
            ),
            "np.cos and np.sin take radians: the angles go from 0 to 2*pi, not 0 to 360.",
        ),
        Mistake(
            "sine and cosine swapped",
            lambda modes, radius: (
                radius
                * np.stack([np.sin(a := np.linspace(0, 2 * np.pi, modes, endpoint=False)), np.cos(a)], axis=1)
            ),
            "x is radius * cos(angle) and y is radius * sin(angle), so the first centre is (radius, 0).",
        ),
        Mistake(
            "forgets the radius",
            lambda modes, radius: np.stack(
                [np.cos(a := np.linspace(0, 2 * np.pi, modes, endpoint=False)), np.sin(a)], axis=1
            ),
            "all your centres are at distance 1 from the origin: multiply by the radius.",
        ),
    ],
)

_STD = 0.05
_RING = sample_ring(400, std=_STD, seed=11)
_ONE_MODE = sample_ring(400, modes=1, std=_STD, seed=12)  # one mode, at (2, 0)
_NOISY = np.concatenate([_RING[:200], _rng.uniform(-3, 3, (200, 2)).astype(np.float32)])
# Three modes, some samples just inside 3 std of a centre and some between 1 and 3 std (counted by the
# right metric, missed by a 1-std threshold), plus one far outlier next to a fourth mode.
_CENTERS = ring_centers(8, 2.0)
_HANDMADE = np.concatenate(
    [
        _CENTERS[0] + [[0.0, 0.0], [2.5 * _STD, 0.0]],
        _CENTERS[2] + [[0.0, 2.9 * _STD]],
        _CENTERS[5] + [[0.0, 0.0]],
        _CENTERS[6] + [[0.0, 5 * _STD]],
    ]
).astype(np.float32)


# Modes closer than 6 std: a sample can be within 3 std of two centres and captures only its nearest one;
# and a sample 2.5 std off a centre along both axes lies inside the 3-std box but outside the 3-std circle.
_CLOSE_CENTERS = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
_CLOSE_SAMPLES = np.array([[0.45, 0.0], [5.6, 5.6], [0.0, 0.1], [3.0, -3.0]])


def _mode_coverage_mistake(threshold_in_std=3.0, hq_only=True, percent=False):
    def answer(samples, centers, std):
        distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
        good = distances.min(axis=1) <= threshold_in_std * std
        nearest = distances.argmin(axis=1)
        modes = len(np.unique(nearest[good] if hq_only else nearest))
        return modes, float(good.mean()) * (100.0 if percent else 1.0)

    return answer


MODE_COVERAGE = Exercise(
    id="01.mode_coverage",
    title="modes captured and share of high-quality samples",
    reference=mode_coverage,
    integers=True,
    item_labels=("the number of modes captured", "the share of high-quality samples"),
    public=[
        Case("hand-placed samples near 4 of 8 modes", args=(_HANDMADE, _CENTERS, _STD), expected=(3, 0.8)),
        Case("half real samples, half uniform noise", args=(_NOISY, _CENTERS, _STD)),
        Case(
            "modes closer than 6 std, a sample off a centre diagonally",
            args=(_CLOSE_SAMPLES, _CLOSE_CENTERS, 0.25),
            expected=(1, 0.5),
        ),
    ],
    hidden=[
        Case("real ring samples", args=(_RING, _CENTERS, _STD)),
        Case("a collapsed generator", args=(_ONE_MODE, _CENTERS, _STD)),
        Case(
            "a 25-mode grid",
            args=(
                _rng.uniform(-4, 4, (300, 2)),
                np.stack(np.meshgrid(*[np.arange(-4, 5, 2.0)] * 2), -1).reshape(-1, 2),
                0.5,
            ),
        ),
    ],
    mistakes=[
        Mistake(
            "counts modes of all samples",
            _mode_coverage_mistake(hq_only=False),
            "a mode counts as captured only when a *high-quality* sample (within 3 std) has it as its "
            "nearest mode; a sample far from every mode captures nothing.",
        ),
        Mistake(
            "threshold of 1 std",
            _mode_coverage_mistake(threshold_in_std=1.0),
            "high quality means within 3 standard deviations of the nearest centre, not 1.",
        ),
        Mistake(
            "returns a percentage",
            _mode_coverage_mistake(percent=True),
            "return the share of high-quality samples as a fraction between 0 and 1, not a percentage.",
        ),
    ],
)


class RecordingGAN:
    """Stands in for a ToyGAN in the checks: its losses reveal the order in which steps were taken."""

    def __init__(self):
        self.calls = []

    def d_step(self, real_batch):
        self.calls.append("D")
        return float(np.mean(real_batch)) + len(self.calls)

    def g_step(self):
        self.calls.append("G")
        return 10.0 * len(self.calls)


def _batches(k):
    return [_rng.normal(size=(4, 1)).round(2).astype(np.float32) for _ in range(k)]


def _g_first(gan, real_batches):
    g_loss = gan.g_step()
    return float(np.mean([gan.d_step(b) for b in real_batches])), g_loss


def _interleaved(gan, real_batches):
    d_losses, g_losses = [], []
    for batch in real_batches:
        d_losses.append(gan.d_step(batch))
        g_losses.append(gan.g_step())
    return float(np.mean(d_losses)), g_losses[-1]


ALTERNATING_STEP = Exercise(
    id="01.alternating_step",
    title="one round of Algorithm 1: k D steps, then one G step",
    reference=alternating_step,
    item_labels=("the mean D loss", "the G loss"),
    public=[
        Case("k = 1", args=(RecordingGAN(), _batches(1))),
        Case("k = 3", args=(RecordingGAN(), _batches(3))),
    ],
    hidden=[
        Case("k = 5", args=(RecordingGAN(), _batches(5))),
        Case("k = 2", args=(RecordingGAN(), _batches(2))),
    ],
    mistakes=[
        Mistake(
            "G step first",
            _g_first,
            "the G step comes after the k D steps: D first learns to tell the current fakes apart, then G "
            "follows D's (fresh) gradient.",
        ),
        Mistake(
            "a G step after every D step",
            _interleaved,
            "take all k D steps first, and only one G step per round.",
        ),
        Mistake(
            "one D step whatever k",
            lambda gan, real_batches: (gan.d_step(real_batches[0]), gan.g_step()),
            "use every batch in real_batches: k = len(real_batches) D steps, one per batch.",
        ),
        Mistake(
            "returns the last D loss",
            lambda gan, real_batches: ([gan.d_step(b) for b in real_batches][-1], gan.g_step()),
            "return the mean of the k D losses, not the last one.",
        ),
    ],
)


def _probs(n):
    return _rng.uniform(0.01, 0.99, n).round(3)


DISCRIMINATOR_ACCURACY = Exercise(
    id="01.discriminator_accuracy",
    title="D's accuracy on real and fake samples",
    reference=discriminator_accuracy,
    public=[
        Case(
            "a few hand-picked outputs, three exactly 0.5",
            args=(np.array([0.9, 0.6, 0.3, 0.5, 0.5]), np.array([0.2, 0.7, 0.5])),
            expected=5 / 8,  # 0.5 counts as "real": right for the real 0.5s, wrong for the fake one
        ),
        Case("8 real and 2 fake", args=(_probs(8), _probs(2))),
    ],
    hidden=[
        Case("a perfect discriminator", args=(np.full(5, 0.99), np.full(7, 0.01))),
        Case("unequal batches", args=(_probs(30), _probs(10))),
        Case("a batch of shape (n, 1)", args=(_probs(6)[:, None], _probs(6)[:, None])),
    ],
    mistakes=[
        Mistake(
            "labels swapped",
            lambda d_real, d_fake: (
                (np.sum(d_real < 0.5) + np.sum(d_fake >= 0.5)) / (d_real.size + d_fake.size)
            ),
            "D(x) is the probability that x is *real*: a real sample is classified correctly when "
            "D(x) >= 0.5, a fake one when D(x) < 0.5.",
        ),
        Mistake(
            "averages the two accuracies",
            lambda d_real, d_fake: float((np.mean(d_real >= 0.5) + np.mean(d_fake < 0.5)) / 2),
            "count correct samples over all samples: the mean of the two accuracies weighs a small fake "
            "batch as much as a large real one.",
        ),
        Mistake(
            "only the real samples",
            lambda d_real, d_fake: float(np.mean(d_real >= 0.5)),
            "include the fake samples: a D that calls everything real scores 100% on real samples alone.",
        ),
    ],
)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-np.asarray(a, dtype=np.float64)))


def _pull_mistake(weight):
    """A wrong generator_pull whose per-sample factor is weight(D, logits, loss)."""

    def answer(logits, logit_grads, loss="non-saturating"):
        logits = np.asarray(logits, dtype=np.float64)
        return weight(_sigmoid(logits), logits, loss)[:, None] * np.asarray(logit_grads, dtype=np.float64)

    return answer


# Hand-picked logits: D(x) = 0.5, about 0.88, 0.05, 0.62 and 0.01; gradients along the axes and the
# diagonals. Five samples (ten values), so that feedback shows a differing value, never the whole answer.
_PULL_LOGITS = np.array([0.0, 2.0, -3.0, 0.5, -4.6])
_PULL_GRADS = np.array([[1.0, 0.0], [0.0, -2.0], [1.5, 1.5], [-0.5, 0.25], [2.0, -1.0]])

GENERATOR_PULL = Exercise(
    id="01.generator_pull",
    title="where a G step pushes each generated sample (the explorer's arrows)",
    reference=generator_pull,
    public=[
        Case("non-saturating loss, five samples", args=(_PULL_LOGITS, _PULL_GRADS, "non-saturating")),
        Case("saturating loss, the same samples", args=(_PULL_LOGITS, _PULL_GRADS, "saturating")),
    ],
    hidden=[
        Case(
            "random samples, non-saturating",
            args=(_rng.normal(0, 3, 12).round(2), _rng.normal(size=(12, 2)).round(2), "non-saturating"),
        ),
        Case("confident D, saturating", args=(np.array([-12.0, 9.0]), np.ones((2, 2)), "saturating")),
        Case("one sample", args=(np.array([0.7]), np.array([[0.2, -0.4]]), "non-saturating")),
    ],
    mistakes=[
        Mistake(
            "ignores the loss argument",
            _pull_mistake(lambda d, a, loss: 1.0 - d),
            "your saturating arrows are the non-saturating ones: the factor depends on `loss`, D(x) for "
            "log(1 - D(x)) and 1 - D(x) for -log D(x).",
        ),
        Mistake(
            "factors swapped",
            _pull_mistake(lambda d, a, loss: d if loss == "non-saturating" else 1.0 - d),
            "differentiate each loss: d/da[-log sigmoid(a)] = -(1 - D) and d/da[log(1 - sigmoid(a))] = -D, "
            "so the non-saturating pull is (1 - D(x)) * grad a(x) and the saturating one D(x) * grad a(x).",
        ),
        Mistake(
            "the gradient, not minus it",
            _pull_mistake(lambda d, a, loss: -(1.0 - d) if loss == "non-saturating" else -d),
            "a G step moves *against* the gradient of G's loss: return minus the gradient, so that the "
            "arrows point uphill on D (toward where D says real).",
        ),
        Mistake(
            "no chain-rule factor",
            _pull_mistake(lambda d, a, loss: np.ones_like(d)),
            "G's loss depends on x through D(x) = sigmoid(a(x)): multiply grad a(x) by the derivative of "
            "the loss with respect to the logit (chain rule).",
        ),
        Mistake(
            "the gradient of D itself",
            _pull_mistake(lambda d, a, loss: d * (1.0 - d)),
            "D(x) * (1 - D(x)) * grad a(x) is the gradient of D(x), not of G's loss: the log in the loss "
            "divides by D(x) (or 1 - D(x)) and cancels one of the two factors.",
        ),
        Mistake(
            "averaged over the batch",
            _pull_mistake(lambda d, a, loss: ((1.0 - d) if loss == "non-saturating" else d) / len(d)),
            "return each sample's own pull, not its share of the batch mean: do not divide by n.",
        ),
    ],
)

EXERCISES = [RING_CENTERS, MODE_COVERAGE, ALTERNATING_STEP, DISCRIMINATOR_ACCURACY, GENERATOR_PULL]
