"""Lesson 06's checks against learner-style answers: wrong ones fail a public case, other right ones pass."""

import numpy as np
import pytest
from learner_answers import cases, fails_publicly, ids, passes_everything
from scipy import linalg
from scipy.special import rel_entr

# --- 06.frechet_distance --------------------------------------------------------------------------------


def _stats(x):  # as the lesson writes it
    return x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))


def fd_as_the_lesson_writes_it(features_a, features_b):
    (mu_a, cov_a), (mu_b, cov_b) = _stats(features_a), _stats(features_b)
    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def fd_by_eigenvalues(features_a, features_b):  # Tr sqrt(A B) = sum of sqrt of the eigenvalues of A B
    (mu_a, cov_a), (mu_b, cov_b) = _stats(features_a), _stats(features_b)
    eigenvalues = np.linalg.eigvals(cov_a @ cov_b)
    return float(
        np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.sqrt(eigenvalues).real.sum()
    )


def fd_population_covariance(features_a, features_b):  # divides by n instead of n - 1
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    cov_a = np.atleast_2d(np.cov(features_a, rowvar=False, bias=True))
    cov_b = np.atleast_2d(np.cov(features_b, rowvar=False, bias=True))
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real))


def fd_covariance_of_rows(features_a, features_b):  # np.cov's default treats rows as variables
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    n = min(len(features_a), len(features_b))
    cov_a, cov_b = np.cov(features_a[:n]), np.cov(features_b[:n])
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real))


def fd_means_over_features(features_a, features_b):  # means over axis 1: one per sample
    mu_a, mu_b = features_a.mean(1).mean(), features_b.mean(1).mean()
    cov_a, cov_b = _stats(features_a)[1], _stats(features_b)[1]
    return float((mu_a - mu_b) ** 2 + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real))


# --- 06.inception_score ---------------------------------------------------------------------------------


def is_sum_over_images(probabilities):  # the expectation taken as a sum
    kl = np.sum(rel_entr(probabilities, probabilities.mean(axis=0)), axis=1)
    return float(np.exp(kl.sum()))


def is_in_bits(probabilities):  # 2 ** (KL in bits) is exp(KL in nats): the same score
    marginal = probabilities.mean(axis=0)
    kl = np.sum(rel_entr(probabilities, marginal) / np.log(2), axis=1)
    return float(2 ** kl.mean())


def is_entropy_of_marginal_only(probabilities):
    marginal = probabilities.mean(axis=0)
    return float(np.exp(-np.sum(rel_entr(marginal, 1.0))))


def is_marginal_from_first_image(probabilities):
    kl = np.sum(rel_entr(probabilities, probabilities[0]), axis=1)
    return float(np.exp(kl.mean()))


def is_with_rel_entr(probabilities):
    kl = rel_entr(probabilities, probabilities.mean(axis=0, keepdims=True)).sum(axis=1)
    return float(np.exp(np.mean(kl)))


def is_by_entropies(probabilities):  # E KL = H(p(y)) - E H(p(y|x))
    def entropy(p, axis=-1):
        return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0), axis=axis)

    return float(np.exp(entropy(probabilities.mean(axis=0)) - entropy(probabilities).mean()))


# --- 06.class_histogram ---------------------------------------------------------------------------------


def histogram_with_np_histogram(probabilities):  # default bins: 10 equal-width bins over the labels seen
    counts, _ = np.histogram(probabilities.argmax(axis=1))
    return counts / len(probabilities)


def histogram_argmax_axis0(probabilities):
    winners = probabilities.argmax(axis=0)
    return np.bincount(winners, minlength=probabilities.shape[1]) / probabilities.shape[1]


def histogram_counts_as_int_shares(probabilities):  # integer division: every share rounds to 0
    counts = np.bincount(probabilities.argmax(axis=1), minlength=probabilities.shape[1])
    return counts // len(probabilities)


def histogram_with_one_hot(probabilities):
    one_hot = np.eye(probabilities.shape[1])[probabilities.argmax(axis=1)]
    return one_hot.mean(axis=0)


def histogram_with_a_loop(probabilities):
    shares = np.zeros(probabilities.shape[1])
    for row in probabilities:
        shares[np.argmax(row)] += 1 / len(probabilities)
    return shares


# --- 06.slerp -------------------------------------------------------------------------------------------


def slerp_normalises_the_result(z0, z1, t):  # lerp, then rescaled to unit length
    point = (1 - t) * z0 + t * z1
    return point / np.linalg.norm(point)


