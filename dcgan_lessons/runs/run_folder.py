"""Run folders: their files, the checks made before one is written, kept checkpoints and roll-back.

A run folder (see dcgan/training.py for what trains into it) holds:
    config.json        the settings of the run (a resume must use the same ones)
    checkpoint.npz     the state after the last finished epoch, and the run's settings (see checkpoint.py)
    checkpoints/epoch_NNN.npz   the state after every `keep_every`-th epoch, for rolling back
    history.json       one record per epoch: losses, D(x), D(G(z)), seconds, images/s
    losses.csv         the same, as a table
    samples/epoch_NNN.png   the generator's images for one fixed batch of noise, after each epoch
    progress.gif       those grids as an animation
    branches/NN_after_epoch_KKK/   what a roll-back to epoch KKK set aside (nothing is deleted)

Every file is written to a temporary name and renamed (checkpoint.atomic_write). Nothing here imports
Keras, so a notebook or a script can list, check and roll back runs without building a model.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from ..course.validation import require_int
from .checkpoint import CheckpointError, atomic_write, checkpoint_summary, copy_checkpoint

CHECKPOINT = "checkpoint.npz"
KEPT = "checkpoints"
BRANCHES = "branches"
KEEP_EVERY = 5  # default: keep every 5th epoch's checkpoint (and always the last one)


class RunFolderError(ValueError):
    """The run folder cannot be used as asked (not a folder, unwritable, full, another run's settings)."""


def write_failed(run_dir: Path, error: OSError, kept: int) -> RunFolderError:
    where = f" {error.filename}" if error.filename else ""
    return RunFolderError(
        f"could not write{where} ({error.strerror or error}); {run_dir} keeps the run after epoch {kept}, "
        "its last complete checkpoint.\nFree some space (or make the folder writable) and run the same "
        "command again to resume."
    )


def remove_stale_temporaries(run_dir: Path) -> None:
    """Delete the half-written temporaries a run killed mid-write (SIGKILL, power loss) left behind."""
    for folder in (run_dir, run_dir / "samples", run_dir / KEPT):
        for suffix in ("npz", "png", "json", "csv", "gif"):
            for path in folder.glob(f"*.tmp.{suffix}"):
                path.unlink(missing_ok=True)


def kept_path(run_dir, epoch: int) -> Path:
    return Path(run_dir) / KEPT / f"epoch_{epoch:03d}.npz"


def keep_checkpoint(run_dir, epoch: int) -> Path:
    """Copy the run's current checkpoint (after `epoch`) to checkpoints/epoch_NNN.npz."""
    target = kept_path(run_dir, epoch)
    target.parent.mkdir(exist_ok=True)
    return copy_checkpoint(Path(run_dir) / CHECKPOINT, target)


def _current_epoch(run_dir: Path) -> int | None:
    """Epochs in the run's checkpoint.npz; None when it is missing or damaged."""
    try:
        return checkpoint_summary(Path(run_dir) / CHECKPOINT)[0]
    except CheckpointError:
        return None


def kept_epochs(run_dir) -> list[int]:
    """The epochs a run can roll back to: its kept checkpoints' and its last (readable) checkpoint's."""
    run_dir = Path(run_dir)
    epochs = {int(p.stem.split("_")[1]) for p in (run_dir / KEPT).glob("epoch_[0-9][0-9][0-9].npz")}
    done = _current_epoch(run_dir)
    return sorted(epochs if done is None else {*epochs, done})


def check_roll_back(run_dir, epoch: int) -> tuple[int | None, list[int]]:
    """(epochs done, epochs kept) when `run_dir` can roll back to `epoch`; RunFolderError otherwise.

    Epochs done is None when checkpoint.npz is missing or damaged: a kept epoch still rescues the run.
    """
    run_dir = Path(run_dir)
    done, available = _current_epoch(run_dir), kept_epochs(run_dir)
    if not available and not (run_dir / CHECKPOINT).exists():
        raise RunFolderError(f"{run_dir} holds no checkpoint to roll back (--from-epoch {epoch}).")
    if epoch == done:
        return done, available
    if (done is not None and epoch > done) or (epoch > 0 and not kept_path(run_dir, epoch).exists()):
        raise RunFolderError(
            f"--from-epoch {epoch}: {run_dir} can roll back to epoch "
            f"{', '.join(map(str, [0, *available]))}, not {epoch} (it keeps every --keep-checkpoints "
            "epochs' checkpoints in checkpoints/)."
        )
    if epoch:
        checkpoint_summary(kept_path(run_dir, epoch))  # readable?
    return done, available


def roll_back(run_dir, epoch: int) -> Path | None:
    """Roll a run folder back to the kept checkpoint of `epoch`, setting the later epochs aside.

    The checkpoint, history, losses, GIF, later sample grids and later kept checkpoints move to (or are
    copied into) a new folder branches/NN_after_epoch_KKK/, so nothing is lost; the run folder then
    holds the run as it was after `epoch`, and training on starts a new branch from there. Returns that
    branch folder, or None when the run already stands at `epoch`. `epoch=0` starts the run afresh.
    """
    import shutil

    run_dir = Path(run_dir)
    epoch = require_int(epoch, "from_epoch", minimum=0)
    done, available = check_roll_back(run_dir, epoch)
    if epoch == done:
        return None
    current, source = run_dir / CHECKPOINT, kept_path(run_dir, epoch)
    history = checkpoint_summary(source)[1] if epoch else []

    branches = run_dir / BRANCHES
    number = 1 + max((int(p.name[:2]) for p in branches.glob("[0-9][0-9]_*")), default=0)
    branch = branches / f"{number:02d}_after_epoch_{epoch:03d}"
    (branch / "samples").mkdir(parents=True)
    # Copies first: until the checkpoint is replaced, the folder still resumes the old branch.
    if current.exists():  # even a damaged one: it is the user's to inspect
        copy_checkpoint(current, branch / CHECKPOINT)
    for name in ("history.json", "losses.csv", "config.json", "progress.gif"):
        if (run_dir / name).exists():
            shutil.copyfile(run_dir / name, branch / name)
    later_samples = [
        p for p in (run_dir / "samples").glob("epoch_[0-9][0-9][0-9].png") if int(p.stem[6:]) > epoch
    ]
    for path in later_samples:
        shutil.copyfile(path, branch / "samples" / path.name)
    for later in [e for e in available if e > epoch and kept_path(run_dir, e).exists()]:
        (branch / KEPT).mkdir(exist_ok=True)
        os.replace(kept_path(run_dir, later), branch / KEPT / kept_path(run_dir, later).name)
    if epoch:
        copy_checkpoint(source, current)
    else:
        current.unlink(missing_ok=True)
    for path in later_samples:
        path.unlink()
    (run_dir / "progress.gif").unlink(missing_ok=True)
    write_history(run_dir, history)
    return branch


def write_history(run_dir: Path, history: list[dict]) -> None:
    run_dir = Path(run_dir)
    atomic_write(run_dir / "history.json", lambda t: Path(t).write_text(json.dumps(history, indent=1)))
    if history:
        # The union of the records' names, in order: a run resumed with measures adds columns.
        names = list(dict.fromkeys(name for record in history for name in record))

        def write_csv(temporary):
            with open(temporary, "w", newline="") as file:
                writer = csv.DictWriter(file, fieldnames=names, restval="")
                writer.writeheader()
                writer.writerows(history)

        atomic_write(run_dir / "losses.csv", write_csv)
    else:
        (run_dir / "losses.csv").unlink(missing_ok=True)


def write_gif(run_dir, seconds_per_frame: float = 0.25, frames: dict | None = None) -> Path | None:
    """Animate the run's sample grids into progress.gif; None when there are no grids yet.

    `frames`: {epoch: the grid's uint8 pixels} already in memory (training keeps them), used instead
    of reading those epochs' PNGs back; the GIF is the same.
    """
    from PIL import Image

    run_dir = Path(run_dir)
    frames = frames or {}
    paths = sorted((run_dir / "samples").glob("epoch_[0-9][0-9][0-9].png"))
    frames = [
        Image.fromarray(_gray(frames[int(p.stem[6:])])) if int(p.stem[6:]) in frames else Image.open(p)
        for p in paths
    ]
    if not frames:
        return None
    duration = int(seconds_per_frame * 1000)
    try:
        return atomic_write(
            run_dir / "progress.gif",
            lambda temporary: frames[0].save(
                temporary, format="GIF", save_all=True, append_images=frames[1:], duration=duration, loop=0
            ),
        )
    finally:
        for frame in frames:
            frame.close()


def _gray(pixels):
    """A one-channel grid as 2-D pixels (PIL's "L" mode, as the PNG was written)."""
    return pixels[..., 0] if pixels.ndim == 3 and pixels.shape[-1] == 1 else pixels


# The command-line option of every setting, so a refusal can say exactly what to type.
OPTIONS = {
    "dataset": "--dataset",
    "batch_size": "--batch-size",
    "latent_dim": "--latent-dim",
    "seed": "--seed",
    "limit": "--limit",
    "image_size": "--image-size",
    "real_target": "--real-target",
    "learning_rate": "--learning-rate",
    "beta_1": "--beta-1",
    "precision": "--precision",
    "ema": "--ema",
    "loss": "--loss",
    "spectral_norm": "--spectral-norm",
    "d_learning_rate": "--d-learning-rate",
    "beta_2": "--beta-2",
    "n_critic": "--n-critic",
}


def check_run_folder(run_dir: Path) -> None:
    """Make sure `run_dir` is, or can become, a writable folder, without writing anything there."""
    run_dir = Path(run_dir)
    existing = run_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == run_dir and not run_dir.is_dir():
        raise RunFolderError(
            f"{run_dir} is a file; expected a run folder (new, or one train wrote). Choose another --out."
        )
    if not existing.is_dir():
        raise RunFolderError(
            f"{run_dir} would be a folder inside {existing}, which is a file. Choose another --out."
        )
    for folder in [existing, *(run_dir / name for name in ("samples", KEPT) if (run_dir / name).is_dir())]:
        _require_writable(folder, run_dir)


def _require_writable(folder: Path, run_dir: Path) -> None:
    import tempfile

    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".write-test-")
    except OSError as error:
        raise RunFolderError(
            f"cannot write into {folder} ({error.strerror or error}); the run needs a writable folder. "
            f"Make it writable, or choose another --out than {run_dir}."
        ) from None
    os.close(handle)
    os.unlink(name)


