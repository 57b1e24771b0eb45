"""What stabilises GAN training (lesson 07): the Wasserstein critic with a gradient penalty, the hinge loss,
spectral normalisation and the two time-scale update rule, each with the paper its constants come from.

- **WGAN-GP** (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", Algorithm 1): the critic D
  outputs a score, not a probability, and minimises
  E[D(G(z))] - E[D(x)] + lambda * E[(||grad D(x_hat)|| - 1)^2]
  with x_hat = eps * x + (1 - eps) * G(z), eps ~ U[0, 1] per sample; G minimises -E[D(G(z))].
  Constants: lambda = 10, n_critic = 5 critic updates per generator update, Adam(lr 1e-4, beta_1 0,
  beta_2 0.9), and no BatchNorm in the critic (the penalty is per sample; BatchNorm mixes samples).
- **Hinge loss** (Lim & Ye 2017; Miyato et al. 2018, eq. 17): D minimises E[relu(1 - D(x))] +
  E[relu(1 + D(G(z)))], G minimises -E[D(G(z))].
- **Spectral normalisation** (Miyato et al. 2018, Algorithm 1): every weight matrix W of D is divided by
  its largest singular value sigma(W), estimated by *one* step of power iteration per update, reusing the
  vector u from the last update: v = W^T u / ||W^T u||, u = W v / ||W v||, sigma = u^T W v.
  A convolution kernel (kh, kw, in, out) is read as the (out, kh * kw * in) matrix.
- **TTUR** (Heusel et al. 2017): D and G get their own learning rates, D's larger. The values used here,
  D 4e-4 and G 1e-4 with Adam(beta_1 0, beta_2 0.9), are those of SAGAN (Zhang et al. 2018), which
  combined TTUR with spectral normalisation and the hinge loss.

The NumPy functions (`critic_loss`, `gradient_penalty`, `hinge_losses`, `power_iteration_step`,
`wasserstein_1d`) are the references of lesson 07's exercises; the `*_ops` losses are the same formulas in
`keras.ops`, for the training steps in dcgan/stable_gan.py on either backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..course.validation import as_array, describe, require_choice

LOSSES = ("bce", "wgan-gp", "hinge")
GP_WEIGHT = 10.0  # lambda, Gulrajani et al. 2017, Algorithm 1
N_CRITIC = 5  # critic updates per generator update, ibid.


@dataclass(frozen=True)
class OptimizerSettings:
    """Adam's settings for one loss: learning rates of D and G, beta_1, beta_2, and D steps per G step."""

    d_learning_rate: float
    g_learning_rate: float
    beta_1: float
    beta_2: float
    n_critic: int
    source: str


OPTIMIZER_DEFAULTS = {
    "bce": OptimizerSettings(2e-4, 2e-4, 0.5, 0.999, 1, "Radford et al. 2015 (DCGAN)"),
    "wgan-gp": OptimizerSettings(1e-4, 1e-4, 0.0, 0.9, N_CRITIC, "Gulrajani et al. 2017, Algorithm 1"),
    # TTUR (Heusel et al. 2017) with the rates SAGAN (Zhang et al. 2018) used for hinge + spectral norm.
    "hinge": OptimizerSettings(4e-4, 1e-4, 0.0, 0.9, 1, "TTUR (Heusel et al. 2017), SAGAN's values"),
}


def optimizer_defaults(loss: str) -> OptimizerSettings:
    """The paper's optimiser settings for `loss` ("bce", "wgan-gp" or "hinge")."""
    return OPTIMIZER_DEFAULTS[require_choice(loss, "loss", LOSSES)]


# ---- NumPy references (lesson 07's exercises) ------------------------------------------------------------


def _scores(values, name: str) -> np.ndarray:
    array = as_array(values, name)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be an array of numbers, got {describe(array)}.")
    return array.astype(np.float64)


def critic_loss(real_scores, fake_scores) -> float:
    """WGAN critic loss, minimised: E[D(G(z))] - E[D(x)] (scores, not probabilities: no sigmoid, no log).

    Its negative estimates the Wasserstein-1 distance when D is 1-Lipschitz.
    """
    return float(_scores(fake_scores, "fake_scores").mean() - _scores(real_scores, "real_scores").mean())


def interpolates(real, fake, epsilon) -> np.ndarray:
    """x_hat = eps * real + (1 - eps) * fake, one eps per sample broadcast over the other axes."""
    real, fake = _scores(real, "real"), _scores(fake, "fake")
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {real.shape} and {fake.shape}.")
    epsilon = _scores(epsilon, "epsilon").reshape((-1,) + (1,) * (real.ndim - 1))
    return epsilon * real + (1.0 - epsilon) * fake


