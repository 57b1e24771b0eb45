"""JAX's persistent compilation cache for training runs: a second run skips most of its compiling.

On JAX every new shape of every jitted function is compiled by XLA: the training chunk, the layers'
initializers, the sample grid's generator call. A run compiles the same ones as the run before it, so
`train_dcgan` keeps them in a cache folder that survives the process. On this project's 2-core CPU a
second run's first epoch (which holds the training chunk's compile) took 4.8-5.0 CPU seconds against
9.3-9.6 without the cache (benchmarks/fifty_epochs.py, see the README's Speed section).

Where: `$DCGAN_LESSONS_JAX_CACHE`, else `$XDG_CACHE_HOME/dcgan_lessons/jax` (`~/.cache/...`); set the
variable to `off` to compile afresh every time. A cache folder JAX was already told about (by the
user's own `jax.config.update("jax_compilation_cache_dir", ...)`) is left as it is. JAX trusts what it
finds there (it runs it), so the folder is created for this user alone.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ENVIRONMENT = "DCGAN_LESSONS_JAX_CACHE"
MAX_BYTES = 2 * 2**30  # least recently used entries are dropped beyond this (with filelock)


def cache_folder() -> Path | None:
    """Where the cache goes: the environment's choice, the user's cache folder, or None when 'off'."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "false", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dcgan_lessons" / "jax"


def enable_compilation_cache() -> Path | None:
    """Turn JAX's persistent compilation cache on (Keras on JAX only); return its folder, or None.

    Also caches the small compilations (JAX's default keeps only those over a second): a run makes
    dozens of them, and each costs more on a GPU than loading it.
    """
    import keras

    if keras.backend.backend() != "jax":
        return None
    import jax

    existing = jax.config.jax_compilation_cache_dir
    if existing:
        return Path(existing)
    folder = cache_folder()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None  # an unwritable home: compile as before rather than fail the run
    from jax.experimental.compilation_cache import compilation_cache

    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    if importlib.util.find_spec("filelock") is not None:  # JAX needs it to trim the cache, else fails
        jax.config.update("jax_compilation_cache_max_size", MAX_BYTES)
    compilation_cache.set_cache_dir(str(folder))
    # JAX decides once, at its first compilation, whether to use a cache: let it decide again.
    compilation_cache.reset_cache()
    return folder
