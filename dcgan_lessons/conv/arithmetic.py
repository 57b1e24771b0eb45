"""Output sizes of convolutions and transposed convolutions, one spatial axis at a time (lesson 03).

Two ways to say how much padding a convolution uses:

- an integer ``p``: p zeros on both sides, the convention of Dumoulin & Visin's *A guide to convolution
  arithmetic* (2016) and of PyTorch;
- Keras's ``"valid"`` (no padding) or ``"same"`` (enough padding that the output has ceil(i / s) cells;
  when the padding is odd, TensorFlow puts the extra zero at the bottom/right).

A transposed convolution is the gradient of a convolution with respect to its input, so its output
size o is valid only when the matching convolution maps o cells back to the i it started from. The
functions here check that, and raise a ValueError that says why instead of returning a wrong number.
Every formula is checked against Keras on a grid of cases in tests/test_conv_arithmetic.py.
"""

from __future__ import annotations

import math

from ..course.validation import describe, require_int

PADDINGS = ("valid", "same")


def _check_padding(padding) -> str | int:
    if isinstance(padding, str):
        if padding.lower() not in PADDINGS:
            raise ValueError(f"padding must be 'valid', 'same' or an integer >= 0, got {padding!r}.")
        return padding.lower()
    if isinstance(padding, bool) or not isinstance(padding, int):
        raise TypeError(f"padding must be 'valid', 'same' or an integer >= 0, got {describe(padding)}.")
    return require_int(padding, "padding", minimum=0)


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """The span of a dilated kernel: k + (k - 1)(d - 1) cells (k itself when d = 1)."""
    kernel_size = require_int(kernel_size, "kernel_size", minimum=1)
    dilation = require_int(dilation, "dilation", minimum=1)
    return kernel_size + (kernel_size - 1) * (dilation - 1)


def conv_output_size(
    input_size: int, kernel_size: int, stride: int = 1, padding: str | int = "valid", dilation: int = 1
) -> int:
    """Cells along one axis after a convolution.

    - integer p: o = floor((i + 2p - k) / s) + 1, with k the dilated kernel span;
    - 'valid': the same with p = 0, i.e. floor((i - d(k - 1) - 1) / s) + 1;
    - 'same': o = ceil(i / s), whatever the kernel.

    Raises ValueError when the kernel does not fit in the (padded) input: no output cell exists.
    """
    input_size = require_int(input_size, "input_size", minimum=1)
    stride = require_int(stride, "stride", minimum=1)
    span = effective_kernel_size(kernel_size, dilation)
    padding = _check_padding(padding)
    if padding == "same":
        return math.ceil(input_size / stride)
    pad = 0 if padding == "valid" else padding
    if input_size + 2 * pad < span:
        raise ValueError(
            f"No output: the kernel spans {span} cells (kernel_size={kernel_size}, dilation={dilation}) "
            f"but the input has only {input_size + 2 * pad} (input_size={input_size}, padding={padding!r}). "
            "Use a smaller kernel, more padding or padding='same'."
        )
    return (input_size + 2 * pad - span) // stride + 1


def conv_padding(
    input_size: int, kernel_size: int, stride: int = 1, padding: str | int = "valid", dilation: int = 1
) -> tuple[int, int]:
    """The zeros (before, after) a convolution adds along one axis.

    For 'same', TensorFlow pads P = max((o - 1)s + k - i, 0) cells in all and puts floor(P / 2) before and
    the rest after: an odd P leaves the extra zero at the bottom/right.
    """
    output_size = conv_output_size(input_size, kernel_size, stride, padding, dilation)
    padding = _check_padding(padding)
    if padding == "valid":
        return 0, 0
    if padding != "same":
        return padding, padding
    total = max((output_size - 1) * stride + effective_kernel_size(kernel_size, dilation) - input_size, 0)
    return total // 2, total - total // 2


