"""The NumPy convolutions of lesson 03 agree with keras.ops on random multi-channel batches, the
transposed convolution is the input-gradient of the convolution (TensorFlow autodiff) and the product
with Cᵀ, and the overlap maps have the values the lesson teaches."""

import numpy as np
import pytest

from dcgan_lessons.conv.arithmetic import conv_transpose_output_size
from dcgan_lessons.conv.numpy_reference import (
    conv2d,
    conv2d_transpose,
    conv2d_transpose_direct,
    conv_matrix,
    overlap_map,
    zero_insert,
)

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
CONV_CASES = [  # (stride, kernel (kh, kw), padding, dilation)
    (1, (3, 3), "valid", 1),
    (1, (3, 3), "same", 1),
    (2, (3, 3), "same", 1),
    (2, (4, 4), "same", 1),
    (2, (5, 5), "valid", 1),
    (3, (2, 3), "same", 1),
    (3, (3, 3), "valid", 1),
    ((2, 1), (3, 2), "valid", 1),
    (1, (3, 3), "valid", 2),
    (1, (2, 3), "same", (2, 1)),
]
TRANSPOSE_CASES = [  # (stride, kernel size, padding, output_padding)
    (1, 3, "valid", None),
    (1, 3, "same", None),
    (2, 3, "same", None),
    (2, 3, "same", 0),
    (2, 4, "same", None),
    (2, 4, "same", 1),
    (2, 5, "same", None),
    (2, 3, "valid", None),
    (2, 3, "valid", 1),
    (3, 2, "valid", None),
    (3, 3, "same", 0),
    (3, 5, "valid", 2),
]


def _random(rng, *shape):
    return rng.normal(size=shape).astype("float32")


@pytest.mark.parametrize(("stride", "kernel_size", "padding", "dilation"), CONV_CASES)
def test_conv2d_matches_keras(stride, kernel_size, padding, dilation):
    rng = np.random.default_rng(1)
    x, kernel = _random(rng, 3, 9, 8, 3), _random(rng, *kernel_size, 3, 4)
    want = keras.ops.conv(x, kernel, strides=stride, padding=padding, dilation_rate=dilation)
    got = conv2d(x, kernel, stride, padding, dilation)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, **TOLERANCE)


@pytest.mark.parametrize(("stride", "kernel_size", "padding", "output_padding"), TRANSPOSE_CASES)
def test_conv2d_transpose_matches_keras_and_its_direct_form(stride, kernel_size, padding, output_padding):
    rng = np.random.default_rng(2)
    x, kernel = _random(rng, 2, 4, 5, 3), _random(rng, kernel_size, kernel_size, 2, 3)  # (kh, kw, out, in)
    want = keras.ops.conv_transpose(x, kernel, strides=stride, padding=padding, output_padding=output_padding)
    got = conv2d_transpose(x, kernel, stride, padding, output_padding)
    np.testing.assert_allclose(got, want, **TOLERANCE)
    np.testing.assert_allclose(
        conv2d_transpose_direct(x, kernel, stride, padding, output_padding), want, **TOLERANCE
    )


def test_the_keras_layer_uses_the_same_kernel_layout():
    layer = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", use_bias=False)
    x = _random(np.random.default_rng(3), 2, 3, 3, 5)
    want = layer(x)
    assert tuple(layer.kernel.shape) == (3, 3, 4, 5)  # (kh, kw, filters = out, in)
    np.testing.assert_allclose(conv2d_transpose(x, layer.kernel.numpy(), 2, "same"), want, **TOLERANCE)


@pytest.mark.parametrize(("stride", "kernel_size", "padding", "output_padding"), TRANSPOSE_CASES)
def test_transposed_conv_is_the_input_gradient_of_the_conv(stride, kernel_size, padding, output_padding):
    rng = np.random.default_rng(4)
    upstream = _random(rng, 2, 4, 3, 3)  # the gradient arriving at the conv's output
    kernel = _random(rng, kernel_size, kernel_size, 2, 3)  # conv: 2 -> 3 channels
    height = conv_transpose_output_size(4, kernel_size, stride, padding, output_padding)
    width = conv_transpose_output_size(3, kernel_size, stride, padding, output_padding)
    x = tf.Variable(_random(rng, 2, height, width, 2))
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(x, kernel, stride, padding.upper())
        assert tuple(y.shape) == upstream.shape
        loss = tf.reduce_sum(y * upstream)
    gradient = tape.gradient(loss, x)
    np.testing.assert_allclose(
        conv2d_transpose(upstream, kernel, stride, padding, output_padding), gradient, **TOLERANCE
    )


@pytest.mark.parametrize(
    ("kernel_shape", "input_shape", "stride", "padding"),
    [
        ((3, 3), (4, 4), 1, "valid"),
        ((3, 3), (5, 5), 2, "same"),
        ((2, 3), (6, 5), 3, "valid"),
        ((4, 4), (5, 6), 1, "same"),
    ],
)
def test_conv_matrix_is_the_convolution_and_its_transpose_the_transposed_one(
    kernel_shape, input_shape, stride, padding
):
    rng = np.random.default_rng(5)
    kernel, x = rng.normal(size=kernel_shape), rng.normal(size=input_shape)
    matrix = conv_matrix(kernel, input_shape, stride, padding)
    y = conv2d(x[None, ..., None], kernel[..., None, None], stride, padding)
    assert matrix.shape == (y.size, x.size)
    np.testing.assert_allclose(matrix @ x.ravel(), y.ravel(), atol=1e-10)
    # Cᵀ y' is the transposed convolution whose output has the input's shape.
    upstream = rng.normal(size=y.shape)
    extra = [
        next(
            a
            for a in (*range(stride), None)
            if _size_or_none(y.shape[1 + axis], kernel_shape[axis], stride, padding, a) == input_shape[axis]
        )
        for axis in range(2)
    ]
    back = conv2d_transpose(upstream, kernel[..., None, None], stride, padding, _pair_or_none(extra))
    np.testing.assert_allclose(matrix.T @ upstream.ravel(), back.ravel(), atol=1e-10)


