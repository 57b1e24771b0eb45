"""Lesson 04's exercises: the DCGAN blocks and networks, checked by what they compute.

An answer builds Keras layers. The checks compare its *behaviour* (`behaviour`, plain data):
- the layers' roles in a canonical form (a transposed convolution and its settings, BatchNorm and its
  momentum and epsilon, the activation and its slope, the weight initialiser), so that `ReLU()` and
  `Activation("relu")`, or `Conv2DTranspose(..., activation="tanh")` and a separate tanh, are the same;
- the output shape and the trainable and non-trainable parameter counts;
- the outputs on fixed inputs with every weight set to fixed values, in training and in inference mode,
  and BatchNorm's moving statistics after one training call.

On a difference the feedback names the role ("the 1st BatchNorm's epsilon") and what the learner's network
has there, never what the course's has.
"""

from __future__ import annotations

import numpy as np

from ..course.checking import Case, Exercise, Fresh, Mismatch, Mistake, compare_values
from ..dcgan.architecture import (
    BN_EPSILON,
    BN_MOMENTUM,
    KERNEL_SIZE,
    LEAKY_SLOPE,
    build_discriminator,
    build_generator,
    dcgan_init,
    discriminator_block,
    generator_block,
    upsampling_plan,
)


def _input(shape):
    def make():
        import keras

        return keras.Input(shape)

    return Fresh(make, f"keras.Input({shape})")


# ---- canonical roles ------------------------------------------------------------------------------------

_ACTIVATIONS = {"relu", "leaky ReLU", "tanh", "sigmoid", "ELU", "other activation"}
_CATEGORY = {
    "dense": "Dense layer",
    "convolution": "convolution",
    "transposed convolution": "transposed convolution",
    "BatchNorm": "BatchNorm",
    "dropout": "Dropout",
    "pooling": "pooling layer",
    "upsampling": "upsampling layer",
}
_SETTING_NAMES = {
    "units": "number of units",
    "filters": "number of filters",
    "kernel": "kernel size",
    "strides": "stride",
    "padding": "padding",
    "output_padding": "output_padding",
    "bias": "bias (use_bias)",
    "init": "weight initialiser",
    "momentum": "momentum",
    "epsilon": "epsilon",
    "features": "number of normalised features (its axis)",
    "scale": "scale (gamma)",
    "center": "center (beta)",
    "slope": "negative slope",
    "rate": "rate",
    "function": "function",
}


def _initializer(config) -> str:
    if not isinstance(config, dict):
        return str(config)
    name = config.get("class_name", "?")
    settings = config.get("config", {}) or {}
    shown = {k: settings[k] for k in ("mean", "stddev", "minval", "maxval", "scale") if k in settings}
    inner = ", ".join(f"{k}={float(v):g}" for k, v in shown.items())
    return f"{name}({inner})"


def _activation_role(name, slope=None):
    name = str(name)
    if name in ("relu",):
        return ["relu", {}]
    if name in ("leaky_relu",):
        return ["leaky ReLU", {"slope": float(0.2 if slope is None else slope)}]
    if name in ("tanh", "sigmoid"):
        return [name, {}]
    if name == "elu":
        return ["ELU", {}]
    return ["other activation", {"function": name}]


