"""A moving average of the generator's weights (`DCGAN(..., ema=0.999)`, `train --ema 0.999`).

A GAN's generator never settles: every step chases the discriminator's latest update, so the weights
after any one step carry that step's wobble (malformed strokes, a class drifting in and out). Averaging
the weights over recent steps removes much of the wobble without training anything else (Yazıcı et al.
2019, "The unusual effectiveness of averaging in GAN training"; Karras et al. 2018 sample from such an
average). The raw generator still trains; the average only follows it and is what samples are drawn from.

After step t (t = 1, 2, ...) the average is

    average_t = sum_k decay^(t-k) * weights_k / sum_k decay^(t-k)        (k = 1..t)

that is, each earlier step counts `decay` times less than the next. Dividing by the sum (Adam's bias
correction, applied to weights) keeps the random initial weights out of it: a plain moving average
started from them would still hold decay^t of them, 0.999^1100 = 33% after the 1,100 steps of a 50-epoch
`cpu` run. Computed step by step, with beta_t = (1 - decay) / (1 - decay^t):

    average_t = average_(t-1) + beta_t * (weights_t - average_(t-1))          (beta_1 = 1: a copy)

BatchNorm's running statistics are averaged the same way; variables that are not floating point (a
random layer's seed state) are copied. The average lives in an untrainable copy of the generator, so
`gan.sampler` draws images with it as with any Keras model, and a checkpoint saves it with the rest.
"""

from __future__ import annotations

import keras
from keras import ops


def require_decay(decay) -> float | None:
    """`decay` as a float in (0, 1), or None for "no average" (None or 0)."""
    if decay is None or (not isinstance(decay, bool) and isinstance(decay, (int, float)) and decay == 0):
        return None
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 < decay < 1:
        raise ValueError(
            f"ema: expected a decay in (0, 1), e.g. 0.999 (or None / 0 for no average), got {decay!r}."
        )
    return float(decay)


def _averaged(variable) -> bool:
    return "float" in str(variable.dtype)


class GeneratorAverage(keras.layers.Layer):
    """The moving average of `generator`'s weights, kept in `self.generator` (a copy that never trains).

    Args:
        generator: the generator that trains; its current weights start the copy.
        decay: how much less each earlier step counts, in (0, 1), e.g. 0.999.
    """

    def __init__(self, generator, decay: float, **kw):
        super().__init__(name="generator_average", trainable=False, **kw)
        self.decay = require_decay(decay)
        if self.decay is None:
            raise ValueError("GeneratorAverage needs a decay in (0, 1).")
        average = keras.models.clone_model(generator)
        average.set_weights(generator.get_weights())
        average.trainable = False
        self.generator = average
        self.steps = self.add_weight(
            shape=(), initializer="zeros", dtype="float32", trainable=False, name="steps"
        )
        raw, mine = list(generator.variables), list(average.variables)
        if [tuple(v.shape) for v in mine] != [tuple(v.shape) for v in raw]:
            raise ValueError(
                "GeneratorAverage: the copy of the generator does not match it variable by variable."
            )
        # Set past Keras's attribute tracking: the raw generator's variables are not this layer's own.
        object.__setattr__(self, "_pairs", tuple(zip(mine, raw, strict=True)))
        self.built = True

    @property
    def state_variables(self) -> list:
        """What a checkpoint must hold to resume the average exactly: the copy's variables and the count."""
        return [*self.generator.variables, self.steps]

    def rate(self, steps):
        """beta_t for the step that makes the count `steps` (>= 1)."""
        return (1.0 - self.decay) / (1.0 - ops.power(self.decay, steps))

    def update(self) -> None:
        """Fold the generator's current weights into the average (a stateful step: TensorFlow, eager)."""
        steps = self.steps + 1.0
        rate = self.rate(steps)
        for mine, raw in self._pairs:
            if _averaged(mine):
                mine.assign(mine + ops.cast(rate, mine.dtype) * (raw - mine))
            else:
                mine.assign(raw)
        self.steps.assign(steps)

    def stateless_update(self, values: dict) -> dict:
        """The same step without side effects (JAX): `values` maps id(variable) -> value for every variable
        of the generator and of this average; returns id(variable) -> new value for this average's."""
        steps = values[id(self.steps)] + 1.0
        rate = self.rate(steps)
        new = {id(self.steps): steps}
        for mine, raw in self._pairs:
            old, current = values[id(mine)], values[id(raw)]
            new[id(mine)] = old + ops.cast(rate, old.dtype) * (current - old) if _averaged(mine) else current
        return new
