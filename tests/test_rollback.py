"""Kept checkpoints and roll-back: a run rolled back to a kept epoch and trained on reaches exactly the
weights it had before (the same computation, like a resume), and the epochs it set aside are kept."""

import json

import numpy as np
import pytest

from dcgan_lessons import cli
from dcgan_lessons.dcgan.training import RunConfig, train_dcgan
from dcgan_lessons.runs.checkpoint import checkpoint_summary
from dcgan_lessons.runs.run_folder import RunFolderError, kept_epochs, roll_back

SMALL = RunConfig(batch_size=32, limit=96, latent_dim=16, seed=5)


def _state(gan):
    variables = [*gan.generator.variables, *gan.discriminator.variables, gan.seed_generator.state]
    variables += [*gan.d_optimizer.variables, *gan.g_optimizer.variables]
    return [np.asarray(v) for v in variables]


def test_roll_back_to_a_kept_epoch_and_train_again_reaches_the_same_weights(tmp_path):
    run_dir = tmp_path / "run"
    first = train_dcgan(run_dir, epochs=4, config=SMALL, keep_every=2, verbose=0)
    assert kept_epochs(run_dir) == [2, 4]
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["epoch_002.npz", "epoch_004.npz"]
    epoch_4 = _state(first.gan)

    again = train_dcgan(run_dir, epochs=4, config=SMALL, keep_every=2, from_epoch=2, verbose=0)
    assert again.resumed_from == 2 and again.branch is not None
    for want, got in zip(epoch_4, _state(again.gan), strict=True):
        np.testing.assert_array_equal(want, got)

    # The first branch's later epochs are set aside, not lost.
    branch = again.branch
    assert branch.parent.name == "branches" and branch.name == "01_after_epoch_002"
    assert checkpoint_summary(branch / "checkpoint.npz")[0] == 4
    assert sorted(p.name for p in (branch / "samples").iterdir()) == ["epoch_003.png", "epoch_004.png"]
    assert [p.name for p in (branch / "checkpoints").iterdir()] == ["epoch_004.npz"]
    assert [h["epoch"] for h in json.loads((branch / "history.json").read_text())] == [1, 2, 3, 4]
    # The run folder holds the new branch, complete again.
    assert [h["epoch"] for h in json.loads((run_dir / "history.json").read_text())] == [1, 2, 3, 4]
    assert kept_epochs(run_dir) == [2, 4] and (run_dir / "progress.gif").stat().st_size > 0


def test_roll_back_alone_leaves_the_run_at_the_kept_epoch(tmp_path):
    run_dir = tmp_path / "run"
    train_dcgan(run_dir, epochs=3, config=SMALL, keep_every=1, verbose=0)
    branch = roll_back(run_dir, 1)
    assert checkpoint_summary(run_dir / "checkpoint.npz")[0] == 1
    assert [h["epoch"] for h in json.loads((run_dir / "history.json").read_text())] == [1]
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == ["epoch_001.png"]
    assert sorted(p.name for p in (branch / "checkpoints").iterdir()) == ["epoch_002.npz", "epoch_003.npz"]
    assert not (run_dir / "progress.gif").exists()  # rebuilt when training goes on
    assert roll_back(run_dir, 1) is None  # already there
    second = roll_back(run_dir, 0)
    assert second.name == "02_after_epoch_000" and not (run_dir / "checkpoint.npz").exists()


def test_only_kept_epochs_can_be_rolled_back_to(tmp_path, capsys):
    run_dir = tmp_path / "run"
    args = ["train", "--out", str(run_dir), "--profile", "quick", "--limit", "64", "--batch-size", "32"]
    args += ["--latent-dim", "16", "--precision", "float32", "--keep-checkpoints", "2"]
    assert cli.main([*args, "--epochs", "4"]) == 0
    capsys.readouterr()
    assert cli.main([*args, "--epochs", "4", "--from-epoch", "3"]) == 2
    err = capsys.readouterr().err
    assert "can roll back to epoch 0, 2, 4, not 3" in err and len(err.strip().splitlines()) <= 2
    assert cli.main([*args, "--epochs", "4", "--from-epoch", "5"]) == 2
    assert "--from-epoch 5 is past --epochs 4" in capsys.readouterr().err
    assert cli.main([*args, "--epochs", "4", "--from-epoch", "2"]) == 0
    assert "Rolled" in capsys.readouterr().out
    with pytest.raises(RunFolderError, match="not 3"):
        roll_back(run_dir, 3)


def test_the_default_keeps_every_fifth_epoch(tmp_path):
    train_dcgan(tmp_path, epochs=6, config=SMALL, verbose=0)
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["epoch_005.npz"]
    assert kept_epochs(tmp_path) == [5, 6]


def test_a_kept_epoch_rescues_a_run_whose_checkpoint_is_damaged(tmp_path, capsys):
    run_dir = tmp_path / "run"
    train_dcgan(run_dir, epochs=2, config=SMALL, keep_every=1, verbose=0)
    (run_dir / "checkpoint.npz").write_bytes(b"")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        train_dcgan(run_dir, epochs=2, config=SMALL, keep_every=1, verbose=0)
    with pytest.raises(RunFolderError, match="other settings"):
        train_dcgan(run_dir, epochs=2, config=RunConfig(batch_size=16), from_epoch=1, verbose=0)
    rescued = train_dcgan(run_dir, epochs=2, config=SMALL, keep_every=1, from_epoch=1, verbose=0)
    assert rescued.resumed_from == 1 and checkpoint_summary(run_dir / "checkpoint.npz")[0] == 2
    assert (rescued.branch / "checkpoint.npz").read_bytes() == b""  # the damaged file, kept to inspect
