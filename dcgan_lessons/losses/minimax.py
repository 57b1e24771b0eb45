"""The GAN losses, from the minimax value function to the binary cross-entropy a DCGAN trains with.

Lesson 02 derives each of these and checks it numerically; lesson 01's toy GAN and lesson 05's DCGAN
train with `discriminator_loss` and `generator_loss`. The theory functions (`value_function`,
`optimal_discriminator`, `jensen_shannon`) work on NumPy arrays of probabilities and densities; the
training losses take *logits* (the discriminator's output before the sigmoid) and are written with
`keras.ops`, so they accept NumPy arrays and backend tensors alike and gradients flow through them.
"""

from __future__ import annotations

import numpy as np

from ..course.validation import as_array, describe

LOG_4 = float(np.log(4.0))  # -V(D, G) when D is 1/2 everywhere: the value of the game at equilibrium


def _probabilities(values, name: str) -> np.ndarray:
    """A float64 array of numbers in [0, 1], or raise."""
    array = as_array(values, name)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must hold numbers, got {describe(array)}.")
    array = array.astype(np.float64)
    if array.size and (np.nanmin(array) < 0 or np.nanmax(array) > 1):
        raise ValueError(
            f"{name} must be probabilities in [0, 1], got values in [{array.min():.4g}, {array.max():.4g}] "
            "(pass D's probabilities here, not its logits)."
        )
    return array


def value_function(d_real, d_fake) -> float:
    """V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))], the expectations estimated by batch means.

    Args:
        d_real: D's probabilities on real samples, any shape.
        d_fake: D's probabilities on generated samples, any shape (the two sizes may differ).
    """
    d_real = _probabilities(d_real, "d_real")
    d_fake = _probabilities(d_fake, "d_fake")
    with np.errstate(divide="ignore"):  # log 0 = -inf is the right value for a certain mistake
        return float(np.mean(np.log(d_real)) + np.mean(np.log1p(-d_fake)))


def optimal_discriminator(p_data, p_g, alpha: float = 1.0) -> np.ndarray:
    """D*(x) = alpha * p_data(x) / (p_data(x) + p_g(x)), from the two densities at the same points.

    `alpha` is the real label: 1 for the plain GAN, 0.9 with one-sided label smoothing. Where both
    densities are 0 the ratio is undefined; it is returned as alpha / 2 (any value is optimal there).
    """
    p_data = as_array(p_data, "p_data").astype(np.float64)
    p_g = as_array(p_g, "p_g").astype(np.float64)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must have the same shape, got {p_data.shape} and {p_g.shape}.")
    if np.any(p_data < 0) or np.any(p_g < 0):
        raise ValueError("p_data and p_g are densities and must be >= 0.")
    total = p_data + p_g
    safe = np.where(total > 0, total, 1.0)
    return alpha * np.where(total > 0, p_data / safe, 0.5)


def jensen_shannon(p, q) -> float:
    """JSD(p || q) in nats between two discrete distributions (non-negative, each summing to 1).

    JSD = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2; terms with p_i = 0 count 0. It lies in
    [0, log 2]. For densities on a grid, pass p(x_i) dx and q(x_i) dx.
    """
    p = as_array(p, "p").astype(np.float64)
    q = as_array(q, "q").astype(np.float64)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}.")
    for name, dist in (("p", p), ("q", q)):
        if np.any(dist < 0) or not np.isclose(dist.sum(), 1.0, atol=1e-6):
            raise ValueError(f"{name} must be non-negative and sum to 1, got sum {dist.sum():.6g}.")
    m = (p + q) / 2

    def kl_to_m(dist):
        positive = dist > 0
        return np.sum(dist[positive] * np.log(dist[positive] / m[positive]))

    return float(0.5 * kl_to_m(p) + 0.5 * kl_to_m(q))


def histogram_jsd(samples, pdf, edges) -> float:
    """JSD between samples (as a histogram on `edges`) and a density `pdf` integrated over the same bins.

    The measure lesson 01 watches fall as the 1-D toy GAN learns. Samples outside the edges are dropped,
    so choose edges that cover where both distributions live.
    """
    edges = as_array(edges, "edges").astype(np.float64)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(
            f"edges must be an increasing 1-D array of at least 2 values, got {describe(edges)}."
        )
    samples = as_array(samples, "samples").astype(np.float64).ravel()
    counts, _ = np.histogram(samples, bins=edges)
    if counts.sum() == 0:
        raise ValueError(f"no sample lies within the edges [{edges[0]:g}, {edges[-1]:g}].")
    # Midpoint rule with 8 points per bin: accurate enough for smooth densities on a fine grid.
    fine = np.linspace(0, 1, 17)[1::2]
    points = edges[:-1, None] + fine[None, :] * np.diff(edges)[:, None]
    mass = np.asarray(pdf(points), dtype=np.float64).mean(axis=1) * np.diff(edges)
    return jensen_shannon(counts / counts.sum(), mass / mass.sum())


