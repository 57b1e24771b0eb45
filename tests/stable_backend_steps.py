"""Run a few StableGAN training steps on one Keras backend and write the losses (used by test_stabilisers.py).

Usage: python tests/stable_backend_steps.py BACKEND WEIGHTS.npz OUT.json LOSS SPECTRAL(0|1)
Both backends start from the same weights (the first writes them) and get the same real images, noise and
interpolation weights eps, so their losses must agree.
"""

import json
import os
import sys
from pathlib import Path

backend, weights_path, out_path, loss = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
sn = sys.argv[5] == "1"
os.environ["KERAS_BACKEND"] = backend
import numpy as np  # noqa: E402

from dcgan_lessons.course.environment import set_seed  # noqa: E402
from dcgan_lessons.dcgan.architecture import build_generator  # noqa: E402
from dcgan_lessons.dcgan.stable_gan import StableGAN, build_critic, make_optimizers  # noqa: E402

set_seed(0)  # Keras's own call, without importing TensorFlow on JAX
g, d = build_generator(16, (16, 16, 1), base_filters=16), build_critic((16, 16, 1), 16, spectral_norm=sn)
if not weights_path.exists():
    np.savez(weights_path, *(g.get_weights() + d.get_weights()))
with np.load(weights_path) as st:
    w = [st[f"arr_{i}"] for i in range(len(st.files))]
k = len(g.get_weights())
g.set_weights(w[:k])
d.set_weights(w[k:])
gan = StableGAN(g, d, loss=loss, n_critic=2, seed=0)
gan.compile(*make_optimizers(loss))
rng = np.random.default_rng(1)
steps = []
for _ in range(3):
    real = np.tanh(rng.normal(size=(8, 16, 16, 1))).astype("float32")
    noise = rng.normal(size=(8, 16)).astype("float32")
    eps = rng.uniform(size=(2, 8)).astype("float32")
    logs = gan.train_on_batch(real, noise, eps, return_dict=True)
    steps.append({n: float(v) for n, v in logs.items()})
out_path.write_text(
    json.dumps({"steps": steps, "sums": [float(np.abs(x).sum()) for x in g.get_weights() + d.get_weights()]})
)
