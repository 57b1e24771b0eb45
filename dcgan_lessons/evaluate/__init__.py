"""How good a generator is (lesson 06): the digit classifier, the measures built on it (classes
covered, confident share, memorisation, Inception score), the Fréchet distance, and walks through the
latent space.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "classifier": ("load_or_train_classifier",),
        "measures": (
            "Evaluator",
            "class_histogram",
            "classes_covered",
            "confident_share",
            "inception_score",
            "make_evaluator",
            "memorisation_ratio",
            "nearest_neighbour_distances",
        ),
        "quality": (
            "PCAFeatures",
            "frechet_distance",
        ),
        "latent": (
            "attribute_direction",
            "interpolate",
            "latent_arithmetic",
            "latent_walk",
            "lerp",
            "slerp",
        ),
    },
)
