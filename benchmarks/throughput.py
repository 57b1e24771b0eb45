"""Benchmark: training images per second of the course's DCGAN trainer against two baselines, in one process.

    python benchmarks/throughput.py                       # both models, the defaults for this device
    KERAS_BACKEND=jax python benchmarks/throughput.py     # the JAX trainer (the GPU machine's backend)
    python benchmarks/throughput.py --models 28 --steps 20 --rounds 5 --precisions float32 mixed_bfloat16
    KERAS_BACKEND=jax python benchmarks/throughput.py --models 28 --unrolls 2 5   # + scan-unroll rows

Models (the issue's): the TF tutorial's 28x28 DCGAN at batch 256, the DCGAN paper's 64x64 model at 128.
Rows: the course's trainer (`make_gan` + `fit_epochs`, as `train_dcgan` runs it) for each precision, and
as baselines the TF tutorial's step (TensorFlow backend only) and a PyTorch eager DCGAN (when torch is
installed; in a child process of the same command, since torch beside TensorFlow crashed). Each
implementation first runs one warm-up round (compilation included, reported apart),
then the rounds alternate between implementations so a busy machine slows them all alike; images/s is
the median over rounds, and the ratios are against the first baseline present.
"""

from __future__ import annotations

import argparse
import importlib.util
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_common import MODELS, describe_machine, measure, print_table  # noqa: E402

from dcgan_lessons.course.environment import accelerators  # noqa: E402

BASELINES = ("TF tutorial step", "PyTorch eager (float32)")


def runners_for(model, steps, precisions, extra_loops, spe, unrolls=()):
    import keras
    from course_runner import CourseRunner

    runners = []
    if keras.backend.backend() == "tensorflow":
        from tf_tutorial_step import TutorialStepRunner

        runners.append(TutorialStepRunner(model, steps))
    for precision in precisions:
        runners.append(CourseRunner(model, steps, precision, steps_per_execution=spe))
        runners += [CourseRunner(model, steps, precision, loop=loop) for loop in extra_loops]
        runners += [CourseRunner(model, steps, precision, unroll=unroll) for unroll in unrolls]
    return runners


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=sorted(MODELS))
    parser.add_argument("--steps", type=int, help="steps per round (default: 400 on a GPU, 12 on a CPU)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed_bfloat16"])
    parser.add_argument("--torch-precisions", nargs="*", default=["float32", "bfloat16"])
    parser.add_argument("--loops", nargs="*", default=[], help="also time these loops ('fit', 'resident')")
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument(
        "--unrolls",
        nargs="*",
        type=int,
        default=[],
        help="JAX: also time the resident loop with these scan unrolls",
    )
    parser.add_argument("--batch-size", type=int, help="override both models' batch size (smoke tests)")
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps < 1 or args.rounds < 1:
        parser.error(f"--steps and --rounds: expected at least 1, got {args.steps} and {args.rounds}")
    if any(unroll < 1 for unroll in args.unrolls):
        parser.error(f"--unrolls: expected numbers of at least 1, got {args.unrolls}")

    print("\n".join(describe_machine()))
    steps = args.steps or (400 if accelerators() else 12)
    for name in args.models:
        model = MODELS[name]
        if args.batch_size:
            model = type(model)(model.name, model.image_shape, args.batch_size, model.description)
        runners = runners_for(
            model, steps, args.precisions, args.loops, args.steps_per_execution, args.unrolls
        )
        results = measure(runners, args.rounds, steps * model.batch_size)
        if args.torch_precisions and importlib.util.find_spec("torch") is not None:
            from torch_dcgan import measure_in_subprocess

            results = measure_in_subprocess(model, steps, args.rounds, args.torch_precisions) + results
        baselines = [r["name"] for r in results if r["name"] in BASELINES]
        title = (
            f"{model.description}, batch {model.batch_size}, {steps} steps per round, {args.rounds} rounds"
        )
        print_table(title, results, baselines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
