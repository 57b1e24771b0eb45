"""`train_dcgan(devices=...)` / `train --devices`: 2 virtual CPU devices train as 1 device does.

Each backend runs tests/device_runs.py once in its own process (the virtual devices must exist before the
backend starts): 3 steps on 1 device and on 2 with the same global batch of 16, a 2-device run resumed on 1
device, and the refused requests.

Tolerances, from runs on our CPU (the figures seen are in brackets):
- each step's losses and mean D outputs agree to 1e-4 [JAX 2e-5, TF 1e-7]: step 1 alone would
  differ by about 1e-2 with other noise, other images or BatchNorm per device;
- the weights' change over the 3 steps differs by at most 0.1% of that change [JAX 0.008%, TF 0.00003%];
- Adam's moments by at most 2% [JAX 0.25%, TF 0.00004%]: a gradient summed over the devices instead of
  averaged doubles them. JAX's larger gaps are Adam's, not the devices': after step 1 (gradients equal to
  5e-7) a few near-zero gradients change sign in the last float bit, and Adam moves each such weight by
  a whole learning rate;
- the noise generator's state and the step counts are equal exactly.

On JAX, two processes with one CPU device each, joined by `keras.distribution.initialize` as hosts would
be, train as the 2-device run does (tests/device_hosts.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("generator", "discriminator", "d_optimizer", "g_optimizer")
TOLERANCE = {"losses": 1e-4, "generator": 1e-3, "discriminator": 1e-3}
TOLERANCE.update(d_optimizer=2e-2, g_optimizer=2e-2)


@pytest.fixture(scope="module", params=["jax", "tensorflow"])
def runs(request, tmp_path_factory):
    backend = request.param
    if backend == "jax":
        pytest.importorskip("jax")
    out = tmp_path_factory.mktemp(f"devices_{backend}")
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "XLA_FLAGS")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "device_runs.py"), backend, str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "result.json").read_text())
    assert result["backend"] == backend and len(result["devices"]) == 2, result["devices"]
    return out, result


def state(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as saved:
        return {key: saved[key] for key in saved.files if "/" in key}


def relative_gaps(initial, one, other) -> dict[str, float]:
    """Per variable group: |other - one| / |one - initial| over its arrays (the change since the start)."""
    gaps = {}
    for group in GROUPS:
        keys = [k for k in one if k.startswith(group + "/") and one[k].size > 1]
        gap = np.sqrt(sum(np.sum((one[k].astype("f8") - other[k]) ** 2) for k in keys))
        change = np.sqrt(sum(np.sum((one[k].astype("f8") - initial[k]) ** 2) for k in keys))
        gaps[group] = float(gap / change)
    return gaps


def step_gap(a: list[dict], b: list[dict]) -> float:
    assert len(a) == len(b) == 3
    return max(abs(x[name] - y[name]) for x, y in zip(a, b, strict=True) for name in x)


def exact_counters(a, b) -> bool:
    """The noise stream's state and both optimizers' step counts, bit for bit."""
    keys = ["noise_seed/0", "d_optimizer/0", "g_optimizer/0"]
    return all(np.array_equal(a[k], b[k]) for k in keys)


def test_two_devices_train_as_one_with_the_same_global_batch(runs):
    out, result = runs
    assert step_gap(result["one"], result["two"]) <= TOLERANCE["losses"]
    one, two = state(out / "one" / "checkpoint.npz"), state(out / "two" / "checkpoint.npz")
    gaps = relative_gaps(state(out / "initial.npz"), one, two)
    assert all(gaps[group] <= TOLERANCE[group] for group in GROUPS), gaps
    assert exact_counters(one, two) and int(one["g_optimizer/0"]) == 3


def test_a_two_device_checkpoint_resumes_exactly_on_one_device(runs):
    out, result = runs
    assert result["resumed_from"] == 2
    saved, loaded = state(out / "cut" / "checkpoints" / "epoch_002.npz"), state(out / "loaded.npz")
    assert saved.keys() == loaded.keys()
    different = [key for key in saved if not np.array_equal(saved[key], loaded[key])]
    assert not different, f"not restored bit for bit: {different}"
    # Epochs 1-2 are the 2-device run's own records; epoch 3, trained on 1 device, continues it.
    assert result["resumed"][:2] == result["two"][:2]
    assert step_gap(result["resumed"], result["two"]) <= TOLERANCE["losses"]
    resumed, two = state(out / "cut" / "checkpoint.npz"), state(out / "two" / "checkpoint.npz")
    gaps = relative_gaps(state(out / "initial.npz"), two, resumed)
    assert all(gaps[group] <= TOLERANCE[group] for group in GROUPS), gaps
    assert exact_counters(resumed, two)


def test_bad_device_requests_are_refused_naming_the_numbers_and_write_nothing(runs):
    _, result = runs
    errors = result["errors"]
    assert not any(error["folder_written"] for error in errors.values())
    too_many = errors["too_many"]["message"]
    assert "asked for 3 devices" in too_many and "finds 2" in too_many and "at most 2" in too_many
    indivisible = errors["indivisible"]["message"]
    assert "batch_size 15" in indivisible and "2 devices" in indivisible and "14 or 16" in indivisible
    assert "'many'" in errors["not_a_count"]["message"]
    assert "got 0" in errors["zero"]["message"]
    assert "loop='resident' runs on one device" in errors["resident"]["message"]
    assert result["all"] == 2  # devices="all" takes every device found
    cli = result["cli"]
    assert cli["code"] == 2 and not cli["folder_written"]
    assert cli["stderr"].startswith("train: devices: asked for 3 devices") and cli["stderr"].count("\n") == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def test_two_processes_joined_by_keras_distribution_initialize_train_as_one_device(runs, tmp_path):
    out, result = runs
    if result["backend"] != "jax":
        pytest.skip("keras.distribution.initialize joins processes on JAX")
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "XLA_FLAGS")}
    port = str(free_port())
    command = [sys.executable, str(ROOT / "tests" / "device_hosts.py")]
    hosts = [
        subprocess.Popen(
            [*command, str(index), "2", port, str(tmp_path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(2)
    ]
    for host in hosts:
        _, stderr = host.communicate(timeout=600)
        assert host.returncode == 0, stderr[-3000:]
    reports = [json.loads((tmp_path / f"p{index}.json").read_text()) for index in range(2)]
    assert [(r["processes"], r["devices"]) for r in reports] == [(2, 2), (2, 2)]
    assert step_gap(result["one"], reports[0]["losses"]) <= TOLERANCE["losses"]
    first, second = (state(tmp_path / f"p{index}" / "checkpoint.npz") for index in range(2))
    assert all(np.array_equal(first[key], second[key]) for key in first)  # every host holds the same run
    gaps = relative_gaps(state(out / "initial.npz"), state(out / "one" / "checkpoint.npz"), first)
    assert all(gaps[group] <= TOLERANCE[group] for group in GROUPS), gaps
