"""The generator's moving average (ema.py): the closed form on both backends and both JAX loops, an exact
resume, training left bit for bit as it was, samples and measures drawn from the average, clear refusals."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dcgan_lessons import cli
from dcgan_lessons.course.images import image_grid
from dcgan_lessons.dcgan.model import DCGAN
from dcgan_lessons.dcgan.training import RunConfig, fixed_noise, generate, train_dcgan
from dcgan_lessons.runs.checkpoint import read_checkpoint
from dcgan_lessons.runs.run_folder import RunFolderError

ROOT = Path(__file__).resolve().parents[1]
SMALL = RunConfig(batch_size=32, limit=96, latent_dim=8, seed=2, image_size=16)


def _ema_steps():
    spec = importlib.util.spec_from_file_location("ema_steps", ROOT / "tests" / "ema_steps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _values(variables):
    return [np.asarray(v.numpy()) for v in variables]


def _assert_closed_form(result):
    assert result["steps"] == 5.0 and result["sampler_is_average"]
    assert result["closed_form"] < 1e-6, result
    # What a wrong average would give is far away: one started from the initial weights, or no average.
    assert result["plain"] > 1e-2 and result["raw"] > 1e-2, result


def test_average_equals_the_closed_form_on_tensorflow():
    _assert_closed_form(_ema_steps().closed_form_check())


def test_average_on_jax_matches_the_closed_form_and_both_loops(tmp_path):
    assert importlib.util.find_spec("jax"), "JAX is missing: pip install -r requirements-test.txt"
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "ema_steps.py"), str(tmp_path)], env=env, check=True, cwd=ROOT
    )
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["backend"] == "jax"
    _assert_closed_form(result)
    # The data-resident loop (resident.py) carries the average through its compiled chunks like fit().
    assert result["fit_vs_resident"] < 1e-5 and result["resumed_vs_whole"] == 0.0, result
    assert result["resumed_from"] == 1 and result["average_steps"] == 8.0
    assert result["average_vs_raw"] > 1e-3  # the average is not simply G


def test_resume_with_the_average_is_exact(tmp_path):
    config = RunConfig(**{**SMALL.__dict__, "ema": 0.9})
    whole = train_dcgan(tmp_path / "whole", epochs=2, config=config, verbose=0)
    train_dcgan(tmp_path / "cut", epochs=1, config=config, verbose=0)
    resumed = train_dcgan(tmp_path / "cut", epochs=2, config=config, verbose=0)
    assert resumed.resumed_from == 1
    for a, b in zip(_values(whole.gan.variables), _values(resumed.gan.variables), strict=True):
        np.testing.assert_array_equal(a, b)
    saved = read_checkpoint(tmp_path / "cut" / "checkpoint.npz")
    average = [
        saved[k]
        for k in sorted(
            (k for k in saved if k.startswith("ema_generator/")), key=lambda k: int(k.split("/")[1])
        )
    ]
    assert len(average) == len(whole.gan.ema.state_variables) and float(average[-1]) == 6.0  # steps
    raw, mine = _values(whole.gan.generator.variables), _values(whole.gan.ema.generator.variables)
    assert any(not np.array_equal(a, b) for a, b in zip(raw, mine, strict=True))


def test_the_average_leaves_training_bit_for_bit_as_it_was(tmp_path):
    off = train_dcgan(tmp_path / "off", epochs=2, config=SMALL, verbose=0)
    on = train_dcgan(
        tmp_path / "on", epochs=2, config=RunConfig(**{**SMALL.__dict__, "ema": 0.99}), verbose=0
    )
    assert off.gan.ema is None and off.gan.sampler is off.gan.generator
    trained = lambda gan: [  # noqa: E731
        *gan.generator.variables,
        *gan.discriminator.variables,
        *gan.d_optimizer.variables,
        *gan.g_optimizer.variables,
        gan.seed_generator.state,
    ]
    for a, b in zip(_values(trained(off.gan)), _values(trained(on.gan)), strict=True):
        np.testing.assert_array_equal(a, b)
    # Off, the model and its checkpoint hold exactly what they held before the average existed.
    assert len(off.gan.variables) == len(on.gan.variables) - len(on.gan.ema.state_variables)
    saved = read_checkpoint(tmp_path / "off" / "checkpoint.npz")
    assert not any(k.startswith("ema_generator") for k in saved)
    assert [h["d_loss"] for h in off.history] == [h["d_loss"] for h in on.history]


def test_samples_and_measures_come_from_the_average(tmp_path):
    class Recording:
        SCALARS = ("fd",)

        def __init__(self):
            self.seen = []

        def measure(self, images):
            self.seen.append(np.array(images))
            return {"fd": 1.0}

    evaluator = Recording()
    # A large learning rate moves G far in 3 steps, so its images differ visibly from the average's.
    config = RunConfig(**{**SMALL.__dict__, "ema": 0.9, "learning_rate": 0.02})
    run = train_dcgan(
        tmp_path, epochs=1, config=config, verbose=0, grid_images=4, measures=evaluator, measure_samples=6
    )
    measured = generate(run.gan.sampler, fixed_noise(6, config.latent_dim, config.seed + 1))
    np.testing.assert_array_equal(evaluator.seen[-1], measured)
    noise = fixed_noise(4, config.latent_dim, config.seed)
    grid = np.asarray(Image.open(tmp_path / "samples" / "epoch_001.png"), dtype=np.float64) / 255
    expected = lambda generator: np.clip(image_grid(generate(generator, noise))[..., 0], 0, 1)  # noqa: E731
    assert np.abs(grid - expected(run.gan.ema.generator)).max() <= 1 / 255
    assert np.abs(grid - expected(run.gan.generator)).max() > 2 / 255  # not the raw generator's


def test_a_resume_under_another_average_is_refused_with_the_options_that_resume_it(tmp_path):
    train_dcgan(tmp_path, epochs=1, config=RunConfig(**{**SMALL.__dict__, "ema": 0.9}), verbose=0)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(RunFolderError, match="--ema 0.9"):
        train_dcgan(tmp_path, epochs=2, config=SMALL, verbose=0)
    with pytest.raises(RunFolderError, match="ema: the folder has 0.9, you asked for 0.99"):
        train_dcgan(tmp_path, epochs=2, config=RunConfig(**{**SMALL.__dict__, "ema": 0.99}), verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("decay", [1.0, 1.5, -0.1, "0.999", True])
def test_a_decay_outside_zero_to_one_is_refused(decay, tmp_path):
    with pytest.raises(ValueError, match=r"ema: expected a decay in \(0, 1\)"):
        train_dcgan(tmp_path, epochs=1, config=RunConfig(**{**SMALL.__dict__, "ema": decay}), verbose=0)
    assert not tmp_path.joinpath("checkpoint.npz").exists()


def test_dcgan_takes_the_decay_and_zero_means_none():
    import keras

    make = lambda ema: DCGAN(  # noqa: E731
        keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)]),
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)]),
        ema=ema,
    )
    assert make(0).ema is None and make(None).ema is None
    assert make(0.999).ema.decay == 0.999
    with pytest.raises(ValueError, match="expected a decay"):
        make(2)


def test_cli_ema_trains_with_the_average_and_refuses_a_bad_decay(tmp_path, capsys):
    out = tmp_path / "run"
    common = ["train", "--out", str(out), "--profile", "quick", "--epochs", "1", "--limit", "64"]
    assert cli.main([*common, "--ema", "1.5"]) == 2
    assert "ema: expected a decay in (0, 1)" in capsys.readouterr().err and not out.exists()
    assert cli.main([*common, "--ema", "0.9", "--image-size", "16", "--latent-dim", "8"]) == 0
    assert json.loads((out / "config.json").read_text())["ema"] == 0.9
