"""A run's settings (`RunConfig`) and their checks: everything a run folder records and a resume must match.

Lesson 07's settings (the loss, spectral norm, the critic's own rate) are checked here too, so the
trainer and `StableGAN` both read one definition and neither has to import the other to validate a run.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import keras
import numpy as np

from ..course.validation import require_choice, require_int
from ..losses.stabilisers import LOSSES, optimizer_defaults
from .ema import require_decay


@dataclass(frozen=True)
class RunConfig:
    """The settings that define a run; a resume must match them (epochs may grow)."""

    dataset: str = "digits"
    batch_size: int = 64
    latent_dim: int = 100
    seed: int = 0
    limit: int | None = None
    image_size: int | None = None
    real_target: float = 1.0
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    precision: str = "float32"  # or "mixed_bfloat16" / "mixed_float16": see `make_gan`
    ema: float | None = None  # decay of the generator's moving average (ema.py); None: no average
    # Lesson 07's stabilisers (stable_gan.py): the loss, spectral norm in D, D's own rate (TTUR), Adam's
    # beta_2 and D updates per G update (None: the loss's paper value, stabilisers.OPTIMIZER_DEFAULTS).
    loss: str = "bce"  # or "wgan-gp" / "hinge"
    spectral_norm: bool = False
    d_learning_rate: float | None = None  # None: the same as learning_rate
    beta_2: float = 0.999
    n_critic: int | None = None


PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


def validate_config(config: RunConfig) -> RunConfig:
    """Check every setting of a run before anything is written; raise ValueError/TypeError naming it."""
    if not isinstance(config, RunConfig):
        raise TypeError(f"config must be a RunConfig, got {type(config).__name__}.")
    if not isinstance(config.dataset, str):
        raise TypeError(f"dataset must be a data set's name, got {type(config.dataset).__name__}.")
    require_int(config.batch_size, "batch_size", minimum=1)
    require_int(config.latent_dim, "latent_dim", minimum=1)
    require_int(config.seed, "seed", minimum=0)
    if config.limit is not None:
        require_int(config.limit, "limit", minimum=1)
    if config.image_size is not None:
        require_int(config.image_size, "image_size", minimum=8)
    for name, low, high, closed in (("real_target", 0, 1, True), ("beta_1", 0, 1, False)):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
        if not (low < value <= high if closed else low <= value < high):
            interval = f"({low}, {high}]" if closed else f"[{low}, {high})"
            raise ValueError(f"{name}: expected a number in {interval}, got {value}.")
    rate = config.learning_rate
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < np.inf:
        raise ValueError(f"learning_rate: expected a number > 0, got {rate!r}.")
    require_decay(config.ema)
    if config.precision not in PRECISIONS:
        raise ValueError(f"precision: expected one of {', '.join(PRECISIONS)}, got {config.precision!r}.")
    validate_stable_settings(config)
    return config


def validate_stable_settings(config) -> None:
    """Check a RunConfig's lesson-07 settings (loss, spectral_norm, d_learning_rate, beta_2, n_critic)."""
    require_choice(config.loss, "loss", LOSSES)
    if not isinstance(config.spectral_norm, bool):
        raise TypeError(f"spectral_norm must be True or False, got {type(config.spectral_norm).__name__}.")
    rate = config.d_learning_rate
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < 1e9
    ):
        raise ValueError(f"d_learning_rate: expected None or a number > 0, got {rate!r}.")
    beta_2 = config.beta_2
    if isinstance(beta_2, bool) or not isinstance(beta_2, (int, float)) or not 0 <= beta_2 < 1:
        raise ValueError(f"beta_2: expected a number in [0, 1), got {beta_2!r}.")
    if config.n_critic is not None:
        require_int(config.n_critic, "n_critic", minimum=1)
    if config.loss != "bce" and config.real_target != 1.0:
        raise ValueError(
            f"real_target (label smoothing) applies to the bce loss only, not to {config.loss!r}."
        )
    stable = config.loss != "bce" or config.spectral_norm or config.n_critic not in (None, 1)
    if stable and getattr(config, "ema", None):
        # StableGAN's steps do not fold G into an average yet (ema.py works with DCGAN's steps only).
        raise ValueError(
            f"ema: the generator's moving average works with the DCGAN trainer (loss 'bce', no spectral "
            f"norm, n_critic 1), not with loss={config.loss!r}, spectral_norm={config.spectral_norm}, "
            f"n_critic={config.n_critic}; leave ema at None (CLI: drop --ema)."
        )


@contextmanager
def dtype_policy(name: str):
    """Build layers under Keras's dtype policy `name`, then restore the global policy."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def stable_config(loss: str = "wgan-gp", spectral_norm: bool = False, **settings):
    """A `RunConfig` for `loss` with its paper's optimiser settings (any of them overridable by keyword)."""

    d = optimizer_defaults(loss)
    values = dict(
        loss=loss,
        spectral_norm=spectral_norm,
        learning_rate=d.g_learning_rate,
        d_learning_rate=None if d.d_learning_rate == d.g_learning_rate else d.d_learning_rate,
        beta_1=d.beta_1,
        beta_2=d.beta_2,
    )
    return RunConfig(**{**values, **settings})
