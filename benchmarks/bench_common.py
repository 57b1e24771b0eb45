"""What the speed benchmarks share: the two model sizes, fake data, the machine's description, timing.

A *runner* is one way of training a DCGAN (the course's trainer, or a baseline). It has a `name`, and two
methods that each return seconds: `warmup()` runs one round of `steps` steps and includes every
compilation, and `run()` runs `steps` more. Throughput comes from `run()` alone.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class ModelSize:
    """One of the two models the issue benchmarks, with its batch size."""

    name: str
    image_shape: tuple[int, int, int]
    batch_size: int
    description: str


MODELS = {
    "28": ModelSize("28", (28, 28, 1), 256, "TF-tutorial DCGAN, 28x28x1"),
    "64": ModelSize("64", (64, 64, 3), 128, "DCGAN paper model, 64x64x3"),
}


def fake_images(count: int, image_shape, seed: int = 0):
    """Uniform noise in [-1, 1]: speed does not depend on what the pixels show."""
    import numpy as np

    return np.random.default_rng(seed).uniform(-1, 1, (count, *image_shape)).astype("float32")


def keras_networks(model: ModelSize, latent_dim: int = 100):
    """() -> (generator, discriminator) in Keras for `model` (built under the current dtype policy)."""
    from dcgan_lessons.dcgan.architecture import (
        build_discriminator,
        build_generator,
        tutorial_discriminator,
        tutorial_generator,
    )

    if model.name == "28":
        return lambda: (tutorial_generator(latent_dim), tutorial_discriminator())
    return lambda: (
        build_generator(latent_dim, model.image_shape, base_filters=128),
        build_discriminator(model.image_shape, base_filters=128),
    )


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def describe_machine() -> list[str]:
    """Lines naming the device and the library versions, for the top of a benchmark's output."""
    lines = [f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPU cores"]
    try:
        import keras

        lines.append(f"keras {keras.__version__}, backend {keras.backend.backend()}")
        if keras.backend.backend() == "jax":
            import jax

            devices = ", ".join(sorted({d.device_kind for d in jax.devices()}))
            lines.append(f"jax {jax.__version__} on {jax.default_backend()}: {devices}")
        elif keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            lines.append(f"tensorflow {tf.__version__} on {'GPU' if gpus else 'CPU'}")
    except ImportError:
        pass
    try:
        import torch

        where = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
        lines.append(f"torch {torch.__version__} on {where}")
    except ImportError:
        lines.append("torch not installed: no PyTorch baseline")
    return lines


def measure(runners, rounds: int, images_per_round: int) -> list[dict]:
    """Warm every runner up, then time `rounds` rounds, alternating runners so noise hits all alike."""
    results = {
        runner.name: {"name": runner.name, "warmup_s": runner.warmup(), "rates": []} for runner in runners
    }
    for _ in range(rounds):
        for runner in runners:
            results[runner.name]["rates"].append(images_per_round / runner.run())
    for result in results.values():
        result["images_per_s"] = statistics.median(result["rates"])
    return list(results.values())


def print_table(title: str, results: list[dict], baselines: list[str]) -> None:
    """One line per runner: median images/s, its ratio to each baseline, the warm-up seconds, the spread."""
    rates = {r["name"]: r["images_per_s"] for r in results}
    print(f"\n{title}")
    header = f"{'implementation':<48} {'images/s':>9}" + "".join(f" {'vs ' + b:>26}" for b in baselines)
    print(header + f" {'warm-up s':>10}  rounds")
    for result in results:
        ratios = "".join(f" {result['images_per_s'] / rates[b]:>25.2f}x" for b in baselines)
        spread = f"{min(result['rates']):.0f}-{max(result['rates']):.0f}"
        name, rate, warmup = result["name"], result["images_per_s"], result["warmup_s"]
        print(f"{name:<48} {rate:>9.0f}{ratios} {warmup:>10.1f}  {spread}")
