"""Benchmark: how many kernels one training step of the resident JAX loop launches, read from XLA's plan.

    KERAS_BACKEND=jax python benchmarks/step_kernels.py                  # 28x28 model, this device
    KERAS_BACKEND=jax python benchmarks/step_kernels.py --models 28 64 --precision mixed_bfloat16
    KERAS_BACKEND=jax python benchmarks/step_kernels.py --hlo-dir /tmp/hlo   # also save the HLO text

At batch 256 the 28x28 DCGAN's step on a GPU is mostly a fixed cost (issue 20): every kernel launch and
every copy costs a few microseconds whatever its size. This compiles the resident loop's chunk
(`resident._compiled_chunk`, exactly what `train_dcgan` runs on JAX) as a rolled `lax.scan`, takes the
optimised HLO from `jax.jit(...).lower(...).compile().as_text()`, and counts the instructions of one
step (the scan's loop body) that become kernels: fusions, library calls (cuDNN/cuBLAS or oneDNN
custom-calls), convolutions and dots XLA emits itself, copies, transposes, and so on. Fused
computations are not counted again; loops nested in the step (random bits on a CPU) are counted once and
listed apart. Each kernel is put in a phase by its op_name: the optimizer (Keras's `adam` scopes), the
forward pass (`jvp(...)`), the backward pass (`transpose(...)`), random numbers, copies XLA inserted
(no op_name), other (the losses, the metrics). No timing, so it
runs on any device; the GPU's plan differs from the CPU's, so run it on the GPU for the GPU's count.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_common import MODELS, describe_machine, fake_images, keras_networks  # noqa: E402

# Instructions that launch nothing: they name, bundle or reinterpret buffers.
NOT_KERNELS = {
    "parameter",
    "constant",
    "get-tuple-element",
    "tuple",
    "bitcast",
    "after-all",
    "partition-id",
    "replica-id",
    "opt-barrier",
}
_HEADER = re.compile(r"^(ENTRY )?%?([\w.\-]+) ")
_INSTRUCTION = re.compile(r"^\s+(?:ROOT )?%?([\w.\-]+) = .*? ([a-z][a-z0-9\-]*)\(")
_CALLED = {
    "while": re.compile(r"body=%?([\w.\-]+)"),
    "call": re.compile(r"to_apply=%?([\w.\-]+)"),
    "conditional": re.compile(r"branch_computations=\{([^}]*)\}"),
}


def parse_hlo(text: str) -> tuple[dict[str, list[tuple[str, str]]], str]:
    """({computation: [(opcode, line), ...]}, the entry computation's name) of an HLO module's text."""
    computations, entry, current = {}, None, None
    for line in text.splitlines():
        if not line.startswith(" ") and line.rstrip().endswith("{"):
            header = _HEADER.match(line)
            if header:
                current = header.group(2)
                computations[current] = []
                if header.group(1):
                    entry = current
            continue
        found = _INSTRUCTION.match(line)
        if found and current is not None:
            computations[current].append((found.group(2), line))
    if entry is None:
        raise ValueError("expected an HLO module with an ENTRY computation; found none in the text given")
    return computations, entry


def phase(line: str) -> str:
    """Which part of the step an instruction belongs to, from the op_name JAX recorded for it."""
    name = re.search(r'op_name="([^"]*)"', line)
    if name is None:
        # XLA's own: copies of loop-carried values (the weights, loop counters) and what it fused them into
        return "copies XLA inserted" if " copy(" in line else "XLA's own (no op_name)"
    name = name.group(1)
    if re.search(r"/adam|/sgd|/rmsprop|optimizer", name):
        return "optimizer"
    if "_normal" in name or "_bernoulli" in name or "_uniform" in name or "threefry" in name:
        return "random numbers"
    if "transpose(" in name:
        return "backward"
    if "jvp(" in name:
        return "forward"
    return "other"


def count_kernels(computations, name: str, nested: collections.Counter | None = None):
    """(kernels by opcode, kernels by phase) of computation `name`; nested loops' kernels go to `nested`."""
    by_opcode, by_phase = collections.Counter(), collections.Counter()
    for opcode, line in computations[name]:
        if opcode in NOT_KERNELS:
            continue
        if opcode in _CALLED:
            called = _CALLED[opcode].search(line)
            names = re.findall(r"%?([\w.\-]+)", called.group(1)) if called else []
            for inner in names:
                inner_opcodes, inner_phases = count_kernels(computations, inner, nested)
                if nested is not None and opcode == "while":
                    nested.update(inner_phases)
                else:
                    by_opcode.update(inner_opcodes)
                    by_phase.update(inner_phases)
            continue
        by_opcode[opcode] += 1
        by_phase[phase(line)] += 1
    return by_opcode, by_phase


def step_body(computations, entry: str) -> str:
    """The loop body of the scan over training steps: the largest while body the entry calls."""
    bodies = [
        _CALLED["while"].search(line).group(1)
        for opcode, line in computations[entry]
        if opcode == "while" and _CALLED["while"].search(line)
    ]
    if not bodies:
        raise ValueError("expected the step to run inside a while loop (a rolled lax.scan); found none")
    return max(bodies, key=lambda body: len(computations[body]))


def step_plan(model, precision: str, steps: int, batch_size: int | None = None) -> tuple[str, object]:
    """(optimised HLO text of the resident chunk, the DCGAN), for `steps` steps in a rolled scan."""
    import jax

    from dcgan_lessons.dcgan.resident import _compiled_chunk, _model_state
    from dcgan_lessons.dcgan.training import RunConfig, epoch_order, make_gan

    batch = batch_size or model.batch_size
    config = RunConfig(batch_size=batch, precision=precision)
    gan = make_gan(config, model.image_shape, networks=keras_networks(model))
    images = fake_images(steps * batch, model.image_shape)
    order = epoch_order(len(images), batch, 0, 0).astype("int32")
    chunk = _compiled_chunk(gan, unroll=1)
    lowered = chunk.lower(_model_state(gan), jax.device_put(images), order)
    return lowered.compile().as_text(), gan


def optimizer_alone(gan) -> dict:
    """Kernels of the generator's and discriminator's Adam updates compiled alone: Keras's, per weight,
    against one Adam over a single flat vector of all the weights (a fused optimizer's lower bound)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    weights = [v.value for v in gan.generator.trainable_variables + gan.discriminator.trainable_variables]
    optimizers = (gan.g_optimizer, gan.d_optimizer)
    slots = [[v.value for v in optimizer.variables] for optimizer in optimizers]
    split = len(gan.generator.trainable_variables)

    def keras_adam(slots, grads, weights):
        g_part = optimizers[0].stateless_apply(slots[0], grads[:split], weights[:split])
        d_part = optimizers[1].stateless_apply(slots[1], grads[split:], weights[split:])
        return g_part, d_part

    def flat_adam(moments, grads, weights, beta_1=0.5, beta_2=0.999, rate=2e-4, step=1.0):
        first, second = moments
        first = first + (grads - first) * (1 - beta_1)
        second = second + (grads * grads - second) * (1 - beta_2)
        rate = rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        return (first, second), weights - rate * first / (jnp.sqrt(second) + 1e-7)

    def kernels(function, *args):
        text = jax.jit(function).lower(*args).compile().as_text()
        computations, entry = parse_hlo(text)
        return count_kernels(computations, entry)[0]

    grads = [jnp.zeros_like(w) for w in weights]
    flat = jnp.concatenate([w.reshape(-1) for w in weights])
    return {
        "keras": kernels(keras_adam, slots, grads, weights),
        "flat": kernels(flat_adam, (jnp.zeros_like(flat), jnp.zeros_like(flat)), flat, flat),
    }


def report(model, precision: str, steps: int, batch_size: int | None, hlo_dir: Path | None) -> dict:
    text, gan = step_plan(model, precision, steps, batch_size)
    if hlo_dir is not None:
        hlo_dir.mkdir(parents=True, exist_ok=True)
        (hlo_dir / f"step_{model.name}_{precision}.hlo.txt").write_text(text)
    computations, entry = parse_hlo(text)
    nested = collections.Counter()
    by_opcode, by_phase = count_kernels(computations, step_body(computations, entry), nested)
    outside_opcodes, _ = count_kernels(computations, entry)
    variables = len(gan.d_optimizer._trainable_variables) + len(gan.g_optimizer._trainable_variables)
    return {
        "model": model,
        "precision": precision,
        "kernels": sum(by_opcode.values()),
        "by_opcode": by_opcode,
        "by_phase": by_phase,
        "nested": nested,
        "per_chunk_outside_step": sum(outside_opcodes.values())
        - sum(by_opcode.values())
        - sum(nested.values()),
        "trainable_variables": variables,
        "optimizer_alone": optimizer_alone(gan),
    }


def print_report(result: dict, batch_size: int | None) -> None:
    model = result["model"]
    batch = batch_size or model.batch_size
    print(f"\n{model.description}, batch {batch}, {result['precision']}: one training step")
    print(f"kernels per step: {result['kernels']}")
    for opcode, count in result["by_opcode"].most_common():
        print(f"  {opcode:<22} {count:>5}")
    print("by phase:")
    for name, count in result["by_phase"].most_common():
        print(f"  {name:<22} {count:>5}")
    optimizer = result["by_phase"].get("optimizer", 0)
    variables = result["trainable_variables"]
    print(
        f"optimizer kernels per trainable variable: {optimizer} / {variables} = {optimizer / variables:.2f}"
    )
    if result["nested"]:
        inner = ", ".join(f"{k} {v}" for k, v in result["nested"].most_common())
        nested = sum(result["nested"].values())
        print(f"in loops nested in the step (each run several times): {nested} ({inner})")
    print(f"per compiled call, outside the steps: {result['per_chunk_outside_step']}")
    alone = result["optimizer_alone"]

    def describe(counts):
        return f"{sum(counts.values())} ({', '.join(f'{k} {v}' for k, v in counts.most_common())})"

    print(f"Adam compiled alone: Keras, weight by weight: {describe(alone['keras'])}")
    print(f"Adam compiled alone: one flat vector of all the weights: {describe(alone['flat'])}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=["28"])
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--steps", type=int, default=2, help="steps in the compiled scan (rolled)")
    parser.add_argument("--batch-size", type=int, help="override the models' batch size (smoke tests)")
    parser.add_argument("--hlo-dir", type=Path, help="also write each optimised HLO module here")
    args = parser.parse_args(argv)
    if args.steps < 2:
        parser.error(
            f"--steps: expected at least 2 (one step's scan is not kept as a loop), got {args.steps}"
        )
    import keras

    if keras.backend.backend() != "jax":
        parser.error(
            f"needs KERAS_BACKEND=jax (the resident loop is JAX's); Keras runs {keras.backend.backend()}"
        )
    print("\n".join(describe_machine()))
    for name in args.models:
        print_report(
            report(MODELS[name], args.precision, args.steps, args.batch_size, args.hlo_dir), args.batch_size
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
