"""Lesson 05's exercise: one DCGAN training step with `tf.GradientTape`.

Each case builds two small networks and their optimizers afresh with fixed seeds (`Fresh`), runs the
answer for several steps, and compares what it returns *and* what it leaves behind: a step that computes
the right losses but forgets an update, or updates the wrong network, still fails.

The case networks are made so that the usual slips show:
- D has BatchNorm and Dropout, so a D called without `training=True` (in either step) computes other
  logits and leaves other moving statistics;
- D's last layer is initialised large, so logits lie well away from 0 and the losses away from ln 2: label
  mistakes change the gradients by much more than the tolerance;
- one case uses plain SGD, whose update is the gradient itself (Adam's first steps are nearly sign(g)).

What is compared: each step's losses and logits, both networks' trainable weights, and D's BatchNorm
moving statistics. G's moving statistics are not: the one-pass step (`gan_step.fast_train_step`) runs
G once per step, so they move once instead of twice, which inference alone uses. D's moving statistics
are compared loosely, so that scoring the fakes before the real images (they move in another order) passes
while a D that never updates them (inference mode) fails.
"""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Fresh, Mismatch, Mistake, compare_values
from ..dcgan.gan_step import train_step
from ..losses.minimax import bce_from_logits

_SHAPE, _LATENT = (8, 8, 1), 4  # small networks: a case runs in about a second
_DROPOUT_RATE = 0.3


def _fixed_dropout_class():
    """Dropout with a mask drawn once: the same units drop on every call (in training mode only).

    Keras's Dropout draws a new mask per call, so the masks would depend on the order in which an answer
    calls D; a fixed mask keeps every correct order equal while still telling training from inference.
    """
    import keras

    class FixedDropout(keras.layers.Layer):
        def __init__(self, rate, seed, **kwargs):
            super().__init__(**kwargs)
            self.rate, self.seed = rate, seed

        def build(self, input_shape):
            keep = np.random.default_rng(self.seed).uniform(size=input_shape[1:]) >= self.rate
            self.mask = keras.ops.convert_to_tensor(keep.astype("float32") / (1.0 - self.rate))

        def call(self, inputs, training=None):
            return inputs * self.mask if training else inputs

    return FixedDropout


def _case_generator(seed: int):
    import keras

    from ..dcgan.architecture import BN_EPSILON, BN_MOMENTUM

    layers = keras.layers
    keras.utils.set_random_seed(seed)
    noise = keras.Input((_LATENT,))
    x = layers.Dense(4 * 4 * 8, use_bias=False, kernel_initializer=keras.initializers.RandomNormal(0, 0.4))(
        noise
    )
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON)(x)
    x = layers.Reshape((4, 4, 8))(layers.ReLU()(x))
    x = layers.Conv2DTranspose(1, 4, strides=2, padding="same", kernel_initializer="glorot_normal")(x)
    return keras.Model(noise, layers.Activation("tanh")(x), name="case_generator")