def _roles(model) -> list:
    """Each layer's role and the settings that matter, in order; layers that only move numbers around
    (Input, Reshape, Flatten, a linear Activation) have none."""
    roles = []
    for layer in model.layers:
        kind, config = type(layer).__name__, layer.get_config()
        activation = config.get("activation")
        if kind == "Dense":
            roles.append(["dense", {"units": config["units"], "bias": config["use_bias"]}])
        elif kind in ("Conv2D", "Conv2DTranspose"):
            role = "convolution" if kind == "Conv2D" else "transposed convolution"
            settings = {
                "filters": config["filters"],
                "kernel": list(config["kernel_size"]),
                "strides": list(config["strides"]),
                "padding": config["padding"],
                "bias": config["use_bias"],
            }
            if config.get("output_padding") is not None:
                settings["output_padding"] = list(np.atleast_1d(config["output_padding"]).tolist())
            roles.append([role, settings])
        elif kind == "BatchNormalization":
            roles.append(
                [
                    "BatchNorm",
                    {
                        "features": int(np.prod(layer.gamma.shape)) if layer.scale else None,
                        "momentum": round(float(config["momentum"]), 6),
                        "epsilon": float(config["epsilon"]),
                        "scale": config["scale"],
                        "center": config["center"],
                    },
                ]
            )
        elif kind == "ReLU":
            slope, top, threshold = config["negative_slope"], config["max_value"], config["threshold"]
            if top is None and threshold == 0 and slope == 0:
                roles.append(["relu", {}])
            elif top is None and threshold == 0:
                roles.append(["leaky ReLU", {"slope": float(slope)}])
            else:
                roles.append(["other activation", {"function": f"ReLU({top}, {slope}, {threshold})"}])
        elif kind == "LeakyReLU":
            roles.append(["leaky ReLU", {"slope": float(config["negative_slope"])}])
        elif kind == "Activation":
            if activation not in (None, "linear"):
                roles.append(_activation_role(activation))
            continue
        elif kind == "Dropout":
            roles.append(["dropout", {"rate": float(config["rate"])}])
        elif "Pooling" in kind:
            roles.append(["pooling", {"function": kind}])
        elif kind == "UpSampling2D":
            roles.append(["upsampling", {}])
        elif kind not in ("InputLayer", "Reshape", "Flatten"):
            roles.append(["other layer", {"function": kind}])
        if kind in ("Dense", "Conv2D", "Conv2DTranspose"):
            roles[-1][1]["init"] = _initializer(config.get("kernel_initializer"))
            if activation not in (None, "linear"):
                roles.append(_activation_role(activation))
    return roles


# ---- fixed weights and inputs -----------------------------------------------------------------------------


def _fill(model) -> None:
    """Set every weight to fixed values drawn by position and name: equal networks get equal weights."""
    for index, variable in enumerate(model.weights):
        shape = tuple(variable.shape)
        rng = np.random.default_rng([index, *shape])
        name = variable.name.split("/")[-1]
        if name == "kernel":
            values = rng.normal(0.0, 1.0 / np.sqrt(max(np.prod(shape[:-1]), 1)), shape)
        elif name in ("gamma", "moving_variance"):
            values = rng.uniform(0.5, 1.5, shape)
        else:  # bias, beta, moving_mean, anything else
            values = rng.normal(0.0, 0.2, shape)
        variable.assign(values.astype(variable.dtype))


def _fixed_input(model) -> np.ndarray:
    shape = tuple(model.inputs[0].shape[1:])
    return np.random.default_rng([len(shape), *shape]).uniform(-1, 1, (4, *shape)).astype("float32")


def behaviour(model) -> dict:
    """What a network is and computes, as plain data (lists, numbers, arrays) a grader can compare."""
    roles = _roles(model)
    trainable = int(sum(np.prod(v.shape) for v in model.trainable_weights))
    frozen = int(sum(np.prod(v.shape) for v in model.non_trainable_weights))
    shape = [None if d is None else int(d) for d in model.outputs[0].shape[1:]]
    _fill(model)
    x = _fixed_input(model)
    training = np.asarray(model(x, training=True), dtype=np.float64)
    moving = [np.ravel(np.asarray(v, dtype=np.float64)) for v in model.non_trainable_weights]
    inference = np.asarray(model(x, training=False), dtype=np.float64)
    return {
        "roles": roles,
        "shape": shape,
        "params": [trainable, frozen],
        "training": training,
        "inference": inference,
        "moving": np.concatenate(moving) if moving else np.zeros(0),
    }


def _block_behaviour(output, args):
    import keras

    return behaviour(keras.Model(args[0], output))


def _model_behaviour(model, args):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    return behaviour(model)


def _ordinal(n: int) -> str:
    return f"{n}{'tsnrhtdd'[(n // 10 % 10 != 1) * (n % 10 < 4) * n % 10 :: 4]}"


