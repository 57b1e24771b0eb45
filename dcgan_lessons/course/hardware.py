"""What the machine offers the course: the Keras backend and the accelerators it can see.

Kept apart from environment.py because the profiles need it to choose their default (a GPU means
the `gpu` profile), while the environment report itself names the profile in use.
"""

from __future__ import annotations


def keras_backend() -> str:
    """The backend Keras uses: 'tensorflow', 'jax' or 'torch' (Keras fixes it at first import)."""
    # TensorFlow's C++ start-up lines are kept off the screen by quiet_start (installed by the package).
    import keras

    return keras.backend.backend()


def accelerators() -> list[str]:
    """Names of the GPUs/TPUs visible to the Keras backend; empty on a CPU-only machine."""
    backend = keras_backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return [d.name for d in tf.config.list_physical_devices() if d.device_type in ("GPU", "TPU")]
        if backend == "jax":
            import jax

            return [f"{d.platform}:{d.id} ({d.device_kind})" for d in jax.devices() if d.platform != "cpu"]
        if backend == "torch":
            import torch

            return [f"cuda:{i} ({torch.cuda.get_device_name(i)})" for i in range(torch.cuda.device_count())]
    except Exception:  # noqa: BLE001 - a broken driver means "no usable accelerator", not a crash
        return []
    return []
