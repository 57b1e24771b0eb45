"""Finding and loading a finished run: lesson 06 explores lesson 05's generator when its folder exists.

Lesson 05 names its run folders `05_<data set>_<profile>_<whose step>_<digest>` (runs/run_key.py); the
newest one with a checkpoint is the learner's latest run. Its settings come from its checkpoint (or
config.json), so the generator is rebuilt exactly as it was trained.
"""

from __future__ import annotations

from pathlib import Path

from ..runs.run_folder import CHECKPOINT, stored_settings


def newest_run(runs_dir, prefix: str) -> Path | None:
    """The folder in `runs_dir` named `prefix_*` whose checkpoint was written last; None when there is none.

    Folders ending in `_fast` (lesson 05's short fast-path run) are left out.
    """
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return None
    found = [
        folder
        for folder in runs_dir.glob(f"{prefix}_*")
        if folder.is_dir() and not folder.name.endswith("_fast") and (folder / CHECKPOINT).is_file()
    ]
    return max(found, key=lambda folder: (folder / CHECKPOINT).stat().st_mtime, default=None)


def load_run(run_dir, image_shape):
    """(the run's DCGAN with its last checkpoint's weights, its history) for the run in `run_dir`."""
    from ..runs.checkpoint import load_checkpoint
    from .config import RunConfig
    from .training import make_gan

    settings, _ = stored_settings(run_dir)
    if settings is None:
        raise ValueError(f"{run_dir}: expected a run folder with its settings, found none.")
    known = RunConfig.__dataclass_fields__
    config = RunConfig(**{name: value for name, value in settings.items() if name in known})
    gan = make_gan(config, tuple(image_shape))
    _, history = load_checkpoint(Path(run_dir) / CHECKPOINT, gan)
    return gan, history
