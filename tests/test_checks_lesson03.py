"""Lesson 03's checks against learner-style answers: wrong ones fail a public case, other right ones pass.

Several wrong answers here are the Keras conventions the lesson teaches, got slightly wrong: symmetric
'same' padding, even kernels, cropping a transposed convolution from the end only, float sizes.
"""

import math

import numpy as np
import pytest
from learner_answers import cases, fails_publicly, ids, passes_everything

from dcgan_lessons.conv.arithmetic import conv_padding
from dcgan_lessons.conv.numpy_reference import conv2d as course_conv2d

# --- 03.conv_output_size --------------------------------------------------------------------------------


def size_same_as_half_kernel_padding(input_size, kernel_size, stride=1, padding="valid"):
    pad = kernel_size // 2 if padding == "same" else (0 if padding == "valid" else padding)
    return (input_size + 2 * pad - kernel_size) // stride + 1


def size_as_float(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return np.ceil(input_size / stride)
    pad = 0 if padding == "valid" else padding
    return np.floor((input_size + 2 * pad - kernel_size) / stride) + 1


def size_same_ignores_stride(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return input_size
    pad = 0 if padding == "valid" else padding
    return (input_size + 2 * pad - kernel_size) // stride + 1


def size_rounds_up(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(input_size / stride)
    pad = 0 if padding == "valid" else padding
    return math.ceil((input_size + 2 * pad - kernel_size) / stride) + 1


def size_negative_floor_division(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return -(-input_size // stride)
    pad = {"valid": 0}.get(padding, padding)
    return math.floor((input_size + 2 * pad - kernel_size) / stride) + 1


def size_by_counting_positions(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return len(range(0, input_size, stride))
    pad = 0 if padding == "valid" else int(padding)
    return len(range(0, input_size + 2 * pad - kernel_size + 1, stride))


# --- 03.conv_transpose_output_size ----------------------------------------------------------------------


def tsize_valid_max_even_with_padding(
    input_size, kernel_size, stride=1, padding="valid", output_padding=None
):
    i, k, s, a = input_size, kernel_size, stride, output_padding
    if padding == "same":
        return i * s if a is None else s * (i - 1) + k % 2 + a
    return s * (i - 1) + max(k, s) + (a or 0)


def tsize_same_adds_output_padding(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    i, k, s, a = input_size, kernel_size, stride, output_padding
    if padding == "same":
        return i * s + (a or 0)
    return s * (i - 1) + (max(k, s) if a is None else k + a)


def tsize_same_like_valid(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    i, k, s, a = input_size, kernel_size, stride, output_padding
    if padding == "same" and a is not None:
        return s * (i - 1) + k % 2 + a
    return s * (i - 1) + (max(k, s) if a is None else k + a)


def tsize_pytorch_style(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    i, k, s, a = input_size, kernel_size, stride, output_padding
    if padding == "same":
        if a is None:
            return i * s
        return (i - 1) * s - 2 * (k // 2) + k + a  # k - 2 (k // 2) is k mod 2
    if a is None:
        a = max(0, s - k)
    return (i - 1) * s + k + a


def tsize_table(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    i, k, s, a = input_size, kernel_size, stride, output_padding
    rules = {
        ("valid", True): lambda: s * (i - 1) + max(k, s),
        ("valid", False): lambda: s * (i - 1) + k + a,
        ("same", True): lambda: i * s,
        ("same", False): lambda: s * (i - 1) + (k % 2) + a,
    }
    return rules[padding, a is None]()


# --- 03.conv2d ------------------------------------------------------------------------------------------


def _windows_conv(x, kernel, stride, pads):
    x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw = kernel.shape[:2]
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, kernel.shape[3]))
    for p in range(out_h):
        for q in range(out_w):
            window = x[:, p * stride : p * stride + kh, q * stride : q * stride + kw]
            y[:, p, q] = np.tensordot(window, kernel, axes=3)
    return y


def conv_symmetric_same(x, kernel, stride=1, padding="valid"):  # (k - 1) // 2 zeros on both sides
    pads = [((k - 1) // 2, (k - 1) // 2) if padding == "same" else (0, 0) for k in kernel.shape[:2]]
    return _windows_conv(x, kernel, stride, pads)


def conv_half_kernel_same(x, kernel, stride=1, padding="valid"):  # k // 2 zeros on both sides
    pads = [(k // 2, k // 2) if padding == "same" else (0, 0) for k in kernel.shape[:2]]
    return _windows_conv(x, kernel, stride, pads)


def conv_stride_one_padding(x, kernel, stride=1, padding="valid"):  # 'same' padding worked out for stride 1
    pads = [conv_padding(x.shape[1 + a], kernel.shape[a], 1, padding) for a in range(2)]
    return _windows_conv(x, kernel, stride, pads)


def conv_sums_channels_away(x, kernel, stride=1, padding="valid"):  # one output channel per input channel
    pads = [conv_padding(x.shape[1 + a], kernel.shape[a], stride, padding) for a in range(2)]
    return _windows_conv(x, kernel[:, :, :, : x.shape[3]].sum(axis=3, keepdims=True), stride, pads)


def conv_subsampled(x, kernel, stride=1, padding="valid"):  # stride-1 convolution, then every s-th cell
    pads = [conv_padding(x.shape[1 + a], kernel.shape[a], stride, padding) for a in range(2)]
    return _windows_conv(x, kernel, 1, pads)[:, ::stride, ::stride]


def conv_with_sliding_windows(x, kernel, stride=1, padding="valid"):
    kh, kw = kernel.shape[:2]
    rows = conv_padding(x.shape[1], kh, stride, padding)
    cols = conv_padding(x.shape[2], kw, stride, padding)
    padded = np.pad(x, ((0, 0), rows, cols, (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))  # b, oh, ow, c, kh, kw
    return np.einsum("bpqcij,ijco->bpqo", windows[:, ::stride, ::stride], kernel)


# --- 03.conv2d_transpose --------------------------------------------------------------------------------


def _scatter(x, kernel, stride, add=True):
    (batch, height, width, _), (kh, kw, out_channels, _) = x.shape, kernel.shape
    full = np.zeros((batch, (height - 1) * stride + kh, (width - 1) * stride + kw, out_channels))
    for m in range(height):
        for n in range(width):
            block = np.einsum("bi,hwoi->bhwo", x[:, m, n], kernel)
            if add:
                full[:, m * stride : m * stride + kh, n * stride : n * stride + kw] += block
            else:
                full[:, m * stride : m * stride + kh, n * stride : n * stride + kw] = block
    return full


def _keras_size(i, k, s, padding, a):
    if padding == "same":
        return i * s if a is None else s * (i - 1) + k % 2 + a
    return s * (i - 1) + (max(k, s) if a is None else k + a)


def _crop(full, sizes, padding, end_only=False):
    y = np.zeros((full.shape[0], max(full.shape[1], sizes[0]), max(full.shape[2], sizes[1]), full.shape[3]))
    y[:, : full.shape[1], : full.shape[2]] = full
    tops = [
        0 if (padding != "same" or end_only) else max(f - o, 0) // 2
        for f, o in zip(full.shape[1:3], sizes, strict=True)
    ]
    return y[:, tops[0] : tops[0] + sizes[0], tops[1] : tops[1] + sizes[1]]


def _sizes(x, kernel, stride, padding, output_padding):
    return [_keras_size(x.shape[1 + a], kernel.shape[a], stride, padding, output_padding) for a in range(2)]


def transpose_crops_the_end(x, kernel, stride=1, padding="valid", output_padding=None):
    full = _scatter(x, kernel, stride)
    return _crop(full, _sizes(x, kernel, stride, padding, output_padding), padding, end_only=True)


def transpose_overwrites(x, kernel, stride=1, padding="valid", output_padding=None):  # = instead of +=
    full = _scatter(x, kernel, stride, add=False)
    return _crop(full, _sizes(x, kernel, stride, padding, output_padding), padding)


def transpose_size_s_times_i(x, kernel, stride=1, padding="valid", output_padding=None):
    full = _scatter(x, kernel, stride)
    sizes = [x.shape[1] * stride, x.shape[2] * stride]
    return _crop(full, sizes, padding)


def transpose_by_zero_insertion(x, kernel, stride=1, padding="valid", output_padding=None):
    batch, height, width, channels = x.shape
    kh, kw = kernel.shape[:2]
    spread = np.zeros((batch, (height - 1) * stride + 1, (width - 1) * stride + 1, channels))
    spread[:, ::stride, ::stride] = x
    padded = np.pad(spread, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    flipped = kernel[::-1, ::-1].transpose(0, 1, 3, 2)  # (kh, kw, in, out), flipped: a true convolution
    full = course_conv2d(padded.astype(np.float32), flipped.astype(np.float32))
    return _crop(full, _sizes(x, kernel, stride, padding, output_padding), padding)


def transpose_with_channel_loops(x, kernel, stride=1, padding="valid", output_padding=None):
    (batch, height, width, channels_in), (kh, kw, channels_out, _) = x.shape, kernel.shape
    full = np.zeros((batch, (height - 1) * stride + kh, (width - 1) * stride + kw, channels_out))
    for m in range(height):
        for n in range(width):
            for c_in in range(channels_in):
                for c_out in range(channels_out):
                    full[:, m * stride : m * stride + kh, n * stride : n * stride + kw, c_out] += (
                        x[:, m, n, c_in, None, None] * kernel[None, :, :, c_out, c_in]
                    )
    return _crop(full, _sizes(x, kernel, stride, padding, output_padding), padding)


# --- 03.conv_matrix -------------------------------------------------------------------------------------


def matrix_ignores_padding(kernel, input_shape, stride=1, padding="valid"):
    return matrix_by_rows(kernel, input_shape, stride, "valid")


def matrix_rows_column_major(kernel, input_shape, stride=1, padding="valid"):  # output flattened by columns
    out_h, out_w = course_conv2d(
        np.zeros((1, *input_shape, 1)), kernel[:, :, None, None], stride, padding
    ).shape[1:3]
    matrix = matrix_by_rows(kernel, input_shape, stride, padding)
    return matrix.reshape(out_h, out_w, -1).transpose(1, 0, 2).reshape(out_h * out_w, -1)


def matrix_flat_kernel(kernel, input_shape, stride=1, padding="valid"):  # a 1-D convolution of the flat image
    height, width = input_shape
    taps = kernel.ravel()
    rows = (height * width - taps.size) // stride + 1
    matrix = np.zeros((rows, height * width))
    for r in range(rows):
        matrix[r, r * stride : r * stride + taps.size] = taps
    return matrix


def matrix_by_rows(kernel, input_shape, stride=1, padding="valid"):
    height, width = input_shape
    kh, kw = kernel.shape
    (top, bottom), (left, right) = (
        conv_padding(height, kh, stride, padding),
        conv_padding(width, kw, stride, padding),
    )
    out_h = (height + top + bottom - kh) // stride + 1
    out_w = (width + left + right - kw) // stride + 1
    matrix = np.zeros((out_h * out_w, height * width))
    for p in range(out_h):
        for q in range(out_w):
            for a in range(kh):
                for c in range(kw):
                    r, s = p * stride + a - top, q * stride + c - left
                    if 0 <= r < height and 0 <= s < width:
                        matrix[p * out_w + q, r * width + s] = kernel[a, c]
    return matrix


def matrix_from_rows_of_images(kernel, input_shape, stride=1, padding="valid"):
    height, width = input_shape
    images = np.eye(height * width, dtype=np.float32).reshape(-1, height, width, 1)  # every basis image
    outputs = course_conv2d(images, kernel[:, :, None, None].astype(np.float32), stride, padding)
    return outputs.reshape(height * width, -1).T


# --- 03.overlap_map -------------------------------------------------------------------------------------


def _counts_1d(i, k, s, padding, a):
    full = np.zeros((i - 1) * s + k, dtype=int)
    for m in range(i):
        full[m * s : m * s + k] += 1
    size = _keras_size(i, k, s, padding, a)
    out = np.zeros(max(full.size, size), dtype=int)
    out[: full.size] = full
    top = max(full.size - size, 0) // 2 if padding == "same" else 0
    return out[top : top + size]


def overlap_as_floats(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    counts = _counts_1d(input_size, kernel_size, stride, padding, output_padding)
    return np.outer(counts, counts).astype(float)


def overlap_crops_the_end(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    full = _counts_1d(input_size, kernel_size, stride, "valid", 0)
    size = _keras_size(input_size, kernel_size, stride, padding, output_padding)
    counts = np.concatenate([full, np.zeros(max(size - full.size, 0), int)])[:size]
    return np.outer(counts, counts)


def overlap_of_a_convolution(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    ones = np.ones((1, input_size, input_size, 1), dtype=np.float32)
    kernel = np.ones((kernel_size, kernel_size, 1, 1), dtype=np.float32)
    return np.rint(course_conv2d(ones, kernel, stride, padding)[0, :, :, 0]).astype(int)


def overlap_outer_product(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    counts = _counts_1d(input_size, kernel_size, stride, padding, output_padding)
    return np.outer(counts, counts)


def overlap_by_scatter(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    ones = np.ones((1, input_size, input_size, 1))
    kernel = np.ones((kernel_size, kernel_size, 1, 1))
    return transpose_with_channel_loops(ones, kernel, stride, padding, output_padding)[0, :, :, 0].astype(
        np.int64
    )


WRONG = {
    "03.conv_output_size": [
        size_same_as_half_kernel_padding,
        size_as_float,
        size_same_ignores_stride,
        size_rounds_up,
    ],
    "03.conv_transpose_output_size": [
        tsize_valid_max_even_with_padding,
        tsize_same_adds_output_padding,
        tsize_same_like_valid,
    ],
    "03.conv2d": [
        conv_symmetric_same,
        conv_half_kernel_same,
        conv_stride_one_padding,
        conv_sums_channels_away,
    ],
    "03.conv2d_transpose": [transpose_crops_the_end, transpose_overwrites, transpose_size_s_times_i],
    "03.conv_matrix": [matrix_ignores_padding, matrix_rows_column_major, matrix_flat_kernel],
    "03.overlap_map": [overlap_as_floats, overlap_crops_the_end, overlap_of_a_convolution],
}
RIGHT = {
    "03.conv_output_size": [size_negative_floor_division, size_by_counting_positions],
    "03.conv_transpose_output_size": [tsize_pytorch_style, tsize_table],
    "03.conv2d": [conv_subsampled, conv_with_sliding_windows],
    "03.conv2d_transpose": [transpose_by_zero_insertion, transpose_with_channel_loops],
    "03.conv_matrix": [matrix_by_rows, matrix_from_rows_of_images],
    "03.overlap_map": [overlap_outer_product, overlap_by_scatter],
}


@pytest.mark.parametrize(("exercise_id", "answer"), cases(WRONG), ids=ids)
def test_a_learners_wrong_answer_fails_a_public_case(exercise_id, answer):
    fails_publicly(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer"), cases(RIGHT), ids=ids)
def test_a_learners_other_right_answer_passes(exercise_id, answer):
    passes_everything(exercise_id, answer)


def test_a_float_size_is_told_to_be_an_integer():
    assert "expected an integer, got float64" in fails_publicly("03.conv_output_size", size_as_float)
