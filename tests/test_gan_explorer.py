"""Lesson 01's 2-D explorer: buttons, Play and sliders act at once, the title always states the current
counters and settings, the figure is updated in place, and the static frame strip tells the same story."""

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dcgan_lessons.widgets.gan_explorer import GANExplorer, _arrow_lengths  # noqa: E402


def counters(title):
    found = re.search(r"D steps (\d+), G steps (\d+), rounds (\d+)", title)
    return tuple(int(n) for n in found.groups())


def test_buttons_play_and_sliders_change_the_state_and_the_title_at_once():
    explorer = GANExplorer(seed=0, shown=100, arrows=10, resolution=12)
    box = explorer.widget()
    image = box.controls["image"]
    first_png = image.value
    box.buttons["D step"].click()
    assert counters(explorer.title()) == (1, 0, 0)
    box.buttons["G step"].click()
    box.buttons["round"].click()
    assert counters(explorer.title()) == (2, 2, 1)
    assert image.value != first_png  # the picture shown was redrawn

    shown = box.controls["title"].value
    box.controls["k"].value = 3
    # Shown at once, with the new k in the title above the picture, before any step is taken.
    assert box.controls["title"].value != shown
    assert box.controls["title"].value == explorer.title().replace("\n", "<br>")
    box.controls["g_lr"].value = 0.01
    box.controls["loss"].value = "saturating"
    title = explorer.title()  # no step taken since: the settings show at once
    assert "k=3 D" in title and "G 0.01" in title and "saturating loss" in title
    assert explorer.gan.config.k == 3 and explorer.gan._g_opt.lr == pytest.approx(0.01)
    assert counters(title) == (2, 2, 1)

    box.controls["speed"].value = 4
    box.controls["play"].value += 1  # one tick of the Play widget
    assert counters(explorer.title()) == (2 + 4 * 3, 2 + 4, 1 + 4)
    assert box.controls["title"].value == explorer.title().replace("\n", "<br>")  # the shown title agrees

    box.controls["data"].value = "grid of 25"
    assert counters(explorer.title()) == (0, 0, 0) and "/25 modes captured" in explorer.title()
    assert explorer.gan.config.k == 3  # a new distribution keeps the settings
    box.buttons["reset"].click()
    assert counters(explorer.title()) == (0, 0, 0) and explorer.coverage == [(0, explorer.modes_captured)]


def test_the_figure_is_updated_in_place():
    explorer = GANExplorer(seed=1, shown=50, arrows=5, resolution=8)
    figure = explorer.figure()
    artists = dict(explorer._artists)
    png = explorer.png()
    explorer.step("round", 3)
    assert explorer.figure() is figure and explorer._artists == artists
    np.testing.assert_allclose(artists["fake"].get_offsets(), explorer.gan.generate(explorer._z), rtol=1e-6)
    assert explorer.png() != png and explorer.png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert artists["title"].get_text().startswith("ring of 8: D steps 3, G steps 3, rounds 3")
    assert explorer.coverage[-1][0] == 3


def test_arrows_point_along_the_pull_and_stay_bounded():
    pull = np.array([[3.0, 4.0], [1e-4, 0.0], [0.0, -100.0]])
    arrows = _arrow_lengths(pull, longest=1.0)
    np.testing.assert_allclose(arrows[0] / np.linalg.norm(arrows[0]), [0.6, 0.8])
    assert np.linalg.norm(arrows[1]) < 1e-3 and np.all(np.linalg.norm(arrows, axis=1) <= 1.0)


def test_frame_strip_draws_one_run_from_its_start():
    explorer = GANExplorer(seed=0, shown=50, arrows=5, resolution=8)
    explorer.step("round", 7)
    figure = explorer.frame_strip([0, 2, 5], ncols=2)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert [t.split(":")[0] for t in titles] == ["round 0", "round 2", "round 5"]
    assert explorer.gan.rounds == 5
    assert all(ax.get_xlabel() == "x₁" for ax in figure.axes if ax.get_title())
    with pytest.raises(ValueError, match=r"rounds must be a non-empty increasing sequence, got \[3, 1\]"):
        explorer.frame_strip([3, 1])
    with pytest.raises(ValueError, match="distribution"):
        explorer.set_distribution("spiral")


def test_the_step_and_redraw_benchmark_runs_and_prints_its_figures():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "explorer_step.py"
    done = subprocess.run([sys.executable, str(script), "--ticks", "2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    for action in ("Play tick (5 rounds) + redraw", "D step + redraw", "G step + redraw", "PNG rendered"):
        assert re.search(rf"{re.escape(action)}\s+median\s+\d+\.\d ms\s+p90\s+\d+\.\d ms", done.stdout), (
            done.stdout
        )
    refused = subprocess.run([sys.executable, str(script), "--ticks", "0"], capture_output=True, text=True)
    assert refused.returncode == 2 and "expected at least 1" in refused.stderr


def test_a_seed_in_the_explorer_is_that_seed_in_the_collapse_experiment():
    """Lesson 01 says its live collapse is seed 0 of the measured experiment: the same run, step for step."""
    from dcgan_lessons.toy.collapse import SETTINGS, sample_real_ring
    from dcgan_lessons.toy.gan_2d import GAN2D

    explorer = GANExplorer(SETTINGS["collapse"], seed=0, shown=10, arrows=2, resolution=4)
    explorer.step("round", 12)
    gan = GAN2D(SETTINGS["collapse"], seed=0)
    gan.train(sample_real_ring, 12)
    z = np.random.default_rng(0).standard_normal((20, gan.config.latent_dim))
    np.testing.assert_array_equal(explorer.gan.generate(z), gan.generate(z))
