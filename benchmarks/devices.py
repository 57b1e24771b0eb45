"""Benchmark: `train_dcgan(devices=N)` — images/s on 1, 2, ... devices, the same global batch on each.

    python benchmarks/devices.py                          # TensorFlow: 1 and 2 devices
    KERAS_BACKEND=jax python benchmarks/devices.py --devices 1 2 4 8
    python benchmarks/devices.py --epochs 3 --images 2048 --batch-size 64   # a short run on a CPU

Each device count trains in its own process (devices are fixed when the backend starts) with
`train_dcgan`, as `train --devices N` does: the course's DCGAN on 28x28 images (the bundled digits,
upsampled and repeated), sample grid and checkpoint after every epoch. Where the backend finds GPUs they
are used; where it finds none, the CPU is split into as many *virtual* devices as the largest count asks
(JAX: XLA_FLAGS=--xla_force_host_platform_device_count, TensorFlow: logical CPU devices). Virtual
devices share the same cores, so there the figures show what spreading a batch costs, not a speed-up.
Prints the median images/s of the epochs after the first (the first compiles) and the ratio to 1 device.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_common import describe_machine  # noqa: E402


def child(count: int, most: int, args) -> dict:
    """Train on `count` devices here, where the backend sees `most` (virtual CPUs if need be)."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "jax":
        # A loaded CPU can keep one virtual device from the all-reduce for longer than XLA's 40 s.
        os.environ["XLA_FLAGS"] = (
            f"--xla_force_host_platform_device_count={most} "
            "--xla_cpu_collective_call_terminate_timeout_seconds=600"
        )
    else:
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * most)
    import numpy as np

    from dcgan_lessons.course.data import load_dataset
    from dcgan_lessons.dcgan.devices import available_devices
    from dcgan_lessons.dcgan.training import RunConfig, train_dcgan

    digits = load_dataset("digits", split="train", image_size=28).images
    images = np.concatenate([digits] * -(-args.images // len(digits)))[: args.images]
    config = RunConfig(batch_size=args.batch_size, precision=args.precision)
    with tempfile.TemporaryDirectory() as folder:
        run = train_dcgan(folder, epochs=args.epochs, config=config, images=images, devices=count, verbose=0)
    speeds = [h["images_per_s"] for h in run.history]
    return {
        "devices": available_devices()[:count],
        "machine": describe_machine(),
        "first_epoch_s": run.history[0]["seconds"],
        "images_per_s": statistics.median(speeds[1:] or speeds),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2], help="device counts to time")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per count (the first is not counted)")
    parser.add_argument("--images", type=int, default=8192, help="images per epoch")
    parser.add_argument("--batch-size", type=int, default=256, help="the global batch, on every count")
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.devices) < 1 or args.epochs < 1 or args.images < args.batch_size:
        parser.error("expected device counts >= 1, --epochs >= 1 and --images >= --batch-size")
    most = max(args.devices)
    if args.child is not None:
        print(json.dumps(child(args.child, most, args)))
        return 0

    results = {}
    for count in args.devices:
        done = subprocess.run(
            [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--child", str(count)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{count} device(s) failed:\n{done.stderr[-2000:]}", file=sys.stderr)
            return 1
        results[count] = json.loads(done.stdout.strip().splitlines()[-1])
    print("\n".join(results[args.devices[0]]["machine"]))
    print(
        f"train_dcgan, course DCGAN 28x28x1, global batch {args.batch_size}, {args.precision}, "
        f"{args.epochs} epochs of {args.images} images (median of epochs 2-{args.epochs})"
    )
    print(f"{'devices':<40} {'images/s':>9} {'vs 1 device':>12} {'first epoch s':>14}")
    base = results.get(1, {}).get("images_per_s")
    for count, result in results.items():
        ratio = f"{result['images_per_s'] / base:.2f}x" if base else "-"
        names = f"{count}: {', '.join(result['devices'])}"
        print(f"{names:<40} {result['images_per_s']:>9.0f} {ratio:>12} {result['first_epoch_s']:>14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