def _case_discriminator(seed: int):
    import keras

    from ..dcgan.architecture import BN_EPSILON, BN_MOMENTUM

    layers = keras.layers
    keras.utils.set_random_seed(seed)
    images = keras.Input(_SHAPE)
    x = layers.Conv2D(8, 4, strides=2, padding="same", kernel_initializer="glorot_normal")(images)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Conv2D(16, 4, strides=2, padding="same", use_bias=False, kernel_initializer="glorot_normal")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON)(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = _fixed_dropout_class()(_DROPOUT_RATE, seed)(x)
    # Large output weights and a bias: logits of a few units, real and fake apart, not all near 0.
    x = layers.Dense(
        1,
        kernel_initializer=keras.initializers.RandomNormal(0, 0.5),
        bias_initializer=keras.initializers.Constant(0.5),
    )(layers.Flatten()(x))
    return keras.Model(images, x, name="case_discriminator")


def _networks(kind: str, seed: int):
    make = _case_generator if kind == "generator" else _case_discriminator
    return Fresh(lambda: make(seed), f"a small {kind}")


def _optimizer(kind: str):
    def make():
        import keras

        if kind == "sgd":
            return keras.optimizers.SGD(0.05)
        return keras.optimizers.Adam(2e-3, beta_1=0.5)

    return Fresh(make, "SGD(0.05)" if kind == "sgd" else "Adam(2e-3, beta_1=0.5)")


def _batches(seed: int, steps: int, size: int):
    rng = np.random.default_rng(seed)
    # "Real" images: a bright blob, so that D can tell them from G's first outputs.
    grid = np.linspace(-1, 1, _SHAPE[0])
    blob = np.exp(-(grid[:, None] ** 2 + grid[None, :] ** 2) * 2.0)[..., None] * 1.6 - 0.8
    real = np.clip(blob + 0.2 * rng.normal(size=(steps, size, *_SHAPE)), -1, 1).astype("float32")
    noise = rng.normal(size=(steps, size, _LATENT)).astype("float32")
    return real, noise


def _case(name: str, seed: int, steps: int, size: int, optimizer: str) -> Case:
    real, noise = _batches(seed, steps, size)
    nets = (_networks("generator", seed), _networks("discriminator", seed + 1))
    return Case(name, args=(*nets, _optimizer(optimizer), _optimizer(optimizer), real, noise))


def _run_steps(answer, args, kwargs):
    """Call the answer once per batch: real_images and noise hold one batch per step."""
    generator, discriminator, d_optimizer, g_optimizer, real_batches, noise_batches = args
    if hasattr(answer, "python_function"):  # a @tf.function: traced afresh, as these are new networks
        import tensorflow as tf

        answer = tf.function(answer.python_function)
    results = []
    for real, noise in zip(real_batches, noise_batches, strict=True):
        result = answer(generator, discriminator, d_optimizer, g_optimizer, real, noise, **kwargs)
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            what = f"{len(result)} values" if isinstance(result, (tuple, list)) else type(result).__name__
            raise TypeError(f"train_step must return (d_loss, g_loss, real_logits, fake_logits), got {what}")
        results.append(result)
    return results


LABELS = (
    "the D loss of each step",
    "the G loss of each step",
    "the real images' logits of each step",
    "the fake images' logits of each step",
    "G's trainable weights after the steps",
    "D's trainable weights after the steps",
    "D's BatchNorm moving statistics after the steps",
)


def _after_steps(results, args):
    """Each step's losses and logits, then the weights both networks were left with (plain arrays)."""
    generator, discriminator = args[0], args[1]

    def flat(variables):
        return np.concatenate([np.ravel(np.asarray(v)) for v in variables]).astype(np.float64)

    def stacked(index):
        return np.stack([np.asarray(r[index], dtype=np.float64) for r in results])

    return (
        stacked(0),
        stacked(1),
        stacked(2),
        stacked(3),
        flat(generator.trainable_variables),
        flat(discriminator.trainable_variables),
        flat(discriminator.non_trainable_variables),
    )


_TOLERANCES = {6: (0.05, 0.03)}  # D's moving statistics: their order of updates may differ (see above)


def compare_steps(expected, got) -> Mismatch | None:
    """Item by item, each named; loose only on D's moving statistics. Pure, for the grader too."""
    if not isinstance(got, (tuple, list)) or len(got) != len(LABELS):
        return compare_values(expected, got, labels=LABELS)
    for index, (want, have) in enumerate(zip(expected, got, strict=True)):
        rtol, atol = _TOLERANCES.get(index, (1e-4, 1e-5))
        mismatch = compare_values(want, have, rtol=rtol, atol=atol)
        if mismatch:
            return Mismatch(mismatch.kind, f"{LABELS[index]}: {mismatch.detail}")
    return None


def _variant(*, g_target=1.0, fake_term=True, probabilities=False, update_d=True):
    """A planted wrong training step: the reference with one thing changed."""

    def step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
        import keras
        import tensorflow as tf

        if probabilities:  # treats logits as probabilities, as BinaryCrossentropy() does by default
            bce = lambda logits, target: keras.losses.BinaryCrossentropy()(  # noqa: E731
                tf.fill(tf.shape(logits), target), logits
            )
        else:

            def bce(logits, target):
                return keras.ops.mean(bce_from_logits(logits, target * keras.ops.ones_like(logits)))

        fake_images = generator(noise, training=True)
        with tf.GradientTape() as tape:
            real_logits = discriminator(real_images, training=True)
            fake_logits = discriminator(fake_images, training=True)
            d_loss = bce(real_logits, 1.0) + (bce(fake_logits, 0.0) if fake_term else 0.0)
        if update_d:
            grads = tape.gradient(d_loss, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))
        with tf.GradientTape() as tape:
            g_loss = bce(discriminator(generator(noise, training=True), training=True), g_target)
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
        return d_loss, g_loss, real_logits, fake_logits

    return step