def _role_names(roles) -> list[str]:
    """'the 2nd BatchNorm', 'the 1st activation': each role named by its kind and place among its kind."""
    counts: dict[str, int] = {}
    names = []
    for kind, _ in roles:
        category = "activation" if kind in _ACTIVATIONS else _CATEGORY.get(kind, kind)
        counts[category] = counts.get(category, 0) + 1
        names.append(f"the {_ordinal(counts[category])} {category}")
    return names


def _describe_role(role) -> str:
    kind, settings = role
    shown = ", ".join(f"{_SETTING_NAMES.get(k, k)} {v}" for k, v in settings.items())
    return f"{kind} ({shown})" if shown else kind


def compare_behaviour(expected, got) -> Mismatch | None:
    """Name the first role, setting or output that differs, showing the learner's side only. Pure."""
    if not isinstance(got, dict) or set(got) != set(expected):
        return Mismatch("type", "expected the network's behaviour record, got something else")
    want, have = expected["roles"], got["roles"]
    names = _role_names(want)
    for index, (a, b) in enumerate(zip(want, have, strict=False)):
        if a[0] != b[0]:
            return Mismatch(
                "values",
                f"at layer role {index + 1} of {len(want)}, where {names[index]} belongs, yours has "
                f"{_describe_role(b)}.",
            )
        for key in sorted(set(a[1]) | set(b[1])):
            if a[1].get(key) != b[1].get(key):
                return Mismatch(
                    "values",
                    f"{names[index]}'s {_SETTING_NAMES.get(key, key)} is not what it should be "
                    f"(yours: {b[1].get(key)}).",
                )
    if len(have) != len(want):
        extra = "more" if len(have) > len(want) else "fewer"
        where = _describe_role(have[len(want)]) if len(have) > len(want) else names[len(have)]
        return Mismatch(
            "length",
            f"your network has {extra} layers with a role (Dense, convolutions, BatchNorm, activations, "
            f"...) than it should: the first difference is at role {min(len(have), len(want)) + 1} "
            f"({'yours: ' + where if extra == 'more' else 'missing: ' + where}).",
        )
    if list(have_shape := got["shape"]) != list(expected["shape"]):
        return Mismatch(
            "shape", f"the output shape: expected {tuple(expected['shape'])}, got {tuple(have_shape)}"
        )
    (t_want, f_want), (t_have, f_have) = expected["params"], got["params"]
    if (t_want, f_want) != (t_have, f_have):
        return Mismatch(
            "values",
            f"the parameter count: expected {t_want:,} trainable and {f_want:,} non-trainable, "
            f"got {t_have:,} and {f_have:,}",
        )
    for key, label in (
        ("training", "the output in training mode (on fixed weights and inputs)"),
        ("inference", "the output in inference mode (on fixed weights and inputs)"),
        ("moving", "BatchNorm's moving statistics after one training call"),
    ):
        mismatch = compare_values(expected[key], got[key], rtol=1e-4, atol=1e-5)
        if mismatch:
            return Mismatch(mismatch.kind, f"{label}: {mismatch.detail}")
    return None


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
    observe=_block_behaviour,
    comparator=compare_behaviour,
    public=[
        Case("7x7x128 -> 14x14x64", args=(_input((7, 7, 128)), 64)),
        Case("4x4x32 -> 8x8x3", args=(_input((4, 4, 32)), 3)),
    ],
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
    observe=_block_behaviour,
    comparator=compare_behaviour,
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
    observe=_model_behaviour,
    comparator=compare_behaviour,
    public=[
        Case("28x28x1 from 100 numbers", args=(100, (28, 28, 1))),
        Case("32x32x3 from 16 numbers, base_filters=32", args=(16, (32, 32, 3), 32)),
    ],
    hidden=[
        Case("64x64x3, the paper's shape", args=(100, (64, 64, 3), 32)),
        Case("16x16x1, one block fewer", args=(8, (16, 16, 1), 16)),
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
    observe=_model_behaviour,
    comparator=compare_behaviour,
    public=[
        Case("28x28x1 images", args=((28, 28, 1),)),
        Case("32x32x3 images, base_filters=32", args=((32, 32, 3), 32)),
    ],
    hidden=[
        Case("64x64x3, the paper's shape", args=((64, 64, 3), 32)),
        Case("16x16x1", args=((16, 16, 1), 16)),
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
