"""Lesson 04's checks against learner-style answers: wrong ones fail a public case, other right ones pass.

The checks compare what a network computes and its layers' roles, so equivalent ways of writing a layer
(`Activation("relu")` for `ReLU()`, a tanh inside the last convolution, a Sequential model) pass, and the
feedback names the role that differs without printing the course's layer.
"""

import keras
import pytest
from keras import layers
from learner_answers import cases, fails_publicly, ids, passes_everything

from dcgan_lessons.dcgan.architecture import dcgan_init, upsampling_plan


def _bn(**settings):
    return layers.BatchNormalization(**{"momentum": 0.9, "epsilon": 1e-5, **settings})


def _up(filters, **settings):
    options = {"strides": 2, "padding": "same", "use_bias": False, "kernel_initializer": dcgan_init()}
    return layers.Conv2DTranspose(filters, 4, **{**options, **settings})


def _down(filters, **settings):
    options = {"strides": 2, "padding": "same", "kernel_initializer": dcgan_init()}
    return layers.Conv2D(filters, 4, **{**options, **settings})


# --- 04.generator_block ---------------------------------------------------------------------------------


def g_block_relu_with_a_slope(x, filters):  # ReLU(negative_slope=0.2) is a leaky ReLU
    return layers.ReLU(negative_slope=0.2)(_bn()(_up(filters)(x)))


def g_block_init_mean(x, filters):  # RandomNormal's first argument is the mean
    up = _up(filters, kernel_initializer=keras.initializers.RandomNormal(0.02))
    return layers.ReLU()(_bn()(up(x)))


def g_block_default_epsilon(x, filters):  # momentum set, epsilon left at Keras's 1e-3
    return layers.ReLU()(layers.BatchNormalization(momentum=0.9)(_up(filters)(x)))


def g_block_relu_before_batchnorm(x, filters):
    return _bn()(layers.ReLU()(_up(filters)(x)))


def g_block_with_activation_layer(x, filters):
    return layers.Activation("relu")(_bn()(_up(filters)(x)))


def g_block_spelled_out(x, filters):
    x = layers.Conv2DTranspose(
        filters=filters,
        kernel_size=(4, 4),
        strides=(2, 2),
        padding="same",
        use_bias=False,
        kernel_initializer=keras.initializers.RandomNormal(mean=0.0, stddev=0.02),
    )(x)
    x = layers.BatchNormalization(axis=-1, momentum=0.9, epsilon=0.00001)(x)
    return layers.Activation(keras.activations.relu)(x)


# --- 04.discriminator_block -----------------------------------------------------------------------------


def d_block_batchnorm_always(x, filters, batch_norm=True):  # ignores batch_norm=False
    return layers.LeakyReLU(negative_slope=0.2)(_bn()(_down(filters, use_bias=False)(x)))


def d_block_never_a_bias(x, filters, batch_norm=True):  # the input block then has no bias either
    x = _down(filters, use_bias=False)(x)
    if batch_norm:
        x = _bn()(x)
    return layers.LeakyReLU(negative_slope=0.2)(x)


def d_block_kernel_3(x, filters, batch_norm=True):
    x = layers.Conv2D(
        filters, 3, strides=2, padding="same", use_bias=not batch_norm, kernel_initializer=dcgan_init()
    )(x)
    if batch_norm:
        x = _bn()(x)
    return layers.LeakyReLU(negative_slope=0.2)(x)


def d_block_with_dropout(x, filters, batch_norm=True):  # TensorFlow's tutorial adds Dropout(0.3)
    x = _down(filters, use_bias=not batch_norm)(x)
    if batch_norm:
        x = _bn()(x)
    return layers.Dropout(0.3)(layers.LeakyReLU(negative_slope=0.2)(x))


def d_block_relu_with_a_slope(x, filters, batch_norm=True):  # in D, ReLU(negative_slope=0.2) is right
    x = _down(filters, use_bias=not batch_norm)(x)
    x = _bn()(x) if batch_norm else x
    return layers.ReLU(negative_slope=0.2)(x)


def d_block_activation_string(x, filters, batch_norm=True):  # Keras's leaky_relu activation: slope 0.2
    conv = _down(filters, use_bias=not batch_norm)
    return layers.Activation("leaky_relu")(_bn()(conv(x)) if batch_norm else conv(x))


# --- 04.build_generator ---------------------------------------------------------------------------------


def _generator_from(latent_dim, side, filters, blocks, channels, *, bn_after_reshape=False):
    noise = keras.Input((latent_dim,))
    x = layers.Dense(side * side * filters, use_bias=False, kernel_initializer=dcgan_init())(noise)
    if bn_after_reshape:
        x = layers.ReLU()(_bn()(layers.Reshape((side, side, filters))(x)))
    else:
        x = layers.Reshape((side, side, filters))(layers.ReLU()(_bn()(x)))
    for _ in range(blocks):
        filters //= 2
        x = layers.ReLU()(_bn()(_up(filters)(x)))
    x = _up(channels, use_bias=True, activation="tanh")(x)
    return keras.Model(noise, x)