def gradient_penalty(critic_gradient, real, fake, epsilon, weight: float = GP_WEIGHT) -> float:
    """lambda * E[(||grad D(x_hat)||_2 - 1)^2] at the interpolates (Gulrajani et al. 2017).

    Args:
        critic_gradient: a function x -> the gradient of the critic's score with respect to x, per sample
            (same shape as x).
        real, fake: batches of the same shape (batch, ...).
        epsilon: one number in [0, 1] per sample, shape (batch,): x_hat = eps * real + (1 - eps) * fake.
        weight: lambda (10 in the paper).
    The norm is taken over *all* axes but the batch axis: one gradient norm per sample.
    """
    x_hat = interpolates(real, fake, epsilon)
    grads = _scores(critic_gradient(x_hat), "critic_gradient(x_hat)")
    norms = np.sqrt(np.sum(grads.reshape(len(grads), -1) ** 2, axis=1))
    return float(weight * np.mean((norms - 1.0) ** 2))


def hinge_losses(real_scores, fake_scores) -> tuple[float, float]:
    """(D's hinge loss, G's loss): E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] and -E[D(G(z))]."""
    real, fake = _scores(real_scores, "real_scores"), _scores(fake_scores, "fake_scores")
    d_loss = np.maximum(0.0, 1.0 - real).mean() + np.maximum(0.0, 1.0 + fake).mean()
    return float(d_loss), float(-fake.mean())


def power_iteration_step(weights, u):
    """One step of power iteration (Miyato et al. 2018, Algorithm 1): returns (sigma, new u).

    W has shape (m, n) and u shape (m,):  v = W^T u / ||W^T u||,  u' = W v / ||W v||,  sigma = u'^T W v.
    Repeated, sigma converges to W's largest singular value, `np.linalg.norm(W, 2)`, from below.
    """
    w = _scores(weights, "weights")
    u = _scores(u, "u")
    if w.ndim != 2 or u.shape != (w.shape[0],):
        raise ValueError(f"expected W of shape (m, n) and u of shape (m,), got {w.shape} and {u.shape}.")
    v = w.T @ u
    v = v / np.linalg.norm(v)
    wv = w @ v
    u_new = wv / np.linalg.norm(wv)
    return float(u_new @ wv), u_new


def spectral_norm_estimate(weights, steps: int, seed: int = 0) -> list[float]:
    """sigma after each of `steps` power-iteration steps from a random u: the estimate's convergence."""
    w = _scores(weights, "weights")
    u = np.random.default_rng(seed).standard_normal(w.shape[0])
    estimates = []
    for _ in range(steps):
        sigma, u = power_iteration_step(w, u)
        estimates.append(sigma)
    return estimates


def wasserstein_1d(x, y) -> float:
    """Wasserstein-1 (earth mover's) distance between two 1-D samples of equal size: mean |sort x - sort y|.

    In 1-D the optimal transport plan moves the i-th smallest point of one sample to the i-th smallest of
    the other, so the distance is the mean gap between the sorted samples (`scipy.stats.wasserstein_distance`
    computes the same for equal sizes).
    """
    x, y = _scores(x, "x").ravel(), _scores(y, "y").ravel()
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"expected two non-empty samples of the same size, got {len(x)} and {len(y)}.")
    return float(np.mean(np.abs(np.sort(x) - np.sort(y))))


def point_mass_distances(theta) -> dict[str, float]:
    """Arjovsky et al.'s Example 1: p_data = delta_0, p_g = delta_theta. W, JSD and KL as theta moves.

    W = |theta| shrinks smoothly as G moves towards the data; the JSD stays log 2 (and KL infinite) for
    every theta != 0, so its gradient tells G nothing.
    """
    theta = float(theta)
    apart = theta != 0.0
    return {
        "wasserstein": abs(theta),
        "jsd": float(np.log(2.0)) if apart else 0.0,
        "kl": float("inf") if apart else 0.0,
    }


# ---- keras.ops versions, for the training steps (TensorFlow and JAX) ------------------------------------


def critic_loss_ops(real_scores, fake_scores):
    from keras import ops

    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss_ops(fake_scores):
    """G's loss for both WGAN and hinge: -E[D(G(z))]."""
    from keras import ops

    return -ops.mean(fake_scores)


def hinge_discriminator_loss_ops(real_scores, fake_scores):
    from keras import ops

    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def penalty_from_gradients_ops(grads):
    """E[(||g|| - 1)^2], the norm over all non-batch axes (a tiny epsilon keeps sqrt's gradient finite)."""
    from keras import ops

    flat = ops.reshape(grads, (ops.shape(grads)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))
