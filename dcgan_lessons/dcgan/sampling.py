"""Drawing images from a trained generator: the fixed noise a run draws after every epoch, and `generate`.

Kept below the trainer because the live view, the per-epoch measures, the resident loop and the latent
explorer all draw images too, and none of them should need the training loop to do it.
"""

from __future__ import annotations

import keras
import numpy as np


def fixed_noise(count: int, latent_dim: int, seed: int) -> np.ndarray:
    """The one batch of noise whose images are drawn after every epoch, so the pictures are comparable."""
    return np.random.default_rng([seed, 1_000_003]).standard_normal((count, latent_dim)).astype("float32")


def generate(generator, noise) -> np.ndarray:
    """Images for `noise` in inference mode (BatchNorm uses its running statistics), as float32 NumPy
    (also when the generator computes in 16 bits).

    On JAX the generator runs as one compiled call (kept on the generator), not layer by layer: the
    same images, without compiling and dispatching each operation separately after every epoch.
    """
    if keras.backend.backend() == "jax":
        import jax

        draw = getattr(generator, "_dcgan_lessons_draw", None)
        if draw is None:

            def images_for(trainable, non_trainable, noise):
                images, _ = generator.stateless_call(trainable, non_trainable, noise, training=False)
                return keras.ops.cast(images, "float32")

            draw = jax.jit(images_for)
            generator._dcgan_lessons_draw = draw
        values = [
            [v.value for v in variables]
            for variables in (generator.trainable_variables, generator.non_trainable_variables)
        ]
        return np.asarray(draw(*values, np.asarray(noise, dtype="float32")))
    images = generator(keras.ops.convert_to_tensor(noise), training=False)
    return keras.ops.convert_to_numpy(keras.ops.cast(images, "float32"))