def generator_for_28_only(latent_dim, image_shape, base_filters=64):
    return _generator_from(latent_dim, 7, 128, 1, image_shape[-1])


def generator_bn_after_reshape(latent_dim, image_shape, base_filters=64):  # BatchNorm per channel instead
    steps, side = upsampling_plan(image_shape)
    return _generator_from(
        latent_dim, side, base_filters * 2 ** (steps - 1), steps - 1, image_shape[-1], bn_after_reshape=True
    )


def generator_filters_not_doubled(latent_dim, image_shape, base_filters=64):
    steps, side = upsampling_plan(image_shape)
    return _generator_from(latent_dim, side, base_filters, steps - 1, image_shape[-1])


def generator_tanh_in_the_convolution(latent_dim, image_shape, base_filters=64):
    steps, side = upsampling_plan(image_shape)
    return _generator_from(latent_dim, side, base_filters * 2 ** (steps - 1), steps - 1, image_shape[-1])


def generator_sequential(latent_dim, image_shape, base_filters=64):
    steps, side = upsampling_plan(image_shape)
    filters = base_filters * 2 ** (steps - 1)
    model = keras.Sequential([keras.Input((latent_dim,))])
    model.add(layers.Dense(side * side * filters, use_bias=False, kernel_initializer=dcgan_init()))
    model.add(_bn())
    model.add(layers.ReLU())
    model.add(layers.Reshape((side, side, filters)))
    for step in range(1, steps):
        model.add(_up(filters // 2**step))
        model.add(_bn())
        model.add(layers.Activation("relu"))
    model.add(_up(image_shape[-1], use_bias=True))
    model.add(layers.Activation("tanh"))
    return model


# --- 04.build_discriminator -----------------------------------------------------------------------------


def _discriminator_from(image_shape, filters, blocks, *, dropout=0.0, pooling=False):
    images = keras.Input(tuple(image_shape))
    x = layers.LeakyReLU(negative_slope=0.2)(_down(filters)(images))
    for _ in range(blocks - 1):
        filters *= 2
        x = layers.LeakyReLU(negative_slope=0.2)(_bn()(_down(filters, use_bias=False)(x)))
        if dropout:
            x = layers.Dropout(dropout)(x)
    x = layers.GlobalAveragePooling2D()(x) if pooling else layers.Flatten()(x)
    return keras.Model(images, layers.Dense(1, kernel_initializer=dcgan_init())(x))


def discriminator_for_28_only(image_shape, base_filters=64):
    return _discriminator_from(image_shape, base_filters, 2)


def discriminator_with_dropout(image_shape, base_filters=64):
    return _discriminator_from(image_shape, base_filters, upsampling_plan(image_shape)[0], dropout=0.3)


def discriminator_global_pooling(image_shape, base_filters=64):
    return _discriminator_from(image_shape, base_filters, upsampling_plan(image_shape)[0], pooling=True)


def discriminator_with_a_loop(image_shape, base_filters=64):
    return _discriminator_from(image_shape, base_filters, upsampling_plan(image_shape)[0])


def discriminator_sequential(image_shape, base_filters=64):
    steps, _ = upsampling_plan(image_shape)
    model = keras.Sequential([keras.Input(tuple(image_shape)), _down(base_filters), layers.LeakyReLU(0.2)])
    for step in range(1, steps):
        model.add(_down(base_filters * 2**step, use_bias=False))
        model.add(_bn())
        model.add(layers.Activation("leaky_relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(stddev=0.02)))
    return model


WRONG = {
    "04.generator_block": [
        g_block_relu_with_a_slope,
        g_block_init_mean,
        g_block_default_epsilon,
        g_block_relu_before_batchnorm,
    ],
    "04.discriminator_block": [
        d_block_batchnorm_always,
        d_block_never_a_bias,
        d_block_kernel_3,
        d_block_with_dropout,
    ],
    "04.build_generator": [generator_for_28_only, generator_bn_after_reshape, generator_filters_not_doubled],
    "04.build_discriminator": [
        discriminator_for_28_only,
        discriminator_with_dropout,
        discriminator_global_pooling,
    ],
}
RIGHT = {
    "04.generator_block": [g_block_with_activation_layer, g_block_spelled_out],
    "04.discriminator_block": [d_block_relu_with_a_slope, d_block_activation_string],
    "04.build_generator": [generator_tanh_in_the_convolution, generator_sequential],
    "04.build_discriminator": [discriminator_with_a_loop, discriminator_sequential],
}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_feedback_names_the_role_without_printing_the_answer():
    feedback = fails_publicly("04.generator_block", g_block_default_epsilon)
    assert "the 1st BatchNorm's epsilon" in feedback
    assert "0.001" in feedback  # the learner's own value
    assert "1e-05" not in feedback and "0.00001" not in feedback  # never the course's
    feedback = fails_publicly("04.generator_block", g_block_relu_with_a_slope)
    assert "where the 1st activation belongs, yours has leaky ReLU" in feedback


def test_a_generator_hard_coded_for_28_fails_the_second_public_size():
    feedback = fails_publicly("04.build_generator", generator_for_28_only)
    assert "32x32x3" in feedback and "28x28x1" not in feedback
