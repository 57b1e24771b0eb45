"""The GAN objectives: the minimax game and its cross-entropy losses (lessons 01, 02 and 05), and the
stabilised ones of lesson 07 (Wasserstein with gradient penalty, hinge, spectral norm's power iteration).
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "minimax": (
            "LOG_4",
            "bce_from_logits",
            "discriminator_accuracy",
            "discriminator_loss",
            "generator_loss",
            "histogram_jsd",
            "jensen_shannon",
            "naive_bce",
            "optimal_discriminator",
            "saturating_generator_loss",
            "smoothed_discriminator_loss",
            "value_function",
        ),
        "stabilisers": (
            "LOSSES",
            "critic_loss",
            "gradient_penalty",
            "hinge_losses",
            "optimizer_defaults",
            "point_mass_distances",
            "power_iteration_step",
            "wasserstein_1d",
        ),
    },
)
