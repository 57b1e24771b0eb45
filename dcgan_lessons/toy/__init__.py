"""Toy GANs on numbers and points (lessons 01 and 07): the toy distributions, the 1-D and 2-D GANs,
counting the modes a generator covers, the mode-collapse experiment, and the stabilisers on the ring.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "distributions": (
            "grid_centers",
            "mixture_1d_pdf",
            "ring_centers",
            "sample_grid",
            "sample_mixture_1d",
            "sample_ring",
        ),
        "gan_1d": (
            "ToyGAN",
            "alternating_step",
            "fit_discriminator",
        ),
        "gan_2d": (
            "GAN2D",
            "GAN2DConfig",
            "generator_pull",
        ),
        "mode_coverage": (
            "ModeCoverage",
            "count_mode_hops",
            "mode_coverage_report",
        ),
        "collapse": (
            "collapse_experiment",
            "describe_experiment",
        ),
        "ring_comparison": ("compare_on_ring",),
    },
)
