"""Lesson 04's exercises: the DCGAN blocks and networks, checked layer by layer.

An answer builds Keras layers, so the checks compare `architecture_summary` lines (kind, key settings,
output shape, parameter count per layer), never weights: the learner sees exactly which layer differs.
"""

from __future__ import annotations

from ..architecture import (
    BN_EPSILON,
    BN_MOMENTUM,
    KERNEL_SIZE,
    LEAKY_SLOPE,
    architecture_summary,
    build_discriminator,
    build_generator,
    dcgan_init,
    discriminator_block,
    generator_block,
    upsampling_plan,
)
from ..checking import Case, Exercise, Fresh, Mistake


def _input(shape):
    def make():
        import keras

        return keras.Input(shape)

    return Fresh(make, f"keras.Input({shape})")


def _block_summary(output, args):
    import keras

    return architecture_summary(keras.Model(args[0], output))


def _model_summary(model, args):
    return architecture_summary(model)


# ---- planted mistakes: small variations of the reference builders --------------------------------------


def _layers():
    import keras

    return keras.layers


def _bn(momentum=BN_MOMENTUM):
    return _layers().BatchNormalization(momentum=momentum, epsilon=BN_EPSILON)


def _g_block(x, filters, *, use_bias=False, kernel=KERNEL_SIZE, init=True, act="relu", momentum=BN_MOMENTUM):
    layers = _layers()
    init_arg = {"kernel_initializer": dcgan_init()} if init else {}
    x = layers.Conv2DTranspose(filters, kernel, strides=2, padding="same", use_bias=use_bias, **init_arg)(x)
    x = _bn(momentum)(x)
    return layers.ReLU()(x) if act == "relu" else layers.LeakyReLU(negative_slope=LEAKY_SLOPE)(x)


def _d_block(x, filters, batch_norm=True, *, slope=LEAKY_SLOPE, act="leaky", pool=False, use_bias=None):
    layers = _layers()
    use_bias = (not batch_norm) if use_bias is None else use_bias
    strides = 1 if pool else 2
    x = layers.Conv2D(
        filters,
        KERNEL_SIZE,
        strides=strides,
        padding="same",
        use_bias=use_bias,
        kernel_initializer=dcgan_init(),
    )(x)
    if pool:
        x = layers.MaxPooling2D()(x)
    if batch_norm:
        x = _bn()(x)
    return layers.LeakyReLU(negative_slope=slope)(x) if act == "leaky" else layers.ReLU()(x)


def _generator(
    latent_dim=100, image_shape=(28, 28, 1), base_filters=64, *, output="tanh", bn_out=False, project_bn=True
):
    layers = _layers()
    import keras

    steps, side = upsampling_plan(image_shape)
    filters = base_filters * 2 ** (steps - 1)
    noise = keras.Input((latent_dim,))
    x = layers.Dense(side * side * filters, use_bias=False, kernel_initializer=dcgan_init())(noise)
    if project_bn:
        x = _bn()(x)
    x = layers.Reshape((side, side, filters))(layers.ReLU()(x))
    for _ in range(steps - 1):
        filters //= 2
        x = generator_block(x, filters)
    x = layers.Conv2DTranspose(
        image_shape[-1], KERNEL_SIZE, strides=2, padding="same", kernel_initializer=dcgan_init()
    )(x)
    if bn_out:
        x = _bn()(x)
    return keras.Model(noise, layers.Activation(output)(x))


def _discriminator(
    image_shape=(28, 28, 1), base_filters=64, *, first_bn=False, sigmoid=False, slope=LEAKY_SLOPE
):
    import keras

    layers = _layers()
    steps, _ = upsampling_plan(image_shape)
    images = keras.Input(tuple(image_shape))
    x = _d_block(images, base_filters, batch_norm=first_bn, slope=slope)
    for step in range(1, steps):
        x = _d_block(x, base_filters * 2**step, slope=slope)
    x = layers.Dense(1, kernel_initializer=dcgan_init())(layers.Flatten()(x))
    if sigmoid:
        x = layers.Activation("sigmoid")(x)
    return keras.Model(images, x)


GENERATOR_BLOCK = Exercise(
    id="04.generator_block",
    title="a generator block: ConvTranspose -> BatchNorm -> ReLU, doubling height and width",
    reference=generator_block,
    observe=_block_summary,
    public=[Case("7x7x128 -> 14x14x64", args=(_input((7, 7, 128)), 64))],
    hidden=[
        Case("another size", args=(_input((4, 4, 512)), 256)),
        Case("few filters", args=(_input((16, 16, 32)), 3)),
    ],
    mistakes=[
        Mistake(
            "keeps the bias",
            lambda x, f: _g_block(x, f, use_bias=True),
            "BatchNorm subtracts the batch mean right after the convolution, which cancels any bias: "
            "use_bias=False saves those parameters.",
        ),
        Mistake(
            "LeakyReLU in the generator",
            lambda x, f: _g_block(x, f, act="leaky"),
            "the paper uses ReLU in the generator (LeakyReLU belongs to the discriminator).",
        ),
        Mistake(
            "5x5 kernel",
            lambda x, f: _g_block(x, f, kernel=5),
            "use a 4x4 kernel: 4 is divisible by the stride 2, so the transposed convolution overlaps evenly "
            "and leaves no checkerboard (lesson 03).",
        ),
        Mistake(
            "default initialiser",
            lambda x, f: _g_block(x, f, init=False),
            "the paper initialises weights from N(0, 0.02): kernel_initializer=dcgan_init().",
        ),
        Mistake(
            "Keras's BatchNorm defaults",
            lambda x, f: _g_block(x, f, momentum=0.99),
            "Keras's BatchNormalization defaults (momentum 0.99, epsilon 1e-3) differ from the DCGAN "
            "reference code: use momentum=0.9, epsilon=1e-5.",
        ),
    ],
)

