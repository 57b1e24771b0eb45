"""The `DCGAN(keras.Model)` subclass lesson 05's learners write (exercise 05.DCGAN), as the course writes it.

It is the shape of keras.io's "Customizing what happens in fit()": the two networks and a seed generator
in `__init__`, one metric tracker per number reported, the trackers listed in `metrics` (so Keras resets
them at the start of every epoch), `compile` taking two optimizers, and a `train_step` that draws the
noise and calls a training step function (the learner's `train_step` of exercise 05.train_step). The
package's own `dcgan.DCGAN` does the same and more (a JAX step, label smoothing, mixed precision); this one
stays small enough to write in a lesson.
"""

from __future__ import annotations

import keras
from keras import ops

METRIC_NAMES = ("d_loss", "g_loss", "d_real", "d_fake")


class LessonDCGAN(keras.Model):
    """A generator and a discriminator trained together by `fit()`, one `step_function` call per batch.

    Args:
        generator: noise (batch, latent_dim) -> images.
        discriminator: images -> one logit each.
        step_function: step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise) ->
            (d_loss, g_loss, real_logits, fake_logits).
        seed: seeds the noise drawn each step (a `keras.random.SeedGenerator`).
    """

    def __init__(self, generator, discriminator, step_function, seed=None):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.step_function = step_function
        self.latent_dim = generator.input_shape[-1]
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def train_step(self, real_images):
        batch = ops.shape(real_images)[0]
        noise = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        d_loss, g_loss, real_logits, fake_logits = self.step_function(
            self.generator, self.discriminator, self.d_optimizer, self.g_optimizer, real_images, noise
        )
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        return {tracker.name: tracker.result() for tracker in self.metrics}
