"""The size formulas of lesson 03 agree with Keras (TensorFlow backend) on grids of cases, and reject
impossible combinations with a clear error instead of returning a wrong number."""

import itertools

import numpy as np
import pytest

from dcgan_lessons.conv.arithmetic import (
    conv_output_size,
    conv_padding,
    conv_transpose_cropping,
    conv_transpose_output_size,
    conv_transpose_taps,
    effective_kernel_size,
)

keras = pytest.importorskip("keras")


def _keras_length(op, size, kernel_size, **kwargs):
    """Run a 1-D keras.ops convolution on a tiny input and return its output length, or None if it fails."""
    inputs = np.ones((1, size, 1), dtype="float32")
    kernel = np.ones((kernel_size, 1, 1), dtype="float32")
    try:
        return int(op(inputs, kernel, **kwargs).shape[1])
    except Exception:  # noqa: BLE001 - Keras and TensorFlow raise several kinds of error here
        return None


def _ours(function, *args):
    try:
        return function(*args)
    except ValueError:
        return None


TRANSPOSE_GRID = list(
    itertools.product(range(1, 7), range(1, 6), range(1, 4), ("valid", "same"), (None, 0, 1, 2), (1,))
) + list(itertools.product(range(1, 5), (2, 3), (1, 2), ("valid", "same"), (None, 0, 1), (2,)))


def _keras_transposed_length(size, kernel, stride, padding, extra, dilation):
    """What Keras makes of one case: its output length, or None where Keras refuses it.

    Two refusals are Keras's layer, not the op: `keras.ops.conv_transpose` accepts output_padding >= stride
    when TensorFlow happens to find the size consistent, while `Conv1DTranspose` rejects it; and the op
    returns an empty output (length 0) where the size formula gives 0.
    """
    if extra is not None and extra >= stride:
        with pytest.raises(ValueError, match="output_padding"):
            keras.layers.Conv1DTranspose(1, kernel, strides=stride, padding=padding, output_padding=extra)
        return None
    length = _keras_length(
        keras.ops.conv_transpose,
        size,
        kernel,
        strides=stride,
        padding=padding,
        output_padding=extra,
        dilation_rate=dilation,
    )
    return length or None


def test_transposed_sizes_agree_with_keras_on_a_grid():
    assert len(TRANSPOSE_GRID) >= 500
    mismatches, rejected = [], 0
    for case in TRANSPOSE_GRID:
        want = _keras_transposed_length(*case)
        got = _ours(conv_transpose_output_size, *case)
        rejected += got is None
        if got != want:
            mismatches.append((case, want, got))
    assert not mismatches, f"{len(mismatches)} of {len(TRANSPOSE_GRID)} differ, e.g. {mismatches[:5]}"
    assert rejected > 50  # the grid does contain impossible combinations, and both sides refuse them


# keras.ops.conv refuses stride > 1 together with dilation > 1, so dilated cases use stride 1.
CONV_GRID = list(itertools.product(range(1, 13), range(1, 7), range(1, 4), ("valid", "same"), (1,))) + list(
    itertools.product(range(1, 13), range(1, 7), (1,), ("valid", "same"), (2, 3))
)


