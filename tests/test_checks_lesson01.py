"""Lesson 01's checks against learner-style answers: wrong ones fail a public case, other right ones pass."""

import math

import numpy as np
import pytest

# 01.generator_pull (the 2-D explorer's arrows) has its learner-style answers in their own module.
import test_generator_pull_exercise as pull
from learner_answers import cases, fails_publicly, ids, passes_everything

# --- 01.ring_centers ------------------------------------------------------------------------------------


def ring_divides_by_modes_minus_one(modes, radius):
    angles = 2 * np.pi * np.arange(modes) / (modes - 1)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_shape_transposed(modes, radius):
    angles = np.linspace(0, 2 * np.pi, modes, endpoint=False)
    return radius * np.array([np.cos(angles), np.sin(angles)])  # (2, modes)


def ring_clockwise(modes, radius):
    angles = -np.linspace(0, 2 * np.pi, modes, endpoint=False)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_starts_half_a_step_in(modes, radius):
    angles = (np.arange(modes) + 0.5) * 2 * np.pi / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_with_a_loop(modes, radius):
    centres = []
    for i in range(modes):
        angle = 2 * math.pi * i / modes
        centres.append([radius * math.cos(angle), radius * math.sin(angle)])
    return np.array(centres)


def ring_with_complex_numbers(modes, radius):
    points = radius * np.exp(2j * np.pi * np.arange(modes) / modes)
    return np.column_stack([points.real, points.imag])


# --- 01.mode_coverage -----------------------------------------------------------------------------------


def coverage_box(samples, centers, std):  # "within 3 std" along each axis: a square, not a circle
    offsets = np.abs(samples[:, None, :] - centers[None, :, :])
    inside = (offsets <= 3 * std).all(axis=-1)
    good = inside.any(axis=1)
    nearest = np.linalg.norm(samples[:, None] - centers[None], axis=-1).argmin(axis=1)
    return len(np.unique(nearest[good])), float(good.mean())


def coverage_any_centre_within_reach(samples, centers, std):  # no nearest-mode rule
    distances = np.linalg.norm(samples[:, None] - centers[None], axis=-1)
    within = distances <= 3 * std
    return int(within.any(axis=0).sum()), float(within.any(axis=1).mean())


def coverage_squared_distance(samples, centers, std):  # compares a squared distance with 3 std
    squared = ((samples[:, None] - centers[None]) ** 2).sum(axis=-1)
    good = squared.min(axis=1) <= 3 * std
    return len(np.unique(squared.argmin(axis=1)[good])), float(good.mean())


def coverage_float_count(samples, centers, std):  # right numbers, but the count is a float
    distances = np.linalg.norm(samples[:, None] - centers[None], axis=-1)
    good = distances.min(axis=1) <= 3 * std
    captured = np.zeros(len(centers))
    captured[distances.argmin(axis=1)[good]] = 1
    return captured.sum(), float(good.mean())


def coverage_with_loops(samples, centers, std):
    captured, good = set(), 0
    for point in samples:
        distances = [math.dist(point, centre) for centre in centers]
        nearest = int(np.argmin(distances))
        if distances[nearest] <= 3 * std:
            good += 1
            captured.add(nearest)
    return len(captured), good / len(samples)


