"""Lesson 07's figures draw what they are given: one bar per method (and setting), one dot per seed."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dcgan_lessons.widgets.stable_plots import (  # noqa: E402
    show_ring_comparison,
    show_run_curves,
    show_stabiliser_comparison,
)


def test_ring_comparison_has_a_bar_per_method_and_setting_and_a_dot_per_seed():
    rows = {"bce": [(0, 3, 0.5), (1, 5, 0.25)], "wgan-gp": [(0, 8, 0.75), (1, 6, 0.5)]}
    figure = show_ring_comparison({"collapse": rows, "default": rows})
    modes = figure.axes[0]
    assert [round(bar.get_height(), 3) for bar in modes.patches] == [4, 7, 4, 7]
    assert sorted(y for line in modes.lines for y in line.get_ydata()) == [3, 3, 5, 5, 6, 6, 8, 8]
    assert [round(bar.get_height(), 3) for bar in figure.axes[1].patches] == [37.5, 62.5, 37.5, 62.5]
    plt.close(figure)


def test_stabiliser_comparison_and_run_curves():
    rows = {
        "a": {"fd": 100.0, "classes_covered": 9, "seconds_per_epoch": 2.0},
        "b": {"fd": 50.0, "classes_covered": 10, "seconds_per_epoch": 20.0},
    }
    figure = show_stabiliser_comparison(rows)
    assert [[bar.get_height() for bar in ax.patches] for ax in figure.axes] == [[100, 50], [9, 10], [2, 20]]
    plt.close(figure)
    history = [dict(epoch=e, d_loss=1.0, g_loss=2.0, d_real=0.6, d_fake=0.4) for e in (1, 2, 3)]
    figure = show_run_curves(history, mark_epoch=2)
    assert any(list(line.get_xdata()) == [2, 2] for line in figure.axes[0].lines)
    plt.close(figure)
    with pytest.raises(ValueError, match="empty list"):
        show_run_curves([])
