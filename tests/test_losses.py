"""Every formula lesson 02 states agrees with a numerical check, to a stated tolerance, and the worked
numbers of CONTENT_NOTES come out of the package's losses."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from dcgan_lessons.losses.minimax import (
    LOG_4,
    bce_from_logits,
    discriminator_accuracy,
    discriminator_loss,
    generator_loss,
    histogram_jsd,
    jensen_shannon,
    naive_bce,
    optimal_discriminator,
    saturating_generator_loss,
    smoothed_discriminator_loss,
    value_function,
)

P_DATA = stats.norm(0, 1).pdf
P_G = stats.norm(1, 1).pdf
LIMITS = (-12, 13)  # both densities are below 1e-30 outside


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_value_at_d_one_half_is_minus_log_4():
    assert value_function(np.full(10, 0.5), np.full(3, 0.5)) == pytest.approx(-1.386294, abs=1e-6)
    assert LOG_4 == pytest.approx(1.386294, abs=1e-6)


def test_optimal_discriminator_worked_numbers_and_closed_form():
    x = np.array([0.0, 0.5, 1.0])
    np.testing.assert_allclose(optimal_discriminator(P_DATA(x), P_G(x)), [0.622459, 0.5, 0.377541], atol=1e-6)
    # For N(0,1) vs N(1,1) the ratio is exactly a sigmoid: D*(x) = sigmoid(0.5 - x).
    grid = np.linspace(-5, 6, 201)
    np.testing.assert_allclose(
        optimal_discriminator(P_DATA(grid), P_G(grid)), sigmoid(0.5 - grid), atol=1e-12
    )
    assert optimal_discriminator(P_DATA(np.zeros(1)), stats.norm(0, 2).pdf(np.zeros(1)))[0] == pytest.approx(
        2 / 3
    )
    with pytest.raises(ValueError, match="same shape"):
        optimal_discriminator(np.ones(2), np.ones(3))


def test_optimal_discriminator_maximises_v_pointwise():
    """At each x, D* maximises p_data log D + p_g log(1 - D) (checked by a bounded scalar search)."""
    for x in (-1.5, 0.0, 0.7, 2.0):
        best = optimize.minimize_scalar(
            lambda d, x=x: -(P_DATA(x) * np.log(d) + P_G(x) * np.log1p(-d)),
            bounds=(1e-9, 1 - 1e-9),
            method="bounded",
            options={"xatol": 1e-10},
        )
        assert best.x == pytest.approx(optimal_discriminator(P_DATA(x), P_G(x)), abs=1e-5)


def test_trained_discriminator_matches_d_star():
    """A discriminator trained on N(0,1) (real) vs N(1,1) (fake) agrees with D* within 0.05 on [-2, 3]."""
    from dcgan_lessons.toy.gan_1d import fit_discriminator

    d = fit_discriminator(lambda n, rng: rng.normal(0, 1, n), lambda n, rng: rng.normal(1, 1, n), 300, seed=0)
    x = np.linspace(-2, 3, 101)
    assert np.abs(d(x) - sigmoid(0.5 - x)).max() < 0.05


def _jsd_by_quadrature(p, q):
    def integrand(x):
        m = (p(x) + q(x)) / 2
        return 0.5 * p(x) * np.log(p(x) / m) + 0.5 * q(x) * np.log(q(x) / m)

    return integrate.quad(integrand, *LIMITS, limit=200)[0]


def test_c_of_g_is_minus_log_4_plus_twice_jsd():
    """C(G) = V(D*, G), integrated numerically, equals -log 4 + 2 JSD (to 1e-6)."""

    def v_at_d_star(x):
        d_star = P_DATA(x) / (P_DATA(x) + P_G(x))
        return P_DATA(x) * np.log(d_star) + P_G(x) * np.log1p(-d_star)

    c_of_g = integrate.quad(v_at_d_star, *LIMITS, limit=200)[0]
    jsd = _jsd_by_quadrature(P_DATA, P_G)
    assert jsd == pytest.approx(0.111421, abs=1e-6)
    assert c_of_g == pytest.approx(-1.163451, abs=1e-6)
    assert c_of_g == pytest.approx(-LOG_4 + 2 * jsd, abs=1e-6)


def test_jensen_shannon_discrete_and_on_a_grid():
    assert jensen_shannon([0.5, 0.5, 0], [0, 0.5, 0.5]) == pytest.approx(0.346574, abs=1e-6)
    assert jensen_shannon([0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]) == pytest.approx(np.log(2))  # disjoint
    assert jensen_shannon([0.2] * 5, [0.2] * 5) == 0
    # Densities on a fine grid (p(x) dx) approach the continuous JSD.
    x, dx = np.linspace(*LIMITS, 20_001, retstep=True)
    p, q = P_DATA(x) * dx, P_G(x) * dx
    assert jensen_shannon(p / p.sum(), q / q.sum()) == pytest.approx(0.111421, abs=1e-5)
    with pytest.raises(ValueError, match="sum to 1"):
        jensen_shannon([0.5, 0.6], [0.5, 0.5])


def test_histogram_jsd_is_small_for_samples_of_the_density_and_large_otherwise():
    rng = np.random.default_rng(0)
    edges = np.linspace(-5, 6, 45)
    assert histogram_jsd(rng.normal(0, 1, 20_000), P_DATA, edges) < 0.005
    assert histogram_jsd(rng.normal(1, 1, 20_000), P_DATA, edges) == pytest.approx(0.111421, abs=0.01)


def test_stable_bce_worked_numbers_and_naive_overflow():
    logits = np.array([100.0, 0.0, 2.0, -100.0], np.float32)
    labels = np.array([0.0, 0.0, 1.0, 1.0], np.float32)
    np.testing.assert_allclose(bce_from_logits(logits, labels), [100, np.log(2), 0.126928, 100], rtol=1e-5)
    naive = np.asarray(naive_bce(logits, labels))
    assert np.isinf(naive[0]) and np.isinf(naive[3])  # float32 sigmoid rounds to exactly 1 or 0
    # Where the naive form is finite, the two agree.
    moderate = np.linspace(-8, 8, 33, dtype=np.float32)
    for z in (0.0, 0.3, 1.0):
        np.testing.assert_allclose(bce_from_logits(moderate, z), naive_bce(moderate, z), rtol=1e-4, atol=1e-5)


def test_bce_matches_keras_and_keras_clips_probabilities():
    import keras

    logits = np.linspace(-6, 6, 13, dtype=np.float32)[:, None]
    labels = (np.arange(13) % 2).astype(np.float32)[:, None]
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=True)(labels, logits)
    assert float(np.mean(bce_from_logits(logits, labels))) == pytest.approx(float(keras_bce), rel=1e-5)
    clipped = keras.losses.BinaryCrossentropy(from_logits=False)(np.ones((1, 1)), np.zeros((1, 1)))
    assert float(clipped) == pytest.approx(16.118095, abs=1e-5)


def test_discriminator_loss_is_minus_v():
    assert float(discriminator_loss(np.zeros(5), np.zeros(7))) == pytest.approx(1.386294, abs=1e-6)
    rng = np.random.default_rng(1)
    real, fake = rng.normal(0, 2, 9), rng.normal(0, 2, 4)
    v = value_function(sigmoid(real), sigmoid(fake))
    assert float(discriminator_loss(real, fake)) == pytest.approx(-v, rel=1e-5)
    # (n, 1) logits, as a Keras discriminator returns them, give the same loss.
    assert float(discriminator_loss(real[:, None], fake[:, None])) == pytest.approx(-v, rel=1e-5)


def test_generator_loss_gradients_match_closed_forms():
    """d/da [-log sigmoid(a)] = -(1 - D) and d/da log(1 - sigmoid(a)) = -D, by tf.GradientTape."""
    import tensorflow as tf

    logits = tf.Variable(np.linspace(-7, 7, 29, dtype=np.float32))
    d = sigmoid(logits.numpy().astype(np.float64))
    n = logits.shape[0]
    for loss, closed_form in ((generator_loss, -(1 - d)), (saturating_generator_loss, -d)):
        with tf.GradientTape() as tape:
            value = loss(logits)
        # The losses are batch means, so each logit's gradient carries a factor 1/n.
        np.testing.assert_allclose(n * tape.gradient(value, logits).numpy(), closed_form, atol=1e-6)
    # At D(G(z)) = 0.01 the magnitudes are 0.01 vs 0.99: a ratio of 99.
    a = tf.Variable([np.log(0.01 / 0.99)], dtype=tf.float32)
    grads = []
    for loss in (saturating_generator_loss, generator_loss):
        with tf.GradientTape() as tape:
            value = loss(a)
        grads.append(abs(float(tape.gradient(value, a)[0])))
    assert grads == pytest.approx([0.01, 0.99], abs=1e-6)
    assert grads[1] / grads[0] == pytest.approx(99, rel=1e-4)


def test_one_sided_smoothing_numbers():
    # BCE with target 0.9 is minimised at logit ln 9, where it equals 0.325083.
    best = optimize.minimize_scalar(
        lambda a: float(bce_from_logits(np.float32(a), 0.9)),
        bounds=(-10, 10),
        method="bounded",
        options={"xatol": 1e-8},
    )
    assert best.x == pytest.approx(np.log(9), abs=1e-3)
    assert best.fun == pytest.approx(0.325083, abs=1e-6)
    assert float(smoothed_discriminator_loss([np.log(9)], [-50.0])) == pytest.approx(0.325083, abs=1e-5)
    assert float(smoothed_discriminator_loss([1.0, -2.0], [0.5], alpha=1.0)) == pytest.approx(
        float(discriminator_loss([1.0, -2.0], [0.5]))
    )
    # D* = alpha p_data / (p_data + p_g): 0.45 at x = 0.5 for the Gaussians above.
    assert optimal_discriminator(P_DATA(0.5), P_G(0.5), alpha=0.9) == pytest.approx(0.45)
    for x in (-1.0, 0.5, 2.0):
        best = optimize.minimize_scalar(
            lambda d, x=x: -(P_DATA(x) * (0.9 * np.log(d) + 0.1 * np.log1p(-d)) + P_G(x) * np.log1p(-d)),
            bounds=(1e-9, 1 - 1e-9),
            method="bounded",
            options={"xatol": 1e-10},
        )
        assert best.x == pytest.approx(optimal_discriminator(P_DATA(x), P_G(x), alpha=0.9), abs=1e-5)
    with pytest.raises(ValueError, match="alpha"):
        smoothed_discriminator_loss([0.0], [0.0], alpha=1.5)


def test_keras_label_smoothing_is_two_sided():
    import keras

    logits = np.array([[1.5], [-0.5], [3.0], [-2.0]], np.float32)
    labels = np.array([[1.0], [0.0], [1.0], [0.0]], np.float32)
    keras_loss = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)(labels, logits)
    two_sided = np.mean(bce_from_logits(logits, np.where(labels == 1, 0.95, 0.05)))
    one_sided = np.mean(bce_from_logits(logits, np.where(labels == 1, 0.9, 0.0)))
    assert float(keras_loss) == pytest.approx(float(two_sided), rel=1e-5)
    assert float(keras_loss) != pytest.approx(float(one_sided), rel=1e-3)


def test_discriminator_accuracy_and_input_checks():
    assert discriminator_accuracy([0.9, 0.6, 0.3], [0.2, 0.7]) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="probabilities"):
        value_function([2.0], [0.5])
    with pytest.raises(TypeError):
        value_function("high", [0.5])