DISCRIMINATOR_BLOCK = Exercise(
    id="04.discriminator_block",
    title="a discriminator block: strided Conv -> [BatchNorm] -> LeakyReLU(0.2), halving height and width",
    reference=discriminator_block,
    observe=_block_summary,
    public=[
        Case("14x14x64 -> 7x7x128 with BatchNorm", args=(_input((14, 14, 64)), 128)),
        Case(
            "the input block, without BatchNorm", args=(_input((28, 28, 1)), 64), kwargs={"batch_norm": False}
        ),
    ],
    hidden=[
        Case("colour input block", args=(_input((64, 64, 3)), 128, False)),
        Case("a deep block", args=(_input((8, 8, 512)), 1024)),
    ],
    mistakes=[
        Mistake(
            "Keras's default LeakyReLU slope",
            lambda x, f, batch_norm=True: _d_block(x, f, batch_norm, slope=0.3),
            "keras.layers.LeakyReLU() has slope 0.3 by default; the paper uses 0.2: "
            "LeakyReLU(negative_slope=0.2).",
        ),
        Mistake(
            "ReLU in the discriminator",
            lambda x, f, batch_norm=True: _d_block(x, f, batch_norm, act="relu"),
            "the discriminator uses LeakyReLU(0.2), so gradients still flow for negative inputs.",
        ),
        Mistake(
            "pooling instead of a strided convolution",
            lambda x, f, batch_norm=True: _d_block(x, f, batch_norm, pool=True),
            "DCGAN replaces pooling with strided convolutions: strides=2 lets the network learn its own "
            "downsampling.",
        ),
        Mistake(
            "bias next to BatchNorm",
            lambda x, f, batch_norm=True: _d_block(x, f, batch_norm, use_bias=True),
            "with BatchNorm after it, the convolution's bias is cancelled: use_bias=not batch_norm.",
        ),
    ],
)

BUILD_GENERATOR = Exercise(
    id="04.build_generator",
    title="the full generator: noise -> projection -> generator blocks -> tanh image",
    reference=build_generator,
    observe=_model_summary,
    public=[Case("28x28x1 from 100 numbers", args=(100, (28, 28, 1)))],
    hidden=[
        Case("the paper's 64x64x3", args=(100, (64, 64, 3), 128)),
        Case("32x32x3, small latent", args=(16, (32, 32, 3), 32)),
    ],
    mistakes=[
        Mistake(
            "sigmoid output",
            lambda *a: _generator(*a, output="sigmoid"),
            "real images are scaled to [-1, 1], so the generator must end in tanh, not sigmoid ([0, 1]).",
        ),
        Mistake(
            "BatchNorm on the output",
            lambda *a: _generator(*a, bn_out=True),
            "no BatchNorm on the generator's output layer (a paper guideline): it would fix the output "
            "statistics.",
        ),
        Mistake(
            "no BatchNorm after the projection",
            lambda *a: _generator(*a, project_bn=False),
            "the projection (Dense) is followed by BatchNorm then ReLU, like every hidden layer of the "
            "generator.",
        ),
    ],
)

BUILD_DISCRIMINATOR = Exercise(
    id="04.build_discriminator",
    title="the full discriminator: discriminator blocks -> one logit",
    reference=build_discriminator,
    observe=_model_summary,
    public=[Case("28x28x1 images", args=((28, 28, 1),))],
    hidden=[
        Case("the paper's 64x64x3", args=((64, 64, 3), 128)),
        Case("32x32x3", args=((32, 32, 3), 32)),
    ],
    mistakes=[
        Mistake(
            "sigmoid at the end",
            lambda *a: _discriminator(*a, sigmoid=True),
            "return the logit (no sigmoid): the loss applies the sigmoid itself, stably (lesson 02).",
        ),
        Mistake(
            "BatchNorm on the input block",
            lambda *a: _discriminator(*a, first_bn=True),
            "no BatchNorm on the discriminator's first block (a paper guideline): batch_norm=False there.",
        ),
        Mistake(
            "slope 0.3",
            lambda *a: _discriminator(*a, slope=0.3),
            "LeakyReLU's slope should be 0.2 (Keras's default is 0.3).",
        ),
    ],
)

EXERCISES = [GENERATOR_BLOCK, DISCRIMINATOR_BLOCK, BUILD_GENERATOR, BUILD_DISCRIMINATOR]
