"""Tests for dcgan_lessons.toy.distributions: ring, grid and 1-D mixture distributions."""

import numpy as np
import pytest

from dcgan_lessons.toy.distributions import (
    grid_centers,
    mixture_1d_pdf,
    ring_centers,
    sample_grid,
    sample_mixture_1d,
    sample_ring,
)


def _pairwise_distances(points):
    return np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)


def test_ring_has_distinct_centres_on_the_circle():
    centers = ring_centers()
    assert centers.shape == (8, 2) and centers.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    distances = _pairwise_distances(centers)[~np.eye(8, dtype=bool)]
    # Evenly spaced: neighbours are 2 r sin(pi / 8) apart, and no two centres coincide.
    np.testing.assert_allclose(distances.min(), 2 * 2.0 * np.sin(np.pi / 8), rtol=1e-5)
    np.testing.assert_allclose(centers[0], [2.0, 0.0], atol=1e-6)


def test_ring_samples_lie_near_their_centres():
    std = 0.02
    points, modes = sample_ring(2500, std=std, seed=0, return_modes=True)
    assert points.shape == (2500, 2) and points.dtype == np.float32
    assert modes.shape == (2500,) and modes.dtype == np.int64
    centers = ring_centers()
    nearest = _pairwise_distances_to(points, centers)
    assert np.all(nearest.min(axis=1) < 5 * std)
    # Each point is closest to the centre it was drawn from, and every mode is used.
    np.testing.assert_array_equal(nearest.argmin(axis=1), modes)
    assert set(modes.tolist()) == set(range(8))
    assert np.bincount(modes).min() > 2500 / 8 * 0.7


def _pairwise_distances_to(points, centers):
    return np.linalg.norm(points[:, None, :] - centers[None, :, :], axis=-1)


def test_seeds_make_samples_repeatable():
    np.testing.assert_array_equal(sample_ring(50, seed=3), sample_ring(50, seed=3))
    assert not np.array_equal(sample_ring(50, seed=3), sample_ring(50, seed=4))
    assert not np.array_equal(sample_ring(50), sample_ring(50))
    np.testing.assert_array_equal(sample_grid(50, seed=3), sample_grid(50, seed=3))
    np.testing.assert_array_equal(sample_mixture_1d(50, seed=3), sample_mixture_1d(50, seed=3))


def test_ring_options_change_the_centres():
    centers = ring_centers(modes=3, radius=5.0)
    assert centers.shape == (3, 2)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 5.0, rtol=1e-6)
    points = sample_ring(300, modes=3, radius=5.0, std=0.1, seed=1)
    assert np.all(_pairwise_distances_to(points, centers).min(axis=1) < 0.5)


def test_grid_has_25_centres_centred_on_zero():
    centers = grid_centers()
    assert centers.shape == (25, 2) and centers.dtype == np.float32
    np.testing.assert_array_equal(np.unique(centers[:, 0]), [-4, -2, 0, 2, 4])
    np.testing.assert_array_equal(np.unique(centers[:, 1]), [-4, -2, 0, 2, 4])
    assert len({tuple(center) for center in centers.tolist()}) == 25
    np.testing.assert_allclose(centers.mean(axis=0), [0, 0], atol=1e-6)


def test_grid_samples_cover_every_mode():
    std = 0.05
    points, modes = sample_grid(2500, std=std, seed=0, return_modes=True)
    assert points.shape == (2500, 2)
    distances = _pairwise_distances_to(points, grid_centers())
    assert np.all(distances.min(axis=1) < 5 * std)
    np.testing.assert_array_equal(distances.argmin(axis=1), modes)
    assert set(modes.tolist()) == set(range(25))


def test_mixture_sample_mean_and_std():
    values = sample_mixture_1d(20000, seed=0)
    assert values.shape == (20000, 1) and values.dtype == np.float32
    # Two equal components at -2 and 2 with std 0.5: mean 0, variance 0.5^2 + 2^2.
    assert abs(values.mean()) < 0.05
    assert abs(values.std() - np.sqrt(0.25 + 4.0)) < 0.05
    assert 0.45 < np.mean(values < 0) < 0.55


def test_mixture_weights_shift_the_mass():
    values = sample_mixture_1d(20000, means=(0.0, 10.0), stds=(1.0, 1.0), weights=(0.9, 0.1), seed=1)
    assert 0.88 < np.mean(values < 5) < 0.92
    np.testing.assert_allclose(values.mean(), 0.9 * 0 + 0.1 * 10, atol=0.1)


def test_mixture_pdf_integrates_to_one_and_peaks_at_the_means():
    x = np.linspace(-10, 10, 4001)
    density = mixture_1d_pdf(x)
    assert density.shape == x.shape
    np.testing.assert_allclose(np.trapezoid(density, x), 1.0, atol=1e-6)
    assert mixture_1d_pdf(np.array([-2.0])) > mixture_1d_pdf(np.array([0.0])) * 100
    # One component, checked against the Gaussian formula.
    single = mixture_1d_pdf(np.array([1.0]), means=(0.0,), stds=(1.0,))
    np.testing.assert_allclose(single, np.exp(-0.5) / np.sqrt(2 * np.pi))
    wide = np.linspace(-30, 30, 12001)  # the std-2 component needs a wider grid to hold all its mass
    weighted = mixture_1d_pdf(wide, means=(-1.0, 3.0), stds=(0.3, 2.0), weights=(0.2, 0.8))
    np.testing.assert_allclose(np.trapezoid(weighted, wide), 1.0, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sample_ring(0), ValueError, r"n must be >= 1, got 0"),
        (lambda: sample_ring(10.0), TypeError, r"n must be an integer, got float"),
        (lambda: sample_ring(10, std=0), ValueError, r"std must be a finite number > 0, got 0"),
        (lambda: sample_ring(10, modes=0), ValueError, r"modes must be >= 1, got 0"),
        (lambda: ring_centers(radius=-1), ValueError, r"radius must be a finite number > 0"),
        (lambda: sample_grid(10, side=0), ValueError, r"side must be >= 1, got 0"),
        (lambda: sample_grid(10, std=-0.1), ValueError, r"std must be a finite number > 0"),
        (lambda: sample_mixture_1d(10, weights=(0.5, 0.6)), ValueError, r"sum to 1.*sum 1\.1"),
        (lambda: sample_mixture_1d(10, weights=(1.5, -0.5)), ValueError, r"non-negative"),
        (lambda: sample_mixture_1d(10, weights=(1.0,)), ValueError, r"one entry per component \(2\), got 1"),
        (lambda: sample_mixture_1d(10, means=(0, 1, 2)), ValueError, r"same length, got 3 and 2"),
        (lambda: sample_mixture_1d(10, stds=(0.5, 0.0)), ValueError, r"stds must all be > 0"),
        (lambda: mixture_1d_pdf("x"), TypeError, r"x must be an array, got str"),
    ],
)
def test_invalid_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()