def bce_from_logits(logits, labels):
    """Binary cross-entropy per element, from logits x and labels z, in the stable form

        max(x, 0) - x * z + log(1 + exp(-|x|)),

    which equals -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)) but never takes the log of 0 or
    the exp of a large number. Returns the same shape as `logits` (no mean taken).
    """
    from keras import ops

    logits = ops.convert_to_tensor(logits, dtype="float32")
    labels = ops.cast(ops.convert_to_tensor(labels), logits.dtype)
    # max(x, 0) and -|x| written with one shared branch test: at x = 0, ops.relu and ops.abs would each
    # take a derivative of 0 and the gradient would come out as -z instead of sigmoid(0) - z = 1/2 - z.
    positive = logits >= 0
    relu = ops.where(positive, logits, ops.zeros_like(logits))
    minus_abs = ops.where(positive, -logits, logits)
    return relu - logits * labels + ops.log1p(ops.exp(minus_abs))


def naive_bce(logits, labels):
    """The textbook form -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)) in float32: it overflows to inf
    at large |x|, which is why `bce_from_logits` exists. For demonstration only."""
    from keras import ops

    logits = ops.convert_to_tensor(logits, dtype="float32")
    labels = ops.cast(ops.convert_to_tensor(labels), logits.dtype)
    probabilities = ops.sigmoid(logits)
    return -labels * ops.log(probabilities) - (1.0 - labels) * ops.log(1.0 - probabilities)


def discriminator_loss(real_logits, fake_logits):
    """D's loss, minimised: mean BCE(real logits, 1) + mean BCE(fake logits, 0) = -V(D, G).

    Two means, one per batch, so the real and fake halves weigh the same whatever their sizes. With
    all logits 0 (D says 1/2 everywhere) it is 2 log 2 = 1.386294.
    """
    from keras import ops

    real_logits = ops.convert_to_tensor(real_logits, dtype="float32")
    fake_logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    real_loss = ops.mean(bce_from_logits(real_logits, ops.ones_like(real_logits)))
    fake_loss = ops.mean(bce_from_logits(fake_logits, ops.zeros_like(fake_logits)))
    return real_loss + fake_loss


def generator_loss(fake_logits):
    """The non-saturating generator loss, minimised: mean -log D(G(z)) = mean BCE(fake logits, 1).

    Its gradient with respect to a logit is -(1 - D): strong exactly when D rejects the fakes.
    """
    from keras import ops

    fake_logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    return ops.mean(bce_from_logits(fake_logits, ops.ones_like(fake_logits)))


def saturating_generator_loss(fake_logits):
    """The minimax generator loss, minimised: mean log(1 - D(G(z))) = -mean BCE(fake logits, 0).

    Its gradient with respect to a logit is -D: it vanishes when D confidently rejects the fakes,
    which is the start of training. Shown for comparison; train with `generator_loss`.
    """
    from keras import ops

    fake_logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    return -ops.mean(bce_from_logits(fake_logits, ops.zeros_like(fake_logits)))


def smoothed_discriminator_loss(real_logits, fake_logits, alpha: float = 0.9):
    """D's loss with one-sided label smoothing: real targets `alpha` (0.9), fake targets stay 0.

    Smoothing only the real side moves D* to alpha * p_data / (p_data + p_g). Keras's
    `BinaryCrossentropy(label_smoothing=0.1)` is not this: it smooths both sides (1 -> 0.95, 0 -> 0.05).
    """
    from keras import ops

    if not 0.0 < float(alpha) <= 1.0:
        raise ValueError(f"alpha is the real label and must be in (0, 1], got {alpha!r}.")
    real_logits = ops.convert_to_tensor(real_logits, dtype="float32")
    fake_logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    real_loss = ops.mean(bce_from_logits(real_logits, alpha * ops.ones_like(real_logits)))
    fake_loss = ops.mean(bce_from_logits(fake_logits, ops.zeros_like(fake_logits)))
    return real_loss + fake_loss


def discriminator_accuracy(d_real, d_fake) -> float:
    """Share of all samples D classifies correctly: real when D(x) >= 1/2, fake otherwise.

    Read next to the losses: near 1, D wins (G's gradients may fade); near 1/2 with d_loss near
    2 log 2, D cannot tell real from fake, which is the game's equilibrium, or a D too weak to teach G.
    """
    d_real = _probabilities(d_real, "d_real").ravel()
    d_fake = _probabilities(d_fake, "d_fake").ravel()
    correct = np.count_nonzero(d_real >= 0.5) + np.count_nonzero(d_fake < 0.5)
    return correct / (d_real.size + d_fake.size)
