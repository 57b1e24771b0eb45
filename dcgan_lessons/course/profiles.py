"""Run profiles: the one place where lessons read their sizes from.

A lesson never hard-codes how many images, steps or epochs it uses; it asks `get_profile()` and
uses the fields of the profile it gets. Three profiles exist:

- ``quick``: CI and nbval. Tiny data and a few steps, so every notebook runs in seconds.
- ``cpu``: a learner on a laptop. Each lesson takes minutes and the models still visibly learn.
- ``gpu``: the full run on an accelerator (Colab, a workstation).

The profile comes from the ``DCGAN_LESSONS_PROFILE`` environment variable; without it the course
picks ``gpu`` when an accelerator is found and ``cpu`` otherwise.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from .hardware import accelerators
from .validation import require_choice

ENV_VAR = "DCGAN_LESSONS_PROFILE"


@dataclass(frozen=True)
class Profile:
    """Sizes for one kind of run. Later lessons read more fields; add them here, for all three profiles."""

    name: str
    description: str
    max_train_images: int  # cap on the training images a lesson loads
    batch_size: int  # DCGAN batch size
    epochs: int  # DCGAN epochs
    # Adam's rate for G and D in lesson 05's run. The paper's 2e-4, except where benchmarks/recipe_search.py
    # measured better at the same cost: the cpu run is ~1,100 steps, and 4e-4 got there further.
    learning_rate: float
    toy_samples: int  # samples drawn from a toy distribution per plot or metric
    toy_steps: int  # training steps of the 1-D and 2-D toy GANs
    toy_game_rounds: int  # rounds of each run of lesson 01's 2-D game (the NumPy GAN, 5 seeds x 2 settings)
    grid_images: int  # images in a sample grid (a square number)
    eval_epochs: int  # epochs of lesson 06's measured training run
    eval_samples: int  # generated (and held-out real) images each of lesson 06's measures compares
    stable_epochs: int = 8  # epochs of each of lesson 07's digits runs (failing run and 3 methods)
    ring_rounds: int = 1_000  # rounds of each of lesson 07's ring-of-8 runs (3 methods x 3 seeds x 2)

    def __str__(self) -> str:
        fields = ", ".join(
            f"{f.name}={getattr(self, f.name)}"
            for f in dataclasses.fields(self)
            if f.name not in ("name", "description")
        )
        return f"Profile {self.name!r} ({self.description}): {fields}"


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        name="quick",
        description="CI and tests: every notebook in seconds",
        max_train_images=256,
        batch_size=32,
        epochs=1,
        learning_rate=2e-4,
        toy_samples=512,
        toy_steps=20,
        toy_game_rounds=100,
        grid_images=16,
        eval_epochs=2,
        eval_samples=200,
        stable_epochs=3,
        ring_rounds=100,
    ),
    "cpu": Profile(
        name="cpu",
        description="a laptop CPU: each lesson in minutes",
        max_train_images=1_797,
        batch_size=64,
        epochs=50,
        learning_rate=4e-4,
        toy_samples=2_500,
        toy_steps=2_000,
        toy_game_rounds=2_000,
        grid_images=36,
        eval_epochs=15,
        eval_samples=360,
    ),
    "gpu": Profile(
        name="gpu",
        description="an accelerator: the full run",
        max_train_images=60_000,
        batch_size=256,
        epochs=50,
        learning_rate=2e-4,
        toy_samples=2_500,
        toy_steps=5_000,
        toy_game_rounds=2_000,
        grid_images=64,
        eval_epochs=15,
        eval_samples=2_000,
    ),
}


def profile_name(environ=None, has_accelerator=None) -> tuple[str, str]:
    """Return (name, reason) of the active profile.

    Args:
        environ: the environment to read (default ``os.environ``).
        has_accelerator: whether an accelerator is present; detected lazily when None and needed.
    """
    environ = os.environ if environ is None else environ
    requested = environ.get(ENV_VAR, "").strip()
    if requested:
        try:
            require_choice(requested, f"profile in ${ENV_VAR}", PROFILES)
        except ValueError as error:
            raise ValueError(f"{error} Unset {ENV_VAR} to let the course choose.") from None
        return requested, f"set by {ENV_VAR}"
    if has_accelerator is None:
        has_accelerator = bool(accelerators())
    if has_accelerator:
        return "gpu", "default: an accelerator was found"
    return "cpu", "default: no accelerator found"


def get_profile(name: str | None = None) -> Profile:
    """Return the named profile, or the active one (see module docstring) when `name` is None."""
    if name is None:
        name, _ = profile_name()
    return PROFILES[require_choice(name, "profile", PROFILES)]