TRAIN_STEP = Exercise(
    id="05.train_step",
    title="one DCGAN training step: update D on real and fake images, then G through D",
    reference=train_step,
    runner=_run_steps,
    observe=_after_steps,
    item_labels=LABELS,
    comparator=compare_steps,
    points=3,  # the lesson's one exercise, and the heart of the course
    public=[
        _case("3 steps of batch 8, SGD", seed=0, steps=3, size=8, optimizer="sgd"),
        _case("3 steps of batch 6, Adam", seed=5, steps=3, size=6, optimizer="adam"),
    ],
    hidden=[
        _case("2 steps of batch 16, Adam", seed=10, steps=2, size=16, optimizer="adam"),
        _case("4 steps of batch 3, SGD", seed=20, steps=4, size=3, optimizer="sgd"),
    ],
    mistakes=[
        Mistake(
            "generator aims for the label fake",
            _variant(g_target=0.0),
            "the generator's (non-saturating) loss is the BCE of D's logits on fakes against the label "
            "*real* (1): it wants D to call its images real.",
        ),
        Mistake(
            "discriminator loss without the fakes",
            _variant(fake_term=False),
            "the discriminator's loss has two terms: real images towards 1 *and* generated images towards 0.",
        ),
        Mistake(
            "probabilities where logits belong",
            _variant(probabilities=True),
            "the discriminator returns logits: use a loss that takes logits (from_logits=True, or "
            "dcgan_lessons' discriminator_loss / generator_loss), not one that expects probabilities.",
        ),
        Mistake(
            "discriminator never updated",
            _variant(update_d=False),
            "the losses of the first step are right but the discriminator's weights did not change: apply "
            "its gradients with d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables)).",
        ),
    ],
)


# ---- 05.DCGAN: the keras.Model subclass that trains the step with fit() ---------------------------------
#
# The answer is a class. Each case builds it on two small networks and a training step (the course's:
# a learner's wrong step must not fail this exercise too), compiles it with two *different* optimizers
# (so swapping them shows), trains it with fit() for two epochs, then calls fit() again for a third
# (a resumed run: the optimizers' state and the noise stream go on), and compares every epoch's four
# reported numbers and both networks' weights. (Keras 3 reports an epoch's numbers from the trackers'
# results when train_step returns keys named like them, and resets every tracker set as an attribute at
# each epoch's start, even when `metrics` does not list it: neither is a mistake that shows.)

MODEL_METRICS = ("d_loss", "g_loss", "d_real", "d_fake")
MODEL_LABELS = (
    *(f"the {name} that fit() reported for each epoch" for name in MODEL_METRICS),
    "G's trainable weights after the three epochs",
    "D's trainable weights after the three epochs",
)


def DCGAN(generator, discriminator, step_function, seed=None):  # noqa: N802 - it stands for the class
    """The course's `DCGAN(keras.Model)` of exercise 05.DCGAN (the class is learner_model.LessonDCGAN).

    A function, so the exercise registry names it without importing Keras.
    """
    from ..dcgan.learner_model import LessonDCGAN

    return LessonDCGAN(generator, discriminator, step_function, seed=seed)


def _fit_and_resume(answer, args, kwargs):
    """Build the answer's model, compile it, fit two epochs, then fit a third as a resumed run."""
    generator, discriminator, step, d_optimizer, g_optimizer, images, batch_size, seed = args
    model = answer(generator, discriminator, step, seed=seed, **kwargs)
    model.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
    fits = [
        model.fit(images, batch_size=batch_size, epochs=2, shuffle=False, verbose=0),
        model.fit(images, batch_size=batch_size, epochs=3, initial_epoch=2, shuffle=False, verbose=0),
    ]
    return model, [fit.history for fit in fits]


def _model_after_fit(result, args):
    """Each reported number per epoch (both fit() calls), then the networks' weights (plain arrays)."""
    _, histories = result
    generator, discriminator = args[0], args[1]
    reported = sorted({name for history in histories for name in history})
    series = []
    for name in MODEL_METRICS:
        if not all(name in history for history in histories):
            raise KeyError(
                f"fit() reported no {name!r}: train_step must return a dict with the keys "
                f"{', '.join(MODEL_METRICS)} (it reported: {', '.join(reported) or 'nothing'})."
            )
        series.append(np.array([value for history in histories for value in history[name]], np.float64))

    def flat(variables):
        return np.concatenate([np.ravel(np.asarray(v)) for v in variables]).astype(np.float64)

    return (*series, flat(generator.trainable_variables), flat(discriminator.trainable_variables))


