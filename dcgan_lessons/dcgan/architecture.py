"""The DCGAN generator and discriminator, built from the paper's guidelines (lesson 04).

Radford, Metz & Chintala (2015): strided (transposed) convolutions instead of pooling; BatchNorm in both
networks except the generator's output and the discriminator's input; no fully connected hidden layers;
ReLU in the generator with a tanh output; LeakyReLU(0.2) in the discriminator; weights from N(0, 0.02).
The discriminator here returns a *logit*: the loss applies the sigmoid (lesson 02 shows why).

Kernels are 4x4 with stride 2, as in PyTorch's reference DCGAN: 4 is divisible by 2, so every output
pixel of a transposed convolution gets the same number of contributions and no checkerboard appears
(lesson 03). The paper's own code used 5x5.

`tutorial_generator` / `tutorial_discriminator` rebuild TensorFlow's DCGAN tutorial model, the one most
learners have seen; lesson 04 compares it with ours and the speed benchmarks use it as a baseline.
"""

from __future__ import annotations

from ..course.validation import require_int

LEAKY_SLOPE = 0.2  # the paper's LeakyReLU slope; Keras's default is 0.3
INIT_STDDEV = 0.02  # the paper's weight initialisation N(0, 0.02)
BN_MOMENTUM = 0.9  # the reference implementations' running-average rate; Keras's default is 0.99
BN_EPSILON = 1e-5  # PyTorch's and the paper code's epsilon; Keras's default is 1e-3
KERNEL_SIZE = 4


def dcgan_init(seed: int | None = None):
    """The paper's weight initialiser: a normal distribution with mean 0 and standard deviation 0.02."""
    import keras

    return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_STDDEV, seed=seed)


def _batch_norm():
    import keras

    return keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON)


def generator_block(x, filters: int):
    """Double the height and width of `x`: ConvTranspose(4x4, stride 2) -> BatchNorm -> ReLU.

    No bias in the transposed convolution: BatchNorm subtracts the mean right after, which would cancel it.
    """
    import keras

    x = keras.layers.Conv2DTranspose(
        filters, KERNEL_SIZE, strides=2, padding="same", use_bias=False, kernel_initializer=dcgan_init()
    )(x)
    x = _batch_norm()(x)
    return keras.layers.ReLU()(x)


def discriminator_block(x, filters: int, batch_norm: bool = True):
    """Halve the height and width of `x`: Conv(4x4, stride 2) -> [BatchNorm] -> LeakyReLU(0.2).

    The first block of the discriminator has no BatchNorm (a paper guideline); it keeps its bias instead.
    """
    import keras

    x = keras.layers.Conv2D(
        filters,
        KERNEL_SIZE,
        strides=2,
        padding="same",
        use_bias=not batch_norm,
        kernel_initializer=dcgan_init(),
    )(x)
    if batch_norm:
        x = _batch_norm()(x)
    return keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE)(x)


def upsampling_plan(image_shape) -> tuple[int, int]:
    """(number of stride-2 steps, starting side) for a square image: 28 -> (2, 7), 64 -> (4, 4), 32 -> (3, 4).

    The generator starts from the smallest side >= 4 that doubles exactly to the image side.
    """
    height, width, channels = _check_image_shape(image_shape)
    steps, side = 0, height
    while side % 2 == 0 and side // 2 >= 4:
        side //= 2
        steps += 1
    if steps == 0:
        raise ValueError(
            f"image_shape: expected a side that halves at least once to 4 or more (28, 32, 64, ...), "
            f"got {image_shape}."
        )
    return steps, side


def _check_image_shape(image_shape) -> tuple[int, int, int]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
        raise ValueError(f"image_shape: expected (height, width, channels), got {image_shape!r}.")
    height, width, channels = (require_int(v, "image_shape entry", minimum=1) for v in image_shape)
    if height != width:
        raise ValueError(f"image_shape: expected a square image, got {height}x{width}.")
    return height, width, channels


