"""`train` with faults and bad input: it never resumes the wrong run, writes nothing before the settings
and the folder are checked, keeps the last good checkpoint when the disk fills, and answers every error
a user can cause with one or two lines (what was expected, what came, what to do) and exit code 2."""

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dcgan_lessons import cli
from dcgan_lessons.runs import checkpoint
from dcgan_lessons.runs.checkpoint import checkpoint_summary

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--profile", "quick", "--limit", "64", "--batch-size", "32", "--latent-dim", "16"]
ARGS += ["--precision", "float32", "--keep-checkpoints", "0"]


def train(out, *extra):
    return cli.main(["train", "--out", str(out), *ARGS, *extra])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run folder holding one finished epoch (made once; tests work on copies)."""
    out = tmp_path_factory.mktemp("trained") / "run"
    assert train(out, "--epochs", "1") == 0
    return out


@pytest.fixture
def run(trained, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def refused(capsys, *needles):
    """The last command's stderr: at most two lines, no traceback, containing every needle."""
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) <= 2, err
    for needle in needles:
        assert needle in err, err
    return err


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- settings: stored in the checkpoint, checked before anything is written ---------------------------


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (["--batch-size", "16"], ["batch_size: the folder has 32, you asked for 16", "--batch-size 32"]),
        (["--seed", "1"], ["seed", "--seed 0"]),
        (["--precision", "mixed_bfloat16"], ["--precision float32"]),
        (["--latent-dim", "8"], ["--latent-dim 16"]),
        (["--real-target", "0.9"], ["--real-target 1.0"]),
    ],
)
def test_resume_without_config_json_refuses_other_settings(run, capsys, extra, needles):
    (run / "config.json").unlink()
    before = _files(run)
    assert train(run, "--epochs", "2", *extra) == 2
    refused(capsys, "read from its checkpoint", *needles)
    assert _files(run) == before  # nothing written, no config.json claiming the new settings


def test_the_checkpoint_holds_the_settings(run):
    _, history, settings = checkpoint_summary(run / "checkpoint.npz")
    assert settings["batch_size"] == 32 and settings["latent_dim"] == 16 and settings["seed"] == 0
    assert settings == json.loads((run / "config.json").read_text())
    assert [h["epoch"] for h in history] == [1]


def test_resume_with_the_same_settings_rewrites_a_missing_config(run, capsys):
    (run / "config.json").unlink()
    assert train(run, "--epochs", "1") == 0
    assert "nothing to train" in capsys.readouterr().out
    assert json.loads((run / "config.json").read_text())["batch_size"] == 32


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--batch-size", "5000"], "batch_size: expected at most the 64 training images, got 5000"),
        (["--real-target", "1.5"], "real_target: expected a number in (0, 1], got 1.5"),
        (["--real-target", "0"], "real_target"),
        (["--learning-rate", "-1"], "learning_rate: expected a number > 0"),
        (["--beta-1", "1"], "beta_1"),
        (["--image-size", "4"], "image_size must be >= 8"),
        (["--dataset", "mnist", "--image-size", "20"], "--image-size"),
        (["--keep-checkpoints", "-1"], "--keep-checkpoints must be 0 or more"),
        (["--from-epoch", "1"], "holds no checkpoint to roll back"),
    ],
)
def test_a_refused_argument_writes_nothing(tmp_path, capsys, extra, needle):
    out = tmp_path / "new" / "run"
    assert train(out, "--epochs", "1", *extra) == 2
    refused(capsys, needle)
    assert not (tmp_path / "new").exists()


def test_a_refused_argument_leaves_an_existing_run_untouched(run, capsys):
    before = _files(run)
    assert train(run, "--epochs", "2", "--real-target", "1.5") == 2
    refused(capsys, "real_target")
    assert _files(run) == before


