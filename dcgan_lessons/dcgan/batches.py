"""The order a run sees its images in: each epoch's permutation fixed by (seed, epoch), so a resumed run
sees the same batches as an uninterrupted one, on TensorFlow (tf.data) and on other backends (PyDataset).
"""

from __future__ import annotations

import keras
import numpy as np


def epoch_order(count: int, batch_size: int, seed: int, epoch: int) -> np.ndarray:
    """The image indices of one epoch, shape (steps, batch_size): a permutation fixed by (seed, epoch).

    Deriving each epoch's order from its number (not from a running shuffle) is what lets a resumed run
    see the same batches as an uninterrupted one. The last incomplete batch is dropped.
    """
    steps = count // batch_size
    if steps == 0:
        raise ValueError(f"batch_size: expected at most the {count} training images, got {batch_size}.")
    return np.random.default_rng([seed, epoch]).permutation(count)[: steps * batch_size].reshape(steps, -1)


class _RunBatches(keras.utils.PyDataset):
    """Backend-neutral batches (JAX, or TensorFlow without tf.data): all the run's epochs in one sequence.

    Batch i belongs to epoch `first_epoch + i // steps`, so the order never depends on when Keras calls
    `on_epoch_end` (it also calls it once while setting up `fit()`, which would shift every epoch by one).
    """

    def __init__(self, images, batch_size, seed, first_epoch, epochs):
        super().__init__()
        self.images, self.batch_size, self.seed, self.first_epoch = images, batch_size, seed, first_epoch
        self.steps = len(epoch_order(len(images), batch_size, seed, first_epoch))
        self.length = self.steps * (epochs - first_epoch)
        self._epoch, self._order = None, None

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        epoch, step = divmod(index, self.steps)
        if epoch != self._epoch:
            self._epoch = epoch
            self._order = epoch_order(len(self.images), self.batch_size, self.seed, self.first_epoch + epoch)
        return self.images[self._order[step]]


def training_batches(images: np.ndarray, batch_size: int, seed: int, first_epoch: int, epochs: int):
    """(data, steps_per_epoch) for `fit()`: tf.data on TensorFlow, a PyDataset on other backends."""
    steps = len(epoch_order(len(images), batch_size, seed, first_epoch))
    if keras.backend.backend() != "tensorflow":
        return _RunBatches(images, batch_size, seed, first_epoch, epochs), steps
    import tensorflow as tf

    order = np.concatenate(
        [epoch_order(len(images), batch_size, seed, e) for e in range(first_epoch, epochs)]
    )
    pool = tf.constant(images)
    data = tf.data.Dataset.from_tensor_slices(order).map(lambda idx: tf.gather(pool, idx))
    return data.prefetch(tf.data.AUTOTUNE), steps
