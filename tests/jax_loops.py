"""Train on JAX with both loops and report what tests/test_fast_training.py compares (run as a subprocess).

Usage: python tests/jax_loops.py OUT_DIR
Writes OUT_DIR/result.json: the histories and final weights' differences of
- `fit()` against the data-resident loop, 2 epochs each from the same seed;
- the resident loop interrupted after epoch 1 and resumed, against the uninterrupted resident run;
- whether TensorFlow was imported by those runs (it must not be: about 4 CPU s in every JAX process), and
  whether `set_seed` leaves Python's, NumPy's and Keras's generators as Keras's own call does.
"""

import json
import os
import random
import sys
from pathlib import Path

os.environ["KERAS_BACKEND"] = "jax"  # before Keras is first imported

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dcgan_lessons.course.environment import set_seed  # noqa: E402
from dcgan_lessons.dcgan.training import RunConfig, train_dcgan  # noqa: E402

out = Path(sys.argv[1])
CONFIG = RunConfig(batch_size=32, limit=128, latent_dim=16, seed=5)


class Interrupt(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            raise KeyboardInterrupt


def history(run):
    return [{k: v for k, v in h.items() if k not in ("seconds", "images_per_s")} for h in run.history]


def max_difference(a, b):
    pairs = zip(a.gan.variables, b.gan.variables, strict=True)
    return max(float(np.max(np.abs(np.asarray(x.numpy(), "float64") - y.numpy()))) for x, y in pairs)


fit = train_dcgan(out / "fit", epochs=2, config=CONFIG, loop="fit", verbose=0)
resident = train_dcgan(out / "resident", epochs=2, config=CONFIG, loop="resident", verbose=0)
try:
    train_dcgan(out / "cut", epochs=2, config=CONFIG, loop="resident", callbacks=[Interrupt()], verbose=0)
except KeyboardInterrupt:
    pass
resumed = train_dcgan(out / "cut", epochs=2, config=CONFIG, loop="resident", verbose=0)
tensorflow_loaded = "tensorflow" in sys.modules


def draws(seed_with, seed):
    """What each generator gives after seeding: Python's, NumPy's, and Keras's global seed generator."""
    seed_with(seed)
    return [random.random(), float(np.random.rand()), keras.random.normal((3,)).tolist()]


seeded = draws(set_seed, 7)
assert draws(set_seed, 8) != seeded  # the draws depend on the seed
keras_seeded = draws(keras.utils.set_random_seed, 7)  # last: it imports TensorFlow
(out / "result.json").write_text(
    json.dumps(
        {
            "backend": keras.backend.backend(),
            "fit": history(fit),
            "resident": history(resident),
            "resumed": history(resumed),
            "resumed_from": resumed.resumed_from,
            "fit_vs_resident": max_difference(fit, resident),
            "resumed_vs_whole": max_difference(resumed, resident),
            "steps_done": int(resident.gan.g_optimizer.iterations.numpy()),
            "tensorflow_loaded": tensorflow_loaded,
            "seeded": seeded,
            "keras_seeded": keras_seeded,
        }
    )
)
