"""Benchmark: seconds of DCGAN training until the classifier-feature Fréchet distance falls below a threshold.

    python benchmarks/time_to_quality.py [--threshold 60] [--max-epochs 60] [--dataset digits]

Trains the course's DCGAN (lesson 05's `train_dcgan`, batch 64 on the 1,438 bundled training digits by
default) with lesson 06's measures after every epoch, and stops at the first epoch whose FD (on the course's
classifier features, 360 generated images against the training images) is below the threshold. "Training
seconds" add up the epochs' training time only: measuring each epoch is left out, and so is building the
classifier (trained once and cached). The first epoch includes compiling the step, as a learner's run does.
For reference, held-out real digits score an FD of about 6.

It prints the device, the versions, the threshold, one line per epoch and the result. Run it on a CPU and,
where one is available, on a GPU (set KERAS_BACKEND=jax to time JAX). Not a timed test: tests only run it
with tiny settings (tests/test_time_to_quality.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_THRESHOLD = 60.0


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="FD to reach (default 60)")
    parser.add_argument("--max-epochs", type=int, default=60, help="give up after this many epochs")
    parser.add_argument("--dataset", default="digits", help="digits (offline), mnist, fashion_mnist")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, help="train on the first LIMIT training images only")
    parser.add_argument("--samples", type=int, default=360, help="generated images measured per epoch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument(
        "--cache-dir", help="the classifier's cache (default: $DCGAN_LESSONS_CACHE or ~/.cache)"
    )
    return parser.parse_args(argv)


def describe_machine() -> str:
    import keras
    import numpy as np

    from dcgan_lessons.course.environment import accelerators

    device = ", ".join(accelerators()) or f"CPU only ({os.cpu_count()} logical cores, {platform.processor()})"
    versions = f"Python {platform.python_version()}, Keras {keras.__version__} ({keras.backend.backend()})"
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions += f", TensorFlow {tf.__version__}"
    return f"device: {device}\nversions: {versions}, NumPy {np.__version__}"


def main(argv=None) -> dict:
    args = parse(argv)
    import keras

    from dcgan_lessons.dcgan.training import RunConfig, train_dcgan
    from dcgan_lessons.evaluate.measures import make_evaluator

    class StopBelow(keras.callbacks.Callback):
        """Ends training after the first epoch whose FD (added to the logs by the measures) is low enough."""

        def on_epoch_end(self, epoch, logs=None):
            if logs and logs.get("fd", float("inf")) < args.threshold:
                self.model.stop_training = True

    print(describe_machine())
    evaluator = make_evaluator(args.dataset, held_out=args.samples, cache_dir=args.cache_dir)
    config = RunConfig(dataset=args.dataset, batch_size=args.batch_size, seed=args.seed, limit=args.limit)
    images = evaluator.training if args.limit is None else evaluator.training[: args.limit]
    print(
        f"threshold: FD < {args.threshold:g} on {args.samples} generated images (classifier features); "
        f"{args.dataset}, {len(images)} training images, batch {args.batch_size}, "
        f"at most {args.max_epochs} epochs"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as run_dir:
        run = train_dcgan(
            run_dir,
            epochs=args.max_epochs,
            config=config,
            images=images,
            measures=evaluator,
            measure_samples=args.samples,
            steps_per_execution=args.steps_per_execution,
            callbacks=[StopBelow()],
            verbose=0,
        )
    wall = time.perf_counter() - started
    training = 0.0
    reached = None
    for record in run.history:
        training += record["seconds"]
        print(
            f"epoch {record['epoch']:3d}: {training:7.1f} s of training, FD {record['fd']:8.2f}, "
            f"IS {record['inception_score']:.2f}, {record['classes_covered']:.0f} classes covered"
        )
        if reached is None and record["fd"] < args.threshold:
            reached = (record["epoch"], training)
    if reached:
        print(
            f"result: FD < {args.threshold:g} after {reached[1]:.1f} s of training (epoch {reached[0]}); "
            f"{wall:.1f} s wall time in all"
        )
    else:
        print(
            f"result: FD stayed >= {args.threshold:g} for {len(run.history)} epochs "
            f"({training:.1f} s of training)"
        )
    return {"reached": reached, "history": run.history, "wall_seconds": wall}


if __name__ == "__main__":
    main()
