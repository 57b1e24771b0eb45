"""Lesson 02's checks against learner-style answers: wrong ones fail a public case, other right ones pass.

The loss exercises take logits; several wrong answers here are numerically unstable formulas that are right
for moderate logits and fail only where exp() overflows, in float32 and in float64 alike.
"""

import keras
import numpy as np
import pytest
from learner_answers import cases, fails_publicly, ids, passes_everything
from scipy.spatial.distance import jensenshannon as scipy_jsd
from scipy.special import expit, log_expit

# --- 02.value_function ----------------------------------------------------------------------------------


def v_log10(d_real, d_fake):
    return np.mean(np.log10(d_real)) + np.mean(np.log10(1 - d_fake))


def v_product_inside_log(d_real, d_fake):
    return np.mean(np.log(d_real * (1 - d_fake[: len(d_real)])))


def v_log_of_means(d_real, d_fake):
    return np.log(np.mean(d_real)) + np.log(np.mean(1 - d_fake))


def v_with_keras_ops(d_real, d_fake):
    return float(keras.ops.mean(keras.ops.log(d_real)) + keras.ops.mean(keras.ops.log(1 - d_fake)))


def v_with_log1p(d_real, d_fake):
    return np.log(d_real).mean() + np.log1p(-d_fake).mean()


# --- 02.optimal_discriminator ---------------------------------------------------------------------------


def d_star_difference(p_data, p_g):
    return (p_data - p_g) / (p_data + p_g)


def d_star_half_sum(p_data, p_g):
    return p_data / ((p_data + p_g) / 2)


def d_star_sigmoid_of_difference(p_data, p_g):
    return 1 / (1 + np.exp(-(p_data - p_g)))


def d_star_from_the_ratio(p_data, p_g):
    with np.errstate(divide="ignore"):
        return 1 / (1 + p_g / p_data)


def d_star_sigmoid_of_log_ratio(p_data, p_g):
    with np.errstate(divide="ignore"):
        return expit(np.log(p_data) - np.log(p_g))


# --- 02.jensen_shannon ----------------------------------------------------------------------------------


def jsd_scipy_distance(p, q):  # scipy returns the square *root* of the divergence
    return float(scipy_jsd(p, q))


def jsd_kl_both_ways(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_pq = np.nansum(np.where(p > 0, p * np.log(p / q), 0))
        kl_qp = np.nansum(np.where(q > 0, q * np.log(q / p), 0))
    return 0.5 * (kl_pq + kl_qp)


def jsd_entropy_of_mixture_only(p, q):
    m = (p + q) / 2
    m = m[m > 0]
    return float(-np.sum(m * np.log(m)))


def jsd_scipy_squared(p, q):
    return float(scipy_jsd(p, q) ** 2)


def jsd_by_entropies(p, q):
    def entropy(d):
        d = d[d > 0]
        return -np.sum(d * np.log(d))

    return float(entropy((p + q) / 2) - (entropy(p) + entropy(q)) / 2)


# --- 02.bce_from_logits ---------------------------------------------------------------------------------


def bce_log1p_exp(logits, labels):  # fine until exp(x) overflows
    return np.log1p(np.exp(logits)) - labels * logits


def bce_naive_float64(logits, labels):  # sigmoid rounds to exactly 1 in float64 too
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    return -(labels * np.log(p) + (1 - labels) * np.log(1 - p))


def bce_clipped_probabilities(logits, labels):  # Keras's epsilon trick: finite, but wrong far out
    p = np.clip(expit(logits), 1e-7, 1 - 1e-7)
    return -(labels * np.log(p) + (1 - labels) * np.log(1 - p))


def bce_stable_without_abs(logits, labels):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-logits))


def bce_with_logaddexp(logits, labels):
    return np.logaddexp(0, logits) - labels * logits


def bce_with_log_expit(logits, labels):
    x = logits.astype(np.float64)
    return -(labels * log_expit(x) + (1 - labels) * log_expit(-x))


def bce_with_keras_ops(logits, labels):
    return keras.ops.binary_crossentropy(labels, logits, from_logits=True)


# --- 02.discriminator_loss ------------------------------------------------------------------------------


def d_loss_minus_v_from_probabilities(real_logits, fake_logits):
    d_real, d_fake = expit(real_logits), expit(fake_logits)
    return -(np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake)))


def d_loss_log1p_exp(real_logits, fake_logits):
    return np.mean(np.log1p(np.exp(-real_logits))) + np.mean(np.log1p(np.exp(fake_logits)))


def d_loss_halved(real_logits, fake_logits):  # averages the two terms instead of adding them
    return (np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits))) / 2


