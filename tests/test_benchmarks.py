"""The speed benchmarks run and print what they promise (tiny settings; the figures are not checked here:
speed is measured by running the benchmarks themselves, see the README)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script, *args):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_throughput_prints_every_implementation_with_ratios_for_both_models():
    out = _run(
        "throughput.py",
        *("--models", "28", "64", "--batch-size", "2", "--steps", "1", "--rounds", "2"),
        *("--precisions", "float32", "mixed_bfloat16", "--torch-precisions"),
    )
    assert "tensorflow" in out and "keras" in out  # the device and versions
    for title in ("TF-tutorial DCGAN, 28x28x1, batch 2", "DCGAN paper model, 64x64x3, batch 2"):
        table = out.split(title)[1].split("\n\n")[0]
        rows = {line.split("  ")[0].strip(): line for line in table.splitlines()[2:]}
        assert set(rows) == {
            "TF tutorial step",
            "course trainer (float32)",
            "course trainer (mixed_bfloat16)",
        }
        assert re.search(r"TF tutorial step\s+\d+\s+1\.00x", rows["TF tutorial step"])
        assert re.search(r"\d+\.\d\dx\s+\d+\.\d", rows["course trainer (mixed_bfloat16)"])  # ratio, warm-up


def test_throughput_refuses_bad_arguments():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "throughput.py"), "--rounds", "0"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "expected at least 1" in done.stderr


def test_fifty_epochs_times_a_whole_run():
    out = _run("fifty_epochs.py", "--epochs", "2", "--images", "256", "--batch-size", "32")
    assert "2 epochs of 256 images" in out
    assert re.search(r"wall time, end to end: \d+\.\d s", out)
    assert re.search(r"first epoch \(compiles\): \d+\.\d s; later epochs: median \d+\.\d\d s", out)


def test_the_pytorch_baseline_has_the_keras_models_parameter_counts():
    pytest.importorskip("torch")  # optional: only where torch is installed
    sys.path.insert(0, str(BENCHMARKS))
    import numpy as np
    from bench_common import MODELS, keras_networks

    # torch in a child process: beside TensorFlow in one process it crashed.
    code = (
        "import json; from bench_common import MODELS; from torch_dcgan import torch_networks; "
        "print(json.dumps({k: [sum(p.numel() for p in n.parameters()) for n in torch_networks(m)] "
        "for k, m in MODELS.items()}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=BENCHMARKS, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    torch_counts = json.loads(done.stdout.strip().splitlines()[-1])
    for name, model in MODELS.items():
        networks = keras_networks(model)()
        keras_counts = [sum(int(np.prod(w.shape)) for w in net.trainable_weights) for net in networks]
        assert torch_counts[name] == keras_counts, name


def test_devices_prints_images_per_second_for_each_device_count():
    out = _run("devices.py", "--devices", "1", "2", "--epochs", "1", "--images", "32", "--batch-size", "16")
    assert "global batch 16" in out
    assert re.search(r"^1: /device:CPU:0\s+\d+\s+1\.00x\s+\d+\.\d$", out, re.M)
    assert re.search(r"^2: /device:CPU:0, /device:CPU:1\s+\d+\s+\d+\.\d\dx\s+\d+\.\d$", out, re.M)
