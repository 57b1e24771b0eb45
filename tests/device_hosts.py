"""One of several processes ("hosts") training together on JAX: what test_devices.py runs twice at once.

Usage: python tests/device_hosts.py PROCESS_ID PROCESSES PORT OUT_DIR
Each process has one CPU device; `keras.distribution.initialize` joins them (JAX's coordinator on
localhost:PORT, CPU collectives over gloo), then `train_dcgan(devices="all")` spreads each global batch
over every process's device. Each process writes its own run folder OUT_DIR/pN, as hosts with their own
disks would; the settings are tests/device_runs.py's.
"""

import json
import os
import sys
from pathlib import Path

index, processes, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
os.environ["KERAS_BACKEND"] = "jax"  # before Keras is first imported
os.environ.pop("XLA_FLAGS", None)  # one device per process

import jax  # noqa: E402

jax.config.update("jax_cpu_collectives_implementation", "gloo")  # CPUs of several processes

import keras  # noqa: E402

keras.distribution.initialize(f"localhost:{port}", processes, index)

from dcgan_lessons.dcgan.training import RunConfig, train_dcgan  # noqa: E402

CONFIG = RunConfig(batch_size=16, limit=24, latent_dim=16, image_size=16, seed=3)
run = train_dcgan(out / f"p{index}", epochs=3, config=CONFIG, devices="all", verbose=0)
keep = ("d_loss", "g_loss", "d_real", "d_fake")
(out / f"p{index}.json").write_text(
    json.dumps(
        {
            "processes": jax.process_count(),
            "devices": len(jax.devices()),
            "losses": [{k: h[k] for k in keep} for h in run.history],
        }
    )
)
