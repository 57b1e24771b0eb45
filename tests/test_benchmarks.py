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


def test_step_kernels_counts_one_steps_kernels_by_kind_and_phase():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "step_kernels.py"), "--batch-size", "4"],
        capture_output=True,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "jax"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    total = int(re.search(r"kernels per step: (\d+)", done.stdout).group(1))
    kinds = dict(re.findall(r"^  (fusion|convolution|copy|dot|custom-call)\s+(\d+)$", done.stdout, re.M))
    assert total > 0 and "fusion" in kinds and sum(map(int, kinds.values())) <= total
    optimizer, variables = map(int, re.search(r"per trainable variable: (\d+) / (\d+)", done.stdout).groups())
    assert variables == 16 and optimizer >= variables  # the tutorial's 16 weights, one update each at least


def test_step_kernels_reads_the_step_from_a_scan_and_refuses_other_text():
    sys.path.insert(0, str(BENCHMARKS))
    from step_kernels import count_kernels, parse_hlo, step_body

    text = """HloModule m

%fused (p: f32[4]) -> f32[4] {
  %p = f32[4]{0} parameter(0)
  ROOT %m = f32[4]{0} multiply(%p, %p), metadata={op_name="jit(run)/while/body/closed_call/adam/mul"}
}

%body (t: (s32[], f32[4])) -> (s32[], f32[4]) {
  %t = (s32[], f32[4]{0}) parameter(0)
  %x = f32[4]{0} get-tuple-element(%t), index=1
  %f = f32[4]{0} fusion(%x), kind=kLoop, calls=%fused, metadata={op_name="x/adam/mul"}
  %c = f32[4]{0} copy(%f)
  ROOT %r = (s32[], f32[4]{0}) tuple(%i, %c)
}

ENTRY %main (a: f32[4]) -> f32[4] {
  %a = f32[4]{0} parameter(0)
  %w = (s32[], f32[4]{0}) while(%init), condition=%cond, body=%body
  ROOT %g = f32[4]{0} get-tuple-element(%w), index=1
}
"""
    computations, entry = parse_hlo(text)
    assert entry == "main" and step_body(computations, entry) == "body"
    opcodes, phases = count_kernels(computations, "body")
    assert opcodes == {"fusion": 1, "copy": 1}  # the fused multiply is not counted again
    assert phases == {"optimizer": 1, "copies XLA inserted": 1}
    with pytest.raises(ValueError, match="ENTRY"):
        parse_hlo("HloModule m\n")