def d_loss_keras_bce_probabilities(real_logits, fake_logits):  # BinaryCrossentropy() expects probabilities
    bce = keras.losses.BinaryCrossentropy()
    return float(
        bce(np.ones_like(real_logits), expit(real_logits))
        + bce(np.zeros_like(fake_logits), expit(fake_logits))
    )


def d_loss_softplus(real_logits, fake_logits):
    return float(np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits)))


def d_loss_keras_from_logits(real_logits, fake_logits):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(keras.ops.ones_like(real_logits), real_logits) + bce(
        keras.ops.zeros_like(fake_logits), fake_logits
    )


# --- 02.generator_loss ----------------------------------------------------------------------------------


def g_loss_naive(fake_logits):
    return -np.mean(np.log(expit(fake_logits)))


def g_loss_log1p_exp(fake_logits):
    return np.mean(np.log1p(np.exp(-fake_logits)))


def g_loss_minus_logit(fake_logits):  # the linear part of the loss only
    return float(np.mean(-fake_logits))


def g_loss_softplus(fake_logits):
    return float(np.mean(np.logaddexp(0.0, -fake_logits)))


def g_loss_keras(fake_logits):
    return keras.losses.BinaryCrossentropy(from_logits=True)(keras.ops.ones_like(fake_logits), fake_logits)


# --- 02.smoothed_discriminator_loss ---------------------------------------------------------------------


def smoothed_naive(real_logits, fake_logits, alpha=0.9):
    p_real, p_fake = expit(real_logits), expit(fake_logits)
    real = -(alpha * np.log(p_real) + (1 - alpha) * np.log(1 - p_real))
    return float(np.mean(real) + np.mean(-np.log(1 - p_fake)))


def smoothed_scales_the_loss(real_logits, fake_logits, alpha=0.9):  # multiplies the real term by alpha
    return float(alpha * np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits)))


def smoothed_alpha_on_fakes_too(real_logits, fake_logits, alpha=0.9):  # fakes towards 1 - alpha... as alpha
    real = np.logaddexp(0, real_logits) - alpha * real_logits
    fake = np.logaddexp(0, fake_logits) - (1 - alpha) * fake_logits * 0.5
    return float(np.mean(real) + np.mean(fake))


def smoothed_softplus(real_logits, fake_logits, alpha=0.9):
    real = np.logaddexp(0, real_logits) - alpha * real_logits
    return float(np.mean(real) + np.mean(np.logaddexp(0, fake_logits)))


def smoothed_keras(real_logits, fake_logits, alpha=0.9):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(alpha * keras.ops.ones_like(real_logits), real_logits) + bce(
        keras.ops.zeros_like(fake_logits), fake_logits
    )


WRONG = {
    "02.value_function": [v_log10, v_product_inside_log, v_log_of_means],
    "02.optimal_discriminator": [d_star_difference, d_star_half_sum, d_star_sigmoid_of_difference],
    "02.jensen_shannon": [jsd_scipy_distance, jsd_kl_both_ways, jsd_entropy_of_mixture_only],
    "02.bce_from_logits": [
        bce_log1p_exp,
        bce_naive_float64,
        bce_clipped_probabilities,
        bce_stable_without_abs,
    ],
    "02.discriminator_loss": [
        d_loss_minus_v_from_probabilities,
        d_loss_log1p_exp,
        d_loss_halved,
        d_loss_keras_bce_probabilities,
    ],
    "02.generator_loss": [g_loss_naive, g_loss_log1p_exp, g_loss_minus_logit],
    "02.smoothed_discriminator_loss": [smoothed_naive, smoothed_scales_the_loss, smoothed_alpha_on_fakes_too],
}
RIGHT = {
    "02.value_function": [v_with_keras_ops, v_with_log1p],
    "02.optimal_discriminator": [d_star_from_the_ratio, d_star_sigmoid_of_log_ratio],
    "02.jensen_shannon": [jsd_scipy_squared, jsd_by_entropies],
    "02.bce_from_logits": [bce_with_logaddexp, bce_with_log_expit, bce_with_keras_ops],
    "02.discriminator_loss": [d_loss_softplus, d_loss_keras_from_logits],
    "02.generator_loss": [g_loss_softplus, g_loss_keras],
    "02.smoothed_discriminator_loss": [smoothed_softplus, smoothed_keras],
}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_an_unstable_loss_fails_in_float64_too_and_its_warnings_are_the_learners_own(recwarn):
    feedback = fails_publicly("02.bce_from_logits", bce_naive_float64)
    assert "logits ±1000" in feedback
    # The learner's formula warns (log of 0); the course's planted mistakes, run to find a hint, do not.
    assert [str(w.message) for w in recwarn if "dcgan_lessons" in str(w.filename)] == []
