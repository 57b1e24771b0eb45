"""`StableGAN`: the course's `DCGAN` trainer with lesson 07's stabilisers, on TensorFlow and JAX.

`StableGAN(generator, critic, loss="wgan-gp" | "hinge" | "bce", n_critic=...)` trains with `fit()` like
`DCGAN` (same data, run folders, checkpoints, `--from-epoch`). One training step is n_critic updates of D
(each with fresh noise, and for WGAN-GP fresh interpolation weights eps) on the step's batch of real images,
then `g_steps` updates of G (1, Algorithm 1; lesson 01's failure setting takes 5). Re-using the step's real
batch for the n_critic updates is what keras.io's WGAN-GP example does; the paper draws a new real batch
for each, so per epoch this trainer makes as many G updates as `DCGAN` and n_critic times as many D updates.

D sees real and generated images in *one* call in training mode, so a spectrally normalised D makes
exactly one power-iteration step per update (Miyato et al.); its other calls (the gradient penalty's, G's
step) are in inference mode and leave u alone. Formulas and constants: losses/stabilisers.py.

Logged per epoch, as for DCGAN: d_loss, g_loss, and d_real / d_fake, which are mean D(x) and D(G(z)) as
probabilities for "bce" and as raw scores for "wgan-gp" and "hinge" (a critic gives no probability;
d_real - d_fake is then the critic's estimate of the distance between the two distributions).
"""

from __future__ import annotations

import keras
from keras import ops

from ..course.validation import require_choice, require_int
from ..losses.minimax import discriminator_loss, generator_loss
from ..losses.stabilisers import (
    GP_WEIGHT,
    LOSSES,
    critic_loss_ops,
    hinge_discriminator_loss_ops,
    optimizer_defaults,
    penalty_from_gradients_ops,
    wasserstein_generator_loss_ops,
)
from .architecture import KERNEL_SIZE, LEAKY_SLOPE, dcgan_init, upsampling_plan
from .config import dtype_policy
from .gan_step import as_float32
from .model import DCGAN, _loss_scale, _put_back


# ---- spectral normalisation ------------------------------------------------------------------------------
def _spectral_kernel(layer, kernel, units: int, training):
    """kernel / sigma(kernel), with one power-iteration step on u when training (u is then updated)."""
    kernel = ops.cast(kernel, "float32")  # sigma in float32, also under mixed precision
    w = ops.transpose(ops.reshape(kernel, (-1, units)))  # (out, fan_in): Miyato's W
    u = ops.convert_to_tensor(layer.sn_u)
    v = ops.matmul(u, w)  # W^T u, as a row
    v = ops.stop_gradient(v / (ops.norm(v) + 1e-12))
    wv = ops.matmul(w, v)
    u_new = ops.stop_gradient(wv / (ops.norm(wv) + 1e-12))
    sigma = ops.sum(u_new * wv)  # u^T W v: gradients flow through W here, not through u and v
    if training:
        layer.sn_u.assign(u_new)
    return ops.cast(kernel / sigma, layer.compute_dtype)


class _SpectralMixin:
    def _add_u(self, units: int):
        self.sn_u = self.add_weight(
            name="sn_u",
            shape=(units,),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            trainable=False,
        )


class SpectralConv2D(_SpectralMixin, keras.layers.Conv2D):
    """Conv2D whose kernel is divided by its spectral norm (one power-iteration step per training call)."""

    def build(self, input_shape):
        super().build(input_shape)
        self._add_u(self.filters)

    def call(self, inputs, training=False):
        kernel = _spectral_kernel(self, self.kernel, self.filters, training)
        outputs = self.convolution_op(inputs, kernel)
        if self.use_bias:
            outputs = ops.add(outputs, ops.reshape(self.bias, (1, 1, 1, self.filters)))
        return self.activation(outputs) if self.activation is not None else outputs


class SpectralDense(_SpectralMixin, keras.layers.Dense):
    """Dense whose kernel is divided by its spectral norm (one power-iteration step per training call)."""

    def build(self, input_shape):
        super().build(input_shape)
        self._add_u(self.units)

    def call(self, inputs, training=False):
        outputs = ops.matmul(inputs, _spectral_kernel(self, self.kernel, self.units, training))
        if self.use_bias:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs


