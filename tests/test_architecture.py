"""The DCGAN builders follow the paper's guidelines; shapes and parameter counts worked out by hand."""

import keras
import numpy as np
import pytest

from dcgan_lessons.dcgan.architecture import (
    architecture_summary,
    build_discriminator,
    build_generator,
    tutorial_discriminator,
    tutorial_generator,
    upsampling_plan,
)


def _layers(model, kind):
    return [layer for layer in model.layers if type(layer).__name__ == kind]


@pytest.mark.parametrize(
    ("shape", "plan"),
    [((28, 28, 1), (2, 7)), ((64, 64, 3), (4, 4)), ((32, 32, 3), (3, 4)), ((16, 16, 1), (2, 4))],
)
def test_upsampling_plan(shape, plan):
    assert upsampling_plan(shape) == plan


@pytest.mark.parametrize("shape", [(7, 7, 1), (28, 20, 1), (28, 28), "28x28", (30, 30, 0)])
def test_upsampling_plan_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="image_shape"):
        upsampling_plan(shape)


def test_mnist_sized_pair_shapes_and_parameters():
    generator, discriminator = build_generator(100, (28, 28, 1)), build_discriminator((28, 28, 1))
    assert generator.input_shape == (None, 100) and generator.output_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    g_by_hand = 100 * 6272 + 4 * 6272 + 16 * 128 * 64 + 4 * 64 + 16 * 64 + 1
    d_by_hand = (16 * 64 + 64) + (16 * 64 * 128 + 4 * 128) + (6272 + 1)
    assert (generator.count_params(), discriminator.count_params()) == (g_by_hand, d_by_hand)


def test_paper_model_shapes():
    generator = build_generator(100, (64, 64, 3), base_filters=128)
    reshaped = [
        tuple(layer.output.shape[1:]) for layer in generator.layers if type(layer).__name__ == "ReLU"
    ][1:]
    assert reshaped == [(8, 8, 512), (16, 16, 256), (32, 32, 128)]
    assert _layers(generator, "Reshape")[0].output.shape[1:] == (4, 4, 1024)
    assert generator.output_shape == (None, 64, 64, 3)
    discriminator = build_discriminator((64, 64, 3), base_filters=128)
    convs = [layer.output.shape[1:] for layer in _layers(discriminator, "Conv2D")]
    assert convs == [(32, 32, 128), (16, 16, 256), (8, 8, 512), (4, 4, 1024)]


def test_guidelines_hold():
    generator, discriminator = build_generator(), build_discriminator()
    # LeakyReLU 0.2 in D only, ReLU and a tanh output in G.
    assert [layer.negative_slope for layer in _layers(discriminator, "LeakyReLU")] == [0.2, 0.2]
    assert not _layers(generator, "LeakyReLU") and _layers(generator, "ReLU")
    assert generator.layers[-1].get_config()["activation"] == "tanh"
    # No BatchNorm right before G's output or right after D's input; D ends in a linear unit (a logit).
    assert type(generator.layers[-2]).__name__ == "Conv2DTranspose"
    assert type(discriminator.layers[2]).__name__ == "LeakyReLU"
    assert discriminator.layers[-1].get_config()["activation"] == "linear"
    for model in (generator, discriminator):
        for layer in _layers(model, "BatchNormalization"):
            assert (layer.momentum, layer.epsilon) == (0.9, 1e-5)
        for layer in model.layers:
            init = layer.get_config().get("kernel_initializer")
            if init is not None:
                assert init["class_name"] == "RandomNormal" and init["config"]["stddev"] == 0.02


def test_discriminator_returns_unbounded_logits():
    discriminator = build_discriminator()
    # Weights scaled up so the logits are large: a sigmoid output could never leave [0, 1].
    discriminator.set_weights([w * 50 for w in discriminator.get_weights()])
    images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    logits = keras.ops.convert_to_numpy(discriminator(images, training=False))
    assert logits.min() < 0 or logits.max() > 1


def test_tutorial_model_parameter_counts_match_the_content_notes():
    generator = tutorial_generator()
    trainable = sum(int(np.prod(w.shape)) for w in generator.trainable_weights)
    assert (generator.count_params(), trainable, tutorial_discriminator().count_params()) == (
        2_330_944,
        2_305_472,
        212_865,
    )


def test_summary_names_what_differs():
    lines = architecture_summary(build_discriminator())
    assert lines[0].startswith(
        "Conv2D(filters=64, kernel=(4, 4), strides=(2, 2), padding=same, use_bias=True"
    )
    assert "LeakyReLU(negative_slope=0.2)" in lines[1]
    assert lines[-1].endswith("(None, 1), 6,273 params")
