"""Lesson 05's check against learner-style training steps: wrong ones fail a public case, other right ones
(the one-pass step, another call order, Keras's loss objects, a @tf.function) pass.

The check runs several steps on networks with BatchNorm and Dropout in D and logits far from 0, and
compares both networks' weights and D's moving statistics after them.
"""

import keras
import pytest
import tensorflow as tf
from learner_answers import cases, fails_publicly, ids, passes_everything

from dcgan_lessons.dcgan.gan_step import fast_train_step
from dcgan_lessons.losses.minimax import discriminator_loss, generator_loss

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


# --- 05.DCGAN: the keras.Model subclass -------------------------------------------------------------------


class _Model(keras.Model):
    """A correct answer written the way the lesson asks; the wrong ones below change one thing each."""

    def __init__(self, generator, discriminator, step_function, seed=None):
        super().__init__()
        self.generator, self.discriminator, self.step_function = generator, discriminator, step_function
        self.latent_dim = generator.input_shape[-1]
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = [keras.metrics.Mean(name=n) for n in ("d_loss", "g_loss", "d_real", "d_fake")]

    @property
    def metrics(self):
        return self.trackers

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def noise(self, real_images):
        return keras.random.normal((tf.shape(real_images)[0], self.latent_dim), seed=self.seed_generator)

    def values(self, real_images):
        d_loss, g_loss, real_logits, fake_logits = self.step_function(
            self.generator,
            self.discriminator,
            self.d_optimizer,
            self.g_optimizer,
            real_images,
            self.noise(real_images),
        )
        return (
            d_loss,
            g_loss,
            tf.reduce_mean(tf.sigmoid(real_logits)),
            tf.reduce_mean(tf.sigmoid(fake_logits)),
        )

    def train_step(self, real_images):
        for tracker, value in zip(self.trackers, self.values(real_images), strict=True):
            tracker.update_state(value)
        return {tracker.name: tracker.result() for tracker in self.trackers}


class ModelWithoutSuperCompile(_Model):
    def compile(self, d_optimizer, g_optimizer):
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer


class ModelFakeTrackerFedRealLogits(_Model):
    def values(self, real_images):
        d_loss, g_loss, d_real, _ = super().values(real_images)
        return d_loss, g_loss, d_real, d_real  # copied the line above and forgot to change it


class ModelUniformNoise(_Model):
    def noise(self, real_images):  # the paper's z ~ U(-1, 1), where the lesson (and the step) use N(0, I)
        shape = (tf.shape(real_images)[0], self.latent_dim)
        return keras.random.uniform(shape, minval=-1.0, maxval=1.0, seed=self.seed_generator)


class ModelBatchSizeNoise(_Model):
    BATCH_SIZE = 64

    def noise(self, real_images):  # the batch size of the tutorials' constant, not of this batch
        return keras.random.normal((self.BATCH_SIZE, self.latent_dim), seed=self.seed_generator)


class ModelUnseededNoise(_Model):
    def noise(self, real_images):
        return tf.random.normal((tf.shape(real_images)[0], self.latent_dim))


class ModelKerasIoStyle(keras.Model):
    """keras.io's "DCGAN to generate face images": trackers made in compile, the dict written out."""

    def __init__(self, generator, discriminator, step_function, seed=None):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.step = step_function
        self.latent_dim = generator.inputs[0].shape[1]
        self.seed_generator = keras.random.SeedGenerator(seed)

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")
        self.d_real_metric = keras.metrics.Mean(name="d_real")
        self.d_fake_metric = keras.metrics.Mean(name="d_fake")

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric, self.d_real_metric, self.d_fake_metric]

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def train_step(self, data):
        batch_size = keras.ops.shape(data)[0]
        z = keras.random.normal(
            shape=(batch_size, self.latent_dim), mean=0.0, stddev=1.0, seed=self.seed_generator
        )
        d_loss, g_loss, real_logits, fake_logits = self.step(
            self.generator, self.discriminator, self.d_optimizer, self.g_optimizer, data, z
        )
        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        self.d_real_metric.update_state(keras.ops.mean(keras.ops.sigmoid(real_logits)))
        self.d_fake_metric.update_state(keras.ops.mean(keras.ops.sigmoid(fake_logits)))
        return {
            "d_loss": self.d_loss_metric.result(),
            "g_loss": self.g_loss_metric.result(),
            "d_real": self.d_real_metric.result(),
            "d_fake": self.d_fake_metric.result(),
        }


WRONG["05.DCGAN"] = [
    ModelWithoutSuperCompile,
    ModelFakeTrackerFedRealLogits,
    ModelUniformNoise,
    ModelBatchSizeNoise,
    ModelUnseededNoise,
]
RIGHT["05.DCGAN"] = [_Model, ModelKerasIoStyle]


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_a_model_tracking_the_wrong_logits_is_told_which_number_differs():
    feedback = fails_publicly("05.DCGAN", ModelFakeTrackerFedRealLogits)
    assert "the d_fake that fit() reported for each epoch" in feedback
    assert "item" not in feedback


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
