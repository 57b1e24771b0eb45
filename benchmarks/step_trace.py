"""Benchmark: trace the resident JAX loop with JAX's profiler and count what one step runs on the device.

    KERAS_BACKEND=jax python benchmarks/step_trace.py --trace-dir /tmp/trace     # 28x28, batch 256
    KERAS_BACKEND=jax python benchmarks/step_trace.py --precision mixed_bfloat16 --chunks 4

Trains the TF tutorial's 28x28 DCGAN with the resident loop (`resident.fit_resident`, what `train_dcgan`
runs on a GPU): one warm-up epoch (compiles), then `--chunks` compiled calls under
`jax.profiler.trace(..., create_perfetto_trace=True)`. From the Perfetto trace (plain JSON) it prints,
per training step: the device's kernels (events on the GPU's streams), the time they kept the device
busy, and the wall time, so their difference is the fixed cost between kernels; then the kernels that
took the most time. On a CPU there are no device streams: it says so and prints the host's busiest
operations instead. The trace folder also opens in TensorBoard's profile plugin or ui.perfetto.dev.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_common import MODELS, describe_machine, fake_images, keras_networks  # noqa: E402


def device_events(trace: dict) -> tuple[list[dict], bool]:
    """(complete events on the device's threads, True) or (the host's, False) when no device is traced."""
    names = {}  # pid -> process name
    for event in trace.get("traceEvents", []):
        if event.get("ph") == "M" and event.get("name") == "process_name":
            names[event.get("pid")] = str(event.get("args", {}).get("name", ""))
    on_device = {pid for pid, name in names.items() if "/device:GPU" in name or "/device:TPU" in name}
    complete = [e for e in trace.get("traceEvents", []) if e.get("ph") == "X" and "dur" in e]
    device = [e for e in complete if e.get("pid") in on_device]
    return (device, True) if device else (complete, False)


def busy_time(events: list[dict]) -> float:
    """Microseconds covered by at least one event (overlaps, e.g. two streams, counted once)."""
    spans = sorted((float(e["ts"]), float(e["ts"]) + float(e["dur"])) for e in events)
    busy, end = 0.0, float("-inf")
    for start, stop in spans:
        if stop > end:
            busy += stop - max(start, end)
            end = stop
    return busy


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trace-dir", type=Path, required=True)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--chunk", type=int, help="steps per compiled call (default: the loop's own)")
    parser.add_argument("--chunks", type=int, default=2, help="compiled calls traced")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    if min(args.batch_size, args.chunks, args.chunk or 1) < 1:
        parser.error("--batch-size, --chunk and --chunks: expected positive numbers")
    import jax
    import keras

    if keras.backend.backend() != "jax":
        parser.error(f"needs KERAS_BACKEND=jax; Keras runs {keras.backend.backend()}")
    from dcgan_lessons.dcgan.resident import CHUNK, fit_resident
    from dcgan_lessons.dcgan.training import RunConfig, make_gan

    print("\n".join(describe_machine()))
    model = MODELS["28"]
    chunk = args.chunk or CHUNK["cpu" if jax.default_backend() == "cpu" else "accelerator"]
    config = RunConfig(batch_size=args.batch_size, precision=args.precision)
    gan = make_gan(config, model.image_shape, networks=keras_networks(model))
    images = fake_images(chunk * args.chunks * args.batch_size, model.image_shape)

    def epoch(number):
        fit_resident(
            gan, images, batch_size=args.batch_size, seed=0, first_epoch=number, epochs=number + 1,
            verbose=0, chunk=chunk,
        )  # fmt: skip

    epoch(0)  # compiles
    with jax.profiler.trace(str(args.trace_dir), create_perfetto_trace=True):
        started = time.perf_counter()
        epoch(1)
        wall = time.perf_counter() - started
    steps = chunk * args.chunks
    found = sorted(args.trace_dir.rglob("perfetto_trace.json.gz"))
    if not found:
        print(f"no perfetto_trace.json.gz under {args.trace_dir}: the profiler wrote no trace")
        return 1
    with gzip.open(found[-1], "rt") as file:
        trace = json.load(file)
    events, on_device = device_events(trace)
    where = "device kernels" if on_device else "host events (no device streams in this trace: a CPU)"
    settings = f"batch {args.batch_size}, {args.precision}"
    print(f"\nTF-tutorial 28x28, {settings}: {steps} steps in {args.chunks} calls")
    print(f"wall time per step (traced, so slower): {wall / steps * 1e6:.0f} us")
    print(f"{where} per step: {len(events) / steps:.1f}")
    busy = busy_time(events) / steps
    print(f"time they kept the {'device' if on_device else 'host'} busy per step: {busy:.0f} us")
    totals, counts = collections.Counter(), collections.Counter()
    for event in events:
        totals[event["name"]] += float(event["dur"])
        counts[event["name"]] += 1
    print(f"the {args.top} that took longest (total us per step, runs per step, name):")
    for name, total in totals.most_common(args.top):
        print(f"  {total / steps:>9.1f} {counts[name] / steps:>6.1f}  {name[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
