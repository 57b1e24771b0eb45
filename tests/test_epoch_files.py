"""What issue 20 moved off the training thread changes nothing in the run folder: the epoch's files are
written in order on a background thread (a failed write still stops the run, see test_cli_faults.py), an
interrupted run keeps its last finished epoch, the GIF made from in-memory frames is the one made from
the PNGs, and JAX's compilation cache is turned on, or off when asked."""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from dcgan_lessons.dcgan.training import BackgroundWrites, RunConfig, save_grid_pixels, train_dcgan
from dcgan_lessons.runs.checkpoint import checkpoint_summary
from dcgan_lessons.runs.run_folder import write_gif

ROOT = Path(__file__).resolve().parents[1]


def test_background_writes_run_in_order_and_hand_their_error_to_the_caller():
    writes, done = BackgroundWrites(), []
    for number in range(3):
        writes.start(lambda number=number: done.append(number))
    writes.wait()
    assert done == [0, 1, 2]

    def full_disk():
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    writes.start(full_disk)
    with pytest.raises(OSError, match="No space left"):
        writes.start(lambda: done.append("after the failure"))  # waits first, so never runs
    assert done == [0, 1, 2]
    writes.wait()  # the error was handed over once


def _grids(folder: Path, epochs: int) -> dict:
    (folder / "samples").mkdir(parents=True)
    rng = np.random.default_rng(0)
    return {
        epoch: save_grid_pixels(
            rng.uniform(-1, 1, (9, 8, 8, 1)), folder / "samples" / f"epoch_{epoch:03d}.png"
        )
        for epoch in range(1, epochs + 1)
    }


def test_the_gif_from_frames_in_memory_is_the_gif_from_the_pngs(tmp_path):
    frames = _grids(tmp_path, 3)
    from_disk = write_gif(tmp_path).read_bytes()
    # A resumed run holds only its own epochs in memory: the earlier ones come from their PNGs.
    assert write_gif(tmp_path, frames={2: frames[2], 3: frames[3]}).read_bytes() == from_disk
    assert write_gif(tmp_path, frames=frames).read_bytes() == from_disk
    wrong = {3: 255 - frames[3]}  # the frames are used: other pixels, another GIF
    assert write_gif(tmp_path, frames=wrong).read_bytes() != from_disk


class _Interrupt(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt


def test_an_interrupted_run_still_writes_the_epoch_it_finished(tmp_path):
    config = RunConfig(batch_size=16, limit=32, latent_dim=8)
    with pytest.raises(KeyboardInterrupt):
        train_dcgan(tmp_path, epochs=4, config=config, callbacks=[_Interrupt()], verbose=0)
    # Epoch 2's files were still being written when the interrupt came: they are complete.
    assert checkpoint_summary(tmp_path / "checkpoint.npz")[0] == 2
    assert [h["epoch"] for h in json.loads((tmp_path / "history.json").read_text())] == [1, 2]
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    assert not [p for p in tmp_path.rglob("*") if ".tmp" in p.name]


CACHE_PROBE = """
import json, os, sys
import jax, jax.numpy as jnp
jax.jit(lambda x: x - 1)(jnp.ones(3)).block_until_ready()  # JAX has decided on a cache before ours
from dcgan_lessons.course.compile_cache import enable_compilation_cache
folder = enable_compilation_cache()
jax.jit(lambda x: x * 2 + 1)(jnp.ones(5)).block_until_ready()
print(json.dumps({"folder": str(folder) if folder else None,
                  "entries": len(os.listdir(folder)) if folder else 0}))
"""


@pytest.mark.parametrize("setting", ["folder", "off"])
def test_the_jax_compilation_cache_is_used_unless_turned_off(tmp_path, setting):
    folder = tmp_path / "cache"
    chosen = str(folder) if setting == "folder" else "off"
    env = {**os.environ, "KERAS_BACKEND": "jax", "DCGAN_LESSONS_JAX_CACHE": chosen}
    done = subprocess.run(
        [sys.executable, "-c", CACHE_PROBE], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if setting == "off":
        assert result == {"folder": None, "entries": 0} and not folder.exists()
    else:
        assert result["folder"] == str(folder) and result["entries"] >= 1
