"""Training with the data resident on the accelerator (JAX backend): what `train_dcgan` uses on JAX.

Keras's `fit()` on JAX makes one compiled call per training step (also with `steps_per_execution`, which
only loops in Python) and copies every batch from host memory. A small DCGAN's step takes about a
millisecond on a GPU, so the host, not the GPU, would set the pace. Here instead:
- the training images are copied to the device once;
- one compiled call runs a chunk of steps with `jax.lax.scan`, gathering each batch on the device by the
  epoch's `epoch_order`, so the batches, the results and a resume are those of the `fit()` path
  (tests/test_fast_training.py compares the weights);
- the model state is donated to that call, so XLA updates the weights in place instead of copying them;
- Keras callbacks (the progress bar, `EpochRecorder`, a live plot) run between chunks, never per step.
"""

from __future__ import annotations

import keras
import numpy as np

from ..course.validation import require_int
from .batches import epoch_order

# Steps per compiled call: on an accelerator enough to hide the host and small enough for a lively
# progress bar; on a CPU, where the loop is unrolled (see `fit_resident`), few, to keep compiling short.
CHUNK = {"accelerator": 50, "cpu": 4}


def _model_state(gan):
    return (
        [v.value for v in gan.trainable_variables],
        [v.value for v in gan.non_trainable_variables],
        [v.value for v in gan.optimizer.variables],
        [v.value for v in gan.metrics_variables],
    )


def _write_state(gan, state):
    groups = (gan.trainable_variables, gan.non_trainable_variables, gan.optimizer.variables)
    for variables, values in zip((*groups, gan.metrics_variables), state, strict=True):
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)


def _compiled_chunk(gan, unroll):
    """A jitted function (state, images, order[steps, batch]) -> (logs, state) running `steps` steps.

    Kept on the model, so later calls (a resumed run, the next benchmark round) reuse the compilation.
    """
    import jax

    cached = getattr(gan, "_resident_chunk", None)
    if cached is not None and cached[0] == unroll:
        return cached[1]

    def run(state, images, order):
        def one_step(state, indices):
            _, state = gan.train_step(state, images[indices])
            return state, None

        # The logs are the metrics' results, read once from the final metric state: collecting every
        # step's logs through the scan cost kernels per step (benchmarks/step_kernels.py).
        state, _ = jax.lax.scan(one_step, state, order, unroll=unroll)
        mapping = list(zip(gan.metrics_variables, state[3], strict=True))
        with keras.StatelessScope(state_mapping=mapping):
            logs = {metric.name: metric.result() for metric in gan.metrics}
        return logs, state

    compiled = jax.jit(run, donate_argnums=0)
    gan._resident_chunk = (unroll, compiled)
    return compiled


def fit_resident(
    gan,
    images: np.ndarray,
    *,
    batch_size: int,
    seed: int,
    first_epoch: int,
    epochs: int,
    callbacks=(),
    verbose: int | str = "auto",
    chunk: int | None = None,
    unroll: int | bool | None = None,
):
    """Train `gan` (a compiled `DCGAN`, JAX backend) from `first_epoch` to `epochs`, like `fit()` would.

    Returns the `keras.callbacks.History`. `chunk` is the number of steps per compiled call; `unroll`
    is passed to `jax.lax.scan`. Defaults: on a GPU/TPU 50 steps in a rolled loop; on a CPU 4 steps,
    unrolled (XLA on the CPU ran a rolled loop of convolutions about 4x slower than separate steps;
    unrolled, it ran as fast as `fit()`).
    """
    import jax

    if keras.backend.backend() != "jax":
        raise RuntimeError(
            f"fit_resident needs the JAX backend; Keras is running on {keras.backend.backend()}."
        )
    on_cpu = jax.default_backend() == "cpu"
    chunk = require_int(chunk or CHUNK["cpu" if on_cpu else "accelerator"], "chunk", minimum=1)
    unroll = on_cpu if unroll is None else unroll
    steps = len(epoch_order(len(images), batch_size, seed, first_epoch))
    callback_list = keras.callbacks.CallbackList(
        list(callbacks),
        add_history=True,
        add_progbar=verbose != 0,
        verbose=1 if verbose == "auto" else verbose,
        epochs=epochs,
        steps=steps,
        model=gan,
    )
    pool = jax.device_put(np.asarray(images, dtype="float32"))
    run_chunk = _compiled_chunk(gan, unroll)
    gan.stop_training = False
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(first_epoch, epochs):
        gan.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        order = epoch_order(len(images), batch_size, seed, epoch).astype("int32")
        for begin in range(0, steps, chunk):
            callback_list.on_train_batch_begin(begin)
            chunk_logs, state = run_chunk(_model_state(gan), pool, order[begin : begin + chunk])
            # Written back at once: the donated buffers of the old values are gone.
            _write_state(gan, state)
            logs = {name: float(value) for name, value in chunk_logs.items()}
            callback_list.on_train_batch_end(min(begin + chunk, steps) - 1, logs)
        callback_list.on_epoch_end(epoch, logs)
        if gan.stop_training:
            break
    callback_list.on_train_end(logs)
    return gan.history
