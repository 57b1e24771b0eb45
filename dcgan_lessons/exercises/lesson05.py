"""Lesson 05's exercise: one DCGAN training step with `tf.GradientTape`.

Each case builds two tiny networks and their optimizers afresh with fixed seeds (`Fresh`), runs the
answer once, and compares what it returns *and* the weights it leaves behind: a step that computes the
right losses but forgets an update, or updates the wrong network, still fails.
"""

from __future__ import annotations

import numpy as np

from ..architecture import build_discriminator, build_generator
from ..checking import Case, Exercise, Fresh, Mistake
from ..gan_step import train_step
from ..losses import bce_from_logits

_SHAPE, _LATENT = (8, 8, 1), 4  # tiny networks: the checks run in a second or two


def _network(kind: str, seed: int):
    def make():
        import keras

        keras.utils.set_random_seed(seed)
        if kind == "generator":
            return build_generator(_LATENT, _SHAPE, base_filters=8)
        return build_discriminator(_SHAPE, base_filters=8)

    return Fresh(make, f"a tiny {kind}")


def _adam():
    def make():
        import keras

        return keras.optimizers.Adam(2e-4, beta_1=0.5)

    return Fresh(make, "Adam(2e-4, beta_1=0.5)")


def _batch(seed: int, size: int):
    rng = np.random.default_rng(seed)
    real = np.tanh(rng.normal(size=(size, *_SHAPE))).astype("float32")
    noise = rng.normal(size=(size, _LATENT)).astype("float32")
    return real, noise


def _case(name: str, seed: int, size: int) -> Case:
    real, noise = _batch(seed, size)
    args = (_network("generator", seed), _network("discriminator", seed + 1), _adam(), _adam(), real, noise)
    return Case(name, args=args)


def _after_step(result, args):
    """The two losses, the logits, and every weight of both networks after the step (flattened)."""
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        return result  # compared as is: the feedback says a 4-tuple was expected
    generator, discriminator = args[0], args[1]
    weights = lambda model: np.concatenate([np.ravel(w) for w in model.get_weights()])  # noqa: E731
    d_loss, g_loss, real_logits, fake_logits = (np.asarray(r) for r in result)
    return (d_loss, g_loss, real_logits, fake_logits, weights(generator), weights(discriminator))


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
    observe=_after_step,
    points=3,  # the lesson's one exercise, and the heart of the course
    rtol=1e-4,
    atol=1e-5,
    public=[_case("a batch of 8", seed=0, size=8)],
    hidden=[_case("a batch of 16", seed=10, size=16), _case("a batch of 2", seed=20, size=2)],
    mistakes=[
        Mistake(
            "generator aims for the label fake",
            _variant(g_target=0.0),
            "the generator's (non-saturating) loss is the BCE of D's logits on fakes against the label "
            "*real* "
            "(1): it wants D to call its images real.",
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
            "the losses are right but the discriminator's weights did not change: apply its gradients with "
            "d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True)).",
        ),
    ],
)

EXERCISES = [TRAIN_STEP]
