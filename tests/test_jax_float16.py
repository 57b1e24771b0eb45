"""On JAX, `precision="mixed_float16"` trains like float32 (the loss scale is read from the step's state).

The JAX steps compute the loss scale of a `LossScaleOptimizer` from the optimizer values they are given:
the optimizer's variable holds no value inside the compiled step, and calling `scale_loss` there raised
a TypeError. One subprocess (Keras picks its backend at first import) trains the same tiny runs in float32
and float16 for the DCGAN and a WGAN-GP critic, and reports their losses.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
import numpy as np
from dcgan_lessons.dcgan.training import RunConfig, make_gan

images = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
out = {}
for loss in ("bce", "wgan-gp"):
    for precision in ("float32", "mixed_float16"):
        gan = make_gan(RunConfig(batch_size=8, latent_dim=8, precision=precision, loss=loss), (8, 8, 1))
        history = gan.fit(images, batch_size=8, epochs=1, shuffle=False, verbose=0).history
        scale = float(np.asarray(gan.d_optimizer.scale_loss(1.0)))
        out[f"{loss} {precision}"] = {"history": history, "scale": scale}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def runs():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("loss", ["bce", "wgan-gp"])
def test_float16_on_jax_trains_with_float32s_losses(runs, loss):
    wide, half = runs[f"{loss} float32"], runs[f"{loss} mixed_float16"]
    assert wide["scale"] == 1.0 and half["scale"] > 1.0  # float16 really went through a loss scale
    assert half["history"].keys() == wide["history"].keys()
    for name, values in wide["history"].items():
        # float16's rounding, not a different computation: the epoch agrees to about 1%.
        assert half["history"][name] == pytest.approx(values, rel=2e-2, abs=2e-2), name
