"""A quick, offline measure of sample quality: the Fréchet distance between feature statistics.

FD = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)) between Gaussians fitted to two sets of
features (the formula behind FID). FID uses Inception features, which would need a download; here the
features are a PCA of the real training images, fitted once: cheap, deterministic, and enough to tell
digits from noise and to watch a run improve. Lesson 06 adds classifier features and more measures.
"""

from __future__ import annotations

import numpy as np

from ..course.validation import as_array, require_int


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted to two (samples, features) arrays. 0 for identical sets."""
    from scipy import linalg

    a = as_array(features_a, "features_a").astype(np.float64)
    b = as_array(features_b, "features_b").astype(np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(
            f"expected two (samples, features) arrays with equal widths, got {a.shape} and {b.shape}."
        )
    if min(len(a), len(b)) < 2:
        raise ValueError(f"expected at least 2 samples in each set, got {len(a)} and {len(b)}.")
    for name, features in (("features_a", a), ("features_b", b)):
        bad = ~np.isfinite(features).all(axis=1)
        if bad.any():
            raise ValueError(
                f"{name}: expected finite features, got NaN or infinite values in {int(bad.sum())} of "
                f"{len(features)} rows (a generator whose training diverged makes such images)."
            )
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root = linalg.sqrtm(cov_a @ cov_b).real  # tiny imaginary parts are round-off
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


class PCAFeatures:
    """Features for the Fréchet distance: a PCA of real images (fitted once, on real data only)."""

    def __init__(self, real_images, components: int = 20):
        real = self._flat(real_images)
        components = require_int(components, "components", minimum=1)
        self.mean = real.mean(axis=0)
        _, _, vt = np.linalg.svd(real - self.mean, full_matrices=False)
        self.basis = vt[:components].T  # (pixels, components)
        self.real_features = self(real_images)

    @staticmethod
    def _flat(images) -> np.ndarray:
        images = as_array(images, "images").astype(np.float64)
        return images.reshape(len(images), -1)

    def __call__(self, images) -> np.ndarray:
        flat = self._flat(images)
        if flat.shape[1] != len(self.mean):
            raise ValueError(f"images: expected {len(self.mean)} pixels each, got {flat.shape[1]}.")
        return (flat - self.mean) @ self.basis

    def distance(self, images) -> float:
        """Fréchet distance from these images to the real images the features were fitted on."""
        return frechet_distance(self.real_features, self(images))