# --- the run folder ----------------------------------------------------------------------------------


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert train(tmp_path / "notes.txt", "--epochs", "1") == 2
    refused(capsys, "notes.txt is a file; expected a run folder", "--out")
    assert train(tmp_path / "notes.txt" / "run", "--epochs", "1") == 2
    refused(capsys, "which is a file")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_an_unwritable_folder_is_found_before_training(run, capsys, monkeypatch):
    import tempfile

    real = tempfile.mkstemp

    def read_only(*args, dir=None, **kwargs):  # as root, chmod would not stop the writes
        if dir is not None and Path(dir).resolve().is_relative_to(run.resolve()):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    before = _files(run)
    assert train(run, "--epochs", "2") == 2
    refused(capsys, "cannot write into", "Permission denied")
    assert _files(run) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_found_before_training(run, capsys):
    os.chmod(run, 0o555)
    try:
        assert train(run, "--epochs", "2") == 2
    finally:
        os.chmod(run, 0o755)
    refused(capsys, "cannot write into")


def test_a_full_disk_keeps_the_last_good_checkpoint(run, capsys, monkeypatch):
    real = np.savez

    def disk_full(file, **arrays):
        file.write(b"PK\x03\x04 partial")  # some bytes land before the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(getattr(file, "name", "")))

    monkeypatch.setattr(checkpoint.np, "savez", disk_full)
    assert train(run, "--epochs", "3") == 2
    refused(capsys, "No space left on device", "keeps the run after epoch 1", "run the same command again")
    assert checkpoint_summary(run / "checkpoint.npz")[0] == 1
    assert [h["epoch"] for h in json.loads((run / "history.json").read_text())] == [1]
    assert len((run / "losses.csv").read_text().splitlines()) == 2
    assert not [p for p in run.rglob("*") if ".tmp" in p.name or ".write-test" in p.name]

    monkeypatch.setattr(checkpoint.np, "savez", real)  # space freed: the same command resumes
    assert train(run, "--epochs", "2") == 0
    assert checkpoint_summary(run / "checkpoint.npz")[0] == 2


@pytest.mark.parametrize("damage", ["missing", "empty"])
def test_a_rerun_rebuilds_a_missing_or_empty_gif(run, capsys, damage):
    gif = run / "progress.gif"
    gif.unlink() if damage == "missing" else gif.write_bytes(b"")
    assert train(run, "--epochs", "1") == 0
    assert "nothing to train" in capsys.readouterr().out
    assert gif.stat().st_size > 0 and gif.read_bytes().startswith(b"GIF8")


# --- damaged files -----------------------------------------------------------------------------------


def _truncate(data):
    return data[: len(data) // 2]


def _flip_bit(data):
    middle = len(data) // 2  # inside an array: the zip's CRC check catches it
    return data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        lambda data: b"",
        _flip_bit,
        lambda data: np.random.default_rng(0).bytes(len(data)),
        lambda data: b"\x93NUMPY" + np.random.default_rng(1).bytes(200),
    ],
    ids=["truncated", "zero-length", "bit-flipped", "random-bytes", "npy-like"],
)
def test_a_damaged_checkpoint_is_reported_in_two_lines(run, capsys, damage):
    path = run / "checkpoint.npz"
    path.write_bytes(damage(path.read_bytes()))
    before = _files(run)
    assert train(run, "--epochs", "2") == 2
    err = refused(capsys, "checkpoint.npz is not a readable checkpoint", "--from-epoch")
    assert "pickle" not in err.lower()
    assert _files(run) == before  # the damaged file is left for the user to inspect


@pytest.mark.parametrize(
    ("text", "came"),
    [("{not json", "JSONDecodeError"), ("", "an empty file"), ("[1, 2]", "a JSON list")],
)
def test_a_broken_config_json_is_reported(run, capsys, text, came):
    (run / "config.json").write_text(text)
    assert train(run, "--epochs", "2") == 2
    refused(capsys, "config.json is not a run's settings", "expected a JSON object", came)


# --- the environment ---------------------------------------------------------------------------------


