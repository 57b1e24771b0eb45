"""A GAN small enough to train live on a CPU: two tiny Keras MLPs on 1-D or 2-D toy data.

Lesson 01 trains it on a 1-D mixture (to watch p_g move toward p_data under D's curve) and on the
ring of 8 Gaussians (to watch mode collapse); its stepper calls `d_step` and `g_step` one at a time,
as GAN Lab does. Each step is one `tf.GradientTape` update (lesson 05 writes the same step for the
DCGAN), compiled with `tf.function` because a tiny model's eager step is dominated by Python overhead.
It runs on Keras's TensorFlow backend, the course's default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..course.validation import as_array, describe, require_int, require_positive_float
from ..losses.minimax import discriminator_loss, generator_loss


def _mlp(input_dim: int, hidden: int, layers: int, output_dim: int, activation: str, seed: int, name: str):
    import keras

    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=(input_dim,)))
    for index in range(layers):
        # Seeded initialisers: the same seed gives the same network, without touching global state.
        init = keras.initializers.GlorotUniform(seed=seed + index)
        model.add(keras.layers.Dense(hidden, kernel_initializer=init))
        model.add(
            keras.layers.LeakyReLU(negative_slope=0.2) if activation == "leaky_relu" else keras.layers.ReLU()
        )
    init = keras.initializers.GlorotUniform(seed=seed + layers)
    model.add(keras.layers.Dense(output_dim, kernel_initializer=init))
    return model


class ToyGAN:
    """A generator and a discriminator (MLPs) with one Adam optimiser each, trained one step at a time.

    Args:
        data_dim: 1 for the 1-D mixture, 2 for the ring.
        latent_dim: size of the generator's noise vector z ~ N(0, I).
        hidden, layers: width and number of hidden layers of both networks.
        d_lr, g_lr: learning rates (Adam with beta_1 = 0.5, as in the DCGAN paper).
        batch_size: generated samples per step.
        seed: fixes the initial weights and the noise; `reset()` goes back to it.
    """

    def __init__(
        self,
        data_dim: int = 1,
        *,
        latent_dim: int = 8,
        hidden: int = 64,
        layers: int = 2,
        d_lr: float = 1e-3,
        g_lr: float = 1e-3,
        batch_size: int = 128,
        seed: int = 0,
    ):
        self.data_dim = require_int(data_dim, "data_dim", minimum=1)
        self.latent_dim = require_int(latent_dim, "latent_dim", minimum=1)
        self.hidden = require_int(hidden, "hidden", minimum=1)
        self.layers = require_int(layers, "layers", minimum=1)
        self.batch_size = require_int(batch_size, "batch_size", minimum=1)
        self.seed = require_int(seed, "seed", minimum=0)
        self._lrs = (require_positive_float(d_lr, "d_lr"), require_positive_float(g_lr, "g_lr"))
        self.reset()

    def reset(self) -> None:
        """Back to the initial weights, fresh optimisers and the initial noise stream."""
        import keras
        import tensorflow as tf

        self.generator = _mlp(
            self.latent_dim, self.hidden, self.layers, self.data_dim, "relu", self.seed, "generator"
        )
        self.discriminator = _mlp(
            self.data_dim, self.hidden, self.layers, 1, "leaky_relu", self.seed + 100, "discriminator"
        )
        self.d_optimizer = keras.optimizers.Adam(self._lrs[0], beta_1=0.5)
        self.g_optimizer = keras.optimizers.Adam(self._lrs[1], beta_1=0.5)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.rng = np.random.default_rng(self.seed)
        self.d_steps = self.g_steps = 0
        self._d_update = tf.function(self._d_update_eager, reduce_retracing=True)
        self._g_update = tf.function(self._g_update_eager, reduce_retracing=True)

    @property
    def learning_rates(self) -> tuple[float, float]:
        return self._lrs

    def set_learning_rates(self, d_lr: float | None = None, g_lr: float | None = None) -> None:
        """Change D's and/or G's learning rate without resetting anything else."""
        d_lr = self._lrs[0] if d_lr is None else require_positive_float(d_lr, "d_lr")
        g_lr = self._lrs[1] if g_lr is None else require_positive_float(g_lr, "g_lr")
        self._lrs = (d_lr, g_lr)
        self.d_optimizer.learning_rate.assign(d_lr)
        self.g_optimizer.learning_rate.assign(g_lr)

    def noise(self, n: int) -> np.ndarray:
        """n latent vectors z ~ N(0, I), shape (n, latent_dim) float32, from the GAN's own stream."""
        return self.rng.standard_normal((require_int(n, "n", minimum=1), self.latent_dim)).astype(np.float32)

    def _d_update_eager(self, real, z):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            d_loss = discriminator_loss(
                self.discriminator(real, training=True), self.discriminator(fake, training=True)
            )
        grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables, strict=True))
        return d_loss

    def _g_update_eager(self, z):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            g_loss = generator_loss(self.discriminator(self.generator(z, training=True), training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables, strict=True))
        return g_loss

    def d_step(self, real_batch) -> float:
        """One discriminator update on a batch of real samples and as many fresh fakes; returns d_loss."""
        real = as_array(real_batch, "real_batch").astype(np.float32)
        if real.ndim != 2 or real.shape[1] != self.data_dim or len(real) == 0:
            raise ValueError(f"real_batch must have shape (batch, {self.data_dim}), got {describe(real)}.")
        self.d_steps += 1
        return float(self._d_update(real, self.noise(len(real))))

    def g_step(self) -> float:
        """One generator update on `batch_size` fresh noise vectors; returns g_loss."""
        self.g_steps += 1
        return float(self._g_update(self.noise(self.batch_size)))

    def sample(self, n: int) -> np.ndarray:
        """n generated samples, shape (n, data_dim)."""
        return np.asarray(self.generator(self.noise(n), training=False))

    def discriminate(self, x) -> np.ndarray:
        """D(x), the probability that x is real, for points of shape (n, data_dim); returns shape (n,)."""
        x = as_array(x, "x").astype(np.float32)
        if x.ndim == 1 and self.data_dim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"x must have shape (n, {self.data_dim}), got {describe(x)}.")
        logits = np.asarray(self.discriminator(x, training=False), dtype=np.float64)[:, 0]
        return 1.0 / (1.0 + np.exp(-logits))


