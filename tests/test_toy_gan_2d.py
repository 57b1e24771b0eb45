"""The NumPy 2-D GAN: its hand-written gradients match finite differences, it learns the ring, its
settings change live, and its arrows are the generator's per-sample pull."""

import numpy as np
import pytest

from dcgan_lessons.toy.collapse import sample_real_ring
from dcgan_lessons.toy.gan_2d import GAN2D, GAN2DConfig, generator_pull, sigmoid


def _float64_copy(gan):
    """The same GAN in float64, so that finite differences are accurate enough to compare."""
    for net in (gan.generator, gan.discriminator):
        net.params = [p.astype(np.float64) for p in net.params]
    return gan


def _numeric_grad(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        plus = f()
        array[index] = old - eps
        minus = f()
        array[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def test_d_input_gradient_matches_finite_differences():
    gan = _float64_copy(GAN2D(seed=0, hidden=8))
    x = np.random.default_rng(0).normal(size=(5, 2))
    _, grads = gan.discriminator.backward(gan.discriminator.forward(x)[1], np.ones((5, 1)), want_params=False)
    numeric = np.stack(
        [_numeric_grad(lambda i=i: gan.discriminator.forward(x)[0][i, 0], x)[i] for i in range(5)]
    )
    np.testing.assert_allclose(grads, numeric, atol=1e-6)


@pytest.mark.parametrize("loss", ["non-saturating", "saturating"])
def test_generator_parameter_gradients_match_finite_differences(loss):
    gan = _float64_copy(GAN2D(seed=1, hidden=6, latent_dim=3, loss=loss))
    z = np.random.default_rng(1).normal(size=(7, 3))
    g, d = gan.generator, gan.discriminator

    def g_loss():
        a = d.forward(g.forward(z)[0])[0][:, 0]
        return np.mean(-np.log(sigmoid(a))) if loss == "non-saturating" else np.mean(np.log(1 - sigmoid(a)))

    fake, g_cache = g.forward(z)
    out, d_cache = d.forward(fake)
    a = out[:, 0]
    dloss_da = -(1 - sigmoid(a)) if loss == "non-saturating" else -sigmoid(a)
    _, grad_x = d.backward(d_cache, (dloss_da / len(a))[:, None], want_params=False)
    grads, _ = g.backward(g_cache, grad_x)
    for param, grad in zip(g.params, grads, strict=True):
        np.testing.assert_allclose(grad, _numeric_grad(g_loss, param), atol=1e-7)


def test_generator_pull_is_minus_the_per_sample_gradient_of_g_loss():
    gan = _float64_copy(GAN2D(seed=2, hidden=8))
    x = np.random.default_rng(2).normal(size=(4, 2))

    def logits(p):  # in float64 (d_logits works in the GAN's float32)
        return gan.discriminator.forward(p)[0][:, 0]

    for loss, per_sample in [
        ("non-saturating", lambda p: -np.log(sigmoid(logits(p)))),
        ("saturating", lambda p: np.log(1 - sigmoid(logits(p)))),
    ]:
        gan.configure(loss=loss)
        numeric = np.stack([_numeric_grad(lambda i=i, f=per_sample: f(x)[i], x)[i] for i in range(4)])
        np.testing.assert_allclose(gan.sample_pull(x), -numeric, rtol=1e-4, atol=1e-6)
    # The saturating pull vanishes where D rejects a sample with confidence; the other one does not.
    weak = generator_pull(np.array([-8.0]), np.array([[1.0, 0.0]]), "saturating")
    strong = generator_pull(np.array([-8.0]), np.array([[1.0, 0.0]]), "non-saturating")
    assert np.linalg.norm(weak) < 1e-3 < 0.99 < np.linalg.norm(strong)


def test_a_d_step_makes_d_better_and_counters_follow():
    gan = GAN2D(seed=0)
    real = sample_real_ring(256, np.random.default_rng(0))
    first = gan.d_step(real)
    for _ in range(30):
        last = gan.d_step(real)
    assert last < first and np.isclose(first, 2 * np.log(2), atol=0.2)
    gan.g_step()
    assert (gan.d_steps, gan.g_steps, gan.rounds) == (31, 1, 0)
    gan.configure(k=3, g_steps=2)
    gan.round(sample_real_ring)
    assert (gan.d_steps, gan.g_steps, gan.rounds) == (34, 3, 1)


def test_configure_changes_rates_at_once_and_reset_restarts():
    gan = GAN2D(seed=4)
    before = gan.sample(5)
    gan.train(sample_real_ring, 5)
    gan.configure(d_lr=0.05, g_lr=0.02, loss="saturating")
    assert (gan._d_opt.lr, gan._g_opt.lr, gan.config.loss) == (0.05, 0.02, "saturating")
    gan.reset()
    np.testing.assert_array_equal(gan.sample(5), before)
    assert gan.d_steps == gan.g_steps == gan.rounds == 0
    with pytest.raises(ValueError, match=r"configure\(\) changes .* got \['hidden'\]"):
        gan.configure(hidden=3)
    with pytest.raises(ValueError, match="loss"):
        gan.configure(loss="wasserstein")
    with pytest.raises(ValueError, match=r"real must be 2-D points of shape \(n, 2\)"):
        gan.d_step(np.zeros((4, 3)))


def test_same_seed_same_run():
    a, b = GAN2D(GAN2DConfig(), seed=3), GAN2D(seed=3)
    a.train(sample_real_ring, 20)
    b.train(sample_real_ring, 20)
    np.testing.assert_array_equal(a.sample(10), b.sample(10))
