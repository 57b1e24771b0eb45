"""The environment report, seeding, and the `doctor` command."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dcgan_lessons import environment_report, set_seed


def test_report_names_what_a_bug_report_needs():
    report = environment_report()
    rows = report.as_dict()
    for label in ("Python", "tensorflow", "keras", "Keras backend", "Accelerators", "Colab", "Run profile"):
        assert label in rows
    assert rows["Keras backend"] == "tensorflow"
    assert rows["Run profile"].startswith("quick")  # the tests run in the quick profile (conftest.py)
    assert not report.problems
    assert "environment report" in str(report) and "Everything the course needs is here." in str(report)


def test_report_flags_a_bad_profile_as_a_problem(monkeypatch):
    monkeypatch.setenv("DCGAN_LESSONS_PROFILE", "fast")
    report = environment_report()
    assert any("Unknown profile" in p for p in report.problems)
    assert "PROBLEM" in str(report)


def test_report_flags_keras_2(monkeypatch):
    from dcgan_lessons.course import environment

    real = environment.package_version
    monkeypatch.setattr(
        environment, "package_version", lambda name: "2.15.0" if name == "keras" else real(name)
    )
    assert any("needs Keras 3" in p for p in environment_report().problems)


def test_set_seed_repeats_numpy_and_keras_randomness():
    import keras

    set_seed(7)
    first = (np.random.rand(4), keras.ops.convert_to_numpy(keras.random.normal((4,))))
    set_seed(7)
    second = (np.random.rand(4), keras.ops.convert_to_numpy(keras.random.normal((4,))))
    set_seed(8)
    other = np.random.rand(4)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert not np.array_equal(first[0], other)


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (True, TypeError)]
)
def test_set_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed"):
        set_seed(seed)


def run_cli(*args, **env):
    import os

    return subprocess.run(
        [sys.executable, "-m", "dcgan_lessons", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_doctor_prints_the_report():
    result = run_cli("doctor")
    assert result.returncode == 0, result.stderr
    assert "Keras backend  tensorflow" in result.stdout


def test_doctor_fails_on_a_problem():
    result = run_cli("doctor", DCGAN_LESSONS_PROFILE="fast")
    assert result.returncode == 1 and "PROBLEM" in result.stdout


def test_cli_without_a_command_shows_usage():
    result = run_cli()
    assert result.returncode == 2 and "doctor" in result.stderr and "build" in result.stderr


@pytest.mark.parametrize(
    "capability, accelerators, flags, want",
    [
        (9.0, ["gpu:0 (H100)"], set(), "mixed_bfloat16"),
        (7.5, ["gpu:0 (T4)"], set(), "mixed_float16"),
        (6.0, ["gpu:0 (P100)"], set(), "float32"),
        (None, ["TPU:0"], set(), "mixed_bfloat16"),
        (None, [], {"avx512f", "avx512_bf16"}, "mixed_bfloat16"),
        (None, [], {"amx_bf16"}, "mixed_bfloat16"),
        (None, [], {"avx2", "avx512f"}, "float32"),
    ],
)
def test_fast_precision_follows_the_device(monkeypatch, capability, accelerators, flags, want):
    from dcgan_lessons.course import environment

    monkeypatch.setattr(environment, "_gpu_capability", lambda: capability)
    monkeypatch.setattr(environment, "accelerators", lambda: accelerators)
    monkeypatch.setattr(environment, "cpu_flags", lambda: flags)
    assert environment.fast_precision() == want


def test_cpu_flags_are_read_on_linux():
    from dcgan_lessons.course.environment import cpu_flags

    flags = cpu_flags()
    assert not Path("/proc/cpuinfo").exists() or "fpu" in flags