class CriticLeakyReLU(keras.layers.Layer):
    """LeakyReLU(0.2) written as max(x, 0.2 x): the same function, but TensorFlow's graph optimiser does not
    fuse it into the convolution before it. That fusion fails on the gradient penalty's gradient of a
    gradient and logs an error ("remapper failed") into the learner's notebook, though training is right."""

    def call(self, inputs):
        return keras.ops.maximum(inputs, LEAKY_SLOPE * inputs)


def build_critic(image_shape=(28, 28, 1), base_filters: int = 64, spectral_norm: bool = False):
    """The DCGAN discriminator without BatchNorm (a WGAN-GP critic must not mix samples), optionally with
    every convolution and the output layer spectrally normalised. Images -> one score each, (batch, 1)."""
    conv, dense = (
        (SpectralConv2D, SpectralDense) if spectral_norm else (keras.layers.Conv2D, keras.layers.Dense)
    )
    steps, _ = upsampling_plan(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for step in range(steps):
        x = conv(
            base_filters * 2**step, KERNEL_SIZE, strides=2, padding="same", kernel_initializer=dcgan_init()
        )(x)
        x = CriticLeakyReLU()(x)
    x = keras.layers.Flatten()(x)
    scores = dense(1, kernel_initializer=dcgan_init())(x)
    return keras.Model(images, scores, name="critic")


def build_toy_networks(latent_dim: int = 8, hidden: int = 64, layers: int = 2, spectral_norm: bool = False):
    """Lesson 01's 2-D game in Keras: G noise -> point (ReLU MLP), D point -> score (LeakyReLU(0.2) MLP)."""
    noise = keras.Input((latent_dim,))
    x = noise
    for _ in range(layers):
        x = keras.layers.Dense(hidden, activation="relu")(x)
    generator = keras.Model(noise, keras.layers.Dense(2)(x), name="generator")
    dense = SpectralDense if spectral_norm else keras.layers.Dense
    points = keras.Input((2,))
    x = points
    for _ in range(layers):
        x = keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE)(dense(hidden)(x))
    return generator, keras.Model(points, dense(1)(x), name="discriminator")


