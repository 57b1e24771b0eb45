"""compare_on_ring reuses one compiled model per method across seeds: reset for a seed, its state must be
exactly a fresh model's, or the seeds after the first would measure something else."""

import numpy as np
import pytest

from dcgan_lessons.toy.ring_comparison import _ring_gan, _train


def _state(gan):
    variables = [*gan.generator.variables, *gan.discriminator.variables, gan.seed_generator.state]
    variables += [*gan.d_optimizer.variables, *gan.g_optimizer.variables]
    return [np.asarray(v) for v in variables]


@pytest.mark.parametrize("method", ["bce", "hinge+sn"])
def test_a_reused_model_reset_for_a_seed_equals_a_fresh_one(method):
    used = _ring_gan(method, 0, "collapse")
    _train(used, 0, rounds=2)  # weights, Adam's moments and step, the noise seed all moved
    reset, fresh = _ring_gan(method, 1, "collapse", used), _ring_gan(method, 1, "collapse")
    assert reset is used
    for got, want in zip(_state(reset), _state(fresh), strict=True):
        np.testing.assert_array_equal(got, want)
    assert _train(reset, 1, rounds=2) == _train(fresh, 1, rounds=2)
