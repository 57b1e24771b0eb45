"""DCGAN Lessons: the helper package the course's notebooks import.

One module per concept; this file only re-exports the public names, so `import dcgan_lessons`
is fast and has no side effects (TensorFlow and Keras load only when a helper needs them).
"""

from .checking import check, run_check
from .data import DATASETS, DatasetUnavailableError, ImageDataset, load_dataset, scale_images, unscale_images
from .environment import accelerators, environment_report, is_colab, set_seed
from .exercises import all_exercises, get_exercise, lesson_exercises
from .plots import image_grid, show_images, show_toy_samples
from .profiles import PROFILES, Profile, get_profile
from .score import show_score
from .toy import grid_centers, mixture_1d_pdf, ring_centers, sample_grid, sample_mixture_1d, sample_ring

__version__ = "0.1.0"

__all__ = [
    "DATASETS",
    "PROFILES",
    "DatasetUnavailableError",
    "ImageDataset",
    "Profile",
    "accelerators",
    "all_exercises",
    "check",
    "environment_report",
    "get_exercise",
    "get_profile",
    "grid_centers",
    "image_grid",
    "is_colab",
    "lesson_exercises",
    "load_dataset",
    "mixture_1d_pdf",
    "ring_centers",
    "run_check",
    "sample_grid",
    "sample_mixture_1d",
    "sample_ring",
    "scale_images",
    "set_seed",
    "show_images",
    "show_score",
    "show_toy_samples",
    "unscale_images",
]