def read_config_file(run_dir: Path) -> dict | None:
    """The settings in a run folder's config.json (None when there is none); RunFolderError when broken."""
    path = Path(run_dir) / "config.json"
    if not path.exists():
        return None
    try:
        text = path.read_text()
        stored = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        came = "an empty file" if path.stat().st_size == 0 else f"{type(error).__name__}: {error}"
        stored = came
    if not isinstance(stored, dict):
        came = stored if isinstance(stored, str) else f"a JSON {type(stored).__name__}"
        raise RunFolderError(
            f'{path} is not a run\'s settings (expected a JSON object like {{"batch_size": 64, ...}}; '
            f"came: {came}). Move it away (train rewrites it from the checkpoint), or choose another --out."
        )
    return stored


def stored_settings(run_dir: Path, checkpoint: Path | None = None) -> tuple[dict | None, str]:
    """(settings, where from) of the run in `run_dir`: its checkpoint's, else its config.json's.

    `checkpoint`: the checkpoint file to read them from (default: the folder's checkpoint.npz).
    """
    run_dir = Path(run_dir)
    checkpoint = run_dir / CHECKPOINT if checkpoint is None else Path(checkpoint)
    from_file = read_config_file(run_dir)
    if checkpoint.exists():
        _, _, from_checkpoint = checkpoint_summary(checkpoint)
        if from_checkpoint is not None:
            return from_checkpoint, "its checkpoint"
        if from_file is None:
            raise RunFolderError(
                f"{checkpoint} was written before checkpoints held their settings and "
                f"{run_dir / 'config.json'} is gone, so the run's settings are unknown. Restore config.json, "
                "or choose another --out."
            )
    return from_file, "config.json"


