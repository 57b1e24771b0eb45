"""`DCGAN(keras.Model)`: a generator and a discriminator trained together with `fit()` (lesson 05).

One training step is Algorithm 1 of Goodfellow et al. with k = 1: update the discriminator on a batch of
real images and a batch of generated ones, then update the generator through the (just updated)
discriminator, using the non-saturating loss. Both losses are binary cross-entropy on logits.

The step is written twice, once per backend, and both compute exactly the same thing:
- TensorFlow (the default): `gan_step.fast_train_step` with `tf.GradientTape`, the variables updated in
  place; lesson 05 passes the learner's own `train_step` instead, which gives the same weights;
- JAX: a *stateless* step, as Keras's JAX trainer requires, taking all variable values in and returning
  the new ones (tests/test_dcgan_backends.py shows both give the same losses).
Both run the generator once per step and compute the losses in float32, also under mixed precision.

Data for `fit()`: batches of real images in [-1, 1]; or `(real_images, noise)` pairs to fix the noise
(the tests do this to compare backends). Without noise the model draws it from its own seed generator,
whose state is part of the model's variables, so a checkpoint resumes the same random stream.
"""

from __future__ import annotations

import keras
from keras import ops

from ..course.validation import require_positive_float
from ..losses.minimax import generator_loss
from .ema import GeneratorAverage, require_decay
from .gan_step import as_float32, fast_train_step, gan_discriminator_loss


class _OptimizerPair:
    """Presents the two optimizers to Keras's trainer as one, so `fit()` keeps both states.

    Keras's JAX trainer passes `self.optimizer.variables` through the compiled step and writes them back
    afterwards; listing both optimizers' variables here makes that work for a GAN. Nothing else of the
    trainer's optimizer machinery is used: the DCGAN's own train step applies each optimizer itself.
    (`keras.optimizers.MultiOptimizer` does not fit: its `apply` wants every gradient at once, while a GAN
    updates D, then G through the updated D.)
    """

    def __init__(self, d_optimizer, g_optimizer):
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.built = False

    def build(self, variables=None):
        del variables  # each optimizer is built on the weights of its own network in DCGAN.compile
        self.built = True

    @property
    def variables(self):
        return list(self.d_optimizer.variables) + list(self.g_optimizer.variables)

    @property
    def iterations(self):
        return self.g_optimizer.iterations

    def finalize_variable_values(self, variables):
        del variables


def _put_back(trainable, non_trainable, pos, d_train, g_train, d_state, g_state) -> None:
    """Write a JAX step's new network values into the model's flat variable lists (positions: `pos`)."""
    for values, where, new in (
        (trainable, pos["d_train"], d_train),
        (trainable, pos["g_train"], g_train),
        (non_trainable, pos["d_state"], d_state),
        (non_trainable, pos["g_state"], g_state),
    ):
        for i, value in zip(where, new, strict=True):
            values[i] = value


def _loss_scale(optimizer, values):
    """`optimizer.scale_loss`'s factor, read statelessly from `values` (the optimizer's variables)."""
    with keras.StatelessScope(state_mapping=list(zip(optimizer.variables, values, strict=True))):
        return optimizer.scale_loss(1.0)