def build_generator(latent_dim: int = 100, image_shape=(28, 28, 1), base_filters: int = 64):
    """The DCGAN generator: noise (batch, latent_dim) -> images (batch, *image_shape) in [-1, 1].

    28x28x1, base_filters=64:  z -> 7x7x128 -> 14x14x64 -> 28x28x1.
    64x64x3, base_filters=128: z -> 4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3 (the paper's).
    The first layer is the paper's "projection": a matrix multiplication reshaped into a small image.
    """
    import keras

    latent_dim = require_int(latent_dim, "latent_dim", minimum=1)
    base_filters = require_int(base_filters, "base_filters", minimum=1)
    steps, side = upsampling_plan(image_shape)
    filters = base_filters * 2 ** (steps - 1)

    noise = keras.Input((latent_dim,), name="noise")
    x = keras.layers.Dense(side * side * filters, use_bias=False, kernel_initializer=dcgan_init())(noise)
    x = _batch_norm()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Reshape((side, side, filters))(x)  # (batch, side, side, filters)
    for _ in range(steps - 1):
        filters //= 2
        x = generator_block(x, filters)  # height and width double, filters halve
    x = keras.layers.Conv2DTranspose(
        image_shape[-1], KERNEL_SIZE, strides=2, padding="same", kernel_initializer=dcgan_init()
    )(x)
    images = keras.layers.Activation("tanh")(x)  # no BatchNorm on the output: tanh sets the range
    return keras.Model(noise, images, name="generator")


def build_discriminator(image_shape=(28, 28, 1), base_filters: int = 64):
    """The DCGAN discriminator: images (batch, *image_shape) -> one logit per image, (batch, 1).

    It mirrors the generator: each block halves the side and doubles the filters, then one linear unit.
    No sigmoid: the loss works on logits, which is numerically stable (lesson 02).
    """
    import keras

    base_filters = require_int(base_filters, "base_filters", minimum=1)
    steps, _ = upsampling_plan(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = discriminator_block(images, base_filters, batch_norm=False)  # no BatchNorm on the input block
    for step in range(1, steps):
        x = discriminator_block(x, base_filters * 2**step)
    x = keras.layers.Flatten()(x)
    logits = keras.layers.Dense(1, kernel_initializer=dcgan_init())(x)
    return keras.Model(images, logits, name="discriminator")


def tutorial_generator(latent_dim: int = 100):
    """TensorFlow's DCGAN tutorial generator (28x28x1), rebuilt in Keras 3 for comparison."""
    import keras

    noise = keras.Input((latent_dim,))
    x = keras.layers.Dense(7 * 7 * 256, use_bias=False)(noise)
    x = keras.layers.LeakyReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.Reshape((7, 7, 256))(x)
    for filters, strides in ((128, 1), (64, 2)):
        x = keras.layers.Conv2DTranspose(filters, 5, strides=strides, padding="same", use_bias=False)(x)
        x = keras.layers.LeakyReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh")(x)
    return keras.Model(noise, x, name="tutorial_generator")


def tutorial_discriminator():
    """TensorFlow's DCGAN tutorial discriminator (28x28x1 -> one logit), rebuilt in Keras 3."""
    import keras

    images = keras.Input((28, 28, 1))
    x = images
    for filters in (64, 128):
        x = keras.layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = keras.layers.Dropout(0.3)(keras.layers.LeakyReLU()(x))
    logits = keras.layers.Dense(1)(keras.layers.Flatten()(x))
    return keras.Model(images, logits, name="tutorial_discriminator")


def describe_layer(layer) -> str:
    """One line naming a layer's kind and the settings the DCGAN guidelines are about."""
    config = layer.get_config()
    parts = []
    if "filters" in config:
        parts.append(f"filters={config['filters']}")
    if "units" in config:
        parts.append(f"units={config['units']}")
    if "kernel_size" in config:
        parts.append(f"kernel={tuple(config['kernel_size'])}")
    if "strides" in config and "kernel_size" in config:
        parts.append(f"strides={tuple(config['strides'])}, padding={config['padding']}")
    if "use_bias" in config and ("kernel_size" in config or "units" in config):
        parts.append(f"use_bias={config['use_bias']}")
    initializer = config.get("kernel_initializer")
    if isinstance(initializer, dict):
        stddev = initializer.get("config", {}).get("stddev")
        name = initializer.get("class_name", "?")
        parts.append(f"init={name}" + (f"(stddev={stddev:g})" if stddev is not None else ""))
    if "activation" in config and config["activation"] not in (None, "linear"):
        parts.append(f"activation={config['activation']}")
    if type(layer).__name__ == "LeakyReLU":
        parts.append(f"negative_slope={config['negative_slope']:g}")
    if type(layer).__name__ == "BatchNormalization":
        parts.append(f"momentum={config['momentum']:g}, epsilon={config['epsilon']:g}")
    if "rate" in config:
        parts.append(f"rate={config['rate']:g}")
    return f"{type(layer).__name__}({', '.join(parts)})"


def architecture_summary(model) -> list[str]:
    """One line per layer: its kind and key settings, output shape and parameter count.

    The lesson-04 checks compare these lines, so a learner sees exactly which layer differs.
    """
    lines = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        shape = tuple(layer.output.shape)
        lines.append(f"{describe_layer(layer)} -> {shape}, {layer.count_params():,} params")
    return lines
