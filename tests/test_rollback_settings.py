"""A roll-back may change the optimizers' settings: "it went bad at epoch 4, go back to 2 with a lower
rate". The new rate really trains (Adam's rate is a variable the checkpoint would otherwise restore), the
folder then resumes under it, and settings that define the run stay refused."""

import numpy as np
import pytest

from dcgan_lessons import cli
from dcgan_lessons.dcgan.training import RunConfig, train_dcgan
from dcgan_lessons.runs.run_folder import RunFolderError

SMALL = RunConfig(batch_size=32, limit=64, latent_dim=8, seed=3)
LOWER = RunConfig(**{**SMALL.__dict__, "learning_rate": 5e-5})


def _weights(gan):
    return [np.asarray(v) for v in gan.generator.trainable_variables]


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    """A 3-epoch run rolled back to epoch 2 and trained on at a quarter of the rate, and the same
    roll-back at the old rate."""
    base = tmp_path_factory.mktemp("runs")
    runs = {}
    for name, config in (("lower", LOWER), ("same", SMALL)):
        train_dcgan(base / name, epochs=3, config=SMALL, keep_every=1, verbose=0)
        runs[name] = train_dcgan(base / name, epochs=3, config=config, keep_every=1, from_epoch=2, verbose=0)
    return base, runs


def test_a_roll_back_trains_on_with_the_new_learning_rate(rolled, capsys):
    _, runs = rolled
    lower, same = runs["lower"].gan, runs["same"].gan
    for optimizer in (lower.d_optimizer, lower.g_optimizer):
        assert float(np.asarray(optimizer.learning_rate)) == pytest.approx(5e-5)
    assert float(np.asarray(same.g_optimizer.learning_rate)) == pytest.approx(2e-4)
    # Epoch 3 trained differently from the same roll-back at the old rate.
    assert any(not np.allclose(a, b) for a, b in zip(_weights(lower), _weights(same), strict=True))
    assert runs["lower"].history[-1]["epoch"] == 3


def test_the_folder_then_resumes_under_the_new_rate_only(rolled):
    base, _ = rolled
    resumed = train_dcgan(base / "lower", epochs=4, config=LOWER, keep_every=1, verbose=0)
    assert resumed.resumed_from == 3
    assert float(np.asarray(resumed.gan.g_optimizer.learning_rate)) == pytest.approx(5e-5)
    with pytest.raises(RunFolderError, match="learning_rate: the folder has 5e-05, you asked for 0.0002"):
        train_dcgan(base / "lower", epochs=5, config=SMALL, verbose=0)  # a plain resume may not change it


def test_a_roll_back_still_refuses_what_defines_the_run(rolled):
    base, _ = rolled
    wider = RunConfig(**{**SMALL.__dict__, "latent_dim": 16})
    with pytest.raises(RunFolderError, match="latent_dim"):
        train_dcgan(base / "same", epochs=3, config=wider, keep_every=1, from_epoch=2, verbose=0)


def test_the_cli_says_what_changed(rolled, capsys):
    base, _ = rolled
    args = ["train", "--out", str(base / "same"), "--epochs", "3", "--batch-size", "32", "--limit", "64"]
    args += [
        "--precision",
        "float32",
        "--latent-dim",
        "8",
        "--seed",
        "3",
        "--keep-checkpoints",
        "1",
        "--from-epoch",
        "2",
    ]
    assert cli.main([*args, "--learning-rate", "1e-4"]) == 0
    assert "Training on with learning_rate 0.0001 (was 0.0002)." in capsys.readouterr().out
