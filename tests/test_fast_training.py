"""The speed-ups change nothing that is learned: the one-forward-pass step gives the taught step's weights,
the data-resident JAX loop gives `fit()`'s, mixed precision trains to the same quality, and a resident run
resumes where it stopped."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from dcgan_lessons.course.data import load_dataset
from dcgan_lessons.dcgan.architecture import (
    build_discriminator,
    build_generator,
    tutorial_discriminator,
    tutorial_generator,
)
from dcgan_lessons.dcgan.gan_step import fast_train_step, train_step
from dcgan_lessons.dcgan.training import RunConfig, fixed_noise, generate, make_gan, train_dcgan
from dcgan_lessons.evaluate.quality import PCAFeatures, frechet_distance

ROOT = Path(__file__).resolve().parents[1]


def _three_steps(step, networks):
    keras.utils.set_random_seed(1)
    generator, discriminator = networks()
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    compiled = tf.function(lambda x, z: step(generator, discriminator, d_opt, g_opt, x, z))
    rng = np.random.default_rng(0)
    outputs = []
    for _ in range(3):
        real = np.tanh(rng.normal(size=(16, 28, 28, 1))).astype("float32")
        noise = rng.normal(size=(16, 100)).astype("float32")
        outputs.append([np.asarray(v) for v in compiled(real, noise)])
    return outputs, generator.trainable_weights + discriminator.trainable_weights


@pytest.mark.parametrize(
    "networks",
    [
        lambda: (build_generator(100, (28, 28, 1)), build_discriminator((28, 28, 1))),
        lambda: (tutorial_generator(), tutorial_discriminator()),  # with Dropout: same random masks too
    ],
    ids=["course", "tutorial"],
)
def test_the_fast_step_trains_the_same_weights_as_the_taught_step(networks):
    taught, taught_weights = _three_steps(train_step, networks)
    fast, fast_weights = _three_steps(fast_train_step, networks)
    for want, got in zip(taught, fast, strict=True):
        for a, b in zip(want, got, strict=True):  # d_loss, g_loss, real and fake logits
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    for a, b in zip(taught_weights, fast_weights, strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-6)
    assert not np.allclose(np.asarray(taught_weights[0]), np.asarray(networks()[0].trainable_weights[0]))


def test_mixed_precision_computes_in_16_bits_keeps_float32_weights_and_restores_the_policy():
    config = RunConfig(batch_size=16, latent_dim=8, precision="mixed_bfloat16")
    gan = make_gan(config, (16, 16, 1))
    assert keras.config.dtype_policy().name == "float32"  # the global policy is back
    convolution = next(layer for layer in gan.generator.layers if "conv" in layer.name)
    assert (convolution.compute_dtype, convolution.variable_dtype) == ("bfloat16", "float32")
    images = np.tanh(np.random.default_rng(0).normal(size=(32, 16, 16, 1))).astype("float32")
    logs = gan.fit(images, batch_size=16, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in logs.values())
    assert {str(v.dtype) for v in gan.generator.trainable_variables} == {"float32"}


def test_float16_uses_loss_scaling_and_trains():
    gan = make_gan(RunConfig(batch_size=16, latent_dim=8, precision="mixed_float16"), (16, 16, 1))
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    images = np.tanh(np.random.default_rng(0).normal(size=(32, 16, 16, 1))).astype("float32")
    before = gan.generator.get_weights()[0].copy()
    gan.fit(images, batch_size=16, epochs=2, verbose=0)
    assert not np.allclose(before, gan.generator.get_weights()[0])


def test_an_unknown_precision_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="mixed_bfloat16.*got 'float8'"):
        make_gan(RunConfig(precision="float8"), (16, 16, 1))


def _frechet_after(run_dir, config, epochs, step_function, real_features, features):
    run = train_dcgan(run_dir, epochs=epochs, config=config, step_function=step_function, verbose=0)
    images = generate(run.gan.generator, fixed_noise(500, config.latent_dim, 11))
    return frechet_distance(real_features, features(images))


def test_the_fast_path_reaches_the_plain_paths_quality(tmp_path):
    """Fixed seed, the bundled digits: the taught step in float32 against the fast step in bfloat16.

    Tolerance: the two Fréchet distances (PCA features) within a factor 1.5 of each other, both under half
    the untrained generator's. Seen on this project's CPU (1 December 2026), untrained 134; after epochs
    1-6, plain 112, 96, 62, 36.5, 25, 12.2 and fast 115, 95, 65, 33.5, 30, 11.6; a fast run whose G does not
    learn (learning rate 1e-12) stays at 126. Four epochs: the first where both are well under 67, half the
    untrained distance (the third is not), so the test needs 4 epochs of the two runs, not 6.
    """
    real = load_dataset("digits", split="test").images
    features = PCAFeatures(load_dataset("digits", split="train").images)
    real_features = features(real)
    plain = RunConfig(batch_size=32, seed=2)
    fast = RunConfig(batch_size=32, seed=2, precision="mixed_bfloat16")
    untrained = make_gan(plain, real.shape[1:])
    fd_untrained = frechet_distance(
        real_features, features(generate(untrained.generator, fixed_noise(500, plain.latent_dim, 11)))
    )
    fd_plain = _frechet_after(tmp_path / "plain", plain, 4, train_step, real_features, features)
    fd_fast = _frechet_after(tmp_path / "fast", fast, 4, None, real_features, features)
    assert max(fd_plain, fd_fast) < fd_untrained / 2, (fd_untrained, fd_plain, fd_fast)
    assert 1 / 1.5 < fd_fast / fd_plain < 1.5, (fd_plain, fd_fast)


def test_the_resident_jax_loop_trains_like_fit_and_resumes_exactly(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "jax_loops.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["backend"] == "jax"
    # Same batches in the same order, same steps: the same losses each epoch and the same weights.
    for fit, resident in zip(result["fit"], result["resident"], strict=True):
        assert resident == pytest.approx(fit, rel=1e-4, abs=1e-6)
    assert result["fit_vs_resident"] < 1e-4
    assert result["resumed_from"] == 1 and result["steps_done"] == 2 * (128 // 32)
    for resumed, whole in zip(result["resumed"], result["resident"], strict=True):
        assert resumed == pytest.approx(whole, rel=1e-5)
    assert result["resumed_vs_whole"] < 1e-5
    # Seeding on JAX leaves TensorFlow unloaded (seed_everything) and every generator as Keras's call does.
    assert not result["tensorflow_loaded"], "a JAX run imported TensorFlow"
    assert result["seeded"] == result["keras_seeded"]
