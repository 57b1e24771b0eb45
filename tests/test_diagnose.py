"""`diagnose` names the failure and the epoch on tiny real runs made to fail on purpose (D racing ahead,
oscillation, a blow-up to NaN in half precision, NaN in the first epoch), finds nothing in a healthy
one, and on histories for the sign a tiny run cannot show quickly (the collapse of the classes covered).
Each failing run is first checked to fail as named, from its own history, not from diagnose's words."""

import json
import math

import pytest

from dcgan_lessons import cli
from dcgan_lessons.dcgan.training import RunConfig, TrainingDiverged, train_dcgan, validate_config
from dcgan_lessons.runs.checkpoint import checkpoint_summary
from dcgan_lessons.runs.diagnose import EXPLODED, diagnose, find_problems

TINY = dict(batch_size=16, limit=64, latent_dim=8, image_size=8, seed=0, precision="float32")
CLI_TINY = ["--batch-size", "16", "--limit", "64", "--latent-dim", "8", "--image-size", "8"]
CLI_TINY += ["--seed", "0", "--precision", "float32", "--profile", "quick"]


def finite(record) -> bool:
    return all(math.isfinite(record[k]) for k in ("d_loss", "g_loss", "d_real", "d_fake"))


def test_a_run_whose_d_races_ahead_is_named_and_rolled_back_to_the_epoch_it_names(tmp_path, capsys):
    # G barely learns (1e-6) while D learns fast (5e-3): D(x) -> 1, D(G(z)) -> 0, g_loss climbs.
    run_dir = tmp_path / "run"
    options = [*CLI_TINY, "--learning-rate", "1e-6", "--d-learning-rate", "5e-3", "--keep-checkpoints", "2"]
    assert cli.main(["train", "--out", str(run_dir), "--epochs", "6", *options]) == 0
    history = json.loads((run_dir / "history.json").read_text())
    assert history[-1]["d_real"] > 0.9 and history[-1]["d_fake"] < 0.1
    assert history[-1]["g_loss"] > 2 * history[0]["g_loss"]
    capsys.readouterr()
    findings = diagnose(run_dir)
    assert [f.kind for f in findings] == ["d_overpowers_g"]
    onset = findings[0].epoch
    assert history[onset - 1]["d_fake"] < 0.1 and history[onset - 1]["d_real"] > 0.9
    assert findings[0].roll_back_to == max(e for e in (0, 2, 4) if e < onset)
    assert cli.main(["diagnose", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert f"epoch {onset}: d overpowers g" in out and f"--from-epoch {findings[0].roll_back_to}" in out
    # The advice works: train --from-epoch K rolls back and trains on to the same epoch count.
    back = findings[0].roll_back_to
    assert (
        cli.main(["train", "--out", str(run_dir), "--epochs", "6", *options, "--from-epoch", str(back)]) == 0
    )
    assert f"Rolled {run_dir} back to epoch {back}" in capsys.readouterr().out
    assert [r["epoch"] for r in json.loads((run_dir / "history.json").read_text())] == list(range(1, 7))
    assert len(list((run_dir / "branches").iterdir())) == 1  # the failed epochs are set aside, not lost


def test_a_run_whose_players_swing_is_named_oscillation_from_the_epoch_it_began(tmp_path):
    # Both rates 0.1 (500 times the paper's), no momentum, one batch per epoch: D calls every image real,
    # then every image fake, and back, epoch after epoch.
    config = RunConfig(**{**TINY, "limit": 16}, learning_rate=0.1, beta_1=0.0)
    run = train_dcgan(tmp_path / "run", epochs=8, config=config, verbose=0, keep_every=2, grid_images=4)
    d_fake = [r["d_fake"] for r in run.history[:7]]
    flips = sum(abs(b - a) > 0.8 for a, b in zip(d_fake[:-1], d_fake[1:], strict=True))
    assert flips >= 4, d_fake  # D(G(z)) jumps between about 0 and about 1: the run really swings
    findings = diagnose(run.run_dir)
    assert [(f.kind, f.epoch) for f in findings] == [("oscillation", 2)]  # the end of its first swing
    assert findings[0].roll_back_to is None  # it swung from the start
    assert "start a new run folder with other settings" in str(findings[0])


def test_a_run_that_blows_up_to_nan_stops_keeps_its_history_and_is_named_divergence(tmp_path, capsys):
    # Half precision with a learning rate of 3: the logits pass float16's 65,504 within a few epochs.
    config = RunConfig(**{**TINY, "precision": "mixed_float16"}, learning_rate=3.0)
    run_dir = tmp_path / "run"
    with pytest.raises(TrainingDiverged, match=r"training diverged at epoch \d+ .*NaN or infinite") as caught:
        train_dcgan(run_dir, epochs=8, config=config, verbose=0, keep_every=1, grid_images=4)
    nan_epoch = caught.value.epoch
    history = json.loads((run_dir / "history.json").read_text())
    assert [r["epoch"] for r in history] == list(range(1, nan_epoch + 1))
    assert not finite(history[-1]) and all(finite(r) for r in history[:-1])
    # The NaN weights are not saved: the checkpoint and the grids stop at the last finite epoch.
    assert checkpoint_summary(run_dir / "checkpoint.npz")[0] == nan_epoch - 1 == caught.value.kept
    assert not (run_dir / "samples" / f"epoch_{nan_epoch:03d}.png").exists()
    # The first sign is a loss past EXPLODED (logits that large), before the NaN itself.
    onset = next(
        r["epoch"] for r in history if not finite(r) or max(abs(r["d_loss"]), abs(r["g_loss"])) > EXPLODED
    )
    assert onset < nan_epoch
    findings = diagnose(run_dir)
    assert (findings[0].kind, findings[0].epoch) == ("divergence", onset)
    assert findings[0].roll_back_to == (onset - 1 or None)  # every epoch kept
    assert f"NaN or infinite at epoch {nan_epoch}" in findings[0].message
    assert cli.main(["diagnose", str(run_dir)]) == 0
    assert f"epoch {onset}: divergence" in capsys.readouterr().out


def test_a_run_that_is_nan_after_its_first_epoch_exits_1_and_diagnose_says_start_a_new_run(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert (
        cli.main(["train", "--out", str(run_dir), "--epochs", "3", *CLI_TINY, "--learning-rate", "1e9"]) == 1
    )
    err = capsys.readouterr().err
    assert "training diverged at epoch 1" in err and "keeps no checkpoint" in err and "diagnose" in err
    assert json.loads((run_dir / "config.json").read_text())["d_learning_rate"] is None  # D's rate: G's
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history) == 1 and not finite(history[0])
    assert not (run_dir / "checkpoint.npz").exists()
    assert cli.main(["diagnose", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "epoch 1: divergence: a loss became NaN or infinite" in out and "start a new run folder" in out
    # The live view, drawn after the epoch is recorded, trips over the NaN images: the divergence is named.
    with pytest.raises(TrainingDiverged, match="training diverged at epoch 1"):
        config = RunConfig(**TINY, learning_rate=1e9)
        train_dcgan(tmp_path / "live", epochs=3, config=config, verbose=0, grid_images=4, live=True)
    assert len(json.loads((tmp_path / "live" / "history.json").read_text())) == 1


def test_a_healthy_run_is_not_diagnosed(tmp_path, capsys):
    run = train_dcgan(
        tmp_path / "run", epochs=8, config=RunConfig(**TINY), verbose=0, keep_every=0, grid_images=4
    )
    assert all(finite(r) and 0.2 < r["d_fake"] < 0.8 for r in run.history)  # a game still being played
    assert diagnose(run.run_dir) == []
    assert cli.main(["diagnose", str(run.run_dir)]) == 0
    assert "no sign of divergence" in capsys.readouterr().out


def test_histories_name_nan_collapse_and_swinging_and_not_a_healthy_one():
    healthy = [dict(epoch=e, d_loss=1.2, g_loss=0.9 + 0.01 * e, d_real=0.6, d_fake=0.4) for e in range(1, 12)]
    assert find_problems(healthy) == []
    nan = [*healthy[:3], dict(epoch=4, d_loss=float("nan"), g_loss=1.0, d_real=0.5, d_fake=0.5)]
    assert [(f.kind, f.epoch) for f in find_problems(nan)] == [("divergence", 4)]
    big_d = [*healthy[:2], dict(epoch=3, d_loss=2e3, g_loss=1.0, d_real=0.5, d_fake=0.5)]
    assert "2e+03 (d_loss)" in find_problems(big_d)[0].message
    won = [dict(epoch=e, d_loss=0.0, g_loss=5e3, d_real=1.0, d_fake=0.0) for e in (3, 4, 5)]
    blown = [*healthy[:2], *won]
    assert [(f.kind, f.epoch) for f in find_problems(blown)] == [("divergence", 3)]  # not D winning too
    measured = [
        {**h, "classes_covered": c, "inception_score": s}
        for h, c, s in zip(healthy, [3, 6, 8, 9, 9, 4, 2, 1], [2, 4, 5, 6, 6, 3, 1.5, 1.1], strict=False)
    ]
    assert [(f.kind, f.epoch) for f in find_problems(measured)] == [
        ("mode_collapse", 6)
    ]  # 4 <= 9 / 2 and IS 3 < 0.7 * 6, and again in epoch 7
    dip = [{**m, "classes_covered": 9, "inception_score": 6} if m["epoch"] >= 7 else m for m in measured]
    assert find_problems(dip) == []  # one epoch down, then back: noise, not a collapse
    # Swinging from epoch 3 to 9, then settled: named from where it began, not missed at the end.
    swinging = [
        {**h, "g_loss": 1.0 + (0.8 if e % 2 else -0.5) * (3 <= e <= 9)} for e, h in enumerate(healthy, 1)
    ]
    assert [(f.kind, f.epoch) for f in find_problems(swinging)] == [("oscillation", 3)]


def test_diagnose_explains_a_folder_without_history(tmp_path, capsys):
    assert cli.main(["diagnose", str(tmp_path)]) == 2
    assert "history.json is missing" in capsys.readouterr().err
    (tmp_path / "history.json").write_text(json.dumps({"epoch": 1}))
    with pytest.raises(ValueError, match="list of per-epoch records"):
        diagnose(tmp_path)


@pytest.mark.parametrize(
    "stabiliser, cli_flags",
    [(dict(loss="wgan-gp"), ["--loss", "wgan-gp"]), (dict(spectral_norm=True), ["--spectral-norm"])],
)
def test_the_generator_average_with_a_stabiliser_is_refused_before_anything_is_written(
    tmp_path, capsys, stabiliser, cli_flags
):
    # StableGAN's steps do not update a moving average of G: refused, not silently ignored.
    config = RunConfig(**TINY, ema=0.999, **stabiliser)
    with pytest.raises(ValueError, match="ema: the generator's moving average works with the DCGAN trainer"):
        train_dcgan(tmp_path / "run", epochs=1, config=config, verbose=0)
    assert not (tmp_path / "run").exists()
    validate_config(RunConfig(**TINY, **stabiliser))  # each alone is accepted
    validate_config(RunConfig(**TINY, ema=0.999))
    out = tmp_path / "cli"
    assert (
        cli.main(["train", "--out", str(out), "--epochs", "1", *CLI_TINY, "--ema", "0.999", *cli_flags]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("train: ema: the generator's moving average works with the DCGAN trainer")
    assert "drop --ema" in err and not out.exists()
