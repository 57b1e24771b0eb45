"""Train the DCGAN on 1 and 2 virtual CPU devices and report what tests/test_devices.py compares.

Usage: python tests/device_runs.py BACKEND OUT_DIR
Runs in its own process because the virtual devices must exist before the backend starts: JAX gets two
host devices from XLA_FLAGS, TensorFlow two logical CPUs. Trains, from the same settings,
- one/: 3 steps on 1 device;  two/: the same 3 steps on 2 devices (the same global batch of 16);
- cut/: 2 steps on 2 devices, then resumed on 1 device for the 3rd, recording the state it loaded;
then tries the bad inputs. Writes OUT_DIR/result.json; the state files are the runs' checkpoints.
"""

import contextlib
import io
import json
import os
import sys
from pathlib import Path

backend, out = sys.argv[1], Path(sys.argv[2])
os.environ["KERAS_BACKEND"] = backend  # before Keras is first imported
if backend == "jax":
    # Two host devices; and patience: on a loaded CPU one device can reach the all-reduce over 40 s late.
    flags = "--xla_force_host_platform_device_count=2 --xla_cpu_collective_call_terminate_timeout_seconds=600"
    os.environ["XLA_FLAGS"] = flags
else:
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dcgan_lessons.cli import main  # noqa: E402
from dcgan_lessons.dcgan.devices import available_devices, resolve_devices  # noqa: E402
from dcgan_lessons.dcgan.training import RunConfig, train_dcgan  # noqa: E402
from dcgan_lessons.runs.checkpoint import _stateful_variables  # noqa: E402

# 24 images, batch 16: one step an epoch, each on another 16 of them, so the data order counts too.
CONFIG = RunConfig(batch_size=16, limit=24, latent_dim=16, image_size=16, seed=3)


class LoadedState(keras.callbacks.Callback):
    """Saves the model's state as training begins: the initial weights, or what a resume loaded."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_train_begin(self, logs=None):
        arrays = {
            f"{group}/{i}": np.asarray(keras.ops.convert_to_numpy(v.value))
            for group, variables in _stateful_variables(self.model).items()
            for i, v in enumerate(variables)
        }
        np.savez(self.path, **arrays)


def losses(run):
    keep = ("d_loss", "g_loss", "d_real", "d_fake")
    return [{k: h[k] for k in keep} for h in run.history]


def refusal(**kwargs):
    """The message of the ValueError train_dcgan raises, and whether the run folder stayed unwritten."""
    folder = out / "refused"
    try:
        train_dcgan(folder, epochs=1, config=kwargs.pop("config", CONFIG), verbose=0, **kwargs)
    except ValueError as error:
        return {"message": str(error), "folder_written": folder.exists()}
    return {"message": None, "folder_written": folder.exists()}


initial, loaded = LoadedState(out / "initial.npz"), LoadedState(out / "loaded.npz")
one = train_dcgan(out / "one", epochs=3, config=CONFIG, devices=1, callbacks=[initial], verbose=0)
two = train_dcgan(out / "two", epochs=3, config=CONFIG, devices=2, verbose=0)
train_dcgan(out / "cut", epochs=2, config=CONFIG, devices=2, keep_every=1, verbose=0)
resumed = train_dcgan(out / "cut", epochs=3, config=CONFIG, devices=1, callbacks=[loaded], verbose=0)
result = {
    "backend": keras.backend.backend(),
    "devices": available_devices(),
    "one": losses(one),
    "two": losses(two),
    "resumed": losses(resumed),
    "resumed_from": resumed.resumed_from,
    "errors": {
        "too_many": refusal(devices=3),
        "indivisible": refusal(devices=2, config=RunConfig(batch_size=15, limit=24, image_size=16)),
        "not_a_count": refusal(devices="many"),
        "zero": refusal(devices=0),
        "resident": refusal(devices=2, loop="resident"),
    },
    "all": resolve_devices("all", 16),
}
# The command line: a refused request is one line on stderr and exit code 2, and writes nothing.
stderr = io.StringIO()
with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
    code = main(["train", "--out", str(out / "cli"), "--devices", "3", "--profile", "quick", "--epochs", "1"])
result["cli"] = {"code": code, "stderr": stderr.getvalue(), "folder_written": (out / "cli").exists()}
(out / "result.json").write_text(json.dumps(result, indent=1))
