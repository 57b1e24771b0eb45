"""Lesson 01's ring of 8 with lesson 07's stabilisers: the same small MLPs trained with the BCE loss,
WGAN-GP and hinge + spectral norm, on several seeds, measured by modes captured and high-quality share.

Only the loss (and spectral norm) changes between methods: every method uses lesson 01's optimiser
settings (Adam, D 2e-3, G 1e-3, beta_1 0.5), batch 128 and the same networks and seeds. Setting
"collapse" is lesson 01's failure setting (5 G steps for every D step, toy_collapse.SETTINGS); "default"
is 1 and 1 for BCE and hinge, and the paper's 5 critic steps per G step for WGAN-GP.
"""

from __future__ import annotations

import keras
import numpy as np

from ..course.environment import set_seed
from ..dcgan.stable_gan import StableGAN, build_toy_networks
from .collapse import PROBE, RING_STD, sample_real_ring
from .distributions import ring_centers
from .mode_coverage import mode_coverage_report

METHODS = {"bce": ("bce", False), "wgan-gp": ("wgan-gp", False), "hinge+sn": ("hinge", True)}


def _ring_gan(method: str, seed: int, setting: str, gan=None):
    """A compiled StableGAN for `method` whose state is exactly a fresh one's for `seed`.

    Given `gan` (built for the same method and setting), its variables are overwritten instead: the same
    numbers as a new model, but fit() reuses the traced training function (compiling it is most of a short
    run's time).
    """
    loss, spectral = METHODS[method]
    set_seed(seed)
    generator, discriminator = build_toy_networks(spectral_norm=spectral)
    if gan is None:
        n_critic = 5 if (loss == "wgan-gp" and setting == "default") else 1
        g_steps = 5 if setting == "collapse" else 1
        gan = StableGAN(generator, discriminator, loss=loss, n_critic=n_critic, g_steps=g_steps, seed=seed)
        gan.compile(keras.optimizers.Adam(2e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
        return gan
    gan.generator.set_weights(generator.get_weights())
    gan.discriminator.set_weights(discriminator.get_weights())
    for optimizer in (gan.d_optimizer, gan.g_optimizer):  # Adam's step count and moments start at 0
        for variable in optimizer.variables:
            if variable.name != "learning_rate":  # the rate stays
                variable.assign(keras.ops.zeros_like(variable))
    gan.seed_generator.state.assign(keras.random.SeedGenerator(seed).state.value)
    return gan


def train_on_ring(method: str, seed: int, rounds: int, setting: str = "collapse", batch_size: int = 128):
    """Train one method for `rounds` rounds; returns (modes captured, high-quality share) on PROBE samples."""
    return _train(_ring_gan(method, seed, setting), seed, rounds, batch_size)


def _train(gan, seed: int, rounds: int, batch_size: int = 128):
    real = sample_real_ring(rounds * batch_size, np.random.default_rng(seed)).astype("float32")
    gan.fit(real, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    z = np.random.default_rng(10_000 + seed).standard_normal((PROBE, 8)).astype("float32")
    samples = keras.ops.convert_to_numpy(gan.generator(z, training=False))
    report = mode_coverage_report(samples, ring_centers(), RING_STD)
    return report.modes_captured, report.high_quality


def compare_on_ring(rounds: int, seeds=(0, 1, 2), setting: str = "collapse") -> dict[str, list[tuple]]:
    """{method: [(seed, modes captured, high-quality share), ...]} for every method and seed (one model
    per method, reset for each seed: see `_ring_gan`)."""
    results = {}
    for method in METHODS:
        gan, results[method] = None, []
        for seed in seeds:
            gan = _ring_gan(method, seed, setting, gan)
            results[method].append((seed, *_train(gan, seed, rounds)))
    return results
