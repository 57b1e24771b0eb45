"""The package's DCGAN computes the same training steps on TensorFlow and on JAX.

Each backend runs in its own process (Keras picks its backend once, at first import), from the same
weights, on the same batches and noise; three steps check the losses, the metrics and the weights the
optimizers leave behind.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("backend_steps.py")
ROOT = SCRIPT.parent.parent


def _run(backend: str, tmp_path: Path) -> dict:
    out = tmp_path / f"{backend}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), backend, str(tmp_path / "weights.npz"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def test_tensorflow_and_jax_give_the_same_losses(tmp_path):
    # Not skipped when JAX is missing: the test requirements include it, so CI always runs this test.
    import importlib.util

    assert importlib.util.find_spec("jax"), "JAX is missing: pip install -r requirements-test.txt"
    tf_run = _run("tensorflow", tmp_path)
    jax_run = _run("jax", tmp_path)
    assert (tf_run["backend"], jax_run["backend"]) == ("tensorflow", "jax")
    for step, (tf_logs, jax_logs) in enumerate(zip(tf_run["steps"], jax_run["steps"], strict=True)):
        assert tf_logs.keys() == jax_logs.keys() == {"d_loss", "g_loss", "d_real", "d_fake"}
        for name in tf_logs:
            assert jax_logs[name] == pytest.approx(tf_logs[name], rel=1e-4, abs=1e-5), (step, name)
    assert jax_run["weight_sums"] == pytest.approx(tf_run["weight_sums"], rel=1e-4)
    # The steps really trained: losses move from step to step.
    assert len({round(s["g_loss"], 6) for s in tf_run["steps"]}) == 3
