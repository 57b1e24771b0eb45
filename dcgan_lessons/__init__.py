"""DCGAN Lessons: the helper package the course's notebooks import.

Folders by concern, each importing only from the layers below it (README.md in this folder draws them):

    grading/   widgets/   authoring/      the grader; what notebooks draw; building the lessons
    exercises/                            every lesson's exercises, and `check`
    toy/   evaluate/                      toy GANs on points; measuring a generator
    dcgan/                                the DCGAN: networks, model, training loop
    losses/   conv/   runs/               GAN objectives; convolution; a run on disk
    course/                               profiles, environment, data, images, the check engine

This file only re-exports the names lessons use, so `import dcgan_lessons` is fast (TensorFlow and Keras
load only when a helper needs them). Its one side effect: TensorFlow's first import, whoever makes it,
keeps its C++ start-up lines off the screen (see course/quiet_start.py).
"""

from ._moved import MOVED as _MOVED
from ._moved import install as _keep_old_paths
from .conv.arithmetic import (
    conv_output_size,
    conv_padding,
    conv_transpose_cropping,
    conv_transpose_output_size,
    conv_transpose_taps,
    effective_kernel_size,
)
from .conv.checkerboard import checkerboard_strength
from .conv.numpy_reference import (
    conv2d,
    conv2d_transpose,
    conv2d_transpose_direct,
    conv_matrix,
    overlap_map,
    zero_insert,
)
from .course.checking import run_check
from .course.data import (
    DATASETS,
    DatasetUnavailableError,
    ImageDataset,
    load_dataset,
    scale_images,
    unscale_images,
)
from .course.environment import accelerators, environment_report, is_colab, set_seed
from .course.images import image_grid
from .course.profiles import PROFILES, Profile, get_profile
from .course.quiet_start import install as _quiet_tensorflow_start
from .evaluate.latent import attribute_direction, interpolate, latent_arithmetic, latent_walk, lerp, slerp
from .evaluate.measures import (
    Evaluator,
    class_histogram,
    classes_covered,
    confident_share,
    inception_score,
    make_evaluator,
    memorisation_ratio,
    nearest_neighbour_distances,
)
from .evaluate.quality import frechet_distance
from .exercises import all_exercises, check, get_exercise, lesson_exercises
from .grading.score import show_score
from .losses.minimax import (
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
from .losses.stabilisers import (
    critic_loss,
    gradient_penalty,
    hinge_losses,
    power_iteration_step,
    wasserstein_1d,
)
from .toy.collapse import collapse_experiment, describe_experiment
from .toy.distributions import (
    grid_centers,
    mixture_1d_pdf,
    ring_centers,
    sample_grid,
    sample_mixture_1d,
    sample_ring,
)
from .toy.gan_1d import ToyGAN, alternating_step
from .toy.gan_2d import GAN2D, GAN2DConfig, generator_pull
from .toy.mode_coverage import ModeCoverage, count_mode_hops, mode_coverage, mode_coverage_report
from .widgets.conv_explorer import conv_transpose_explorer, draw_transpose_connections
from .widgets.gan_explorer import GANExplorer
from .widgets.latent_explorer import draw_latent_directions, latent_explorer, random_directions, save_walk_gif
from .widgets.measure_plots import show_class_histograms, show_measures, show_nearest_neighbours
from .widgets.plots import show_images, show_toy_samples
from .widgets.stepper import ToyGANStepper, snapshots, train_live
from .widgets.toy_plots import show_gan_1d, show_gan_2d, show_losses, show_modes_over_time

# No module above imports TensorFlow, so this comes before its first import.
_quiet_tensorflow_start()
_keep_old_paths()  # 0.1's flat module paths, until 0.2 (see _moved.py)

__version__ = "0.1.0"

# Names whose modules load Keras (and so TensorFlow or JAX): imported on first use, so that
# `import dcgan_lessons` stays fast for the build, the grader and lessons that do not need them.
_LAZY = {
    "DCGAN": "dcgan.model",
    "build_generator": "dcgan.architecture",
    "build_discriminator": "dcgan.architecture",
    "generator_block": "dcgan.architecture",
    "discriminator_block": "dcgan.architecture",
    "architecture_summary": "dcgan.architecture",
    "train_step": "dcgan.gan_step",
    "RunConfig": "dcgan.config",
    "train_dcgan": "dcgan.training",
    "TrainingDiverged": "dcgan.training",
    "load_or_train_classifier": "evaluate.classifier",
    "EpochMeasures": "dcgan.epoch_measures",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _MOVED:  # `dcgan_lessons.training` after `import dcgan_lessons`: 0.1's path, with its warning
        import importlib
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(f".{name}", __name__)
        for warning in caught:  # said again from here, so it names the caller's line, not importlib's
            warnings.warn(warning.message, warning.category, stacklevel=2)
        return module
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
