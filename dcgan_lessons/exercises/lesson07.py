"""Lesson 07's exercises: the WGAN critic loss, the gradient penalty, the hinge losses, one power-iteration
step of spectral normalisation, and the 1-D Wasserstein distance. References: losses/stabilisers.py.
"""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Mistake
from ..losses.stabilisers import (
    critic_loss,
    gradient_penalty,
    hinge_losses,
    power_iteration_step,
    wasserstein_1d,
)

_rng = np.random.default_rng(7)  # fixed cases: the same for every learner and every run


def _scores(*shape):
    return _rng.normal(0, 2, shape).round(3)


CRITIC_LOSS = Exercise(
    id="07.critic_loss",
    title="the WGAN critic's loss",
    reference=critic_loss,
    public=[
        Case("real scores 1 and 3, fake scores 0", args=(np.array([1.0, 3.0]), np.zeros(2)), expected=-2.0),
        Case("5 real and 3 fake scores", args=(_scores(5), _scores(3))),
    ],
    hidden=[Case("scores of shape (n, 1)", args=(_scores(6, 1), _scores(4, 1)))],
    mistakes=[
        Mistake(
            "sign flipped",
            lambda real, fake: float(np.mean(real) - np.mean(fake)),
            "the critic *minimises* its loss, and it should rate real images higher: the loss is "
            "E[D(G(z))] - E[D(x)], fake minus real.",
        ),
        Mistake(
            "BCE of the scores",
            lambda real, fake: float(np.mean(np.logaddexp(0, -real)) + np.mean(np.logaddexp(0, fake))),
            "a critic gives scores, not logits of probabilities: no sigmoid, no log, just the means.",
        ),
        Mistake(
            "sums instead of means",
            lambda real, fake: float(np.sum(fake) - np.sum(real)),
            "the expectations are means over each batch, not sums.",
        ),
    ],
)


def _linear(w):
    w = np.asarray(w, dtype=np.float64)
    return lambda x: np.broadcast_to(w, np.shape(x)).copy()


def _square(x):  # the critic D(x) = ||x||^2 / 2 has gradient x: the interpolates matter
    return np.array(x, dtype=np.float64)


def _gp_case_images():
    real, fake = _rng.normal(size=(3, 2, 2, 1)).round(3), _rng.normal(size=(3, 2, 2, 1)).round(3)
    return real, fake, np.array([0.2, 0.5, 0.9])


def _norms(grads):
    return np.sqrt(np.sum(np.reshape(grads, (len(grads), -1)) ** 2, axis=1))


def _hat(real, fake, eps):
    eps = np.reshape(eps, (-1,) + (1,) * (np.ndim(real) - 1))
    return eps * real + (1 - eps) * fake


GRADIENT_PENALTY = Exercise(
    id="07.gradient_penalty",
    title="the WGAN-GP gradient penalty",
    reference=gradient_penalty,
    public=[
        Case(
            "linear critic w = (3, 4): 10 * (5 - 1)^2",
            args=(
                _linear([3.0, 4.0]),
                _rng.normal(size=(4, 2)),
                _rng.normal(size=(4, 2)),
                _rng.uniform(size=4),
            ),
            expected=160.0,
        ),
        Case(
            "critic ||x||^2 / 2 on points", args=(_square, _scores(5, 3), _scores(5, 3), _rng.uniform(size=5))
        ),
        Case("critic ||x||^2 / 2 on (3, 2, 2, 1) images", args=(_square, *_gp_case_images())),
        Case(
            "linear critic, lambda = 1",
            args=(_linear([0.6, 0.0]), np.zeros((2, 2)), np.ones((2, 2)), np.array([0.3, 0.7])),
            kwargs={"weight": 1.0},
            expected=0.16,
        ),
    ],
    hidden=[
        Case(
            "critic ||x||^2 / 2, larger batch",
            args=(_square, _scores(9, 4), _scores(9, 4), _rng.uniform(size=9)),
        )
    ],
    mistakes=[
        Mistake(
            "norm over the last axis only",
            lambda g, r, f, e, weight=10.0: float(
                weight * np.mean((np.linalg.norm(g(_hat(r, f, e)), axis=-1) - 1) ** 2)
            ),
            "take one gradient norm per *sample*: over all axes except the batch axis (flatten each "
            "sample's gradient first).",
        ),
        Mistake(
            "the squared norm",
            lambda g, r, f, e, weight=10.0: float(weight * np.mean((_norms(g(_hat(r, f, e))) ** 2 - 1) ** 2)),
            "penalise (||g|| - 1)^2 with the norm itself, not its square.",
        ),
        Mistake(
            "eps on the fakes",
            lambda g, r, f, e, weight=10.0: float(weight * np.mean((_norms(g(_hat(f, r, e))) - 1) ** 2)),
            "x_hat = eps * real + (1 - eps) * fake: eps multiplies the real samples.",
        ),
        Mistake(
            "one-sided penalty",
            lambda g, r, f, e, weight=10.0: float(
                weight * np.mean(np.maximum(_norms(g(_hat(r, f, e))) - 1, 0) ** 2)
            ),
            "the paper's penalty is two-sided: (||g|| - 1)^2 also pulls norms below 1 up to 1.",
        ),
        Mistake(
            "forgets lambda",
            lambda g, r, f, e, weight=10.0: float(np.mean((_norms(g(_hat(r, f, e))) - 1) ** 2)),
            "multiply the mean by the weight lambda (10 in the paper).",
        ),
    ],
)