def test_a_bogus_profile_variable_is_reported(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DCGAN_LESSONS_PROFILE", "bogus")
    assert cli.main(["train", "--out", str(tmp_path / "run")]) == 2
    refused(capsys, "'bogus'", "Unset DCGAN_LESSONS_PROFILE")
    assert not (tmp_path / "run").exists()


def test_a_bogus_keras_backend_is_reported(tmp_path):
    # Keras picks its backend at import: a separate process.
    env = {**os.environ, "KERAS_BACKEND": "bogus"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dcgan_lessons",
            "train",
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    lines = [
        line for line in result.stderr.splitlines() if line.startswith("train:") or "KERAS_BACKEND" in line
    ]
    assert lines and "KERAS_BACKEND='bogus'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()


# --- grade's options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--timeout", "0"], "--timeout: expected a number > 0, got 0.0"),
        (["--case-timeout", "nan"], "--case-timeout: expected a number > 0"),
        (["--max-output-mb", "-1"], "--max-output-mb"),
        (["--workers", "0"], "--workers: expected at least 1"),
        (["--profile", "bogus"], "--profile: expected one of quick, cpu, gpu, got 'bogus'"),
    ],
)
def test_grade_refuses_bad_options_before_running_anything(tmp_path, capsys, extra, needle):
    submission = tmp_path / "00_setup.ipynb"
    submission.write_text("{}")
    assert cli.main(["grade", str(submission), "--out", str(tmp_path / "out"), *extra]) == 2
    refused(capsys, needle)
    assert not (tmp_path / "out").exists()


def test_grade_refuses_an_out_that_is_a_file(tmp_path, capsys):
    (tmp_path / "results").write_text("mine")
    submission = tmp_path / "00_setup.ipynb"
    submission.write_text("{}")
    assert cli.main(["grade", str(submission), "--out", str(tmp_path / "results")]) == 2
    refused(capsys, "is a file; expected a results folder")
    assert cli.main(["grade", str(submission), "--out", str(tmp_path / "results" / "x")]) == 2
    refused(capsys, "which is a file")


def test_ctrl_c_says_the_run_resumes(tmp_path, capsys, monkeypatch):
    from dcgan_lessons.dcgan import training

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train_dcgan", interrupted)
    assert train(tmp_path / "run", "--epochs", "1") == 130
    refused(capsys, "interrupted", "run the same command to resume")


@pytest.mark.parametrize(
    ("target", "occurrence", "kept"),
    # The checkpoint's own write is test_a_full_disk_keeps_the_last_good_checkpoint.
    [("epoch_002.png", 1, 1), ("history.json", 2, 2)],
)
def test_a_full_disk_at_any_write_never_lets_history_run_ahead(
    tmp_path, capsys, monkeypatch, target, occurrence, kept
):
    real, seen = os.replace, []

    def replace(source, destination):
        if Path(destination).name == target:
            seen.append(destination)
            if len(seen) == occurrence:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(destination))
        return real(source, destination)

    monkeypatch.setattr(checkpoint.os, "replace", replace)
    out = tmp_path / "run"
    assert train(out, "--epochs", "2") == 2
    refused(capsys, "No space left on device", f"keeps the run after epoch {kept}")
    assert checkpoint_summary(out / "checkpoint.npz")[0] == kept
    assert [h["epoch"] for h in json.loads((out / "history.json").read_text())] == [1]  # never ahead
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]

    monkeypatch.setattr(checkpoint.os, "replace", real)
    assert train(out, "--epochs", "2") == 0
    assert [h["epoch"] for h in json.loads((out / "history.json").read_text())] == [1, 2]


def test_temporaries_left_by_a_killed_write_are_removed(run):
    (run / "checkpoint.npz.tmp.npz").write_bytes(b"PK half")
    (run / "samples" / "epoch_002.png.tmp.png").write_bytes(b"\x89PNG half")
    assert train(run, "--epochs", "1") == 0
    assert not [p for p in run.rglob("*") if ".tmp." in p.name]


def test_an_old_checkpoint_without_settings_needs_its_config_json(run, capsys):
    path = run / "checkpoint.npz"
    with np.load(path) as saved:
        arrays = {key: saved[key] for key in saved.files if key != "config"}
    np.savez(path, **arrays)  # as written before checkpoints held the settings
    assert train(run, "--epochs", "2", "--batch-size", "16") == 2
    refused(capsys, "read from config.json", "--batch-size 32")
    (run / "config.json").unlink()
    assert train(run, "--epochs", "2") == 2
    refused(capsys, "written before checkpoints held their settings", "Restore config.json")