def test_conv_sizes_agree_with_keras_on_a_grid():
    assert len(CONV_GRID) >= 500
    mismatches = []
    for size, kernel, stride, padding, dilation in CONV_GRID:
        got = _ours(conv_output_size, size, kernel, stride, padding, dilation)
        if got is None:
            # TensorFlow's CPU kernel does not always refuse a dilated kernel wider than the input (it can
            # return uninitialised memory), so the refusal is compared with Keras's shape inference.
            symbolic = keras.KerasTensor((1, size, 1))
            with pytest.raises(ValueError):
                keras.ops.conv(
                    symbolic, np.ones((kernel, 1, 1), "float32"), padding=padding, dilation_rate=dilation
                )
            continue
        want = _keras_length(
            keras.ops.conv, size, kernel, strides=stride, padding=padding, dilation_rate=dilation
        )
        if got != want:
            mismatches.append(((size, kernel, stride, padding, dilation), want, got))
    assert not mismatches, f"{len(mismatches)} of {len(CONV_GRID)} differ, e.g. {mismatches[:5]}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, 3, 2, 1), 3),  # Dumoulin & Visin's example
        ((28, 5, 2, "same"), 14),
        ((28, 5, 2, "valid"), 12),
        ((7, 3, 2, "same"), 4),
        ((7, 3, 1, "valid", 2), 3),  # dilation 2: the kernel spans 5 cells
        ((5, 5, 1, 0), 1),
    ],
)
def test_conv_output_size_worked_examples(args, expected):
    assert conv_output_size(*args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((7, 5, 2, "same"), 14),
        ((7, 3, 2, "valid"), 15),
        ((1, 4, 1, "valid"), 4),
        ((7, 3, 2, "same", 0), 13),
        ((7, 5, 1, "same"), 7),  # the TF tutorial generator: 7 -> 7 -> 14 -> 28
        ((14, 5, 2, "same"), 28),
        ((3, 1, 2, "valid"), 6),  # a kernel smaller than the stride: output_padding defaults to 1
        ((4, 3, 2, 1, 1), 8),  # integer padding (PyTorch): 2*3 + 3 - 2 + 1
    ],
)
def test_conv_transpose_output_size_worked_examples(args, expected):
    assert conv_transpose_output_size(*args) == expected


def test_same_padding_puts_the_odd_zero_after():
    assert conv_padding(6, 3, 2, "same") == (0, 1)
    assert conv_padding(7, 4, 1, "same") == (1, 2)
    assert conv_padding(5, 3, 1, "same") == (1, 1)
    assert conv_padding(8, 1, 2, "same") == (0, 0)
    # Keras on [1..6] with kernel [1, 1, 1], stride 2: windows [1,2,3], [3,4,5], [5,6,0].
    out = keras.ops.conv(
        np.arange(1, 7, dtype="float32").reshape(1, 6, 1), np.ones((3, 1, 1), "float32"), 2, "same"
    )
    np.testing.assert_allclose(np.ravel(out), [6, 12, 11])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((7, 3, 2, "same", 2), "output_padding must be smaller than the stride (2), got 2"),
        ((7, 3, 2, "valid", 3), "smaller than the stride"),
        ((5, 3, 1, "valid", 1), "smaller than the stride (1)"),
        ((7, 4, 2, "same", 0), "even kernel needs output_padding >= 1"),
        ((2, 3, 1, 3), "No output"),
        ((7, 3, 2, "full"), "'valid', 'same' or an integer"),
        ((0, 3, 2, "same"), "input_size must be >= 1, got 0"),
    ],
)
def test_impossible_transposed_sizes_raise_a_clear_error(args, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        conv_transpose_output_size(*args)


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((3, 5, 1, "valid"), ValueError, "kernel spans 5 cells .* the input has only 3"),
        ((4, 3, 1, "valid", 2), ValueError, "kernel spans 5 cells"),
        ((4, 3, 0, "valid"), ValueError, "stride must be >= 1"),
        ((4.0, 3), TypeError, "input_size must be an integer, got float"),
        ((4, 3, 1, None), TypeError, "padding must be 'valid', 'same' or an integer"),
        ((4, 3, 1, -1), ValueError, "padding must be >= 0"),
    ],
)
def test_impossible_conv_sizes_raise_a_clear_error(args, error, words):
    with pytest.raises(error, match=words):
        conv_output_size(*args)


def test_cropping_and_taps_describe_the_scatter():
    assert effective_kernel_size(3, 2) == 5
    assert conv_transpose_cropping(7, 5, 2, "same") == (1, 2)  # full 17 cells, keep 14 from the 2nd
    assert conv_transpose_cropping(3, 1, 2, "valid") == (0, -1)  # one zero cell appended
    taps = conv_transpose_taps(2, 3, 2)  # [1, 10] * [1, 2, 3], stride 2
    assert taps == [(0, 0, 0), (0, 1, 1), (0, 2, 2), (1, 0, 2), (1, 1, 3), (1, 2, 4)]
