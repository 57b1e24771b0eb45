"""The generator's moving average on one backend, checked against its closed form (run as a subprocess).

Usage: KERAS_BACKEND=tensorflow|jax python tests/ema_steps.py OUT_DIR
Writes OUT_DIR/result.json with, for a tiny DCGAN (Dense layers and a BatchNorm) trained 5 steps with
`train_on_batch` at decay 0.8:
- `closed_form`: the largest difference between the average and sum_k d^(t-k) w_k / sum_k d^(t-k);
- `plain` / `raw`: the same against a moving average started from the initial weights and against the raw
  weights (both must be far: they are the answers a wrong implementation would give);
On JAX also the course's DCGAN trained 2 epochs with `ema` by `fit()` and by the data-resident loop, and the
resident loop interrupted after epoch 1 and resumed (`fit_vs_resident`, `resumed_vs_whole`: every variable).
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np

from dcgan_lessons.course.environment import set_seed
from dcgan_lessons.dcgan.model import DCGAN

DECAY, STEPS = 0.8, 5


def tiny_gan():
    set_seed(3)  # Keras's own call, without importing TensorFlow on JAX
    noise = keras.Input((4,))
    x = keras.layers.Dense(8)(noise)
    x = keras.layers.BatchNormalization()(x)
    images = keras.layers.Reshape((2, 2, 2))(keras.layers.Dense(8, activation="tanh")(keras.layers.ReLU()(x)))
    generator = keras.Model(noise, images)
    seen = keras.Input((2, 2, 2))
    discriminator = keras.Model(seen, keras.layers.Dense(1)(keras.layers.Flatten()(seen)))
    gan = DCGAN(generator, discriminator, seed=1, ema=DECAY)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.05), g_optimizer=keras.optimizers.Adam(0.05))
    return gan


def values(variables):
    return [np.asarray(keras.ops.convert_to_numpy(v), dtype=np.float64) for v in variables]


def largest(a, b):
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b, strict=True))


def closed_form_check():
    gan = tiny_gan()
    rng = np.random.default_rng(0)
    start = values(gan.generator.variables)
    seen = []
    for _ in range(STEPS):
        real = np.tanh(rng.normal(size=(6, 2, 2, 2))).astype("float32")
        noise = rng.normal(size=(6, 4)).astype("float32")
        gan.train_on_batch(real, noise)
        seen.append(values(gan.generator.variables))
    weights = np.array([DECAY ** (STEPS - k) for k in range(1, STEPS + 1)])
    sums = [sum(w * s[i] for w, s in zip(weights, seen, strict=True)) for i in range(len(start))]
    expected = [total / weights.sum() for total in sums]
    plain = [DECAY**STEPS * first + (1 - DECAY) * total for first, total in zip(start, sums, strict=True)]
    got = values(gan.ema.generator.variables)
    return {
        "closed_form": largest(got, expected),
        "plain": largest(got, plain),
        "raw": largest(got, seen[-1]),
        "steps": float(keras.ops.convert_to_numpy(gan.ema.steps)),
        "sampler_is_average": gan.sampler is gan.ema.generator,
    }


def loops_check(out: Path) -> dict:
    from dcgan_lessons.dcgan.training import RunConfig, train_dcgan

    config = RunConfig(batch_size=32, limit=128, latent_dim=8, seed=5, image_size=16, ema=0.9)

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                raise KeyboardInterrupt

    def difference(a, b):
        return largest(values(a.gan.variables), values(b.gan.variables))

    fit = train_dcgan(out / "fit", epochs=2, config=config, loop="fit", verbose=0)
    resident = train_dcgan(out / "resident", epochs=2, config=config, loop="resident", verbose=0)
    try:
        train_dcgan(out / "cut", epochs=2, config=config, loop="resident", callbacks=[Interrupt()], verbose=0)
    except KeyboardInterrupt:
        pass
    resumed = train_dcgan(out / "cut", epochs=2, config=config, loop="resident", verbose=0)
    return {
        "fit_vs_resident": difference(fit, resident),
        "resumed_vs_whole": difference(resumed, resident),
        "average_vs_raw": largest(
            values(resident.gan.ema.generator.variables), values(resident.gan.generator.variables)
        ),
        "average_steps": float(keras.ops.convert_to_numpy(resident.gan.ema.steps)),
        "resumed_from": resumed.resumed_from,
    }


if __name__ == "__main__":
    out = Path(sys.argv[1])
    result = {"backend": keras.backend.backend(), **closed_form_check()}
    if keras.backend.backend() == "jax":
        result.update(loops_check(out))
    (out / "result.json").write_text(json.dumps(result))
