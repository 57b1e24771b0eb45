"""`diagnose` names the failure and the epoch on runs made to fail on purpose (tiny real runs), and on
histories for the signs a tiny run cannot show quickly (NaN, collapse of the classes covered, oscillation)."""

import json

import pytest

from dcgan_lessons import cli
from dcgan_lessons.diagnose import diagnose, find_problems
from dcgan_lessons.training import RunConfig, train_dcgan

TINY = dict(batch_size=16, limit=64, latent_dim=8, image_size=8, seed=0, precision="float32")


def test_a_run_whose_d_races_ahead_is_named_with_the_epoch_to_roll_back_to(tmp_path, capsys):
    # G barely learns (1e-6) while D learns fast (5e-3): D(x) -> 1, D(G(z)) -> 0, g_loss climbs.
    config = RunConfig(**TINY, learning_rate=1e-6, d_learning_rate=5e-3)
    run = train_dcgan(tmp_path / "run", epochs=6, config=config, verbose=0, keep_every=2, grid_images=4)
    findings = diagnose(run.run_dir)
    assert [f.kind for f in findings] == ["d_overpowers_g"]
    onset = findings[0].epoch
    assert run.history[onset - 1]["d_fake"] < 0.1 and run.history[onset - 1]["d_real"] > 0.9
    assert findings[0].roll_back_to == max(e for e in (2, 4) if e < onset)
    assert cli.main(["diagnose", str(run.run_dir)]) == 0
    assert f"epoch {onset}: d overpowers g" in capsys.readouterr().out


def test_a_run_with_a_huge_learning_rate_is_named_divergence_at_epoch_1(tmp_path):
    run = train_dcgan(tmp_path / "run", epochs=3, config=RunConfig(**TINY, learning_rate=50.0), verbose=0)
    findings = diagnose(run.run_dir)
    assert findings[0].kind == "divergence" and findings[0].epoch == 1
    assert findings[0].roll_back_to is None  # nothing kept before it: start again


def test_a_healthy_history_has_no_finding_and_the_other_signs_are_named():
    healthy = [dict(epoch=e, d_loss=1.2, g_loss=0.9 + 0.01 * e, d_real=0.6, d_fake=0.4) for e in range(1, 9)]
    assert find_problems(healthy) == []
    nan = [*healthy[:3], dict(epoch=4, d_loss=float("nan"), g_loss=1.0, d_real=0.5, d_fake=0.5)]
    assert [(f.kind, f.epoch) for f in find_problems(nan)] == [("divergence", 4)]
    measured = [
        {**h, "classes_covered": c, "inception_score": s}
        for h, c, s in zip(healthy, [3, 6, 8, 9, 9, 4, 2, 1], [2, 4, 5, 6, 6, 3, 1.5, 1.1], strict=True)
    ]
    assert [(f.kind, f.epoch) for f in find_problems(measured)] == [
        ("mode_collapse", 6)
    ]  # 4 <= 9 / 2 and IS 3 < 0.7 * 6
    swinging = [{**h, "g_loss": 1.0 + (0.8 if e % 2 else -0.5)} for e, h in enumerate(healthy, 1)]
    assert [f.kind for f in find_problems(swinging)] == ["oscillation"]


def test_diagnose_explains_a_folder_without_history(tmp_path, capsys):
    assert cli.main(["diagnose", str(tmp_path)]) == 2
    assert "history.json is missing" in capsys.readouterr().err
    (tmp_path / "history.json").write_text(json.dumps({"epoch": 1}))
    with pytest.raises(ValueError, match="list of per-epoch records"):
        diagnose(tmp_path)
