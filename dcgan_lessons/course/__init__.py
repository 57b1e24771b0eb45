"""What every lesson stands on: run profiles, the environment and its seed, the data sets, image
montages, argument checks, and the exercise-check engine (cases, comparison, feedback).

The bottom layer: it imports nothing else from the package.
"""

from .lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "profiles": (
            "PROFILES",
            "Profile",
            "get_profile",
            "profile_name",
        ),
        "environment": (
            "environment_report",
            "fast_precision",
            "is_colab",
            "set_seed",
        ),
        "hardware": (
            "accelerators",
            "keras_backend",
        ),
        "data": (
            "DATASETS",
            "DatasetUnavailableError",
            "ImageDataset",
            "load_dataset",
            "scale_images",
            "unscale_images",
        ),
        "images": ("image_grid",),
        "checking": (
            "Case",
            "Exercise",
            "Mistake",
            "compare_values",
            "run_check",
        ),
    },
)
