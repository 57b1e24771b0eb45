"""A training run on disk: its checkpoint, the run folder (history, kept epochs, roll-back), the
folder's name, reading its history in words, and diagnosing what went wrong. No Keras here, so the
`diagnose` command and the notebooks read a run without loading a backend.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "checkpoint": (
            "CheckpointError",
            "load_checkpoint",
        ),
        "run_folder": (
            "RunFolderError",
            "kept_epochs",
        ),
        "run_key": (
            "run_folder_name",
            "step_owner",
        ),
        "run_reading": (
            "print_run_reading",
            "read_run",
        ),
    },
)