def slerp_angle_without_arccos(z0, z1, t):  # uses the cosine itself as the angle
    omega = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1))
    if abs(np.sin(omega)) < 1e-8:
        return (1 - t) * z0 + t * z1
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def slerp_of_unit_vectors(z0, z1, t):  # interpolates the directions and forgets the lengths
    u0, u1 = z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1)
    omega = np.arccos(np.clip(u0 @ u1, -1, 1))
    if omega < 1e-8:
        return (1 - t) * z0 + t * z1
    return (np.sin((1 - t) * omega) * u0 + np.sin(t * omega) * u1) / np.sin(omega)


def slerp_with_arctan2(z0, z1, t):
    cross = np.linalg.norm(np.linalg.norm(z1) * z0 - np.linalg.norm(z0) * z1)
    along = np.linalg.norm(np.linalg.norm(z1) * z0 + np.linalg.norm(z0) * z1)
    omega = 2 * np.arctan2(cross, along)
    if np.isclose(np.sin(omega), 0):
        return (1 - t) * z0 + t * z1
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def slerp_with_clipped_cosine(z0, z1, t):
    cosine = np.clip(z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1), -1.0, 1.0)
    omega = np.arccos(cosine)
    so = np.sin(omega)
    if so < 1e-6:
        return (1.0 - t) * z0 + t * z1
    return np.sin((1.0 - t) * omega) / so * z0 + np.sin(t * omega) / so * z1


# --- 06.nearest_neighbour_distances ---------------------------------------------------------------------


def nn_max_instead_of_min(samples, training):
    a, b = samples.reshape(len(samples), -1), training.reshape(len(training), -1)
    return np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)).max(axis=1)


def nn_per_pixel_mean(samples, training):  # the root-mean-square difference, not the distance
    a, b = samples.reshape(len(samples), -1), training.reshape(len(training), -1)
    return np.sqrt(((a[:, None] - b[None]) ** 2).mean(-1)).min(axis=1)


def nn_l1(samples, training):
    a, b = samples.reshape(len(samples), -1), training.reshape(len(training), -1)
    return np.abs(a[:, None] - b[None]).sum(-1).min(axis=1)


def nn_with_scipy(samples, training):
    from scipy.spatial.distance import cdist

    return cdist(samples.reshape(len(samples), -1), training.reshape(len(training), -1)).min(axis=1)


def nn_by_expansion(samples, training):  # |a - b|^2 = |a|^2 - 2 a.b + |b|^2
    a, b = samples.reshape(len(samples), -1), training.reshape(len(training), -1)
    squared = (a**2).sum(1)[:, None] - 2 * a @ b.T + (b**2).sum(1)[None]
    return np.sqrt(np.maximum(squared, 0)).min(axis=1)


WRONG = {
    "06.frechet_distance": [fd_population_covariance, fd_covariance_of_rows, fd_means_over_features],
    "06.inception_score": [is_sum_over_images, is_entropy_of_marginal_only, is_marginal_from_first_image],
    "06.class_histogram": [
        histogram_with_np_histogram,
        histogram_argmax_axis0,
        histogram_counts_as_int_shares,
    ],
    "06.slerp": [slerp_normalises_the_result, slerp_angle_without_arccos, slerp_of_unit_vectors],
    "06.nearest_neighbour_distances": [nn_max_instead_of_min, nn_per_pixel_mean, nn_l1],
}
RIGHT = {
    "06.frechet_distance": [fd_as_the_lesson_writes_it, fd_by_eigenvalues],
    "06.inception_score": [is_with_rel_entr, is_by_entropies, is_in_bits],
    "06.class_histogram": [histogram_with_one_hot, histogram_with_a_loop],
    "06.slerp": [slerp_with_arctan2, slerp_with_clipped_cosine],
    "06.nearest_neighbour_distances": [nn_with_scipy, nn_by_expansion],
}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_a_single_features_0d_covariance_gets_a_hint_not_a_raw_error():
    def frechet_distance(features_a, features_b):  # np.cov without atleast_2d
        mu_a, mu_b = features_a.mean(0), features_b.mean(0)
        cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
        return float(
            np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real)
        )

    feedback = fails_publicly("06.frechet_distance", frechet_distance)
    assert "1-D, shifted by 1" in feedback and "in `frechet_distance`, line" in feedback
    assert "np.atleast_2d" in feedback
