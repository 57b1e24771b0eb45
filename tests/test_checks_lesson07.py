"""Lesson 07's checks: the reference passes, the unsolved stub and every planted mistake fail (with their
hints), wrong answers a learner writes fail a public case, and other right answers pass.

Lesson 07's exercises are not registered yet (its notebook is still to be written), so this module proves
what tests/test_exercises.py proves for registered lessons, on `exercises.lesson07.EXERCISES` directly.
"""

import numpy as np
import pytest
from scipy.stats import wasserstein_distance
from test_exercises import make_stub

from dcgan_lessons import run_check
from dcgan_lessons.exercises.lesson07 import EXERCISES

BY_ID = {exercise.id: exercise for exercise in EXERCISES}
MISTAKES = [(exercise, mistake) for exercise in EXERCISES for mistake in exercise.mistakes]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_reference_passes_and_stub_is_not_attempted(exercise):
    assert run_check(exercise, exercise.reference, include_hidden=True).passed
    assert run_check(exercise, make_stub(exercise.id), include_hidden=True).status == "not_attempted"
    assert len(exercise.mistakes) >= 2 and exercise.public and exercise.hidden


@pytest.mark.parametrize(("exercise", "mistake"), MISTAKES, ids=lambda v: getattr(v, "id", None) or v.name)
def test_planted_mistake_fails_with_its_hint(exercise, mistake):
    result = run_check(exercise, mistake.answer)
    assert result.status == "failed"
    assert mistake.hint in result.feedback()


# --- learner-style answers --------------------------------------------------------------------------------
def critic_mean_of_difference(real, fake):  # pairs real and fake samples: wrong when the sizes differ
    return float(np.mean(fake[: len(real)] - real[: len(fake)]))


def critic_sigmoid(real, fake):
    return float(np.mean(1 / (1 + np.exp(-fake))) - np.mean(1 / (1 + np.exp(-real))))


def critic_wasserstein_positive(real, fake):
    return float(abs(np.mean(real) - np.mean(fake)))


def critic_generator_style(real, fake):
    return -(np.mean(real) - np.mean(fake))


def critic_concatenated(real, fake):
    return float(np.mean(np.ravel(fake)) - np.mean(np.ravel(real)))


def _x_hat(real, fake, eps):
    eps = np.asarray(eps).reshape((-1,) + (1,) * (np.ndim(real) - 1))
    return eps * real + (1 - eps) * fake


def gp_norm_over_batch(critic_gradient, real, fake, eps, weight=10.0):
    return float(weight * (np.linalg.norm(critic_gradient(_x_hat(real, fake, eps))) - 1) ** 2)


def gp_at_real_points(critic_gradient, real, fake, eps, weight=10.0):
    g = critic_gradient(np.asarray(real, float)).reshape(len(real), -1)
    return float(weight * np.mean((np.linalg.norm(g, axis=1) - 1) ** 2))


def gp_midpoint(critic_gradient, real, fake, eps, weight=10.0):
    g = critic_gradient((np.asarray(real) + fake) / 2).reshape(len(real), -1)
    return float(weight * np.mean((np.linalg.norm(g, axis=1) - 1) ** 2))


def gp_abs_not_square(critic_gradient, real, fake, eps, weight=10.0):
    g = critic_gradient(_x_hat(real, fake, eps)).reshape(len(real), -1)
    return float(weight * np.mean(np.abs(np.linalg.norm(g, axis=1) - 1)))


def gp_with_loop(critic_gradient, real, fake, eps, weight=10.0):
    total = 0.0
    for i in range(len(real)):
        x_hat = eps[i] * real[i : i + 1] + (1 - eps[i]) * fake[i : i + 1]
        total += (np.sqrt(np.sum(critic_gradient(x_hat) ** 2)) - 1) ** 2
    return weight * total / len(real)


def gp_with_einsum(critic_gradient, real, fake, eps, weight=10.0):
    g = critic_gradient(_x_hat(real, fake, eps)).reshape(len(real), -1)
    return weight * np.mean((np.sqrt(np.einsum("ij,ij->i", g, g)) - 1) ** 2)


def hinge_clip(real, fake):  # clips at 1 instead of relu
    return float(np.mean(np.minimum(1, 1 - real)) + np.mean(np.minimum(1, 1 + fake))), float(-np.mean(fake))


def hinge_g_positive(real, fake):
    d, _ = hinge_losses_np(real, fake)
    return d, float(np.mean(fake))