def compare_model(expected, got) -> Mismatch | None:
    """Item by item, each named. Pure, for the grader too."""
    if not isinstance(got, (tuple, list)) or len(got) != len(MODEL_LABELS):
        return compare_values(expected, got, labels=MODEL_LABELS)
    for label, want, have in zip(MODEL_LABELS, expected, got, strict=True):
        mismatch = compare_values(want, have, rtol=1e-4, atol=1e-5)
        if mismatch:
            return Mismatch(mismatch.kind, f"{label}: {mismatch.detail}")
    return None


def _model_case(
    name: str, seed: int, count: int, batch_size: int, d_optimizer: str, g_optimizer: str
) -> Case:
    real, _ = _batches(seed, 1, count)
    nets = (_networks("generator", seed), _networks("discriminator", seed + 1))
    optimizers = (_optimizer(d_optimizer), _optimizer(g_optimizer))
    return Case(name, args=(*nets, train_step, *optimizers, real[0], batch_size, seed + 2))


def _model_variant(*, reset=False, fixed_seed=False, logits=False, swapped=False):
    """A planted wrong DCGAN class: the reference with one thing changed."""

    def make(generator, discriminator, step_function, seed=None):
        import keras
        from keras import ops

        from ..dcgan.learner_model import LessonDCGAN

        class WrongDCGAN(LessonDCGAN):
            def train_step(self, real_images):
                shape = (ops.shape(real_images)[0], self.latent_dim)
                noise = keras.random.normal(shape, seed=0 if fixed_seed else self.seed_generator)
                optimizers = (
                    (self.g_optimizer, self.d_optimizer) if swapped else (self.d_optimizer, self.g_optimizer)
                )
                d_loss, g_loss, real_logits, fake_logits = self.step_function(
                    self.generator, self.discriminator, *optimizers, real_images, noise
                )
                squash = (lambda x: x) if logits else ops.sigmoid
                values = (d_loss, g_loss, ops.mean(squash(real_logits)), ops.mean(squash(fake_logits)))
                for tracker, value in zip(self.metrics, values, strict=True):
                    if reset:
                        tracker.reset_state()
                    tracker.update_state(value)
                return {tracker.name: tracker.result() for tracker in self.metrics}

        return WrongDCGAN(generator, discriminator, step_function, seed=seed)

    return make


DCGAN_MODEL = Exercise(
    id="05.DCGAN",
    title="the DCGAN(keras.Model) subclass: two networks, two optimizers, four trackers, fit()",
    reference=DCGAN,
    runner=_fit_and_resume,
    observe=_model_after_fit,
    item_labels=MODEL_LABELS,
    comparator=compare_model,
    points=2,
    public=[
        _model_case(
            "fit 2 + 1 epochs of 16 images, batch 4",
            seed=30,
            count=16,
            batch_size=4,
            d_optimizer="adam",
            g_optimizer="sgd",
        ),
    ],
    hidden=[
        _model_case(
            "fit 2 + 1 epochs of 12 images, batch 6",
            seed=40,
            count=12,
            batch_size=6,
            d_optimizer="sgd",
            g_optimizer="adam",
        ),
    ],
    mistakes=[
        Mistake(
            "trackers reset at every step",
            _model_variant(reset=True),
            "Keras resets the trackers at the start of every epoch (those in `metrics`), so each reports "
            "its epoch's mean; resetting them in train_step leaves only the last batch's numbers.",
        ),
        Mistake(
            "the same noise every step",
            _model_variant(fixed_seed=True),
            "draw the noise with seed=self.seed_generator (a keras.random.SeedGenerator made in __init__): "
            "a number as the seed gives the same noise at every step.",
        ),
        Mistake(
            "D(x) as a logit",
            _model_variant(logits=True),
            "d_real and d_fake are probabilities, D(x) = sigmoid(logit): track the mean of "
            "keras.ops.sigmoid(real_logits), not of the logits.",
        ),
        Mistake(
            "optimizers swapped",
            _model_variant(swapped=True),
            "the step function takes (generator, discriminator, d_optimizer, g_optimizer, ...): pass D's "
            "optimizer first, as compile() received them.",
        ),
    ],
)

EXERCISES = [TRAIN_STEP, DCGAN_MODEL]
