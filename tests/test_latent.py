"""Latent-space helpers (lesson 06): slerp keeps the norm and handles parallel vectors, walks loop
without repeating frames, arithmetic averages groups, and bad input is refused with a clear message."""

import numpy as np
import pytest

from dcgan_lessons.evaluate.latent import (
    attribute_direction,
    interpolate,
    latent_arithmetic,
    latent_walk,
    lerp,
    slerp,
)


def test_slerp_follows_the_great_circle():
    z0, z1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(slerp(z0, z1, 0.5), [np.sqrt(0.5), np.sqrt(0.5)])
    path = slerp(z0, z1, np.linspace(0, 1, 7))
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0)  # equal norms stay equal
    np.testing.assert_allclose(path[0], z0, atol=1e-12)
    np.testing.assert_allclose(path[-1], z1, atol=1e-12)
    # lerp's midpoint is shorter: it cuts through the sphere.
    assert np.linalg.norm(lerp(z0, z1, 0.5)) == pytest.approx(np.sqrt(0.5))


def test_slerp_of_parallel_vectors_is_lerp():
    z = np.array([1.0, 2.0, 2.0])
    np.testing.assert_allclose(slerp(z, 2 * z, 0.5), 1.5 * z)
    np.testing.assert_allclose(slerp(z, z + 1e-9, 0.3), z, atol=1e-8)  # nearly parallel: no NaN
    assert np.isfinite(slerp(z, -z, 0.5)).all()  # opposite vectors: still defined (sin(pi) ~ 1e-16)


def test_slerp_keeps_the_typical_norm_of_gaussian_noise():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(100), rng.standard_normal(100)
    middle_norms = (
        np.linalg.norm(interpolate(z0, z1, 9, "slerp")[4]),
        np.linalg.norm(interpolate(z0, z1, 9, "lerp")[4]),
    )
    assert middle_norms[0] > 0.95 * min(np.linalg.norm(z0), np.linalg.norm(z1))
    assert middle_norms[1] < 0.8 * middle_norms[0]  # about 1/sqrt(2) for nearly orthogonal vectors


def test_latent_walk_loops_without_repeating():
    keys = np.eye(3)
    frames = latent_walk(keys, steps_between=4)
    assert frames.shape == (12, 3) and frames.dtype == np.float32
    np.testing.assert_allclose(frames[[0, 4, 8]], keys, atol=1e-6)
    assert len(np.unique(frames.round(6), axis=0)) == 12
    assert latent_walk(keys, steps_between=4, loop=False).shape == (9, 3)


def test_latent_arithmetic_and_attribute_direction():
    a, b, c = np.ones((3, 4)), np.zeros((2, 4)), np.full(4, 2.0)
    np.testing.assert_allclose(latent_arithmetic(a, b, c), np.full(4, 3.0))
    noise = np.random.default_rng(1).standard_normal((200, 5))
    direction = attribute_direction(noise, noise[:, 2])  # the score is the third coordinate
    assert np.linalg.norm(direction) == pytest.approx(1, abs=1e-6)
    assert np.argmax(np.abs(direction)) == 2 and direction[2] > 0.9


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: slerp(np.ones(3), np.ones(4), 0.5), "same length"),
        (lambda: slerp(np.ones(3), np.ones(3), np.ones((2, 2))), "1-D array of fractions"),
        (lambda: interpolate(np.ones(3), np.zeros(3), 5, "cubic"), "'slerp' or 'lerp'"),
        (lambda: latent_walk(np.ones(3)), "at least 2 vectors"),
        (lambda: latent_arithmetic(np.ones(3), np.ones(3), np.ones(4)), "different lengths"),
        (lambda: attribute_direction(np.ones((4, 2)), np.ones(3)), "one score per row"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