def _pair_or_none(extra):
    return None if None in extra else tuple(extra)


def _size_or_none(*args):
    try:
        return conv_transpose_output_size(*args)
    except ValueError:
        return None


def test_the_4x4_matrix_of_a_3x3_kernel_on_a_4x4_input():
    matrix = conv_matrix(np.arange(1, 10).reshape(3, 3), 4)
    assert matrix.shape == (4, 16)
    np.testing.assert_array_equal(matrix[0], [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0])
    assert (matrix != 0).sum() == 36  # each row holds the 9 kernel entries: C is sparse


def test_the_one_dimensional_examples():
    x, kernel = np.array([1, 10.0]).reshape(1, 1, 2, 1), np.array([1, 2, 3.0]).reshape(1, 3, 1, 1)
    np.testing.assert_array_equal(conv2d_transpose(x, kernel, 1).ravel(), [1, 12, 23, 30])
    np.testing.assert_array_equal(conv2d_transpose(x, kernel, (1, 2)).ravel(), [1, 2, 13, 20, 30])
    np.testing.assert_array_equal(zero_insert(x, (1, 3)).ravel(), [1, 0, 0, 10])


def test_overlap_maps_have_the_values_the_lesson_teaches():
    np.testing.assert_array_equal(overlap_map((1, 4), (1, 3), 2)[0], [1, 1, 2, 1, 2, 1, 2, 1, 1])
    interior = {
        (3, "valid"): {1, 2, 4},
        (4, "same"): {4},
        (5, "same"): {4, 6, 9},
        (2, "same"): {1},
    }
    for (kernel_size, padding), values in interior.items():
        counts = overlap_map(8, kernel_size, 2, padding)
        assert set(np.unique(counts[3:-3, 3:-3])) == values, (kernel_size, padding)
        ones = conv2d_transpose(np.ones((1, 8, 8, 1)), np.ones((kernel_size, kernel_size, 1, 1)), 2, padding)
        np.testing.assert_array_equal(counts, ones[0, ..., 0])
    assert overlap_map((5, 4), (3, 2), (1, 2), "same").shape == (5, 8)


def test_nearest_upsampling_then_a_3x3_conv_overlaps_evenly():
    upsampled = keras.layers.UpSampling2D(2, interpolation="nearest")(np.ones((1, 8, 8, 1), "float32"))
    counts = conv2d(np.asarray(upsampled), np.ones((3, 3, 1, 1)), 1, "same")[0, ..., 0]
    assert set(np.unique(counts[1:-1, 1:-1])) == {9}


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: conv2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1))), ValueError, "x must have shape"),
        (lambda: conv2d(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 1))), ValueError, "in_channels=2"),
        (lambda: conv2d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 1))), ValueError, "in_channels=2"),
        (lambda: conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3))), ValueError, "kernel must have shape"),
        (lambda: conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), (1, 2, 3)), ValueError, "pair"),
        (lambda: conv2d(np.array([["a"]] * 4), np.ones((3, 3, 1, 1))), ValueError, "x must have shape"),
        (
            lambda: conv2d_transpose(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), 2, "same", 2),
            ValueError,
            "smaller than the stride",
        ),
        (lambda: conv_matrix(np.ones((3, 3, 1, 1)), 4), ValueError, "kernel must have shape"),
        (lambda: overlap_map(4, 4, 2, "same", 0), ValueError, "even kernel"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize(("stride", "pad", "extra"), [(1, 1, 0), (2, 1, 1), (2, 2, 0), (3, 1, 2), (3, 0, 1)])
def test_integer_padding_follows_the_general_formulas(stride, pad, extra):
    """Integer padding (Dumoulin & Visin, PyTorch): the conv matches Keras on a zero-padded input, and the
    transposed conv is its adjoint, <conv(x), y> = <x, conv_transpose(y)>, sized s(i' - 1) + k - 2p + a."""
    rng = np.random.default_rng(6)
    kernel = _random(rng, 3, 3, 2, 4)
    height = conv_transpose_output_size(4, 3, stride, pad, extra)
    x = _random(rng, 2, height, height, 2)
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    convolved = conv2d(x, kernel, stride, pad)
    np.testing.assert_allclose(convolved, keras.ops.conv(padded, kernel, strides=stride), **TOLERANCE)
    upstream = rng.normal(size=convolved.shape)
    assert convolved.shape[1] == 4
    transposed = conv2d_transpose(upstream, kernel, stride, pad, extra)
    assert transposed.shape == x.shape
    assert np.isclose(np.sum(convolved * upstream), np.sum(x * transposed), rtol=1e-4)
    np.testing.assert_allclose(
        conv2d_transpose_direct(upstream, kernel, stride, pad, extra), transposed, atol=1e-9
    )
