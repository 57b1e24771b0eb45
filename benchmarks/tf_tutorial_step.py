"""Baseline: the training loop of TensorFlow's DCGAN tutorial, on the same networks as the course's trainer.

The tutorial's step, as it teaches it: a `tf.function` with two `GradientTape`s around one forward pass,
both networks updated from the same pass (the discriminator is not updated before the generator's
loss), Keras's `BinaryCrossentropy(from_logits=True)`, Adam(1e-4), batches from `tf.data`, a Python
`for` loop over the batches. TensorFlow only (the GPU machine has JAX, not TensorFlow).
"""

from __future__ import annotations

from bench_common import ModelSize, fake_images, keras_networks, timed


class TutorialStepRunner:
    def __init__(self, model: ModelSize, steps: int, jit_compile: bool = False, latent_dim: int = 100):
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(0)
        self.name = "TF tutorial step" + (" (XLA)" if jit_compile else "")
        generator, discriminator = keras_networks(model, latent_dim)()
        g_optimizer, d_optimizer = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
        cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        batch = model.batch_size

        @tf.function(jit_compile=jit_compile)
        def train_step(images):
            noise = tf.random.normal([batch, latent_dim])
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                generated = generator(noise, training=True)
                real_output = discriminator(images, training=True)
                fake_output = discriminator(generated, training=True)
                gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
                disc_loss = cross_entropy(tf.ones_like(real_output), real_output) + cross_entropy(
                    tf.zeros_like(fake_output), fake_output
                )
            g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
            d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
            g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables, strict=True))
            d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables, strict=True))

        self.train_step = train_step
        images = fake_images(steps * batch, model.image_shape)
        self.dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images)).batch(batch)

    def _epoch(self):
        for images in self.dataset:
            self.train_step(images)

    def warmup(self) -> float:
        return timed(self._epoch)

    def run(self) -> float:
        return timed(self._epoch)
