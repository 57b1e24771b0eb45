"""Save and restore everything a DCGAN run needs to continue exactly where it stopped.

A checkpoint holds the values of: both networks' weights and BatchNorm statistics, the noise seed
generator's state, both optimizers' state (Adam's moments and step counts), the number of finished
epochs, the per-epoch history and the run's settings (so a resume can check them even when the run
folder's config.json is gone). It is one `.npz` file, written to a temporary name and then renamed,
so a run killed mid-write (a Colab disconnect) or a full disk leaves the previous checkpoint intact
and no temporary file behind. The format is plain NumPy, the same for the TensorFlow and JAX backends.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or belongs to another model; the message says what to do."""


def _stateful_variables(gan) -> dict[str, list]:
    """The variable groups that make up a run's state, in a fixed order."""
    groups = {
        "generator": list(gan.generator.variables),
        "discriminator": list(gan.discriminator.variables),
        "noise_seed": [gan.seed_generator.state],
        "d_optimizer": list(gan.d_optimizer.variables),
        "g_optimizer": list(gan.g_optimizer.variables),
    }
    if getattr(gan, "ema", None) is not None:  # the generator's moving average and its step count
        groups["ema_generator"] = list(gan.ema.state_variables)
    return groups


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def atomic_write(path, write) -> Path:
    """Call `write(temporary_path)`, then rename the result to `path`; on any error remove the temporary.

    The file at `path` is therefore always either the old complete version or the new complete one.
    """
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp" + path.suffix)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        _remove_quietly(temporary)
        raise
    return path


def save_checkpoint(path, gan, epoch: int, history: list[dict], config: dict | None = None) -> Path:
    """Write the run's state after `epoch` epochs (and its settings `config`) to `path`, atomically."""
    return write_checkpoint(path, checkpoint_arrays(gan, epoch, history, config))


def checkpoint_arrays(gan, epoch: int, history: list[dict], config: dict | None = None) -> dict:
    """The run's state after `epoch` epochs as host copies (`save_checkpoint`'s first half).

    Copies, so training on (which updates the weights in place) cannot change what is then written:
    dcgan/training.py writes them on a background thread while the next epoch trains.
    """
    arrays = {"epoch": np.array(epoch), "history": np.array(json.dumps(history))}
    if config is not None:
        arrays["config"] = np.array(json.dumps(config))
    for group, variables in _stateful_variables(gan).items():
        for index, variable in enumerate(variables):
            # np.array copies: TensorFlow's numpy() may share the variable's buffer.
            arrays[f"{group}/{index}"] = np.array(
                variable.numpy() if hasattr(variable, "numpy") else variable
            )
    return arrays


def write_checkpoint(path, arrays: dict) -> Path:
    """Write `checkpoint_arrays`'s result to `path`, atomically (`save_checkpoint`'s second half)."""

    def write(temporary):
        with open(temporary, "wb") as file:
            np.savez(file, **arrays)

    return atomic_write(path, write)


def copy_checkpoint(source, target) -> Path:
    """Copy a checkpoint file to `target` atomically (a kept epoch, or a roll-back's restored state)."""
    return atomic_write(target, lambda temporary: shutil.copyfile(source, temporary))


def _unreadable(path: Path, came: str) -> CheckpointError:
    return CheckpointError(
        f"{path} is not a readable checkpoint (expected a .npz file written by train; came: {came}). "
        f"Move it away to start the run again, or roll back to a kept epoch with --from-epoch "
        f"(train_dcgan(..., from_epoch=K)) if {path.parent / 'checkpoints'} holds one."
    )


def read_checkpoint(path) -> dict[str, np.ndarray]:
    """Every array in a checkpoint file, read and CRC-checked; CheckpointError when the file is damaged."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise _unreadable(path, error.strerror or type(error).__name__) from None
    if size == 0:
        raise _unreadable(path, "an empty file")
    try:
        # allow_pickle=False: a damaged or foreign file must never be unpickled (it could run code).
        with np.load(path, allow_pickle=False) as saved:
            if not hasattr(saved, "files"):
                raise ValueError("a single array, not an archive of arrays")
            arrays = {key: saved[key] for key in saved.files}  # reading checks every member's CRC
    except Exception as error:  # noqa: BLE001 - any failure to read the file means the same to the user
        text = str(error)
        if "pickle" in text:  # NumPy's advice to unpickle is wrong for a damaged file
            text = "bytes that are neither a .npz archive nor a NumPy array"
        raise _unreadable(path, f"{type(error).__name__}: {text}" if text else type(error).__name__) from None
    for key in ("epoch", "history"):
        if key not in arrays:
            raise _unreadable(path, f"an archive without {key!r}")
    return arrays


def checkpoint_summary(path, arrays=None) -> tuple[int, list[dict], dict | None]:
    """(epochs done, history, settings or None for checkpoints written before settings were stored)."""
    arrays = read_checkpoint(path) if arrays is None else arrays
    try:
        epoch = int(arrays["epoch"])
        history = json.loads(str(arrays["history"]))
        config = json.loads(str(arrays["config"])) if "config" in arrays else None
    except (TypeError, ValueError) as error:
        raise _unreadable(Path(path), f"{type(error).__name__}: {error}") from None
    return epoch, history, config


def load_checkpoint(path, gan) -> tuple[int, list[dict]]:
    """Restore a run's state into `gan` (built and compiled the same way); return (epochs done, history)."""
    path = Path(path)
    saved = read_checkpoint(path)
    epoch, history, _ = checkpoint_summary(path, saved)
    for group, variables in _stateful_variables(gan).items():
        stored = sorted((k for k in saved if k.startswith(group + "/")), key=lambda k: int(k.split("/")[1]))
        if len(stored) != len(variables):
            raise CheckpointError(
                f"{path}: the checkpoint's {group} has {len(stored)} variables, this model has "
                f"{len(variables)}. It was written by a run with other settings: resume it with its own."
            )
        for key, variable in zip(stored, variables, strict=True):
            value = saved[key]
            if tuple(value.shape) != tuple(variable.shape):
                raise CheckpointError(
                    f"{path}: {key} has shape {value.shape}, the model expects {tuple(variable.shape)}. "
                    "It was written by a run with other settings (--latent-dim, --image-size)."
                )
            variable.assign(value)
    return epoch, history