def _check_output_padding(output_padding, stride: int) -> int | None:
    if output_padding is None:
        return None
    output_padding = require_int(output_padding, "output_padding", minimum=0)
    if output_padding >= stride:
        raise ValueError(
            f"output_padding must be smaller than the stride ({stride}), got {output_padding}: it chooses "
            "among the output sizes that a stride-s convolution maps back to the same input size, and "
            "there are only s of them."
        )
    return output_padding


def conv_transpose_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: str | int = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> int:
    """Cells along one axis after a transposed convolution.

    - integer p (Dumoulin & Visin, PyTorch): o = s(i - 1) + k - 2p + a, with a = output_padding (default 0);
    - 'valid' (Keras): o = s(i - 1) + k + a, with a defaulting to max(k, s) - k;
    - 'same' (Keras): o = i * s when output_padding is None, else s(i - 1) + (k mod 2) + a.

    k is the dilated kernel span. Raises ValueError when output_padding >= stride, when the output would
    have no cells, and when a convolution of the result would not give back `input_size` cells (an even
    kernel with padding='same' and output_padding=0: TensorFlow fails there at run time).
    """
    input_size = require_int(input_size, "input_size", minimum=1)
    stride = require_int(stride, "stride", minimum=1)
    span = effective_kernel_size(kernel_size, dilation)
    padding = _check_padding(padding)
    extra = _check_output_padding(output_padding, stride)
    if padding == "valid":
        extra = max(span, stride) - span if extra is None else extra
        size = (input_size - 1) * stride + span + extra
    elif padding == "same":
        size = input_size * stride if extra is None else (input_size - 1) * stride + span % 2 + extra
    else:
        size = (input_size - 1) * stride + span - 2 * padding + (extra or 0)
        if size < 1:
            raise ValueError(
                f"No output: s(i - 1) + k - 2p + output_padding = {size} with input_size={input_size}, "
                f"kernel span {span}, stride={stride}, padding={padding}; use less padding."
            )
    back = conv_output_size(size, kernel_size, stride, padding, dilation) if size >= 1 else 0
    if back != input_size:
        raise ValueError(
            f"Output size {size} is not possible: a transposed convolution is the gradient of a convolution, "
            f"and a {padding!r} convolution of {size} cells (kernel_size={kernel_size}, stride={stride}) "
            f"gives {back} cells, not input_size={input_size}. With padding='same' an even kernel needs "
            "output_padding >= 1 (or None)."
        )
    return size


def conv_transpose_cropping(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: str | int = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> tuple[int, int]:
    """Cells (before, after) removed from the full scatter of a transposed convolution along one axis.

    Scattering i inputs, s apart, each times a kernel spanning k cells fills s(i - 1) + k cells. The output
    keeps `output_size` of them starting at `before`: the padding the matching convolution added before
    its input. A negative `after` means that many zero cells are appended (output_padding beyond the scatter).
    """
    size = conv_transpose_output_size(input_size, kernel_size, stride, padding, output_padding, dilation)
    padding = _check_padding(padding)
    if padding == "valid":
        before = 0
    elif padding == "same":
        before = conv_padding(size, kernel_size, stride, "same", dilation)[0]
    else:
        before = padding
    full = (input_size - 1) * stride + effective_kernel_size(kernel_size, dilation)
    return before, full - before - size


def conv_transpose_taps(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: str | int = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> list[tuple[int, int, int]]:
    """Which input cell feeds which output cell, through which kernel tap, along one axis.

    Returns (input index, kernel index, output index) triples for every product that lands inside the
    output: input cell m, times kernel entry j, is added to output cell m*s + j*d - before.
    """
    size = conv_transpose_output_size(input_size, kernel_size, stride, padding, output_padding, dilation)
    before, _ = conv_transpose_cropping(input_size, kernel_size, stride, padding, output_padding, dilation)
    taps = []
    for m in range(input_size):
        for j in range(kernel_size):
            n = m * stride + j * dilation - before
            if 0 <= n < size:
                taps.append((m, j, n))
    return taps
