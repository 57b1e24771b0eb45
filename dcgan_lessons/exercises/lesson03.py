"""Lesson 03's exercises: output sizes, convolution and transposed convolution in NumPy, the matrix C
of a convolution, and the overlap map behind checkerboard artifacts."""

from __future__ import annotations

import math

import numpy as np

from ..conv.arithmetic import conv_output_size, conv_transpose_output_size
from ..conv.numpy_reference import conv2d, conv2d_transpose, conv_matrix, overlap_map
from ..course.checking import Case, Exercise, Mistake

_rng = np.random.default_rng(3)  # fixed cases: the same for every learner and every run


def _normal(*shape):
    return _rng.normal(size=shape).astype(np.float32)


# ---------------------------------------------------------------------------------------------------
# 03.conv_output_size


def _conv_size_with(extra_one: int = 1, use_stride: bool = True, sides: int = 2, same_round=math.ceil):
    """A convolution-size formula with one usual slip; the defaults give the right answer."""

    def answer(input_size, kernel_size, stride=1, padding="valid"):
        if padding == "same":
            return same_round(input_size / stride)
        pad = 0 if padding == "valid" else padding
        span = input_size + sides * pad - kernel_size
        return (span // stride if use_stride else span) + extra_one

    return answer


CONV_OUTPUT_SIZE = Exercise(
    id="03.conv_output_size",
    title="output size of a convolution",
    reference=conv_output_size,
    integers=True,
    public=[
        Case("i=5, k=3, s=2, p=1", args=(5, 3, 2, 1), expected=3),
        Case("i=28, k=5, s=2, 'valid'", args=(28, 5, 2, "valid"), expected=12),
        Case("i=7, k=3, s=2, 'same'", args=(7, 3, 2, "same"), expected=4),
        Case("i=7, k=3, s=1, 'valid'", args=(7, 3, 1, "valid"), expected=5),
        Case("i=5, k=3, s=1, p=2", args=(5, 3, 1, 2), expected=7),
        Case("i=8, k=4, s=2, 'same' (even kernel)", args=(8, 4, 2, "same"), expected=4),
        Case("i=9, k=4, s=1, 'same' (even kernel)", args=(9, 4, 1, "same"), expected=9),
        Case("i=8, k=4, s=2, 'valid' (even kernel)", args=(8, 4, 2, "valid"), expected=3),
    ],
    hidden=[
        Case("stride 3, 'valid'", args=(10, 4, 3, "valid")),
        Case("even kernel, 'same'", args=(9, 4, 2, "same")),
        Case("stride 3, 'same'", args=(10, 5, 3, "same")),
        Case("padding 2", args=(6, 5, 1, 2)),
        Case("kernel as big as the input", args=(4, 4, 1, "valid")),
        Case("stride 1, 'same'", args=(11, 6, 1, "same")),
    ],
    mistakes=[
        Mistake(
            "forgets the + 1",
            _conv_size_with(extra_one=0),
            "your sizes are one too small: the kernel fits at position 0 too. Count the steps "
            "floor((i + 2p - k) / s), then add 1 for the starting position.",
        ),
        Mistake(
            "rounds down with 'same'",
            _conv_size_with(same_round=math.floor),
            "with 'same' the output has ceil(i / s) cells, not floor: Keras pads so that the last, partial "
            "window still counts.",
        ),
        Mistake(
            "ignores the stride",
            _conv_size_with(use_stride=False),
            "your sizes are right for stride 1 only: with stride s the kernel moves s cells at a time, so "
            "divide the distance it travels by s (and round down).",
        ),
        Mistake(
            "pads one side only",
            _conv_size_with(sides=1),
            "with an integer padding p, p zeros go on both sides: the padded input has i + 2p cells.",
        ),
    ],
)


# ---------------------------------------------------------------------------------------------------
# 03.conv_transpose_output_size


def _transpose_size_with(base=lambda i, s: (i - 1) * s, valid_default=True, same_uses_op=True, same_k=None):
    def answer(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
        i, k, s, a = input_size, kernel_size, stride, output_padding
        if padding == "same":
            if a is None or not same_uses_op:
                return i * s
            return base(i, s) + (same_k(k) if same_k else k % 2) + a
        if a is None:
            a = max(k, s) - k if valid_default else 0
        return base(i, s) + k + a

    return answer


CONV_TRANSPOSE_OUTPUT_SIZE = Exercise(
    id="03.conv_transpose_output_size",
    title="output size of a Keras transposed convolution",
    reference=conv_transpose_output_size,
    integers=True,
    public=[
        Case("i=7, k=5, s=2, 'same'", args=(7, 5, 2, "same"), expected=14),
        Case("i=7, k=3, s=2, 'valid'", args=(7, 3, 2, "valid"), expected=15),
        Case("i=1, k=4, s=1, 'valid'", args=(1, 4, 1, "valid"), expected=4),
        Case("i=7, k=3, s=2, 'same', output_padding=0", args=(7, 3, 2, "same", 0), expected=13),
        Case("i=3, k=1, s=2, 'valid' (kernel smaller than the stride)", args=(3, 1, 2, "valid"), expected=6),
        Case("i=5, k=4, s=2, 'same', output_padding=1", args=(5, 4, 2, "same", 1), expected=9),
        Case("i=4, k=2, s=3, 'valid', output_padding=1", args=(4, 2, 3, "valid", 1), expected=12),
    ],
    hidden=[
        Case("stride 3, 'same'", args=(5, 3, 3, "same")),
        Case("stride 3, 'valid', output_padding 2", args=(4, 2, 3, "valid", 2)),
        Case("even kernel, 'same', output_padding 1", args=(7, 4, 2, "same", 1)),
        Case("stride 1, 'same', output_padding 0", args=(6, 3, 1, "same", 0)),
        Case("kernel 2 < stride 3, 'valid'", args=(5, 2, 3, "valid")),
        Case("stride 2, 'valid', output_padding 1", args=(4, 4, 2, "valid", 1)),
    ],
    mistakes=[
        Mistake(
            "s·i instead of s(i − 1)",
            _transpose_size_with(base=lambda i, s: i * s),
            "your sizes are s too large: i inputs are s cells apart, so the first and last are s(i - 1) "
            "apart, and the kernel adds k cells to that span.",
        ),
        Mistake(
            "ignores output_padding with 'same'",
            _transpose_size_with(same_uses_op=False),
            "with 'same', o = i * s only when output_padding is None; when it is given, Keras uses "
            "o = s(i - 1) + (k mod 2) + output_padding.",
        ),
        Mistake(
            "forgets 'valid''s default output_padding",
            _transpose_size_with(valid_default=False),
            "a kernel smaller than the stride leaves gaps: with output_padding=None, 'valid' uses "
            "max(k, s) - k, so the output is s(i - 1) + max(k, s) cells.",
        ),
        Mistake(
            "uses k instead of k mod 2 with 'same'",
            _transpose_size_with(same_k=lambda k: k),
            "with 'same' and an explicit output_padding, only the kernel's parity counts: "
            "o = s(i - 1) + (k mod 2) + output_padding.",
        ),
    ],
)


# ---------------------------------------------------------------------------------------------------
# 03.conv2d


def _odd_pixel_first(padded_size: int, output_size: int, stride: int, span: int) -> tuple[int, int]:
    """'same' padding with the extra zero before instead of after: the usual slip."""
    total = max((output_size - 1) * stride + span - padded_size, 0)
    return total - total // 2, total // 2


def _conv2d_odd_pixel_first(x, kernel, stride=1, padding="valid"):
    if padding != "same":
        return conv2d(x, kernel, stride, padding)
    pads = [
        _odd_pixel_first(x.shape[1 + a], math.ceil(x.shape[1 + a] / stride), stride, kernel.shape[a])
        for a in range(2)
    ]
    return conv2d(np.pad(x, ((0, 0), *pads, (0, 0))), kernel, stride, "valid")


CONV2D = Exercise(
    id="03.conv2d",
    title="2-D convolution in NumPy",
    reference=conv2d,
    public=[
        Case(
            "a 5x5 ramp and a 3x3 kernel, stride 1, 'valid'",
            args=(np.arange(25, dtype=np.float32).reshape(1, 5, 5, 1), _normal(3, 3, 1, 1)),
        ),
        Case(
            "2 images, 6x6x2, kernel 3x3x2x2, stride 2, 'same'",
            args=(_normal(2, 6, 6, 2), _normal(3, 3, 2, 2)),
            kwargs={"stride": 2, "padding": "same"},
        ),
        Case(
            "3 channels in, 4 out, 7x5 images, stride 1, 'valid'",
            args=(_normal(2, 7, 5, 3), _normal(3, 2, 3, 4)),
        ),
        Case(
            "even 4x2 kernel, 'same' at stride 1, 6x5 images",
            args=(_normal(1, 6, 5, 2), _normal(4, 2, 2, 3)),
            kwargs={"padding": "same"},
        ),
    ],
    hidden=[
        Case("stride 3, 'valid'", args=(_normal(2, 10, 9, 2), _normal(3, 3, 2, 3)), kwargs={"stride": 3}),
        Case(
            "even kernel, 'same', stride 2",
            args=(_normal(3, 7, 8, 1), _normal(4, 4, 1, 2)),
            kwargs={"stride": 2, "padding": "same"},
        ),
        Case(
            "stride 3, 'same'",
            args=(_normal(1, 8, 8, 3), _normal(5, 5, 3, 3)),
            kwargs={"stride": 3, "padding": "same"},
        ),
        Case("1x1 kernel", args=(_normal(2, 4, 4, 3), _normal(1, 1, 3, 5))),
        Case("stride 1, 'same'", args=(_normal(2, 5, 6, 2), _normal(3, 3, 2, 2)), kwargs={"padding": "same"}),
        Case(
            "even kernel, 'valid', stride 2",
            args=(_normal(2, 8, 7, 1), _normal(2, 4, 1, 3)),
            kwargs={"stride": 2},
        ),
    ],
    mistakes=[
        Mistake(
            "flips the kernel",
            lambda x, kernel, stride=1, padding="valid": conv2d(x, kernel[::-1, ::-1], stride, padding),
            "your output matches a convolution with the kernel flipped: Keras's 'convolution' is a "
            "cross-correlation, so multiply each window by the kernel as it is, entry by entry.",
        ),
        Mistake(
            "wrong channel order",
            lambda x, kernel, stride=1, padding="valid": conv2d(
                x, kernel.transpose(0, 1, 3, 2), stride, padding
            ),
            "the channels are mixed the wrong way round: a Keras conv kernel is (kh, kw, in_channels, "
            "out_channels), so output channel o sums kernel[..., c, o] * x[..., c] over input channels c.",
        ),
        Mistake(
            "puts the odd padding pixel top/left",
            _conv2d_odd_pixel_first,
            "'same' with an odd amount of padding: TensorFlow puts floor(P/2) zeros before (top/left) and "
            "the extra one after (bottom/right).",
        ),
        Mistake(
            "one output row and column short",
            lambda x, kernel, stride=1, padding="valid": conv2d(x, kernel, stride, padding)[:, :-1, :-1],
            "your output is one cell short in each direction: the number of positions is "
            "floor((i + 2p - k) / s) + 1, the + 1 counting the first one.",
        ),
    ],
)


# ---------------------------------------------------------------------------------------------------
# 03.conv2d_transpose


def _conv2d_transpose_odd_crop_first(x, kernel, stride=1, padding="valid", output_padding=None):
    """Crops the full scatter with the odd cell taken from the top/left instead of the bottom/right."""
    right = conv2d_transpose(x, kernel, stride, padding, output_padding)
    if padding != "same":
        return right
    full = conv2d_transpose(x, kernel, stride, "valid", 0)
    out_h, out_w = right.shape[1:3]
    extra_h, extra_w = full.shape[1] - out_h, full.shape[2] - out_w
    if min(extra_h, extra_w) < 0:
        return right
    top, left = extra_h - extra_h // 2, extra_w - extra_w // 2
    return full[:, top : top + out_h, left : left + out_w]


def _transpose_without_valid_default(x, kernel, stride=1, padding="valid", output_padding=None):
    if padding == "valid" and output_padding is None:
        output_padding = 0
    return conv2d_transpose(x, kernel, stride, padding, output_padding)


CONV2D_TRANSPOSE = Exercise(
    id="03.conv2d_transpose",
    title="2-D transposed convolution in NumPy",
    reference=conv2d_transpose,
    public=[
        Case(
            "the 1-D example: [1, 10] and kernel [1, 2, 3], stride 2, 'valid', output_padding=0",
            args=(
                np.array([1, 10], dtype=np.float32).reshape(1, 1, 2, 1),
                np.array([1, 2, 3], dtype=np.float32).reshape(1, 3, 1, 1),
            ),
            kwargs={"stride": 2, "output_padding": 0},
            expected=np.array([1, 2, 13, 20, 30], dtype=np.float32).reshape(1, 1, 5, 1),
        ),
        Case(
            "2 images, 3x3x2, kernel 3x3x2x2, stride 2, 'same'",
            args=(_normal(2, 3, 3, 2), _normal(3, 3, 2, 2)),
            kwargs={"stride": 2, "padding": "same"},
        ),
        Case(
            "3 channels in, 2 out, 4x3 images, kernel 3x3, stride 2, 'valid'",
            args=(_normal(2, 4, 3, 3), _normal(3, 3, 2, 3)),
            kwargs={"stride": 2},
        ),
        Case(
            "kernel 2 smaller than stride 3, 'valid'",
            args=(_normal(1, 3, 3, 1), _normal(2, 2, 1, 1)),
            kwargs={"stride": 3},
        ),
        Case(
            "the DCGAN block's geometry: kernel 4, stride 2, 'same', 3x4 images",
            args=(_normal(1, 3, 4, 2), _normal(4, 4, 3, 2)),
            kwargs={"stride": 2, "padding": "same"},
        ),
    ],
    hidden=[
        Case("stride 1, 'same'", args=(_normal(2, 5, 4, 2), _normal(3, 3, 3, 2)), kwargs={"padding": "same"}),
        Case(
            "even kernel 4, stride 2, 'same'",
            args=(_normal(3, 4, 4, 3), _normal(4, 4, 2, 3)),
            kwargs={"stride": 2, "padding": "same"},
        ),
        Case(
            "kernel 5, stride 2, 'same', output_padding 1",
            args=(_normal(1, 3, 5, 2), _normal(5, 5, 1, 2)),
            kwargs={"stride": 2, "padding": "same", "output_padding": 1},
        ),
        Case(
            "stride 3, 'valid', output_padding 2",
            args=(_normal(2, 2, 3, 1), _normal(3, 3, 4, 1)),
            kwargs={"stride": 3, "output_padding": 2},
        ),
        Case(
            "kernel 3, stride 3, 'same', output_padding 0",
            args=(_normal(1, 4, 4, 2), _normal(3, 3, 2, 2)),
            kwargs={"stride": 3, "padding": "same", "output_padding": 0},
        ),
    ],
    mistakes=[
        Mistake(
            "unflipped kernel in the direct form",
            lambda x, kernel, stride=1, padding="valid", output_padding=None: conv2d_transpose(
                x, kernel[::-1, ::-1], stride, padding, output_padding
            ),
            "your output matches the transposed convolution with a flipped kernel. Scatter-add each input "
            "times the kernel as it is; if you compute it as a convolution of the zero-inserted input, "
            "that convolution needs the kernel flipped.",
        ),
        Mistake(
            "wrong channel order",
            lambda x, kernel, stride=1, padding="valid", output_padding=None: conv2d_transpose(
                x, kernel.transpose(0, 1, 3, 2), stride, padding, output_padding
            ),
            "the channels are mixed the wrong way round: keras.ops.conv_transpose takes its kernel as "
            "(kh, kw, out_channels, in_channels), the layout of the convolution it is the gradient of, "
            "read backwards.",
        ),
        Mistake(
            "forgets 'valid''s default output_padding (off-by-one size)",
            _transpose_without_valid_default,
            "your output is too small when the kernel is smaller than the stride: with 'valid' and "
            "output_padding=None, Keras adds max(k, s) - k cells, so the output has s(i - 1) + max(k, s).",
        ),
        Mistake(
            "crops the odd cell from the top/left",
            _conv2d_transpose_odd_crop_first,
            "with 'same', the cells cropped from the full scatter are the padding the matching convolution "
            "added: floor(P/2) before and the extra one after (bottom/right).",
        ),
    ],
)


# ---------------------------------------------------------------------------------------------------
# 03.conv_matrix


def _column_major(kernel, input_shape, stride=1, padding="valid"):
    matrix = conv_matrix(kernel, input_shape, stride, padding)
    height, width = (input_shape, input_shape) if isinstance(input_shape, int) else input_shape
    return matrix.reshape(-1, height, width).transpose(0, 2, 1).reshape(matrix.shape[0], -1)


_RAMP_3X3 = np.arange(1, 10, dtype=np.float32).reshape(3, 3)

CONV_MATRIX = Exercise(
    id="03.conv_matrix",
    title="the matrix C of a convolution",
    reference=conv_matrix,
    public=[
        Case("kernel 1..9 on a 4x4 input: C is 4x16", args=(_RAMP_3X3, (4, 4))),
        Case("a 2x2 kernel on a 3x4 input", args=(_normal(2, 2), (3, 4))),
        Case(
            "3x3 kernel, 5x5 input, stride 2, 'same'",
            args=(_normal(3, 3), (5, 5)),
            kwargs={"stride": 2, "padding": "same"},
        ),
    ],
    hidden=[
        Case("2x3 kernel, 6x5 input, stride 3", args=(_normal(2, 3), (6, 5)), kwargs={"stride": 3}),
        Case("even kernel, 'same'", args=(_normal(4, 4), (5, 6)), kwargs={"padding": "same"}),
        Case("1x1 kernel", args=(_normal(1, 1), (3, 3))),
    ],
    mistakes=[
        Mistake(
            "returns C transposed",
            lambda kernel, input_shape, stride=1, padding="valid": (
                conv_matrix(kernel, input_shape, stride, padding).T
            ),
            "your matrix is Cᵀ: C has one row per output cell and one column per input cell, so y = C @ x.",
        ),
        Mistake(
            "flips the kernel",
            lambda kernel, input_shape, stride=1, padding="valid": conv_matrix(
                kernel[::-1, ::-1], input_shape, stride, padding
            ),
            "the kernel is flipped: row r of C holds the kernel, as it is, at the input cells of "
            "output r's window.",
        ),
        Mistake(
            "flattens the input column by column",
            _column_major,
            "the columns are in the wrong order: flatten the input row by row (NumPy's default, "
            "x.ravel()), so input cell (r, c) is column r * width + c.",
        ),
    ],
)


# ---------------------------------------------------------------------------------------------------
# 03.overlap_map


def _overlap_added(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    one_axis = overlap_map((1, input_size), (1, kernel_size), stride, padding, output_padding)[0]
    return np.add.outer(one_axis, one_axis)


def _overlap_uncropped(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    return overlap_map(input_size, kernel_size, stride, "valid", 0 if stride > 1 else None)


def _overlap_odd_first(input_size, kernel_size, stride=1, padding="valid", output_padding=None):
    kernel = np.ones((kernel_size, kernel_size, 1, 1), dtype=np.float32)
    images = np.ones((1, input_size, input_size, 1), dtype=np.float32)
    return np.rint(
        _conv2d_transpose_odd_crop_first(images, kernel, stride, padding, output_padding)[0, ..., 0]
    ).astype(np.int64)


OVERLAP_MAP = Exercise(
    id="03.overlap_map",
    title="the overlap map of a transposed convolution",
    reference=overlap_map,
    integers=True,
    public=[
        Case("4x4 input, kernel 3, stride 2, 'valid'", args=(4, 3, 2)),
        Case("4x4 input, kernel 4, stride 2, 'same'", args=(4, 4, 2, "same")),
        Case("3x3 input, kernel 3, stride 2, 'same'", args=(3, 3, 2, "same")),
    ],
    hidden=[
        Case("kernel 5, stride 2, 'same'", args=(4, 5, 2, "same")),
        Case("kernel 3, stride 3, 'valid'", args=(3, 3, 3)),
        Case("kernel 2, stride 3, 'valid'", args=(3, 2, 3)),
        Case("kernel 3, stride 2, 'same', output_padding 0", args=(3, 3, 2, "same", 0)),
        Case("kernel 5, stride 1, 'valid'", args=(2, 5, 1)),
    ],
    mistakes=[
        Mistake(
            "adds the two axes' counts",
            _overlap_added,
            "in 2-D a cell's count is the product of its row's and its column's 1-D counts (each pair of "
            "row and column contributions overlaps), not their sum.",
        ),
        Mistake(
            "returns the full scatter without cropping",
            _overlap_uncropped,
            "your map is the full scatter, s(i - 1) + k cells a side: the output keeps only "
            "conv_transpose_output_size(...) of them, cropping as the transposed convolution does.",
        ),
        Mistake(
            "crops the odd cell from the top/left",
            _overlap_odd_first,
            "the map is shifted by one: with 'same', the odd cropped cell comes off the bottom/right "
            "(floor(P/2) before, the rest after).",
        ),
    ],
)

EXERCISES = [CONV_OUTPUT_SIZE, CONV_TRANSPOSE_OUTPUT_SIZE, CONV2D, CONV2D_TRANSPOSE, CONV_MATRIX, OVERLAP_MAP]