def hinge_one_mean(real, fake):
    both = np.concatenate([np.maximum(0, 1 - np.ravel(real)), np.maximum(0, 1 + np.ravel(fake))])
    return float(np.mean(both)), float(-np.mean(fake))


def hinge_losses_np(real, fake):
    return np.mean(np.clip(1 - real, 0, None)) + np.mean(np.clip(1 + fake, 0, None)), -np.mean(fake)


def hinge_with_where(real, fake):
    d = np.where(real < 1, 1 - real, 0).mean() + np.where(fake > -1, 1 + fake, 0).mean()
    return float(d), float(-fake.mean())


def power_w_not_transposed(w, u):  # v = W u: only defined for square W, and wrong there
    v = w @ np.resize(u, w.shape[1])
    v /= np.linalg.norm(v)
    u_new = w @ v
    return float(np.linalg.norm(u_new)), u_new / np.linalg.norm(u_new)


def power_frobenius(w, u):
    v = w.T @ u / np.linalg.norm(w.T @ u)
    u_new = w @ v / np.linalg.norm(w @ v)
    return float(np.linalg.norm(w)), u_new


def power_sigma_unnormalised_v(w, u):
    v = w.T @ u
    u_new = w @ v / np.linalg.norm(w @ v)
    return float(u_new @ w @ v), u_new


def power_norm_of_wv(w, u):
    v = w.T @ u
    v = v / np.sqrt(v @ v)
    wv = w @ v
    return float(np.sqrt(wv @ wv)), wv / np.sqrt(wv @ wv)


def power_with_linalg(w, u):
    v = np.linalg.multi_dot([w.T, u])
    v = v / np.linalg.norm(v)
    u_new = np.dot(w, v)
    u_new = u_new / np.linalg.norm(u_new)
    return float(np.dot(u_new, np.dot(w, v))), u_new


def w1_max_gap(x, y):
    return float(np.max(np.abs(np.sort(x) - np.sort(y))))


def w1_sort_one(x, y):
    return float(np.mean(np.abs(np.sort(x) - np.asarray(y))))


def w1_sum(x, y):
    return float(np.sum(np.abs(np.sort(x) - np.sort(y))))


def w1_scipy(x, y):
    return wasserstein_distance(x, y)


def w1_cdf_integral(x, y):
    points = np.sort(np.concatenate([x, y]))
    gaps = np.diff(points)
    cdf_x = np.searchsorted(np.sort(x), points[:-1], side="right") / len(x)
    cdf_y = np.searchsorted(np.sort(y), points[:-1], side="right") / len(y)
    return float(np.sum(np.abs(cdf_x - cdf_y) * gaps))


WRONG = {
    "07.critic_loss": [critic_mean_of_difference, critic_sigmoid, critic_wasserstein_positive],
    "07.gradient_penalty": [gp_norm_over_batch, gp_at_real_points, gp_midpoint, gp_abs_not_square],
    "07.hinge_losses": [hinge_clip, hinge_g_positive, hinge_one_mean],
    "07.power_iteration_step": [power_w_not_transposed, power_frobenius, power_sigma_unnormalised_v],
    "07.wasserstein_1d": [w1_max_gap, w1_sort_one, w1_sum],
}
RIGHT = {
    "07.critic_loss": [critic_generator_style, critic_concatenated],
    "07.gradient_penalty": [gp_with_loop, gp_with_einsum],
    "07.hinge_losses": [hinge_losses_np, hinge_with_where],
    "07.power_iteration_step": [power_norm_of_wv, power_with_linalg],
    "07.wasserstein_1d": [w1_scipy, w1_cdf_integral],
}


def _cases(table):
    return [(exercise_id, answer) for exercise_id, answers in table.items() for answer in answers]


def test_every_exercise_has_learner_style_answers():
    assert set(WRONG) == set(RIGHT) == set(BY_ID)
    assert all(len(WRONG[i]) >= 3 and len(RIGHT[i]) >= 2 for i in BY_ID)


@pytest.mark.parametrize(("exercise_id", "answer"), _cases(WRONG), ids=lambda v: getattr(v, "__name__", v))
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    assert run_check(BY_ID[exercise_id], answer).status == "failed"


@pytest.mark.parametrize(("exercise_id", "answer"), _cases(RIGHT), ids=lambda v: getattr(v, "__name__", v))
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    result = run_check(BY_ID[exercise_id], answer, include_hidden=True)
    assert result.passed, result.feedback()
