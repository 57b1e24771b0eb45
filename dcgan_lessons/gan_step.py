"""The DCGAN losses and the training step lesson 05 teaches, on TensorFlow.

Kept apart from `dcgan.py` (which needs Keras at import) so the exercise registry can name `train_step`
without loading TensorFlow. The losses use `keras.ops`, so `DCGAN`'s JAX step shares them.
"""

from __future__ import annotations


def bce_with_logits(logits, target: float):
    """Mean binary cross-entropy of logits against a constant target, in the stable form.

    max(x, 0) - x*z + log(1 + exp(-|x|)), which never overflows (lesson 02).
    """
    from keras import ops

    logits = ops.convert_to_tensor(logits, dtype="float32")
    loss = ops.maximum(logits, 0.0) - logits * target + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.mean(loss)


def discriminator_loss(real_logits, fake_logits, real_target: float = 1.0):
    """D's loss: real images should score `real_target` (1, or 0.9 with one-sided smoothing), fakes 0."""
    return bce_with_logits(real_logits, real_target) + bce_with_logits(fake_logits, 0.0)


def generator_loss(fake_logits):
    """G's non-saturating loss: -log D(G(z)), i.e. BCE of the fakes' logits against the label *real*."""
    return bce_with_logits(fake_logits, 1.0)


def train_step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise, real_target=1.0):
    """One DCGAN training step on TensorFlow (Algorithm 1, k = 1).

    Returns (d_loss, g_loss, real_logits, fake_logits): the logits of the discriminator's step.

    Lesson 05 has learners write this function; `DCGAN` runs it on every batch.
    """
    import tensorflow as tf

    # 1. The discriminator: real images towards `real_target`, generated ones towards 0.
    fake_images = generator(noise, training=True)
    with tf.GradientTape() as tape:
        real_logits = discriminator(real_images, training=True)
        fake_logits = discriminator(fake_images, training=True)
        d_loss = discriminator_loss(real_logits, fake_logits, real_target)
    grads = tape.gradient(d_loss, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))

    # 2. The generator, through the updated discriminator: make D call its images real.
    with tf.GradientTape() as tape:
        fake_logits_after = discriminator(generator(noise, training=True), training=True)
        g_loss = generator_loss(fake_logits_after)
    grads = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
    return d_loss, g_loss, real_logits, fake_logits
