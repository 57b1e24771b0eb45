"""Lesson 00's warm-up exercises: scaling uint8 images to the generator's [-1, 1] range and back."""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Mistake
from ..course.data import scale_images, unscale_images

_rng = np.random.default_rng(0)  # fixed cases: the same for every learner and every run
_u8 = np.uint8


def _pixels(values, shape):
    return np.array(values, dtype=_u8).reshape(shape)


SCALE_IMAGES = Exercise(
    id="00.scale_images",
    title="scale uint8 images to [-1, 1]",
    reference=scale_images,
    check_dtype=True,
    public=[
        Case(
            "pixels 0, 127, 128, 255 in one 2x2 image",
            args=(_pixels([0, 127, 128, 255], (1, 2, 2, 1)),),
            # 0 -> -1 and 255 -> 1; the middle values land just either side of 0 (±1/255).
            expected=np.array([-1.0, -1 / 255, 1 / 255, 1.0], dtype=np.float32).reshape(1, 2, 2, 1),
        ),
        Case(
            "a batch of 3 random 8x8 grayscale images", args=(_rng.integers(0, 256, (3, 8, 8, 1), dtype=_u8),)
        ),
    ],
    hidden=[
        Case("all 256 pixel values", args=(np.arange(256, dtype=_u8).reshape(1, 16, 16, 1),)),
        Case("colour images", args=(_rng.integers(0, 256, (2, 5, 5, 3), dtype=_u8),)),
        Case("an all-black image", args=(np.zeros((1, 4, 4, 1), dtype=_u8),)),
    ],
    mistakes=[
        Mistake(
            "divides by 255 only",
            lambda images: images.astype(np.float32) / 255.0,
            "your values lie in [0, 1]. The generator ends in tanh, whose outputs lie in [-1, 1], so real "
            "images must use the same range: after scaling to [0, 2], shift down by 1.",
        ),
        Mistake(
            "forgets to subtract 1",
            lambda images: images.astype(np.float32) / 127.5,
            "your values lie in [0, 2]: the scaling is right, the shift is missing.",
        ),
        Mistake(
            "divides by 128",
            lambda images: images.astype(np.float32) / 128.0 - 1.0,
            "255 should map to exactly 1, and yours maps to 0.992: divide by half of 255.",
        ),
        Mistake(
            "centres on 0 but halves the range",
            lambda images: (images.astype(np.float32) - 127.5) / 255.0,
            "your values lie in [-0.5, 0.5]: the centre is right, the range is half as wide as it should be.",
        ),
        Mistake(
            "keeps NumPy's float64",
            lambda images: images / 127.5 - 1.0,
            "the values are right but the dtype is float64: NumPy turns uint8 / float into float64. "
            "Convert with .astype('float32') first; Keras computes in float32, and float64 doubles "
            "the memory.",
        ),
    ],
)

# Inputs as a generator's tanh produces them: anywhere in [-1, 1], not only on the 256 levels.
_TANH_LEVELS = np.array([-1.0, -0.5, 0.0, 0.5, 0.999, 1.0], dtype=np.float32).reshape(1, 2, 3, 1)

UNSCALE_IMAGES = Exercise(
    id="00.unscale_images",
    title="map [-1, 1] images back to uint8",
    reference=unscale_images,
    check_dtype=True,
    public=[
        Case(
            "values -1, -0.5, 0, 0.5, 0.999, 1",
            args=(_TANH_LEVELS,),
            # (x + 1) * 127.5 = 0, 63.75, 127.5, 191.25, 254.87, 255, rounded to the nearest integer
            # (NumPy rounds the tie 127.5 to the even 128).
            expected=np.array([0, 64, 128, 191, 255, 255], dtype=_u8).reshape(1, 2, 3, 1),
        ),
        Case(
            "a batch of 2 random 6x6 images in [-1, 1]",
            args=(_rng.uniform(-1, 1, (2, 6, 6, 1)).astype(np.float32),),
        ),
        Case(
            "values a hair outside [-1, 1] (float rounding), and the ends",
            args=(np.array([-1.0009, -1.0, 1.0, 1.0009], dtype=np.float32).reshape(1, 2, 2, 1),),
            expected=np.array([0, 0, 255, 255], dtype=_u8).reshape(1, 2, 2, 1),
        ),
    ],
    hidden=[
        Case(
            "round trip of all 256 pixel values",
            args=(scale_images(np.arange(256, dtype=_u8).reshape(1, 16, 16, 1)),),
            expected=np.arange(256, dtype=_u8).reshape(1, 16, 16, 1),
        ),
        Case("colour images", args=(_rng.uniform(-1, 1, (3, 4, 4, 3)).astype(np.float32),)),
        Case("float64 input", args=(_rng.uniform(-1, 1, (1, 3, 3, 1)),)),
    ],
    mistakes=[
        Mistake(
            "truncates instead of rounding",
            lambda images: ((images + 1.0) * 127.5).astype(np.uint8),
            "some values are 1 too small: astype('uint8') cuts off the fraction, so 254.87 becomes 254. "
            "Round to the nearest integer first (np.rint).",
        ),
        Mistake(
            "returns floats",
            lambda images: np.rint((images + 1.0) * 127.5),
            "the values are right but the dtype is not uint8: images on disk and in PIL are uint8; "
            "finish with .astype('uint8').",
        ),
        Mistake(
            "forgets to add 1",
            lambda images: np.rint(images * 127.5).astype(np.uint8),
            "negative inputs came back as large numbers: uint8 cannot hold negatives and wraps around. "
            "Shift [-1, 1] to [0, 2] before scaling.",
        ),
        Mistake(
            "multiplies by 255",
            lambda images: np.rint(np.clip(images, 0, 1) * 255).astype(np.uint8),
            "half of the range went missing: the input lies in [-1, 1], not [0, 1].",
        ),
    ],
)

EXERCISES = [SCALE_IMAGES, UNSCALE_IMAGES]
