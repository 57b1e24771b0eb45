"""`EpochMeasures`: lesson 06's measures in a training run's per-epoch log (history.json, losses.csv).

After each epoch it generates images for one fixed batch of noise, measures them with an
`measures.Evaluator`, and adds the single-number measures to the epoch's logs. `train_dcgan(...,
measures=evaluator)` puts it before the callback that writes the log, so the numbers land in the run
folder; the time it takes is logged as `measure_seconds` and left out of the epoch's training time.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from .sampling import generate


class EpochMeasures(keras.callbacks.Callback):
    """Add the evaluator's scalar measures (fd, inception_score, ...) to every epoch's logs.

    Args:
        evaluator: a `measures.Evaluator` for the run's data set.
        noise: the fixed noise, (samples, latent_dim), whose images are measured each epoch.
    """

    def __init__(self, evaluator, noise):
        super().__init__()
        self.evaluator, self.noise = evaluator, np.asarray(noise, dtype=np.float32)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        started = time.perf_counter()
        images = generate(self.model.sampler, self.noise)
        if not np.isfinite(images).all():
            return  # the run diverged: nothing to measure; the EpochRecorder after this stops it
        measured = self.evaluator.measure(images)
        logs.update({name: float(measured[name]) for name in self.evaluator.SCALARS})
        logs["measure_seconds"] = time.perf_counter() - started
