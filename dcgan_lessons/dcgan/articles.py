"""The DCGAN most blog posts copy, rebuilt for lesson 05's "from the articles" section.

Their recipe: a discriminator ending in a sigmoid, compiled on its own with binary cross-entropy; then
`discriminator.trainable = False` and a *combined* model z -> D(G(z)) compiled for the generator; each step
`train_on_batch` on D (real images, then fakes) and on the combined model. Their networks put
`BatchNormalization(momentum=0.8)` *after* LeakyReLU in D (the paper puts it before the activation; Keras's
momentum is the weight of the old running average, so 0.8 moves it faster than the course's 0.9) and draw
images with upsampling plus convolutions. Shown here so learners can see it run and compare it with
`train_step`; the course does not train with it.
"""

from __future__ import annotations

ARTICLE_BN_MOMENTUM = 0.8


def article_generator(latent_dim: int, image_shape):
    """Dense -> 1/4-size image -> (upsample, conv 3x3, BatchNorm(0.8), ReLU) x 2 -> conv 3x3, tanh."""
    import keras

    layers = keras.layers
    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(
            f"image_shape: expected a height and width divisible by 4, got {tuple(image_shape)}."
        )
    noise = keras.Input((latent_dim,))
    x = layers.Dense(128 * (height // 4) * (width // 4), activation="relu")(noise)
    x = layers.Reshape((height // 4, width // 4, 128))(x)
    for filters in (128, 64):
        x = layers.Conv2D(filters, 3, padding="same")(layers.UpSampling2D()(x))
        x = layers.ReLU()(layers.BatchNormalization(momentum=ARTICLE_BN_MOMENTUM)(x))
    images = layers.Conv2D(channels, 3, padding="same", activation="tanh")(x)
    return keras.Model(noise, images, name="article_generator")


def article_discriminator(image_shape):
    """(conv 3x3 stride 2, LeakyReLU(0.2), BatchNorm(0.8) after it, Dropout 0.25) x 2 -> Dense(1, sigmoid)."""
    import keras

    layers = keras.layers
    images = keras.Input(tuple(image_shape))
    x = images
    for index, filters in enumerate((32, 64)):
        x = layers.LeakyReLU(negative_slope=0.2)(layers.Conv2D(filters, 3, strides=2, padding="same")(x))
        if index:  # BatchNorm after the activation, as the articles have it
            x = layers.BatchNormalization(momentum=ARTICLE_BN_MOMENTUM)(x)
        x = layers.Dropout(0.25)(x)
    probability = layers.Dense(1, activation="sigmoid")(layers.Flatten()(x))
    return keras.Model(images, probability, name="article_discriminator")
