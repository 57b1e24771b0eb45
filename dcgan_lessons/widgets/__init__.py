"""What a notebook draws: image and sample plots, the toy GAN's stepper, the explorers (GAN, transposed
convolution, latent space), and the plots of measures and of lesson 07's runs. A top layer: nothing
else in the package imports it.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "plots": (
            "show_images",
            "show_toy_samples",
        ),
        "toy_plots": (
            "show_gan_1d",
            "show_gan_2d",
            "show_losses",
            "show_modes_over_time",
        ),
        "stepper": (
            "ToyGANStepper",
            "snapshots",
            "train_live",
        ),
        "gan_explorer": ("GANExplorer",),
        "conv_explorer": (
            "conv_transpose_explorer",
            "draw_transpose_connections",
        ),
        "latent_explorer": (
            "draw_latent_directions",
            "random_directions",
            "save_walk_gif",
        ),
        "measure_plots": (
            "show_class_histograms",
            "show_measures",
            "show_nearest_neighbours",
        ),
        "stable_plots": (
            "show_ring_comparison",
            "show_run_curves",
            "show_stabiliser_comparison",
        ),
    },
)
