"""The DCGAN training step lesson 05 teaches (`train_step`), and the same step with one generator pass
(`fast_train_step`, what `DCGAN` runs by default), on TensorFlow, with lesson 02's losses.

Kept apart from `model.py` (which needs Keras at import) so the exercise registry can name `train_step`
without loading TensorFlow. The losses (`losses/minimax.py`) use `keras.ops`, so `DCGAN`'s JAX step
shares them.
"""

from __future__ import annotations

from ..losses.minimax import discriminator_loss, generator_loss, smoothed_discriminator_loss


def gan_discriminator_loss(real_logits, fake_logits, real_target: float = 1.0):
    """D's loss with real images aimed at `real_target`: 1, or e.g. 0.9 for one-sided label smoothing."""
    if real_target == 1.0:
        return discriminator_loss(real_logits, fake_logits)
    return smoothed_discriminator_loss(real_logits, fake_logits, alpha=real_target)


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
        d_loss = gan_discriminator_loss(real_logits, fake_logits, real_target)
    grads = tape.gradient(d_loss, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))

    # 2. The generator, through the updated discriminator: make D call its images real.
    with tf.GradientTape() as tape:
        fake_logits_after = discriminator(generator(noise, training=True), training=True)
        g_loss = generator_loss(fake_logits_after)
    grads = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
    return d_loss, g_loss, real_logits, fake_logits


def as_float32(logits):
    """Logits in float32: under mixed precision the layers compute in 16 bits, the losses never do."""
    from keras import ops

    return ops.cast(logits, "float32")


def device_share(loss):
    """The loss to differentiate on one of N devices (tf.distribute): loss / N, since the optimizer sums
    the devices' gradients; as Keras's own `compile()`d losses do. On one device, the loss itself."""
    import tensorflow as tf

    count = tf.distribute.get_strategy().num_replicas_in_sync
    return loss if count == 1 else loss * (1.0 / count)


def fast_train_step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise, real_target=1.0):
    """`train_step` with the generator's forward pass run once instead of twice; what `DCGAN` uses.

    `train_step` (the one learners write) calls G(z) in the discriminator's step and again, on the same
    noise, in the generator's step. Here one tape records G(z); the discriminator's step reads the images
    without a gradient path to G; then the same tape resumes to record D(G(z)) through the updated D. The
    gradients, and so the weights after the step, are the same (tests/test_fast_training.py); only
    BatchNorm's running statistics in G, which inference alone uses, are updated once instead of twice.

    It also works under mixed precision: the losses are computed in float32 and scaled by each
    optimizer's loss scale (`keras.optimizers.LossScaleOptimizer` for float16; 1 otherwise). On several
    devices (tf.distribute) each one's share of the losses is taken (`device_share`, see devices.py).
    """
    import tensorflow as tf

    g_tape = tf.GradientTape()
    with g_tape:
        fake_images = generator(noise, training=True)

    with tf.GradientTape() as tape:
        real_logits = as_float32(discriminator(real_images, training=True))
        fake_logits = as_float32(discriminator(tf.stop_gradient(fake_images), training=True))
        d_loss = gan_discriminator_loss(real_logits, fake_logits, real_target)
        scaled = d_optimizer.scale_loss(device_share(d_loss))
    grads = tape.gradient(scaled, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))

    with g_tape:  # resumes recording on top of G's forward pass
        g_loss = generator_loss(as_float32(discriminator(fake_images, training=True)))
        scaled = g_optimizer.scale_loss(device_share(g_loss))
    grads = g_tape.gradient(scaled, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
    return d_loss, g_loss, real_logits, fake_logits
