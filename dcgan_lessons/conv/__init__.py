"""Convolution and transposed convolution (lesson 03): the output-size arithmetic, a NumPy reference
for both, and the checkerboard that uneven overlaps paint.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "arithmetic": (
            "conv_output_size",
            "conv_padding",
            "conv_transpose_cropping",
            "conv_transpose_output_size",
            "conv_transpose_taps",
            "effective_kernel_size",
        ),
        "numpy_reference": (
            "conv2d",
            "conv2d_transpose",
            "conv2d_transpose_direct",
            "conv_matrix",
            "overlap_map",
            "zero_insert",
        ),
        "checkerboard": ("checkerboard_strength",),
    },
)