def coverage_with_bincount(samples, centers, std):
    distances = np.sqrt(((samples[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
    good = distances.min(1) <= 3 * std
    counts = np.bincount(distances.argmin(1)[good], minlength=len(centers))
    return int((counts > 0).sum()), good.mean()


# --- 01.alternating_step --------------------------------------------------------------------------------


def step_sums_d_losses(gan, real_batches):
    return float(sum(gan.d_step(batch) for batch in real_batches)), gan.g_step()


def step_returns_swapped(gan, real_batches):
    d_losses = [gan.d_step(batch) for batch in real_batches]
    return gan.g_step(), float(np.mean(d_losses))


def step_two_g_steps(gan, real_batches):
    d_loss = float(np.mean([gan.d_step(batch) for batch in real_batches]))
    gan.g_step()
    return d_loss, gan.g_step()


def step_first_batch_k_times(gan, real_batches):
    d_loss = float(np.mean([gan.d_step(real_batches[0]) for _ in real_batches]))
    return d_loss, gan.g_step()


def step_with_a_loop(gan, real_batches):
    total = 0.0
    for batch in real_batches:
        total += gan.d_step(batch)
    g_loss = gan.g_step()
    return total / len(real_batches), g_loss


def step_with_range(gan, real_batches):
    k = len(real_batches)
    d_losses = np.array([gan.d_step(real_batches[i]) for i in range(k)])
    return d_losses.mean(), gan.g_step()


# --- 01.discriminator_accuracy --------------------------------------------------------------------------


def accuracy_strict_for_real(d_real, d_fake):  # 0.5 counted as fake for real samples
    correct = np.sum(d_real > 0.5) + np.sum(d_fake < 0.5)
    return correct / (d_real.size + d_fake.size)


def accuracy_lenient_for_fake(d_real, d_fake):  # 0.5 counted as right for fakes too
    correct = np.sum(d_real >= 0.5) + np.sum(d_fake <= 0.5)
    return correct / (d_real.size + d_fake.size)


def accuracy_rounds(d_real, d_fake):  # np.round sends 0.5 to 0 (round half to even)
    correct = np.sum(np.round(d_real) == 1) + np.sum(np.round(d_fake) == 0)
    return correct / (d_real.size + d_fake.size)


def accuracy_mean_of_probabilities(d_real, d_fake):
    return float((np.mean(d_real) + np.mean(1 - d_fake)) / 2)


def accuracy_by_concatenation(d_real, d_fake):
    outputs = np.concatenate([np.ravel(d_real), np.ravel(d_fake)])
    labels = np.concatenate([np.ones(np.size(d_real)), np.zeros(np.size(d_fake))])
    return float(np.mean((outputs >= 0.5) == labels))


def accuracy_with_a_loop(d_real, d_fake):
    correct = sum(1 for p in np.ravel(d_real) if p >= 0.5) + sum(1 for p in np.ravel(d_fake) if not p >= 0.5)
    return correct / (np.size(d_real) + np.size(d_fake))


WRONG = {
    "01.ring_centers": [
        ring_divides_by_modes_minus_one,
        ring_shape_transposed,
        ring_clockwise,
        ring_starts_half_a_step_in,
    ],
    "01.mode_coverage": [
        coverage_box,
        coverage_any_centre_within_reach,
        coverage_squared_distance,
        coverage_float_count,
    ],
    "01.alternating_step": [
        step_sums_d_losses,
        step_returns_swapped,
        step_two_g_steps,
        step_first_batch_k_times,
    ],
    "01.discriminator_accuracy": [
        accuracy_strict_for_real,
        accuracy_lenient_for_fake,
        accuracy_rounds,
        accuracy_mean_of_probabilities,
    ],
    "01.generator_pull": pull.WRONG,
}
RIGHT = {
    "01.ring_centers": [ring_with_a_loop, ring_with_complex_numbers],
    "01.mode_coverage": [coverage_with_loops, coverage_with_bincount],
    "01.alternating_step": [step_with_a_loop, step_with_range],
    "01.discriminator_accuracy": [accuracy_by_concatenation, accuracy_with_a_loop],
    "01.generator_pull": [
        pull.with_expit,
        pull.loop_with_math,
        pull.from_the_loss_derivatives,
        pull.with_where,
    ],
}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_the_box_mistake_is_named_by_its_case_and_no_wrong_hint():
    feedback = fails_publicly("01.mode_coverage", coverage_box)
    assert "modes closer than 6 std" in feedback
    assert "the number of modes captured" in feedback  # items named by meaning, not "item 0"
    assert "hint:" not in feedback  # no planted mistake explains it on every failing case
