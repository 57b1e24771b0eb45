"""DCGAN Lessons: the helper package the course's notebooks import.

One module per concept; this file only re-exports the public names, so `import dcgan_lessons`
is fast (TensorFlow and Keras load only when a helper needs them). Its one side effect: TensorFlow's
first import, whoever makes it, keeps its C++ start-up lines off the screen (see quiet_start.py).
"""

from .checkerboard import checkerboard_strength
from .checking import check, run_check
from .conv_arithmetic import (
    conv_output_size,
    conv_padding,
    conv_transpose_cropping,
    conv_transpose_output_size,
    conv_transpose_taps,
    effective_kernel_size,
)
from .conv_explorer import conv_transpose_explorer, draw_transpose_connections
from .conv_numpy import (
    conv2d,
    conv2d_transpose,
    conv2d_transpose_direct,
    conv_matrix,
    overlap_map,
    zero_insert,
)
from .data import DATASETS, DatasetUnavailableError, ImageDataset, load_dataset, scale_images, unscale_images
from .environment import accelerators, environment_report, is_colab, set_seed
from .exercises import all_exercises, get_exercise, lesson_exercises
from .gan_explorer import GANExplorer
from .latent import attribute_direction, interpolate, latent_arithmetic, latent_walk, lerp, slerp
from .latent_explorer import draw_latent_directions, latent_explorer, random_directions, save_walk_gif
from .losses import (
    bce_from_logits,
    discriminator_accuracy,
    discriminator_loss,
    generator_loss,
    histogram_jsd,
    jensen_shannon,
    naive_bce,
    optimal_discriminator,
    saturating_generator_loss,
    smoothed_discriminator_loss,
    value_function,
)
from .measure_plots import show_class_histograms, show_measures, show_nearest_neighbours
from .measures import (
    Evaluator,
    class_histogram,
    classes_covered,
    confident_share,
    inception_score,
    make_evaluator,
    memorisation_ratio,
    nearest_neighbour_distances,
)
from .mode_coverage import ModeCoverage, count_mode_hops, mode_coverage, mode_coverage_report
from .plots import image_grid, show_images, show_toy_samples
from .profiles import PROFILES, Profile, get_profile
from .quality import frechet_distance
from .quiet_start import install as _quiet_tensorflow_start
from .score import show_score
from .stabilisers import critic_loss, gradient_penalty, hinge_losses, power_iteration_step, wasserstein_1d
from .stepper import ToyGANStepper, snapshots, train_live
from .toy import grid_centers, mixture_1d_pdf, ring_centers, sample_grid, sample_mixture_1d, sample_ring
from .toy_collapse import collapse_experiment, describe_experiment
from .toy_gan import ToyGAN, alternating_step
from .toy_gan_2d import GAN2D, GAN2DConfig, generator_pull
from .toy_plots import show_gan_1d, show_gan_2d, show_losses, show_modes_over_time

# No module above imports TensorFlow, so this comes before its first import.
_quiet_tensorflow_start()

__version__ = "0.1.0"

# Names whose modules load Keras (and so TensorFlow or JAX): imported on first use, so that
# `import dcgan_lessons` stays fast for the build, the grader and lessons that do not need them.
_LAZY = {
    "DCGAN": "dcgan",
    "build_generator": "architecture",
    "build_discriminator": "architecture",
    "generator_block": "architecture",
    "discriminator_block": "architecture",
    "architecture_summary": "architecture",
    "train_step": "gan_step",
    "RunConfig": "training",
    "train_dcgan": "training",
    "load_or_train_classifier": "classifier",
    "EpochMeasures": "epoch_measures",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    *_LAZY,
    "DATASETS",
    "PROFILES",
    "DatasetUnavailableError",
    "Evaluator",
    "GAN2D",
    "GAN2DConfig",
    "GANExplorer",
    "ImageDataset",
    "ModeCoverage",
    "Profile",
    "ToyGAN",
    "ToyGANStepper",
    "accelerators",
    "all_exercises",
    "alternating_step",
    "bce_from_logits",
    "check",
    "collapse_experiment",
    "count_mode_hops",
    "describe_experiment",
    "generator_pull",
    "show_modes_over_time",
    "discriminator_accuracy",
    "discriminator_loss",
    "checkerboard_strength",
    "conv2d",
    "conv2d_transpose",
    "conv2d_transpose_direct",
    "conv_matrix",
    "conv_output_size",
    "conv_padding",
    "conv_transpose_explorer",
    "conv_transpose_cropping",
    "conv_transpose_output_size",
    "conv_transpose_taps",
    "effective_kernel_size",
    "draw_transpose_connections",
    "environment_report",
    "generator_loss",
    "get_exercise",
    "get_profile",
    "grid_centers",
    "histogram_jsd",
    "image_grid",
    "is_colab",
    "jensen_shannon",
    "lesson_exercises",
    "load_dataset",
    "mixture_1d_pdf",
    "mode_coverage",
    "mode_coverage_report",
    "naive_bce",
    "optimal_discriminator",
    "overlap_map",
    "ring_centers",
    "run_check",
    "sample_grid",
    "sample_mixture_1d",
    "sample_ring",
    "saturating_generator_loss",
    "scale_images",
    "set_seed",
    "show_gan_1d",
    "show_gan_2d",
    "show_images",
    "show_losses",
    "show_score",
    "show_toy_samples",
    "smoothed_discriminator_loss",
    "snapshots",
    "train_live",
    "unscale_images",
    "value_function",
    "zero_insert",
    "attribute_direction",
    "class_histogram",
    "classes_covered",
    "confident_share",
    "draw_latent_directions",
    "frechet_distance",
    "inception_score",
    "interpolate",
    "latent_arithmetic",
    "latent_explorer",
    "latent_walk",
    "lerp",
    "make_evaluator",
    "memorisation_ratio",
    "nearest_neighbour_distances",
    "random_directions",
    "save_walk_gif",
    "slerp",
    # lesson 07
    "critic_loss",
    "gradient_penalty",
    "hinge_losses",
    "power_iteration_step",
    "wasserstein_1d",
    "show_class_histograms",
    "show_measures",
    "show_nearest_neighbours",
]
