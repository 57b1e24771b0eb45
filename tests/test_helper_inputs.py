"""Helpers that used to answer wrong silently on bad input now refuse it, saying what was expected."""

import numpy as np
import pytest

from dcgan_lessons.course.images import image_grid
from dcgan_lessons.evaluate.measures import (
    Evaluator,
    class_histogram,
    classes_covered,
    memorisation_ratio,
    nearest_neighbour_distances,
)
from dcgan_lessons.evaluate.quality import frechet_distance

RNG = np.random.default_rng(0)
IMAGES = np.tanh(RNG.standard_normal((6, 4, 4, 1)))
TRAINING = np.tanh(RNG.standard_normal((9, 4, 4, 1)))


def test_classes_covered_takes_shares_not_counts():
    counts = np.array([40, 38, 0, 2, 41, 39, 40, 40, 40, 80])
    shares = counts / counts.sum()
    assert classes_covered(shares) == 8  # 2 / 360 is below a quarter of the fair share
    with pytest.raises(ValueError, match="summing to 360; counts\\? Divide them by their total"):
        classes_covered(counts)
    with pytest.raises(ValueError, match="shares >= 0"):
        classes_covered(np.array([0.5, np.nan, 0.5]))
    probabilities = np.eye(3)[[0, 1, 1, 2]]
    assert classes_covered(class_histogram(probabilities)) == 3


def test_a_nan_image_is_refused_by_the_nearest_neighbour_distances():
    broken = IMAGES.copy()
    broken[2, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="samples: expected finite values, .* in 1 of 6 images .*image 2"):
        nearest_neighbour_distances(broken, TRAINING)
    with pytest.raises(ValueError, match="training: expected finite values"):
        nearest_neighbour_distances(IMAGES, np.where(TRAINING > 0.5, np.inf, TRAINING))


def test_images_of_different_shapes_are_not_compared_as_flat_vectors():
    wide = IMAGES.reshape(6, 2, 8, 1)  # the same 16 values per image, another picture
    with pytest.raises(ValueError, match=r"expected images of one shape, got \(2, 8, 1\) and \(4, 4, 1\)"):
        nearest_neighbour_distances(wide, TRAINING)
    flat = nearest_neighbour_distances(IMAGES.reshape(6, -1), TRAINING.reshape(9, -1))
    np.testing.assert_allclose(flat, nearest_neighbour_distances(IMAGES, TRAINING))


def test_memorisation_ratio_refuses_held_out_copies_of_the_training_images():
    assert memorisation_ratio(IMAGES, TRAINING, IMAGES) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="held_out: expected real images the training set does not contain"):
        memorisation_ratio(TRAINING[:3], TRAINING, TRAINING[3:])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_frechet_distance_refuses_nan_and_inf(bad):
    a, b = RNG.standard_normal((20, 3)), RNG.standard_normal((20, 3))
    b[4, 1] = bad
    with pytest.raises(ValueError, match="features_b: expected finite features, .* in 1 of 20 rows"):
        frechet_distance(a, b)


@pytest.mark.parametrize("count", [0, 1])
def test_evaluator_refuses_fewer_than_two_images(count):
    evaluator = Evaluator.__new__(Evaluator)  # the check comes before anything the classifier does
    with pytest.raises(ValueError, match=f"at least 2 images .*got {count}"):
        evaluator.measure(IMAGES[:count])


@pytest.mark.parametrize("value_range", [(0, np.inf), (-np.inf, 1), (0, np.nan)])
def test_image_grid_refuses_an_infinite_value_range(value_range):
    with pytest.raises(ValueError, match="value_range must be two finite numbers"):
        image_grid(np.abs(IMAGES), value_range=value_range)
    assert image_grid(np.abs(IMAGES), value_range=(0, 1)).max() > 0
