"""Run a few DCGAN training steps on one Keras backend and write the losses (used by test_dcgan_backends.py).

Usage: python tests/backend_steps.py BACKEND WEIGHTS.npz OUT.json
The weights file is written when missing (by the first backend) and loaded otherwise, so both backends
start from the same weights; the batches and the noise come from a fixed NumPy seed.
"""

import json
import os
import sys
from pathlib import Path

backend, weights_path, out_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
os.environ["KERAS_BACKEND"] = backend  # before Keras is first imported

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dcgan_lessons.course.environment import set_seed  # noqa: E402
from dcgan_lessons.dcgan.architecture import build_discriminator, build_generator  # noqa: E402
from dcgan_lessons.dcgan.model import DCGAN  # noqa: E402

assert keras.backend.backend() == backend, keras.backend.backend()
set_seed(0)  # Keras's own call, without importing TensorFlow on JAX
generator, discriminator = (
    build_generator(16, (16, 16, 1), base_filters=16),
    build_discriminator((16, 16, 1), 16),
)
if not weights_path.exists():
    np.savez(weights_path, *(generator.get_weights() + discriminator.get_weights()))
with np.load(weights_path) as stored:
    weights = [stored[f"arr_{i}"] for i in range(len(stored.files))]
split = len(generator.get_weights())
generator.set_weights(weights[:split])
discriminator.set_weights(weights[split:])

gan = DCGAN(generator, discriminator, seed=0)
gan.compile()
rng = np.random.default_rng(1)
steps = []
for _ in range(3):
    real_images = np.tanh(rng.normal(size=(8, 16, 16, 1))).astype("float32")
    noise = rng.normal(size=(8, 16)).astype("float32")
    logs = gan.train_on_batch(real_images, noise, return_dict=True)
    steps.append({name: float(value) for name, value in logs.items()})
final = [float(np.abs(w).sum()) for w in generator.get_weights() + discriminator.get_weights()]
out_path.write_text(json.dumps({"backend": keras.backend.backend(), "steps": steps, "weight_sums": final}))
