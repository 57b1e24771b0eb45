"""Training on several devices (GPUs, or virtual CPU devices in the tests) with Keras's own distribution API.

Data parallelism: every device holds the whole DCGAN and takes an equal share of each global batch; the
gradients are combined before every update, so all devices keep the same weights. Nothing here is a
parallel engine of our own:
- JAX: `keras.distribution.DataParallel` over a `DeviceMesh`. Keras shards each batch along its first
  axis and XLA compiles the step for the whole mesh. The step still sees the global batch, so the noise,
  the losses and BatchNorm's statistics are those of one device (BatchNorm is synchronised for free).
- TensorFlow: `tf.distribute.MirroredStrategy`. Keras runs the step once per device on its share of the
  batch; three things make that the one-device computation (see `Placement.prepare` and `gan_step`):
  each device draws the global batch's noise and keeps its own rows, so the noise stream is unchanged;
  BatchNorm layers are `synchronized`, so they normalise with the global batch's statistics; each
  device's losses are divided by the device count before the gradients, which the optimizer sums.

The batches and their order are those of one device (batches.epoch_order), and a checkpoint holds plain
arrays, so a run resumes on any device count. One device is exactly the single-device path: no strategy,
no mesh. The data-resident JAX loop (resident.py) runs on one device only: `devices` > 1 uses `fit()`.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import keras

from ..course.validation import require_int


def available_devices() -> list[str]:
    """The devices this process can train on: the accelerators when there are any, else the CPUs.

    JAX: `keras.distribution.list_devices()` (every host's, after `keras.distribution.initialize`).
    TensorFlow: the logical GPUs, else the logical CPUs (one, unless configured as several).
    """
    if keras.backend.backend() == "jax":
        return list(keras.distribution.list_devices())
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        found = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return [device.name for device in found]
    return ["cpu:0"]


def resolve_devices(devices, batch_size: int, *, step_function=None, loop: str = "auto") -> int:
    """How many devices a run uses, checked: `devices` is a whole number >= 1 or "all".

    Raises ValueError naming the numbers when more devices are asked than exist, when the global batch
    does not split evenly over them, or when a setting works on one device only.
    """
    if isinstance(devices, str):
        if devices != "all":
            raise ValueError(f"devices: expected a whole number >= 1 or 'all', got {devices!r}.")
        count = len(available_devices())
    else:
        count = require_int(devices, "devices", minimum=1)
    if count == 1:
        return 1
    found = available_devices()
    if count > len(found):
        raise ValueError(
            f"devices: asked for {count} devices, but {keras.backend.backend()} finds {len(found)} "
            f"({', '.join(found)}). Use at most {len(found)}, or 'all'."
        )
    if batch_size % count:
        lower, upper = batch_size // count * count, (batch_size // count + 1) * count
        nearest = f"{lower} or {upper}" if lower else f"{upper}"
        raise ValueError(
            f"batch_size {batch_size} does not split evenly over {count} devices: every device takes an "
            f"equal share of the global batch, so expected a multiple of {count} (e.g. {nearest})."
        )
    if keras.backend.backend() not in ("jax", "tensorflow"):
        raise ValueError(
            f"devices={count}: expected the jax or tensorflow backend, Keras runs {keras.backend.backend()}."
        )
    if loop == "resident":
        raise ValueError(
            f"loop='resident' runs on one device; with devices={count} use loop='auto' or 'fit' "
            "(Keras's fit() spreads each batch over the devices)."
        )
    if keras.backend.backend() == "tensorflow" and step_function is not None:
        from .gan_step import fast_train_step

        if step_function is not fast_train_step:
            raise ValueError(
                f"devices={count} on TensorFlow needs the package's step (step_function=None): a step "
                "written for one device (lesson 05's train_step) computes its losses on one device's share "
                "only, and the gradients would be summed over the devices instead of averaged."
            )
    return count


class Placement:
    """Where a run's model lives and trains: one device (no scope at all), or a data-parallel group.

    `scope()` wraps building the model and training it; `prepare(gan)` finishes a model built in it.
    """

    def __init__(self, count: int = 1):
        self.count = require_int(count, "count", minimum=1)
        self.engine = None  # a keras.distribution.DataParallel or a tf.distribute.MirroredStrategy
        if self.count == 1:
            return
        chosen = available_devices()[: self.count]
        if keras.backend.backend() == "jax":
            mesh = keras.distribution.DeviceMesh((self.count,), axis_names=["batch"], devices=chosen)
            # Our batches are already this process's share (process_share), so Keras must not shard them.
            self.engine = keras.distribution.DataParallel(device_mesh=mesh, auto_shard_dataset=False)
        else:
            import tensorflow as tf

            self.engine = tf.distribute.MirroredStrategy(chosen)

    @contextmanager
    def scope(self):
        with nullcontext() if self.engine is None else self.engine.scope():
            yield self

    def prepare(self, gan):
        """TensorFlow: BatchNorm over the global batch (each device sees only its share of it)."""
        if self.engine is not None and keras.backend.backend() == "tensorflow":
            for layer in _all_layers([gan.generator, gan.discriminator]):
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.synchronized = True  # read at every call: all-reduces the batch's moments
        return gan

    def describe(self) -> str:
        if self.engine is None:
            return "one device"
        return f"{self.count} devices ({', '.join(available_devices()[: self.count])})"


class ProcessShare(keras.utils.PyDataset):
    """This process's block of every global batch, when several processes (hosts) train together on JAX.

    After `keras.distribution.initialize`, Keras takes each process's batch as its part of the global
    batch (`jax.make_array_from_process_local_data`), so each of P processes feeds 1/P of it: process p
    rows p*B/P to (p+1)*B/P, the rows its devices hold in the mesh's order.
    """

    def __init__(self, batches, index: int, count: int):
        super().__init__()
        self.batches, self.index, self.count = batches, index, count

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, position):
        batch = self.batches[position]
        share = len(batch) // self.count
        return batch[self.index * share : (self.index + 1) * share]


def process_share(batches):
    """`batches` as this process should feed them: unchanged unless several JAX processes train together."""
    if keras.backend.backend() != "jax":
        return batches
    import jax

    if jax.process_count() == 1:
        return batches
    return ProcessShare(batches, jax.process_index(), jax.process_count())


def _all_layers(layers):
    for layer in layers:
        yield layer
        yield from _all_layers(getattr(layer, "layers", ()))


def replica_rows(draw, local_batch):
    """`draw(n)` rows for this device's share of the batch, as one device would have drawn them.

    On TensorFlow under a MirroredStrategy with N devices every device draws the global batch's N *
    `local_batch` rows from the same generator state and keeps its own consecutive block (the block of
    the batch Keras gave it); anywhere else, `draw(local_batch)`.
    """
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    count = tf.distribute.get_strategy().num_replicas_in_sync
    if context is None or count == 1:
        return draw(local_batch)
    rows = draw(local_batch * count)
    start = context.replica_id_in_sync_group * local_batch
    return rows[start : start + local_batch]
