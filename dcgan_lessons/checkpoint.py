"""Save and restore everything a DCGAN run needs to continue exactly where it stopped.

A checkpoint holds the values of: both networks' weights and BatchNorm statistics, the noise seed
generator's state, both optimizers' state (Adam's moments and step counts), the number of finished
epochs and the per-epoch history. It is one `.npz` file, written to a temporary name and then renamed,
so a run killed mid-write (a Colab disconnect) leaves the previous checkpoint intact.
The format is plain NumPy, the same for the TensorFlow and JAX backends.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def _stateful_variables(gan) -> dict[str, list]:
    """The variable groups that make up a run's state, in a fixed order."""
    return {
        "generator": list(gan.generator.variables),
        "discriminator": list(gan.discriminator.variables),
        "noise_seed": [gan.seed_generator.state],
        "d_optimizer": list(gan.d_optimizer.variables),
        "g_optimizer": list(gan.g_optimizer.variables),
    }


def save_checkpoint(path, gan, epoch: int, history: list[dict]) -> Path:
    """Write the run's state after `epoch` finished epochs to `path` (atomically)."""
    path = Path(path)
    arrays = {"epoch": np.array(epoch), "history": np.array(json.dumps(history))}
    for group, variables in _stateful_variables(gan).items():
        for index, variable in enumerate(variables):
            arrays[f"{group}/{index}"] = np.asarray(
                variable.numpy() if hasattr(variable, "numpy") else variable
            )
    temporary = path.with_name(path.name + ".tmp.npz")
    np.savez(temporary, **arrays)
    os.replace(temporary, path)
    return path


def load_checkpoint(path, gan) -> tuple[int, list[dict]]:
    """Restore a run's state into `gan` (built and compiled the same way); return (epochs done, history)."""
    path = Path(path)
    with np.load(path, allow_pickle=False) as saved:
        for group, variables in _stateful_variables(gan).items():
            stored = sorted(
                (k for k in saved.files if k.startswith(group + "/")), key=lambda k: int(k.split("/")[1])
            )
            if len(stored) != len(variables):
                raise ValueError(
                    f"{path}: the checkpoint's {group} has {len(stored)} variables, this model has "
                    f"{len(variables)}. Was it written by a run with other settings (image size, latent_dim)?"
                )
            for key, variable in zip(stored, variables, strict=True):
                value = saved[key]
                if tuple(value.shape) != tuple(variable.shape):
                    raise ValueError(
                        f"{path}: {key} has shape {value.shape}, the model expects {tuple(variable.shape)}."
                    )
                variable.assign(value)
        return int(saved["epoch"]), json.loads(str(saved["history"]))
