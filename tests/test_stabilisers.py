"""Lesson 07's stabilisers: the gradient penalty equals its closed form on a linear critic (in NumPy and in
the training step), spectral norm's power iteration converges to the largest singular value and makes one
step per D update, WGAN-GP and hinge train the same on TensorFlow and JAX, and stabilised runs resume."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from dcgan_lessons.dcgan.config import stable_config
from dcgan_lessons.dcgan.stable_gan import (
    SpectralConv2D,
    SpectralDense,
    StableGAN,
    _spectral_kernel,
)
from dcgan_lessons.dcgan.training import train_dcgan
from dcgan_lessons.losses.stabilisers import (
    OPTIMIZER_DEFAULTS,
    critic_loss,
    gradient_penalty,
    hinge_losses,
    point_mass_distances,
    power_iteration_step,
    spectral_norm_estimate,
    wasserstein_1d,
)

SCRIPT = Path(__file__).with_name("stable_backend_steps.py")
ROOT = SCRIPT.parent.parent


def test_gradient_penalty_of_a_linear_critic_is_its_closed_form():
    # D(x) = w . x has gradient w everywhere: the penalty is lambda * (||w|| - 1)^2, whatever the points.
    w = np.array([3.0, 4.0])
    rng = np.random.default_rng(0)
    real, fake, eps = rng.normal(size=(6, 2)), rng.normal(size=(6, 2)), rng.uniform(size=6)
    assert gradient_penalty(lambda x: np.broadcast_to(w, x.shape), real, fake, eps) == pytest.approx(160.0)
    # On images the norm runs over every non-batch axis: w of shape (4, 4, 1) with all entries 0.5 -> 2.
    w_img = np.full((4, 4, 1), 0.5)
    real, fake = rng.normal(size=(3, 4, 4, 1)), rng.normal(size=(3, 4, 4, 1))
    got = gradient_penalty(
        lambda x: np.broadcast_to(w_img, x.shape), real, fake, rng.uniform(size=3), weight=1
    )
    assert got == pytest.approx((2.0 - 1.0) ** 2)


def test_gradient_penalty_matches_finite_differences_on_a_nonlinear_critic():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3,))

    def critic(x):  # per-sample score: sum(tanh(x) * a)
        return np.sum(np.tanh(x) * a, axis=1)

    def finite_difference(x, h=1e-6):
        grads = np.zeros_like(x)
        for j in range(x.shape[1]):
            step = np.zeros_like(x)
            step[:, j] = h
            grads[:, j] = (critic(x + step) - critic(x - step)) / (2 * h)
        return grads

    real, fake, eps = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.uniform(size=5)
    x_hat = eps[:, None] * real + (1 - eps[:, None]) * fake
    norms = np.linalg.norm(a * (1 - np.tanh(x_hat) ** 2), axis=1)
    want = 10 * np.mean((norms - 1) ** 2)
    assert gradient_penalty(finite_difference, real, fake, eps) == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("spectral", [False, True])
def test_the_training_step_adds_the_closed_form_penalty_for_a_linear_critic(spectral):
    w = np.array([[3.0], [4.0]], "float32")
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    critic.layers[0].set_weights([w])
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    gan = StableGAN(generator, critic, loss="wgan-gp", n_critic=1, seed=0)
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0))
    rng = np.random.default_rng(2)
    real, noise = rng.normal(size=(8, 2)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")
    logs = gan.train_on_batch(real, noise, rng.uniform(size=(1, 8)).astype("float32"), return_dict=True)
    fake = generator.predict(noise, verbose=0)
    want = critic_loss(real @ w, fake @ w) + 160.0
    assert logs["d_loss"] == pytest.approx(want, rel=1e-5)


def test_power_iteration_converges_to_the_largest_singular_value_from_below():
    w = np.random.default_rng(3).normal(size=(6, 9))
    estimates = spectral_norm_estimate(w, steps=60)
    true = np.linalg.norm(w, 2)
    assert estimates[-1] == pytest.approx(true, rel=1e-6)
    assert all(e <= true + 1e-9 for e in estimates)
    assert estimates[0] < true * 0.999  # one step alone is not the answer
    sigma, _ = power_iteration_step(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 0.0]))
    assert sigma == pytest.approx(5.403702, abs=1e-6)  # one step from u = (1, 0): v = (1, 2)/sqrt(5) ...
    # ... and after a few more, CONTENT_NOTES's sigma([[1, 2], [3, 4]]) = 5.464986.
    assert spectral_norm_estimate([[1.0, 2.0], [3.0, 4.0]], steps=10)[-1] == pytest.approx(5.464986, abs=1e-6)


@pytest.mark.parametrize(
    "make", [lambda: SpectralDense(5), lambda: SpectralConv2D(4, 3)], ids=["dense", "conv"]
)
def test_a_spectral_layer_divides_its_kernel_by_its_spectral_norm(make):
    # Seeded: built unseeded, the kernel depended on what the worker ran before, and power iteration
    # converges at the rate (sigma_2 / sigma_1)^steps, so an unlucky kernel was still 1.00075 after 40 steps
    # (CI, 1 December 2026). With 150 steps, seeds 0-19 of both layers were all within 2e-7 of 1 (with 40,
    # up to 5e-4 away).
    keras.utils.set_random_seed(0)
    layer = make()
    shape = (2, 7) if isinstance(layer, SpectralDense) else (2, 6, 6, 3)
    layer.build(shape)
    units = layer.kernel.shape[-1]
    x = np.random.default_rng(4).normal(size=shape).astype("float32")
    for _ in range(150):  # one power-iteration step per training call
        layer(x, training=True)
    normalised = keras.ops.convert_to_numpy(_spectral_kernel(layer, layer.kernel, units, training=False))
    matrix = normalised.reshape(-1, units).T
    assert np.linalg.norm(matrix, 2) == pytest.approx(1.0, rel=1e-4)


def test_one_d_update_makes_exactly_one_power_iteration_step():
    generator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    critic = keras.Sequential([keras.Input((4,)), SpectralDense(6), SpectralDense(1)])
    gan = StableGAN(generator, critic, loss="hinge", seed=0)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    first = critic.layers[0]
    kernel, u = np.asarray(first.kernel), np.asarray(first.sn_u)
    _, want = power_iteration_step(kernel.T, u)  # Miyato's W is (out, in): the kernel transposed
    rng = np.random.default_rng(5)
    gan.train_on_batch(rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 3)).astype("float32"))
    np.testing.assert_allclose(np.asarray(first.sn_u), want, rtol=1e-5, atol=1e-6)
    _, twice = power_iteration_step(kernel.T, want)
    assert not np.allclose(twice, want, atol=1e-4)  # a second step would have been visible


def test_hinge_critic_and_wasserstein_formulas():
    assert critic_loss([1.0, 3.0], [0.0, 0.0]) == -2.0
    assert hinge_losses([2.0, 0.5], [-3.0, 0.0]) == (pytest.approx(0.25 + 0.5), pytest.approx(1.5))
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=50), rng.exponential(size=50)
    assert wasserstein_1d(x, y) == pytest.approx(wasserstein_distance(x, y))
    assert [point_mass_distances(t)["wasserstein"] for t in (-2, 0.5)] == [2, 0.5]
    assert point_mass_distances(0.5)["jsd"] == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="same size"):
        wasserstein_1d([1.0], [1.0, 2.0])


def test_each_loss_carries_its_papers_constants():
    assert (OPTIMIZER_DEFAULTS["wgan-gp"].g_learning_rate, OPTIMIZER_DEFAULTS["wgan-gp"].n_critic) == (
        1e-4,
        5,
    )
    assert (OPTIMIZER_DEFAULTS["wgan-gp"].beta_1, OPTIMIZER_DEFAULTS["wgan-gp"].beta_2) == (0.0, 0.9)
    hinge = OPTIMIZER_DEFAULTS["hinge"]
    assert (hinge.d_learning_rate, hinge.g_learning_rate) == (4e-4, 1e-4)
    config = stable_config("hinge", spectral_norm=True)
    assert (config.d_learning_rate, config.learning_rate, config.beta_1) == (4e-4, 1e-4, 0.0)


def _steps(backend, tmp_path, loss, spectral):
    out = tmp_path / f"{backend}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    args = [str(tmp_path / "weights.npz"), str(out), loss, "1" if spectral else "0"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), backend, *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize(("loss", "spectral"), [("wgan-gp", True)])  # hinge: same step, checked by hand
def test_tensorflow_and_jax_train_the_stabilisers_alike(tmp_path, loss, spectral):
    tf_run, jax_run = _steps("tensorflow", tmp_path, loss, spectral), _steps("jax", tmp_path, loss, spectral)
    for tf_logs, jax_logs in zip(tf_run["steps"], jax_run["steps"], strict=True):
        for name in ("d_loss", "g_loss", "d_real", "d_fake"):
            assert jax_logs[name] == pytest.approx(tf_logs[name], rel=1e-4, abs=1e-5), name
    assert jax_run["sums"] == pytest.approx(tf_run["sums"], rel=1e-4)
    assert len({round(s["d_loss"], 5) for s in tf_run["steps"]}) == 3  # it trained


def test_a_stabilised_run_resumes_where_it_stopped(tmp_path):
    config = stable_config("wgan-gp", spectral_norm=True, batch_size=16, limit=48, latent_dim=8, image_size=8)
    config = type(config)(**{**config.__dict__, "n_critic": 2})
    whole = train_dcgan(tmp_path / "whole", epochs=2, config=config, verbose=0)
    train_dcgan(tmp_path / "cut", epochs=1, config=config, verbose=0)
    resumed = train_dcgan(tmp_path / "cut", epochs=2, config=config, verbose=0)
    assert resumed.resumed_from == 1 and isinstance(resumed.gan, StableGAN)
    for a, b in zip(whole.gan.variables, resumed.gan.variables, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    assert int(resumed.gan.d_optimizer.iterations) == 2 * int(resumed.gan.g_optimizer.iterations) == 2 * 2 * 3


@pytest.mark.parametrize("method", ["wgan-gp", "hinge+sn"])
def test_the_ring_comparison_trains_each_method_and_measures_it(method):
    from dcgan_lessons.toy.ring_comparison import train_on_ring

    modes, high_quality = train_on_ring(method, seed=0, rounds=3, setting="default")
    assert 0 <= modes <= 8 and 0.0 <= high_quality <= 1.0