# What a roll-back may change: the optimizers' settings and the real label, which the networks' and the
# optimizers' variables do not depend on ("it went bad at epoch 20: go back to 15 with a lower rate").
# Everything else (data, sizes, loss, spectral norm, the average, the seed) defines the run itself.
ROLL_BACK_MAY_CHANGE = ("learning_rate", "d_learning_rate", "beta_1", "beta_2", "real_target")


def _changeable() -> str:
    return ", ".join(OPTIONS[k] for k in ROLL_BACK_MAY_CHANGE)


def check_settings(
    run_dir, requested: dict, defaults: dict, checkpoint: Path | None = None, may_change=()
) -> dict:
    """Refuse to continue the run in `run_dir` under other settings than it was trained with.

    `requested`: the settings asked for now; `defaults`: every setting's default, which a run folder
    written before that setting existed is taken to have; `may_change`: the settings allowed to differ
    (a roll-back's `ROLL_BACK_MAY_CHANGE`). Returns those that do differ, {name: (stored, requested)}.
    """
    run_dir = Path(run_dir)
    stored, source = stored_settings(run_dir, checkpoint)
    if stored is None:
        return {}
    stored = {**defaults, **stored}
    different = {k: (stored.get(k), v) for k, v in requested.items() if stored.get(k) != v}
    changed = {k: pair for k, pair in different.items() if k in may_change}
    different = {k: pair for k, pair in different.items() if k not in may_change}
    if not different:
        return changed
    listed = "; ".join(
        f"{k}: the folder has {old!r}, you asked for {new!r}" for k, (old, new) in different.items()
    )
    options = " ".join(
        f"{OPTIONS[k]} {old}" if old is not None else f"no {OPTIONS[k]}"
        for k, (old, _) in different.items()
        if k in OPTIONS
    )
    python = ", ".join(f"{k}={old!r}" for k, (old, _) in different.items())
    raise RunFolderError(
        f"{run_dir} holds a run with other settings ({listed}; read from {source}).\n"
        f"Resume it with its own (command line: {options}; Python: RunConfig({python})), "
        "or choose another run folder."
        + ("" if may_change else f" (A roll-back with --from-epoch may change {_changeable()}.)")
    )