def alternating_step(gan, real_batches):
    """One round of Algorithm 1 (Goodfellow et al. 2014): a D step per real batch (k = len(real_batches)),
    then one G step. Returns (mean of the k D losses, the G loss)."""
    d_losses = [gan.d_step(batch) for batch in real_batches]
    g_loss = gan.g_step()
    return float(np.mean(d_losses)), float(g_loss)


@dataclass
class History:
    """Losses recorded during `train`, one entry per round of k D steps and one G step."""

    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)


def train(
    gan: ToyGAN,
    sample_real: Callable[[int, np.random.Generator], np.ndarray],
    steps: int,
    *,
    k: int = 1,
    history: History | None = None,
    callback: Callable[[int, ToyGAN], None] | None = None,
    every: int = 0,
    step: Callable = alternating_step,
) -> History:
    """Train for `steps` rounds of Algorithm 1 (k D steps, one G step).

    Args:
        sample_real: `sample_real(n, rng)` returns n real samples, shape (n, data_dim); `rng` is the GAN's.
        history: append to this History (to continue a run), else start a new one.
        callback: called as `callback(round, gan)` every `every` rounds (and after the last), e.g. to plot.
        step: the function for one round, `step(gan, real_batches) -> (d_loss, g_loss)` (lesson 01's
            exercise; `alternating_step` by default).
    """
    steps = require_int(steps, "steps", minimum=0)
    k = require_int(k, "k", minimum=1)
    history = History() if history is None else history
    for done in range(1, steps + 1):
        batches = [sample_real(gan.batch_size, gan.rng) for _ in range(k)]
        d_loss, g_loss = step(gan, batches)
        history.d_loss.append(d_loss)
        history.g_loss.append(g_loss)
        if callback is not None and every and (done % every == 0 or done == steps):
            callback(done, gan)
    return history


def fit_discriminator(
    sample_real: Callable[[int, np.random.Generator], np.ndarray],
    sample_fake: Callable[[int, np.random.Generator], np.ndarray],
    steps: int,
    *,
    data_dim: int = 1,
    hidden: int = 32,
    batch_size: int = 256,
    learning_rate: float = 3e-3,
    alpha: float = 1.0,
    seed: int = 0,
):
    """Train a discriminator alone, against a fixed "generator" (samples from `sample_fake`).

    Lesson 02 compares it with the closed form D* = alpha * p_data / (p_data + p_g). With alpha < 1 the
    real targets are smoothed one-sidedly. Returns `D(x)`, a function from points (n, data_dim) or (n,)
    to probabilities (n,).
    """
    import keras
    import tensorflow as tf

    from ..losses.minimax import smoothed_discriminator_loss

    steps = require_int(steps, "steps", minimum=0)
    discriminator = _mlp(data_dim, hidden, 2, 1, "leaky_relu", seed, "discriminator")
    optimizer = keras.optimizers.Adam(require_positive_float(learning_rate, "learning_rate"))
    rng = np.random.default_rng(seed)

    @tf.function
    def update(real, fake):
        with tf.GradientTape() as tape:
            loss = smoothed_discriminator_loss(discriminator(real), discriminator(fake), alpha=alpha)
        grads = tape.gradient(loss, discriminator.trainable_variables)
        optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))
        return loss

    for _ in range(steps):
        real = np.asarray(sample_real(batch_size, rng), dtype=np.float32).reshape(batch_size, data_dim)
        fake = np.asarray(sample_fake(batch_size, rng), dtype=np.float32).reshape(batch_size, data_dim)
        update(real, fake)

    def d(x):
        x = np.asarray(x, dtype=np.float32).reshape(-1, data_dim)
        logits = np.asarray(discriminator(x), dtype=np.float64)[:, 0]
        return 1.0 / (1.0 + np.exp(-logits))

    return d
