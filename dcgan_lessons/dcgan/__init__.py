"""The DCGAN: its networks, the training step and model, a run's settings, the resumable training
loop with its live view and per-epoch measures, the loop that keeps the data on the device, lesson 07's
stabilised GAN, and the blog posts' version for comparison.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "architecture": (
            "architecture_summary",
            "build_discriminator",
            "build_generator",
            "discriminator_block",
            "generator_block",
            "upsampling_plan",
        ),
        "gan_step": ("train_step",),
        "model": ("DCGAN",),
        "config": (
            "RunConfig",
            "stable_config",
        ),
        "training": (
            "TrainedRun",
            "TrainingDiverged",
            "make_gan",
            "train_dcgan",
        ),
        "sampling": (
            "fixed_noise",
            "generate",
        ),
        "devices": ("available_devices",),
        "run_loading": (
            "load_run",
            "newest_run",
        ),
        "stable_gan": (
            "StableGAN",
            "make_stable_gan",
        ),
        "epoch_measures": ("EpochMeasures",),
        "live": ("LiveProgress",),
        "learner_model": ("LessonDCGAN",),
        "articles": (
            "article_discriminator",
            "article_generator",
        ),
    },
)
