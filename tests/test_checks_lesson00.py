"""Lesson 00's checks against learner-style answers: wrong ones fail a public case, other right ones pass."""

import numpy as np
import pytest
from learner_answers import cases, fails_publicly, ids, passes_everything

# --- 00.scale_images: wrong ---------------------------------------------------------------------------


def scale_minus_half(images):  # centres the range but maps 0 to -0.5
    return images.astype("float32") / 255 - 0.5


def scale_float16(images):  # right values, a dtype Keras does not expect
    return (images / 127.5 - 1).astype("float16")


def scale_in_place_uint8(images):  # the arithmetic stays in uint8 and wraps around
    return (images * 2 // 255 - 1).astype("float32")


def scale_255_over_2_int(images):  # integer halving: 255 // 2 = 127
    return images.astype("float32") / (255 // 2) - 1


# --- 00.scale_images: right ---------------------------------------------------------------------------


def scale_with_interp(images):
    return np.interp(images, [0, 255], [-1, 1]).astype(np.float32)


def scale_two_steps(images):
    x = images.astype(np.float32) / 255.0
    return x * 2.0 - 1.0


def scale_centre_first(images):
    return (images.astype(np.float32) - 127.5) / 127.5


# --- 00.unscale_images: wrong -------------------------------------------------------------------------


def unscale_round_half_up_wrongly(images):  # adds 0.5 then truncates... after a float16 cast
    return ((images.astype("float16") + 1) * 127.5 + 0.5).astype("uint8")


def unscale_int64(images):  # right values, but int64 instead of uint8
    return np.rint((images + 1) * 127.5).astype(np.int64)


def unscale_times_128(images):
    return np.rint(np.clip((images + 1) * 128, 0, 255)).astype(np.uint8)


def unscale_floor(images):
    return np.floor((images + 1) * 127.5).astype(np.uint8)


# --- 00.unscale_images: right -------------------------------------------------------------------------


def unscale_clip_output(images):
    return np.clip(np.round((images + 1) * 255 / 2), 0, 255).astype(np.uint8)


def unscale_clip_input(images):
    images = np.clip(images, -1, 1)
    return np.rint(images * 127.5 + 127.5).astype("uint8")


WRONG = {
    "00.scale_images": [scale_minus_half, scale_float16, scale_in_place_uint8, scale_255_over_2_int],
    "00.unscale_images": [unscale_round_half_up_wrongly, unscale_int64, unscale_times_128, unscale_floor],
}
RIGHT = {
    "00.scale_images": [scale_with_interp, scale_two_steps, scale_centre_first],
    "00.unscale_images": [unscale_clip_output, unscale_clip_input],
}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)
