"""Benchmark: what a learner waits for — 50 MNIST-sized epochs (3M images) with `train_dcgan`, end to end.

    python benchmarks/fifty_epochs.py                        # 50 epochs of 60,000 images, batch 256
    KERAS_BACKEND=jax python benchmarks/fifty_epochs.py --precision mixed_bfloat16
    python benchmarks/fifty_epochs.py --epochs 2             # a CPU: time two epochs, not fifty

Everything lesson 05's training does is inside the clock: building and compiling the model, the data
pipeline, the sample grid, history and checkpoint written after every epoch, and the GIF at the end. The
images are MNIST's when it is in the Keras cache, else the bundled digits (upsampled to 28x28) repeated
to 60,000: the same sizes, so the same work. Prints the wall time, the first epoch (compilation
included) apart from the others, the median images/s of the later epochs, and the time spent outside
the epochs: before the first (building, compiling the model), between epochs (copying the weights and
the grid's images; the files themselves are written on a background thread) and after the last (the
last files, the GIF).

On JAX a second run loads its compilations from the persistent cache (dcgan_lessons/course/compile_cache.py):
`DCGAN_LESSONS_JAX_CACHE=off` times a cold start, `DCGAN_LESSONS_JAX_CACHE=/some/folder` a chosen cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_common import describe_machine  # noqa: E402


def mnist_sized(count: int):
    """(images in [-1, 1], where they came from): MNIST from the cache, else the digits repeated."""
    import numpy as np

    from dcgan_lessons.course.data import _keras_cache_folder, load_dataset

    if (Path(_keras_cache_folder()) / "mnist.npz").exists():  # never start a download from a benchmark
        data, source = load_dataset("mnist", split="train"), "MNIST (from the Keras cache)"
    else:
        data, source = load_dataset("digits", split="train"), "the bundled digits, repeated"
    repeats = -(-count // len(data.images))
    return np.concatenate([data.images] * repeats)[:count], source


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--images", type=int, default=60_000, help="images per epoch")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--loop", default="auto", choices=["auto", "fit", "resident"])
    args = parser.parse_args(argv)
    if min(args.epochs, args.images, args.batch_size) < 1:
        parser.error("--epochs, --images and --batch-size: expected positive numbers")

    import keras

    from dcgan_lessons.dcgan.training import RunConfig, train_dcgan

    class Clock(keras.callbacks.Callback):
        """When training began and ended (train_dcgan runs it after its own callbacks)."""

        def on_train_begin(self, logs=None):
            self.began = time.perf_counter()
            self.cpu = []

        def on_epoch_begin(self, epoch, logs=None):
            self.cpu.append(time.process_time())

        def on_epoch_end(self, epoch, logs=None):
            self.cpu[-1] = time.process_time() - self.cpu[-1]

        def on_train_end(self, logs=None):
            self.ended = time.perf_counter()

    print("\n".join(describe_machine()))
    started, cpu_started = time.perf_counter(), time.process_time()
    images, source = mnist_sized(args.images)
    config = RunConfig(dataset="benchmark", batch_size=args.batch_size, precision=args.precision)
    clock = Clock()
    with tempfile.TemporaryDirectory() as run_dir:
        run = train_dcgan(
            run_dir,
            epochs=args.epochs,
            config=config,
            images=images,
            verbose=0,
            loop=args.loop,
            callbacks=[clock],
        )
        finished, cpu = time.perf_counter(), time.process_time() - cpu_started
    wall = finished - started
    seconds = [h["seconds"] for h in run.history]
    later = seconds[1:] or seconds
    settings = f"batch {args.batch_size}, {args.precision}"
    print(f"\n{args.epochs} epochs of {len(images):,} images ({source}), {settings}")
    print(f"wall time, end to end: {wall:.1f} s")
    print(
        f"first epoch (compiles): {seconds[0]:.1f} s; later epochs: median {statistics.median(later):.2f} s"
    )
    print(f"images/s over the later epochs: {run.images_per_second():.0f}")
    before, after = clock.began - started, finished - clock.ended
    outside = wall - sum(seconds)
    print(
        f"outside the epochs: {outside:.1f} s (before the first {before:.1f} s, between epochs "
        f"{outside - before - after:.1f} s, after the last {after:.1f} s)"
    )
    # CPU seconds of all the process's threads: on a shared machine steadier than the wall clock.
    print(f"CPU time: {cpu:.1f} s in all, {clock.cpu[0]:.1f} s in the first epoch")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
