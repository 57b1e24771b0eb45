"""Mode collapse really happens: on the `cpu` profile's rounds, the collapse setting collapses or
mode-hops in at least 4 of 5 seeds and the default covers all 8 modes in at least 4 of 5 (the numbers
lesson 01 prints come from the same `collapse_experiment`). Also: the hop count and occupied modes."""

import numpy as np
import pytest

from dcgan_lessons import get_profile
from dcgan_lessons.toy.collapse import SEEDS, collapse_experiment, describe_experiment
from dcgan_lessons.toy.distributions import ring_centers, sample_ring
from dcgan_lessons.toy.mode_coverage import count_mode_hops, mode_shares, occupied_modes


def test_collapse_setting_collapses_and_default_covers_all_modes_on_the_cpu_profile():
    rounds = get_profile("cpu").toy_game_rounds
    results = collapse_experiment(rounds)
    assert [t.seed for t in results["default"]] == list(SEEDS) == [0, 1, 2, 3, 4]
    covered = [t.seed for t in results["default"] if t.covers_all]
    collapsed = [t.seed for t in results["collapse"] if t.collapsed]
    summary = describe_experiment(results)
    print(summary)  # shown with -s: the figures the lesson prints
    assert len(covered) >= 4, summary
    assert len(collapsed) >= 4, summary
    # Collapsed for real, not merely blurry: no collapse-setting run ends covering all 8 modes, and each
    # collapsed one had its mass on at most 2 modes in at least half of its snapshots (the default: hardly
    # ever, only early on).
    assert not any(t.covers_all for t in results["collapse"]), summary
    assert all(t.concentrated >= len(t.occupied) // 2 for t in results["collapse"] if t.collapsed), summary
    assert all(t.concentrated <= 2 for t in results["default"] if t.covers_all), summary
    assert f"all 8 modes at the end in {len(covered)} of 5 seeds (seeds {covered[0]}," in summary


def test_mode_shares_and_occupied_modes():
    centers = ring_centers()
    points, modes = sample_ring(1000, std=0.02, seed=0, return_modes=True)
    np.testing.assert_allclose(mode_shares(points, centers), np.bincount(modes, minlength=8) / 1000)
    assert occupied_modes(points, centers) == frozenset(range(8))
    two = np.concatenate([np.repeat(centers[[1]], 60, 0), np.repeat(centers[[5]], 40, 0)])
    assert occupied_modes(two, centers) == {1, 5}
    assert occupied_modes(two, centers, min_share=0.5) == {1}
    with pytest.raises(ValueError, match=r"min_share must be in \(0, 1\], got 0"):
        occupied_modes(two, centers, min_share=0)


def test_count_mode_hops_counts_only_jumps_of_a_collapsed_generator():
    spread = [set(range(8))] * 4
    assert count_mode_hops(spread) == 0  # wobbling shares of a spread generator are not hops
    assert count_mode_hops([{1}, {4}, {4}, {0, 7}, {2}]) == 3
    assert count_mode_hops([{1}, {1, 2}, {2}, {2, 3}]) == 0  # sliding to a neighbour keeps a shared mode
    assert count_mode_hops([{1}, set(range(8)), {5}]) == 0
    assert count_mode_hops([{1}, {2, 3, 4}, {5}], max_modes=3) == 2
