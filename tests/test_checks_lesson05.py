"""Lesson 05's check against learner-style training steps: wrong ones fail a public case, other right ones
(the one-pass step, another call order, Keras's loss objects, a @tf.function) pass.

The check runs several steps on networks with BatchNorm and Dropout in D and logits far from 0, and
compares both networks' weights and D's moving statistics after them.
"""

import keras
import pytest
import tensorflow as tf
from learner_answers import cases, fails_publicly, ids, passes_everything

from dcgan_lessons.gan_step import fast_train_step
from dcgan_lessons.losses import discriminator_loss, generator_loss

bce = keras.losses.BinaryCrossentropy(from_logits=True)


def _apply(optimizer, tape, loss, model):
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))


def _step(
    generator,
    discriminator,
    d_optimizer,
    g_optimizer,
    real_images,
    noise,
    *,
    d_training=True,
    g_d_training=True,
    real_label=1.0,
    fake_label=0.0,
):
    """The taught step with the discriminator's mode and the labels as options."""
    fake_images = generator(noise, training=True)
    with tf.GradientTape() as tape:
        real_logits = discriminator(real_images, training=d_training)
        fake_logits = discriminator(fake_images, training=d_training)
        d_loss = bce(tf.fill(tf.shape(real_logits), real_label), real_logits) + bce(
            tf.fill(tf.shape(fake_logits), fake_label), fake_logits
        )
    _apply(d_optimizer, tape, d_loss, discriminator)
    with tf.GradientTape() as tape:
        logits = discriminator(generator(noise, training=True), training=g_d_training)
        g_loss = bce(tf.ones_like(logits), logits)
    _apply(g_optimizer, tape, g_loss, generator)
    return d_loss, g_loss, real_logits, fake_logits


# --- wrong ------------------------------------------------------------------------------------------------


def step_without_training_flag(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
    fake_images = generator(noise, training=True)
    with tf.GradientTape() as tape:
        real_logits, fake_logits = discriminator(real_images), discriminator(fake_images)
        d_loss = discriminator_loss(real_logits, fake_logits)
    _apply(d_optimizer, tape, d_loss, discriminator)
    with tf.GradientTape() as tape:
        g_loss = generator_loss(discriminator(generator(noise, training=True)))
    _apply(g_optimizer, tape, g_loss, generator)
    return d_loss, g_loss, real_logits, fake_logits


def step_d_in_inference_for_g(*args):
    return _step(*args, g_d_training=False)


def step_two_sided_smoothing(*args):
    return _step(*args, real_label=0.9, fake_label=0.1)


def step_tutorial_style(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
    """TensorFlow's tutorial: both losses from one forward pass, G through the *old* D."""
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake_images = generator(noise, training=True)
        real_logits = discriminator(real_images, training=True)
        fake_logits = discriminator(fake_images, training=True)
        d_loss = discriminator_loss(real_logits, fake_logits)
        g_loss = generator_loss(fake_logits)
    _apply(d_optimizer, d_tape, d_loss, discriminator)
    _apply(g_optimizer, g_tape, g_loss, generator)
    return d_loss, g_loss, real_logits, fake_logits


def step_one_batch_for_d(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
    """Scores real and fake images in one call: BatchNorm then mixes their statistics."""
    fake_images = generator(noise, training=True)
    with tf.GradientTape() as tape:
        logits = discriminator(tf.concat([real_images, fake_images], axis=0), training=True)
        real_logits, fake_logits = tf.split(logits, 2)
        d_loss = discriminator_loss(real_logits, fake_logits)
    _apply(d_optimizer, tape, d_loss, discriminator)
    with tf.GradientTape() as tape:
        g_loss = generator_loss(discriminator(generator(noise, training=True), training=True))
    _apply(g_optimizer, tape, g_loss, generator)
    return d_loss, g_loss, real_logits, fake_logits


# --- right ------------------------------------------------------------------------------------------------


def step_fakes_scored_first(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
    fake_images = generator(noise, training=True)
    with tf.GradientTape() as tape:
        fake_logits = discriminator(fake_images, training=True)
        real_logits = discriminator(real_images, training=True)
        d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
    _apply(d_optimizer, tape, d_loss, discriminator)
    with tf.GradientTape() as tape:
        logits = discriminator(generator(noise, training=True), training=True)
        g_loss = bce(tf.ones_like(logits), logits)
    _apply(g_optimizer, tape, g_loss, generator)
    return d_loss, g_loss, real_logits, fake_logits


@tf.function
def step_compiled(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
    return _step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise)


WRONG = {
    "05.train_step": [
        step_without_training_flag,
        step_d_in_inference_for_g,
        step_two_sided_smoothing,
        step_tutorial_style,
        step_one_batch_for_d,
    ]
}
RIGHT = {"05.train_step": [fast_train_step, step_fakes_scored_first, step_compiled]}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_a_discriminator_without_training_true_is_told_what_differs():
    feedback = fails_publicly("05.train_step", step_without_training_flag)
    assert "the D loss of each step" in feedback  # named by meaning, not "item 0"
    assert "item" not in feedback


def test_check_ticks_the_one_pass_step_and_not_a_d_without_training_true(capsys):
    from dcgan_lessons import check

    assert check("05.train_step", fast_train_step) is fast_train_step
    assert "✓ 05.train_step" in capsys.readouterr().out
    check("05.train_step", step_without_training_flag)
    assert "✗ 05.train_step" in capsys.readouterr().out


def test_checking_a_tf_function_leaves_it_untraced_for_the_lesson(capsys):
    """The check traces its own copy: the learner's @tf.function still takes the lesson's networks first."""
    from dcgan_lessons import check
    from dcgan_lessons.exercises.lesson05 import _case_discriminator, _case_generator

    @tf.function
    def train_step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise):
        return _step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise)

    assert check("05.train_step", train_step) is train_step
    assert "✓ 05.train_step" in capsys.readouterr().out
    networks = _case_generator(3), _case_discriminator(4)
    optimizers = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
    real, noise = tf.random.normal((4, 8, 8, 1)), tf.random.normal((4, 4))
    train_step(*networks, *optimizers, real, noise)  # would raise if the check had used its first trace
