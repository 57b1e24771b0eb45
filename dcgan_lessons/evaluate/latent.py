"""Moving through a generator's latent space (lesson 06): interpolation, walks and arithmetic.

Noise vectors z ~ N(0, I) in d dimensions concentrate near the sphere of radius sqrt(d): almost none
lie near the origin. A straight line between two of them (`lerp`) dips through the low-norm middle,
where the generator saw no training noise; spherical interpolation (`slerp`) follows the great circle
and keeps the norm, which is why DCGAN-era work (White 2016, "Sampling generative networks") prefers it.
"""

from __future__ import annotations

import numpy as np

from ..course.validation import as_array, require_int

_PARALLEL = 1e-6  # below this angle (radians) slerp falls back to lerp: sin(angle) is ~0


def _pair(z0, z1) -> tuple[np.ndarray, np.ndarray]:
    a, b = as_array(z0, "z0").astype(np.float64), as_array(z1, "z1").astype(np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"z0 and z1: expected two vectors of the same length, got {a.shape} and {b.shape}.")
    return a, b


def _fractions(t) -> tuple[np.ndarray, bool]:
    t = as_array(t, "t").astype(np.float64)
    if t.ndim > 1:
        raise ValueError(f"t: expected a number or a 1-D array of fractions, got shape {t.shape}.")
    return np.atleast_1d(t)[:, None], t.ndim == 0  # (steps, 1), and whether to return one vector


def lerp(z0, z1, t) -> np.ndarray:
    """Linear interpolation (1 - t) z0 + t z1: a vector for a number t, (len(t), d) for an array."""
    a, b = _pair(z0, z1)
    t, single = _fractions(t)
    out = (1.0 - t) * a + t * b
    return out[0] if single else out


def slerp(z0, z1, t) -> np.ndarray:
    """Spherical interpolation along the great circle from z0 to z1. Lesson 06 writes it.

    With omega the angle between z0 and z1: sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1.
    Nearly parallel vectors (sin(omega) ~ 0) fall back to `lerp`. A vector for a number t, (len(t), d) for
    an array of fractions.
    """
    a, b = _pair(z0, z1)
    t, single = _fractions(t)
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < _PARALLEL:
        out = (1.0 - t) * a + t * b
    else:
        out = (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    return out[0] if single else out


def interpolate(z0, z1, steps: int, method: str = "slerp") -> np.ndarray:
    """`steps` latent vectors from z0 to z1 (both ends included), as float32 (steps, d)."""
    steps = require_int(steps, "steps", minimum=2)
    if method not in ("slerp", "lerp"):
        raise ValueError(f"method: expected 'slerp' or 'lerp', got {method!r}.")
    path = (slerp if method == "slerp" else lerp)(z0, z1, np.linspace(0.0, 1.0, steps))
    return path.astype(np.float32)


def latent_walk(keypoints, steps_between: int = 8, *, loop: bool = True) -> np.ndarray:
    """Frames of a walk through `keypoints` (k, d) by slerp, `steps_between` per leg; closes the loop.

    Each leg leaves out its end point (the next leg starts there), so no frame repeats.
    """
    keys = as_array(keypoints, "keypoints").astype(np.float64)
    if keys.ndim != 2 or len(keys) < 2:
        raise ValueError(f"keypoints: expected at least 2 vectors, shape (k, d), got shape {keys.shape}.")
    steps_between = require_int(steps_between, "steps_between", minimum=1)
    ends = [*keys, keys[0]] if loop else list(keys)
    fractions = np.arange(steps_between) / steps_between
    legs = [slerp(a, b, fractions) for a, b in zip(ends[:-1], ends[1:], strict=True)]
    frames = np.concatenate(legs) if loop else np.concatenate([*legs, keys[-1:]])
    return frames.astype(np.float32)


def latent_arithmetic(a, b, c) -> np.ndarray:
    """mean(a) - mean(b) + mean(c) over groups of latent vectors, each (n_i, d) or one (d,) vector.

    Radford et al. averaged three examples per concept ("smiling woman" - "neutral woman" + "neutral
    man"): single vectors carry too much of their own image besides the concept.
    """
    means = []
    for name, group in (("a", a), ("b", b), ("c", c)):
        group = np.atleast_2d(as_array(group, name).astype(np.float64))
        if group.ndim != 2 or len(group) == 0:
            raise ValueError(f"{name}: expected latent vectors of shape (n, d) or (d,), got {group.shape}.")
        means.append(group.mean(axis=0))
    if len({m.shape for m in means}) != 1:
        raise ValueError(f"a, b, c: latent vectors of different lengths {[m.shape for m in means]}.")
    return (means[0] - means[1] + means[2]).astype(np.float32)


def attribute_direction(noise, scores, fraction: float = 0.2) -> np.ndarray:
    """A latent direction for a property: mean z of the top `fraction` by score minus that of the bottom.

    E.g. `scores` = ink per generated image gives a "bolder strokes" direction. Unit length, float32 (d,).
    """
    noise = as_array(noise, "noise").astype(np.float64)
    scores = as_array(scores, "scores").astype(np.float64)
    if noise.ndim != 2 or scores.shape != (len(noise),):
        raise ValueError(
            f"expected noise (n, d) and one score per row, got {noise.shape} and {scores.shape}."
        )
    if not 0 < fraction <= 0.5:
        raise ValueError(f"fraction: expected a number in (0, 0.5], got {fraction!r}.")
    count = max(1, int(round(fraction * len(noise))))
    order = np.argsort(scores)
    direction = noise[order[-count:]].mean(axis=0) - noise[order[:count]].mean(axis=0)
    return (direction / np.linalg.norm(direction)).astype(np.float32)