class DCGAN(keras.Model):
    """A generator and a discriminator trained adversarially with `fit()`.

    Args:
        generator: maps noise (batch, latent_dim) to images in [-1, 1].
        discriminator: maps images to one logit each, shape (batch, 1).
        latent_dim: the noise size; read from the generator's input when None.
        seed: seeds the noise drawn each step.
        step_function: the TensorFlow step (default `gan_step.fast_train_step`; lesson 05 passes its own).
        ema: keep a moving average of G's weights with this decay (e.g. 0.999; None: none), updated
            after every step (ema.py); `sampler` then draws with it. The raw G still trains.
    """

    def __init__(
        self, generator, discriminator, latent_dim=None, seed=None, step_function=None, ema=None, **kw
    ):
        super().__init__(**kw)
        self.step_function = step_function or fast_train_step
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or generator.input_shape[-1])
        self.seed_generator = keras.random.SeedGenerator(seed)
        decay = require_decay(ema)
        self.ema = GeneratorAverage(generator, decay) if decay is not None else None
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")  # mean D(x): how real the real ones look
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")  # mean D(G(z)) before D's update
        # Both networks arrive built (functional models), so this model is too; fit() then never
        # calls it on a batch of images to discover shapes (its call() takes noise).
        self.built = True

    @property
    def metrics(self):
        # Listed here, Keras resets them at the start of every epoch and reports their means.
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    @property
    def sampler(self):
        """The generator to draw samples with: the moving average when `ema` is on, else G itself."""
        return self.ema.generator if self.ema is not None else self.generator

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def compile(self, d_optimizer=None, g_optimizer=None, real_target: float = 1.0, jit_compile="auto", **kw):
        """Set the two optimizers (the paper's Adam(2e-4, beta_1=0.5) when None) and the real label.

        `real_target=0.9` is one-sided label smoothing (lesson 02). Other keyword arguments (e.g.
        `steps_per_execution`) go to `keras.Model.compile`.
        """
        real_target = require_positive_float(real_target, "real_target")
        if real_target > 1:
            raise ValueError(f"real_target: expected a label in (0, 1], got {real_target}.")
        if jit_compile == "auto":
            jit_compile = _default_jit_compile()
        super().compile(jit_compile=jit_compile, **kw)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.optimizer = _OptimizerPair(self.d_optimizer, self.g_optimizer)
        self.optimizer.build()
        self.real_target = real_target

    def _unpack(self, data):
        real_images, noise, _ = keras.utils.unpack_x_y_sample_weight(data)
        return real_images, noise

    # ---- TensorFlow: the step lesson 05 teaches -------------------------------------------------------
    def train_step(self, *args):
        if keras.backend.backend() == "jax":
            return self._jax_train_step(*args)
        return self._tf_train_step(*args)

    def _tf_train_step(self, data):
        real_images, noise = self._unpack(data)
        if noise is None:
            # On several devices (tf.distribute) each draws the global batch's noise and keeps its rows.
            from .devices import replica_rows

            noise = replica_rows(
                lambda rows: keras.random.normal((rows, self.latent_dim), seed=self.seed_generator),
                ops.shape(real_images)[0],
            )
        # A learner's step (lesson 05) has no real_target argument: pass it only when smoothing is on.
        smoothing = {} if self.real_target == 1.0 else {"real_target": self.real_target}
        d_loss, g_loss, real_logits, fake_logits = self.step_function(
            self.generator,
            self.discriminator,
            self.d_optimizer,
            self.g_optimizer,
            real_images,
            noise,
            **smoothing,
        )
        if self.ema is not None:
            self.ema.update()
        return self._update_metrics(d_loss, g_loss, real_logits, fake_logits)

    def _update_metrics(self, d_loss, g_loss, real_logits, fake_logits):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        return {metric.name: metric.result() for metric in self.metrics}

    # ---- JAX: the same step, stateless -----------------------------------------------------------------
    def _variable_positions(self):
        """Where each network's variables sit in the model's flat variable lists (fixed after build)."""
        if getattr(self, "_positions", None) is None:

            def where(inner, outer):
                index = {id(v): i for i, v in enumerate(outer)}
                return [index[id(v)] for v in inner]

            trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
            self._positions = {
                "d_train": where(self.discriminator.trainable_variables, trainable),
                "g_train": where(self.generator.trainable_variables, trainable),
                "d_state": where(self.discriminator.non_trainable_variables, non_trainable),
                "g_state": where(self.generator.non_trainable_variables, non_trainable),
                "seed": where([self.seed_generator.state], non_trainable)[0],
                "ema": where(self.ema.state_variables, non_trainable) if self.ema is not None else [],
                "d_opt": len(self.d_optimizer.variables),
            }
        return self._positions

    def _jax_train_step(self, state, data):
        import jax

        trainable, non_trainable, optimizer_vars, metric_vars = (list(part) for part in state)
        pos = self._variable_positions()
        pick = lambda values, where: [values[i] for i in where]  # noqa: E731
        d_train, g_train = pick(trainable, pos["d_train"]), pick(trainable, pos["g_train"])
        d_state, g_state = pick(non_trainable, pos["d_state"]), pick(non_trainable, pos["g_state"])
        d_opt, g_opt = optimizer_vars[: pos["d_opt"]], optimizer_vars[pos["d_opt"] :]

        real_images, noise = self._unpack(data)
        if noise is None:
            seed_var = self.seed_generator.state
            mapping = [(seed_var, non_trainable[pos["seed"]])]
            with keras.StatelessScope(state_mapping=mapping) as scope:
                noise = keras.random.normal((real_images.shape[0], self.latent_dim), seed=self.seed_generator)
                non_trainable[pos["seed"]] = scope.get_current_value(seed_var)

        # 1. The discriminator. G runs once: `jax.vjp` keeps what its backward pass needs for step 2
        # (as `fast_train_step` does on TensorFlow; same gradients as running G again on the same noise).
        def generate(g_train):
            return self.generator.stateless_call(g_train, g_state, noise, training=True)

        fake_images, g_backward, g_state = jax.vjp(generate, g_train, has_aux=True)
        d_opt_, g_opt_ = self.d_optimizer, self.g_optimizer
        # A float16 loss scale (LossScaleOptimizer) is one of the optimizer's variables: read it from the
        # step's state, as everything else here is (the variable itself holds no value inside the jit).
        d_scale, g_scale = _loss_scale(d_opt_, d_opt), _loss_scale(g_opt_, g_opt)

        def d_loss_fn(d_train, d_state):
            real_logits, d_state = self.discriminator.stateless_call(
                d_train, d_state, real_images, training=True
            )
            fake_logits, d_state = self.discriminator.stateless_call(
                d_train, d_state, jax.lax.stop_gradient(fake_images), training=True
            )
            real_logits, fake_logits = as_float32(real_logits), as_float32(fake_logits)
            loss = gan_discriminator_loss(real_logits, fake_logits, self.real_target)
            return loss * d_scale, (loss, d_state, real_logits, fake_logits)

        (_, (d_loss, d_state, real_logits, fake_logits)), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
            d_train, d_state
        )
        d_train, d_opt = d_opt_.stateless_apply(d_opt, grads, d_train)

        # 2. The generator, through the updated discriminator: the gradient reaches the images, then
        # G's weights through the saved forward pass.
        def g_loss_fn(images, d_state):
            logits, d_state = self.discriminator.stateless_call(d_train, d_state, images, training=True)
            loss = generator_loss(as_float32(logits))
            return loss * g_scale, (loss, d_state)

        (_, (g_loss, d_state)), image_grads = jax.value_and_grad(g_loss_fn, has_aux=True)(
            fake_images, d_state
        )
        (grads,) = g_backward(image_grads)
        g_train, g_opt = g_opt_.stateless_apply(g_opt, grads, g_train)

        _put_back(trainable, non_trainable, pos, d_train, g_train, d_state, g_state)
        if self.ema is not None:  # fold the updated G into the average, as `GeneratorAverage.update` does
            current = {}
            for variables, values, where in (
                (self.generator.trainable_variables, trainable, pos["g_train"]),
                (self.generator.non_trainable_variables, non_trainable, pos["g_state"]),
                (self.ema.state_variables, non_trainable, pos["ema"]),
            ):
                current.update({id(v): values[i] for v, i in zip(variables, where, strict=True)})
            new = self.ema.stateless_update(current)
            for v, i in zip(self.ema.state_variables, pos["ema"], strict=True):
                non_trainable[i] = new[id(v)]

        with keras.StatelessScope(
            state_mapping=list(zip(self.metrics_variables, metric_vars, strict=True))
        ) as scope:
            logs = self._update_metrics(d_loss, g_loss, real_logits, fake_logits)
        metric_vars = [scope.get_current_value(v) for v in self.metrics_variables]
        return logs, (trainable, non_trainable, list(d_opt) + list(g_opt), metric_vars)


def _default_jit_compile():
    """XLA where it wins: on TensorFlow without a GPU the plain graph was faster (see benchmarks/)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    return "auto"
