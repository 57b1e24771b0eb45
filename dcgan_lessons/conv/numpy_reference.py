"""Convolution and transposed convolution in NumPy, the reference implementations of lesson 03.

Layouts follow Keras (channels last):

- inputs are (batch, height, width, channels);
- a convolution kernel is (kernel_height, kernel_width, in_channels, out_channels), as in
  `keras.ops.conv` and `keras.layers.Conv2D`;
- a transposed-convolution kernel is (kernel_height, kernel_width, out_channels, in_channels), as in
  `keras.ops.conv_transpose` and `keras.layers.Conv2DTranspose`: the same array as the kernel of the
  convolution it is the gradient of.

Like Keras (and every deep-learning library) the "convolution" is a cross-correlation: the kernel is
not flipped. Sizes and padding come from `conv_arithmetic`; tests/test_conv_numpy.py checks every
function against keras.ops and TensorFlow's autodiff.
"""

from __future__ import annotations

import numpy as np

from ..course.validation import as_array, describe, require_int
from .arithmetic import (
    conv_output_size,
    conv_padding,
    conv_transpose_cropping,
    conv_transpose_output_size,
    conv_transpose_taps,
    effective_kernel_size,
)


def _pair(value, name: str) -> tuple[int, int]:
    """An int, or a pair of ints (height, width), as a pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an integer or a pair (height, width), got {value!r}.")
        return require_int(value[0], name, minimum=0), require_int(value[1], name, minimum=0)
    value = require_int(value, name, minimum=0)
    return value, value


def _padding_pair(padding, name: str = "padding"):
    return (padding, padding) if isinstance(padding, str) else _pair(padding, name)


_CONV_LAYOUT = ("kh", "kw", "in_channels", "out_channels")  # keras.ops.conv, Conv2D
_TRANSPOSE_LAYOUT = ("kh", "kw", "out_channels", "in_channels")  # keras.ops.conv_transpose, Conv2DTranspose


def _transpose_axes(sizes, kernel_sizes, stride, padding, output_padding, dilation=1):
    """Per axis (height, width) of a transposed convolution: (output size, (crop before, after), taps)."""
    strides, dilations, paddings = (
        _pair(stride, "stride"),
        _pair(dilation, "dilation"),
        _padding_pair(padding),
    )
    extras = (None, None) if output_padding is None else _pair(output_padding, "output_padding")
    axes = []
    for axis in range(2):
        args = (sizes[axis], kernel_sizes[axis], strides[axis], paddings[axis], extras[axis], dilations[axis])
        axes.append(
            (conv_transpose_output_size(*args), conv_transpose_cropping(*args), conv_transpose_taps(*args))
        )
    return axes


def _float_arrays(x, kernel, layout: tuple[str, ...]):
    """Validate a (batch, h, w, channels) input and a kernel in `layout`; compute in float64."""
    x, kernel = as_array(x, "x"), as_array(kernel, "kernel")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (batch, height, width, channels), got shape {x.shape}.")
    if kernel.ndim != 4:
        raise ValueError(f"kernel must have shape ({', '.join(layout)}), got shape {kernel.shape}.")
    for name, array in (("x", x), ("kernel", kernel)):
        if not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"{name} must hold numbers, got {describe(array)}.")
    in_axis = layout.index("in_channels")
    if kernel.shape[in_axis] != x.shape[3]:
        expected = ", ".join(f"in_channels={x.shape[3]}" if n == "in_channels" else n for n in layout)
        raise ValueError(
            f"kernel must have shape ({expected}) to match x's {x.shape[3]} channels, "
            f"got shape {kernel.shape}."
        )
    dtype = np.result_type(x.dtype, kernel.dtype, np.float32)
    return x.astype(np.float64), kernel.astype(np.float64), dtype


def conv2d(x, kernel, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """2-D convolution (cross-correlation), vectorised: like `keras.ops.conv`, in NumPy.

    Args:
        x: (batch, height, width, in_channels).
        kernel: (kernel_height, kernel_width, in_channels, out_channels).
        stride, dilation: an int or a pair (height, width).
        padding: 'valid', 'same' (TensorFlow's rule: an odd total puts the extra zero bottom/right), or
            an int or pair of zeros added on both sides.

    Returns:
        (batch, out_height, out_width, out_channels), sizes from `conv_output_size`.
    """
    x, kernel, dtype = _float_arrays(x, kernel, _CONV_LAYOUT)
    strides, dilations, paddings = (
        _pair(stride, "stride"),
        _pair(dilation, "dilation"),
        _padding_pair(padding),
    )
    pads, outs, spans = [], [], []
    for axis in range(2):
        args = (x.shape[1 + axis], kernel.shape[axis], strides[axis], paddings[axis], dilations[axis])
        outs.append(conv_output_size(*args))
        pads.append(conv_padding(*args))
        spans.append(effective_kernel_size(kernel.shape[axis], dilations[axis]))
    padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    # Every window of the padded input at once: (batch, rows, cols, in_channels, span_h, span_w).
    windows = np.lib.stride_tricks.sliding_window_view(padded, spans, axis=(1, 2))
    windows = windows[:, :: strides[0], :: strides[1]][
        :, : outs[0], : outs[1], :, :: dilations[0], :: dilations[1]
    ]
    # Sum over (in_channels, kh, kw) of window times kernel: one matrix product for every window at once.
    return np.tensordot(windows, kernel, axes=([3, 4, 5], [2, 0, 1])).astype(dtype)


def conv2d_transpose(x, kernel, stride=1, padding="valid", output_padding=None, dilation=1) -> np.ndarray:
    """2-D transposed convolution as a scatter-add: like `keras.ops.conv_transpose`, in NumPy.

    Each input cell, times the whole kernel, is added into the output at s times its position; the
    overlapping sums are then cropped to the output size (see `conv_transpose_cropping`).

    Args:
        x: (batch, height, width, in_channels).
        kernel: (kernel_height, kernel_width, out_channels, in_channels), Keras's layout for
            `conv_transpose` and `Conv2DTranspose`.
        stride, dilation: an int or a pair (height, width).
        padding: 'valid' or 'same' (Keras's rules), or an int or pair (PyTorch's `padding`).
        output_padding: None (Keras's default), an int or a pair, each smaller than the stride.

    Returns:
        (batch, out_height, out_width, out_channels), sizes from `conv_transpose_output_size`.
    """
    x, kernel, dtype = _float_arrays(x, kernel, _TRANSPOSE_LAYOUT)
    strides, dilations = _pair(stride, "stride"), _pair(dilation, "dilation")
    axes = _transpose_axes(x.shape[1:3], kernel.shape[:2], stride, padding, output_padding, dilation)
    outs, crops = [size for size, _, _ in axes], [crop for _, crop, _ in axes]
    (sh, sw), (dh, dw), (_, ih, iw, _) = strides, dilations, x.shape
    full_h = (ih - 1) * sh + effective_kernel_size(kernel.shape[0], dh) + max(-crops[0][1], 0)
    full_w = (iw - 1) * sw + effective_kernel_size(kernel.shape[1], dw) + max(-crops[1][1], 0)
    full = np.zeros((x.shape[0], full_h, full_w, kernel.shape[2]))
    for a in range(kernel.shape[0]):
        for b in range(kernel.shape[1]):
            # Kernel tap (a, b) sends input cell (m, n) to output cell (m*sh + a*dh, n*sw + b*dw).
            rows = slice(a * dh, a * dh + (ih - 1) * sh + 1, sh)
            cols = slice(b * dw, b * dw + (iw - 1) * sw + 1, sw)
            full[:, rows, cols, :] += x @ kernel[a, b].T
    top, left = crops[0][0], crops[1][0]
    return full[:, top : top + outs[0], left : left + outs[1], :].astype(dtype)


def zero_insert(x, stride=1) -> np.ndarray:
    """Insert stride - 1 zeros between neighbouring cells of (batch, height, width, channels) images."""
    x = as_array(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (batch, height, width, channels), got shape {x.shape}.")
    sh, sw = _pair(stride, "stride")
    if min(sh, sw) < 1:
        raise ValueError(f"stride must be >= 1, got {stride!r}.")
    batch, height, width, channels = x.shape
    out = np.zeros((batch, (height - 1) * sh + 1, (width - 1) * sw + 1, channels), dtype=x.dtype)
    out[:, ::sh, ::sw] = x
    return out


def conv2d_transpose_direct(x, kernel, stride=1, padding="valid", output_padding=None) -> np.ndarray:
    """The same transposed convolution computed as a plain convolution (no dilation).

    Insert stride - 1 zeros between the inputs, pad k - 1 zeros around them, convolve at stride 1 with the
    kernel flipped in both spatial axes and its channel axes swapped, then crop as `conv2d_transpose` does.
    """
    x, kernel, dtype = _float_arrays(x, kernel, _TRANSPOSE_LAYOUT)
    axes = _transpose_axes(x.shape[1:3], kernel.shape[:2], stride, padding, output_padding)
    spread = zero_insert(x, stride)
    pads = [
        (k - 1 - before, k - 1 - after)
        for k, (_, (before, after), _) in zip(kernel.shape[:2], axes, strict=True)
    ]
    # A negative pad means the convolution would cover cells that are cropped anyway: trim them instead.
    trim = [(max(-a, 0), max(-b, 0)) for a, b in pads]
    spread = spread[:, trim[0][0] : spread.shape[1] - trim[0][1], trim[1][0] : spread.shape[2] - trim[1][1]]
    padded = np.pad(spread, ((0, 0), *[(max(a, 0), max(b, 0)) for a, b in pads], (0, 0)))
    flipped = kernel[::-1, ::-1].transpose(0, 1, 3, 2)  # (kh, kw, in, out): a convolution kernel
    return conv2d(padded, flipped).astype(dtype)


def conv_matrix(kernel, input_shape, stride=1, padding="valid") -> np.ndarray:
    """The matrix C of a single-channel 2-D convolution: conv2d(x) flattened equals C @ x.ravel().

    Args:
        kernel: (kernel_height, kernel_width).
        input_shape: the input's (height, width), or an int for a square input.

    Returns:
        (out_height * out_width, height * width); row-major (C order) flattening on both sides. Its
        transpose is the matching transposed convolution, and the gradient of the convolution.
    """
    kernel = as_array(kernel, "kernel")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must have shape (kernel_height, kernel_width), got shape {kernel.shape}.")
    (height, width), strides, paddings = (
        _pair(input_shape, "input_shape"),
        _pair(stride, "stride"),
        _padding_pair(padding),
    )
    if min(height, width) < 1:
        raise ValueError(f"input_shape must be positive, got {input_shape!r}.")
    geometry = []
    for axis, size in enumerate((height, width)):
        args = (size, kernel.shape[axis], strides[axis], paddings[axis])
        geometry.append((conv_output_size(*args), conv_padding(*args)[0]))
    (out_h, top), (out_w, left) = geometry
    matrix = np.zeros((out_h * out_w, height * width), dtype=np.result_type(kernel.dtype, np.float32))
    for p in range(out_h):
        for q in range(out_w):
            for a in range(kernel.shape[0]):
                for b in range(kernel.shape[1]):
                    row, col = p * strides[0] + a - top, q * strides[1] + b - left
                    if 0 <= row < height and 0 <= col < width:
                        matrix[p * out_w + q, row * width + col] += kernel[a, b]
    return matrix


def overlap_map(input_size, kernel_size, stride=1, padding="valid", output_padding=None) -> np.ndarray:
    """How many kernel products land on each output cell of a 2-D transposed convolution.

    The output of an all-ones input and an all-ones kernel: uneven counts are checkerboard artifacts.
    The count is separable, so the 2-D map is the outer product of the two axes' 1-D counts.

    Args:
        input_size, kernel_size, stride: an int or a pair (height, width).
        padding, output_padding: as in `conv2d_transpose`.

    Returns:
        int array (out_height, out_width).
    """
    sizes, kernels = _pair(input_size, "input_size"), _pair(kernel_size, "kernel_size")
    counts = [
        np.bincount([n for _, _, n in taps], minlength=size).astype(np.int64)
        for size, _, taps in _transpose_axes(sizes, kernels, stride, padding, output_padding)
    ]
    return np.outer(*counts)