# ---- the trainer -----------------------------------------------------------------------------------------
class StableGAN(DCGAN):
    """A `DCGAN` trained with the WGAN-GP, hinge or BCE loss, n_critic D updates per G update.

    Args:
        generator, discriminator: as for `DCGAN` (use `build_critic` for D: no BatchNorm).
        loss: "wgan-gp", "hinge" or "bce" (the non-saturating loss of lessons 02-05).
        n_critic: D updates per step (default: 5 for "wgan-gp", 1 otherwise).
        g_steps: G updates per step (1; lesson 01's failure setting takes 5).
        gp_weight: lambda of the gradient penalty (10), used by "wgan-gp" only.
    Data for `fit()`: real images; or (real, noise) to fix the noise of every update; or
    (real, noise, eps) with eps of shape (n_critic, batch) to fix the penalty's interpolation weights too.
    """

    def __init__(
        self,
        generator,
        discriminator,
        loss: str = "wgan-gp",
        n_critic: int | None = None,
        g_steps: int = 1,
        gp_weight: float = GP_WEIGHT,
        latent_dim=None,
        seed=None,
        **kw,
    ):
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kw)
        self.loss_name = require_choice(loss, "loss", LOSSES)
        n_critic = optimizer_defaults(loss).n_critic if n_critic is None else n_critic
        self.n_critic = require_int(n_critic, "n_critic", minimum=1)
        self.g_steps = require_int(g_steps, "g_steps", minimum=1)
        self.gp_weight = float(gp_weight)

    # -- the losses, shared by both backends --
    def _d_loss(self, real_scores, fake_scores):
        if self.loss_name == "wgan-gp":
            return critic_loss_ops(real_scores, fake_scores)
        if self.loss_name == "hinge":
            return hinge_discriminator_loss_ops(real_scores, fake_scores)
        return discriminator_loss(real_scores, fake_scores)

    def _g_loss(self, fake_scores):
        if self.loss_name == "bce":
            return generator_loss(fake_scores)
        return wasserstein_generator_loss_ops(fake_scores)

    def _update_metrics(self, d_loss, g_loss, real_scores, fake_scores):
        if self.loss_name == "bce":
            return super()._update_metrics(d_loss, g_loss, real_scores, fake_scores)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(ops.mean(real_scores))  # raw critic scores: no probability
        self.d_fake_tracker.update_state(ops.mean(fake_scores))
        return {metric.name: metric.result() for metric in self.metrics}

    def _unpack3(self, data):
        real, noise, eps = keras.utils.unpack_x_y_sample_weight(data)
        return real, noise, eps

    def _noise(self, batch, noise):
        if noise is not None:
            return noise
        return keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)

    def _eps(self, batch, eps, i):
        if eps is not None:
            return eps[i]
        return keras.random.uniform((batch,), seed=self.seed_generator)

    # -- TensorFlow ------------------------------------------------------------------------------------------
    def _tf_train_step(self, data):
        import tensorflow as tf

        real, noise, eps = self._unpack3(data)
        batch = ops.shape(real)[0]
        d_vars, g_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        for i in range(self.n_critic):
            fake = self.generator(self._noise(batch, noise), training=True)
            fake = tf.stop_gradient(ops.cast(fake, real.dtype))  # 16-bit under mixed precision
            with tf.GradientTape() as tape:
                scores = as_float32(self.discriminator(ops.concatenate([real, fake], axis=0), training=True))
                real_scores, fake_scores = scores[:batch], scores[batch:]
                d_loss = self._d_loss(real_scores, fake_scores)
                if self.loss_name == "wgan-gp":
                    e = ops.reshape(
                        ops.cast(self._eps(batch, eps, i), real.dtype), (-1,) + (1,) * (len(real.shape) - 1)
                    )
                    x_hat = e * real + (1.0 - e) * fake
                    with tf.GradientTape() as inner:
                        inner.watch(x_hat)
                        hat_total = ops.sum(as_float32(self.discriminator(x_hat, training=False)))
                    grads = inner.gradient(hat_total, x_hat)  # per sample: the scores are independent
                    d_loss = d_loss + self.gp_weight * penalty_from_gradients_ops(as_float32(grads))
                scaled = self.d_optimizer.scale_loss(d_loss)
            grads = tape.gradient(scaled, d_vars)
            self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))
        for _ in range(self.g_steps):
            with tf.GradientTape() as tape:
                fake = self.generator(self._noise(batch, noise), training=True)
                g_loss = self._g_loss(as_float32(self.discriminator(fake, training=False)))
                scaled = self.g_optimizer.scale_loss(g_loss)
            grads = tape.gradient(scaled, g_vars)
            self.g_optimizer.apply_gradients(zip(grads, g_vars, strict=True))
        return self._update_metrics(d_loss, g_loss, real_scores, fake_scores)

    # -- JAX: the same step, stateless -----------------------------------------------------------------------
    def _jax_train_step(self, state, data):
        import jax

        trainable, non_trainable, optimizer_vars, metric_vars = (list(part) for part in state)
        pos = self._variable_positions()
        pick = lambda values, where: [values[i] for i in where]  # noqa: E731
        d_train, g_train = pick(trainable, pos["d_train"]), pick(trainable, pos["g_train"])
        d_state, g_state = pick(non_trainable, pos["d_state"]), pick(non_trainable, pos["g_state"])
        d_opt, g_opt = optimizer_vars[: pos["d_opt"]], optimizer_vars[pos["d_opt"] :]
        real, noise, eps = self._unpack3(data)
        batch = real.shape[0]
        seed_var = self.seed_generator.state

        def draw(make):  # a random draw from the model's seed generator, statelessly
            with keras.StatelessScope(state_mapping=[(seed_var, non_trainable[pos["seed"]])]) as scope:
                value = make()
                non_trainable[pos["seed"]] = scope.get_current_value(seed_var)
            return value

        gen, disc, d_optimizer, g_optimizer = (
            self.generator,
            self.discriminator,
            self.d_optimizer,
            self.g_optimizer,
        )
        for i in range(self.n_critic):
            z = noise if noise is not None else draw(lambda: self._noise(batch, None))
            fake, g_state = gen.stateless_call(g_train, g_state, z, training=True)
            fake = jax.lax.stop_gradient(ops.cast(fake, real.dtype))  # 16-bit under mixed precision
            e = None
            if self.loss_name == "wgan-gp":
                e = eps[i] if eps is not None else draw(lambda: self._eps(batch, None, 0))
                e = ops.reshape(ops.cast(e, real.dtype), (-1,) + (1,) * (real.ndim - 1))

            d_scale = _loss_scale(d_optimizer, d_opt)  # float16's loss scale before this update

            def d_loss_fn(d_train, d_state, fake=fake, e=e, d_scale=d_scale):
                scores, d_state = disc.stateless_call(
                    d_train, d_state, ops.concatenate([real, fake], axis=0), training=True
                )
                scores = as_float32(scores)
                real_scores, fake_scores = scores[:batch], scores[batch:]
                loss = self._d_loss(real_scores, fake_scores)
                if e is not None:
                    x_hat = e * real + (1.0 - e) * fake

                    def score_sum(x):
                        return ops.sum(
                            as_float32(disc.stateless_call(d_train, d_state, x, training=False)[0])
                        )

                    loss = loss + self.gp_weight * penalty_from_gradients_ops(
                        as_float32(jax.grad(score_sum)(x_hat))
                    )
                return loss * d_scale, (loss, d_state, real_scores, fake_scores)

            (_, (d_loss, d_state, real_scores, fake_scores)), grads = jax.value_and_grad(
                d_loss_fn, has_aux=True
            )(d_train, d_state)
            d_train, d_opt = d_optimizer.stateless_apply(d_opt, grads, d_train)

        for _ in range(self.g_steps):
            z = noise if noise is not None else draw(lambda: self._noise(batch, None))

            g_scale = _loss_scale(g_optimizer, g_opt)

            def g_loss_fn(g_train, g_state, z=z, g_scale=g_scale):
                fake, g_state = gen.stateless_call(g_train, g_state, z, training=True)
                scores, _ = disc.stateless_call(d_train, d_state, fake, training=False)
                loss = self._g_loss(as_float32(scores))
                return loss * g_scale, (loss, g_state)

            (_, (g_loss, g_state)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(g_train, g_state)
            g_train, g_opt = g_optimizer.stateless_apply(g_opt, grads, g_train)

        _put_back(trainable, non_trainable, pos, d_train, g_train, d_state, g_state)
        with keras.StatelessScope(
            state_mapping=list(zip(self.metrics_variables, metric_vars, strict=True))
        ) as scope:
            logs = self._update_metrics(d_loss, g_loss, real_scores, fake_scores)
        metric_vars = [scope.get_current_value(v) for v in self.metrics_variables]
        return logs, (trainable, non_trainable, list(d_opt) + list(g_opt), metric_vars)


def make_optimizers(loss: str, d_learning_rate=None, g_learning_rate=None, beta_1=None, beta_2=None):
    """Two Adams with `loss`'s paper settings (stabilisers.OPTIMIZER_DEFAULTS), any of them overridden."""
    d = optimizer_defaults(loss)
    pick = lambda value, default: default if value is None else value  # noqa: E731
    b1, b2 = pick(beta_1, d.beta_1), pick(beta_2, d.beta_2)
    return (
        keras.optimizers.Adam(pick(d_learning_rate, d.d_learning_rate), beta_1=b1, beta_2=b2),
        keras.optimizers.Adam(pick(g_learning_rate, d.g_learning_rate), beta_1=b1, beta_2=b2),
    )


def make_stable_gan(config, image_shape, steps_per_execution: int = 1, networks=None) -> StableGAN:
    """`training.make_gan` for lesson 07's settings: a StableGAN with a BatchNorm-free critic.

    The course's generator; D is `build_critic` (spectrally normalised when `config.spectral_norm`).
    Optimisers: Adam with the config's rates and betas (the CLI fills in the loss's paper values).
    """
    from ..course.environment import set_seed
    from .architecture import build_generator

    set_seed(config.seed)
    with dtype_policy(config.precision):
        if networks is None:
            generator = build_generator(config.latent_dim, image_shape)
            discriminator = build_critic(image_shape, spectral_norm=config.spectral_norm)
        else:
            generator, discriminator = networks()
    gan = StableGAN(generator, discriminator, loss=config.loss, n_critic=config.n_critic, seed=config.seed)
    d_rate = config.d_learning_rate or config.learning_rate
    optimizers = [
        keras.optimizers.Adam(rate, beta_1=config.beta_1, beta_2=config.beta_2)
        for rate in (d_rate, config.learning_rate)
    ]
    if config.precision == "mixed_float16":
        optimizers = [keras.optimizers.LossScaleOptimizer(optimizer) for optimizer in optimizers]
    gan.compile(
        d_optimizer=optimizers[0],
        g_optimizer=optimizers[1],
        steps_per_execution=require_int(steps_per_execution, "steps_per_execution", minimum=1),
    )
    return gan