HINGE_LOSSES = Exercise(
    id="07.hinge_losses",
    title="the hinge losses of D and G",
    reference=hinge_losses,
    item_labels=("D's loss", "G's loss"),
    public=[
        Case(
            "real 2, 0.5; fake -3, 0",
            args=(np.array([2.0, 0.5]), np.array([-3.0, 0.0])),
            expected=(0.75, 1.5),
        ),
        Case("4 real and 6 fake scores", args=(_scores(4), _scores(6))),
    ],
    hidden=[Case("scores of shape (n, 1)", args=(_scores(5, 1), _scores(5, 1)))],
    mistakes=[
        Mistake(
            "no relu in D's loss",
            lambda r, f: (float(np.mean(1 - r) + np.mean(1 + f)), float(-np.mean(f))),
            "D's loss is relu(1 - D(x)) + relu(1 + D(G(z))): scores beyond the margin (real > 1, fake < -1) "
            "cost nothing.",
        ),
        Mistake(
            "hinge for G too",
            lambda r, f: hinge_losses(r, f)[:1] + (float(np.mean(np.maximum(0, 1 - f))),),
            "G's loss is simply -E[D(G(z))], not a hinge: G should keep raising its scores.",
        ),
        Mistake(
            "signs inside the relus swapped",
            lambda r, f: (
                float(np.mean(np.maximum(0, 1 + r)) + np.mean(np.maximum(0, 1 - f))),
                float(-np.mean(f)),
            ),
            "D wants real scores above +1 and fake ones below -1: relu(1 - D(x)) and relu(1 + D(G(z))).",
        ),
    ],
)

_W = _rng.normal(size=(3, 5)).round(3)
_U = _rng.normal(size=3).round(3)

POWER_ITERATION_STEP = Exercise(
    id="07.power_iteration_step",
    title="one step of power iteration (spectral norm)",
    reference=power_iteration_step,
    item_labels=("sigma", "the new u"),
    public=[
        Case(
            "W = [[1, 2], [3, 4]], u = (1, 0)",
            args=(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 0.0])),
        ),
        Case("a 3x5 W", args=(_W, _U)),
    ],
    hidden=[Case("a 4x2 W", args=(_rng.normal(size=(4, 2)), _rng.normal(size=4)))],
    mistakes=[
        Mistake(
            "the exact norm",
            lambda w, u: (float(np.linalg.norm(w, 2)), np.linalg.svd(w)[0][:, 0]),
            "one step of power iteration only *estimates* sigma (from below); the estimate improves over "
            "training updates. Compute v, then u, then sigma = u^T W v from the given u.",
        ),
        Mistake(
            "sigma with the old u",
            lambda w, u: (
                float(u @ w @ (w.T @ u / np.linalg.norm(w.T @ u))),
                (w @ (w.T @ u)) / np.linalg.norm(w @ (w.T @ u)),
            ),
            "sigma = u^T W v uses the *new* u (computed from v), not the one passed in.",
        ),
        Mistake(
            "no normalisation",
            lambda w, u: (float(np.linalg.norm(w @ (w.T @ u))), w @ (w.T @ u)),
            "normalise v and u to unit length at each step; otherwise they grow without bound.",
        ),
    ],
)

WASSERSTEIN_1D = Exercise(
    id="07.wasserstein_1d",
    title="the 1-D Wasserstein distance",
    reference=wasserstein_1d,
    public=[
        Case(
            "[0, 1, 3] vs [5, 6, 8]",
            args=(np.array([0.0, 1.0, 3.0]), np.array([5.0, 6.0, 8.0])),
            expected=5.0,
        ),
        Case("unsorted: [3, 0] vs [0, 1]", args=(np.array([3.0, 0.0]), np.array([0.0, 1.0])), expected=1.0),
        Case("crossing: [4, 0] vs [1, 2]", args=(np.array([4.0, 0.0]), np.array([1.0, 2.0])), expected=1.5),
        Case(
            "normal vs exponential samples",
            args=(_rng.normal(size=20).round(3), _rng.exponential(size=20).round(3)),
        ),
    ],
    hidden=[Case("40 points", args=(_rng.normal(size=40), _rng.uniform(-2, 2, 40)))],
    mistakes=[
        Mistake(
            "no sorting",
            lambda x, y: float(np.mean(np.abs(np.asarray(x) - np.asarray(y)))),
            "pair the i-th smallest point of x with the i-th smallest of y: sort both samples first.",
        ),
        Mistake(
            "difference of means",
            lambda x, y: float(abs(np.mean(x) - np.mean(y))),
            "|mean x - mean y| is the distance only when one sample is a shifted copy of the other: "
            "average the gaps between the sorted samples.",
        ),
        Mistake(
            "squared gaps",
            lambda x, y: float(np.mean((np.sort(x) - np.sort(y)) ** 2)),
            "W1 averages the *absolute* gaps |x_(i) - y_(i)|, not their squares.",
        ),
    ],
)

EXERCISES = [CRITIC_LOSS, GRADIENT_PENALTY, HINGE_LOSSES, POWER_ITERATION_STEP, WASSERSTEIN_1D]
