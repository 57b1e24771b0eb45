"""Mode collapse, measured: train the NumPy 2-D GAN on the ring of 8 on several seeds, in two settings.

Lesson 01 runs `collapse_experiment` and prints what it measured. The *default* setting is Algorithm 1
(k = 1 D step, 1 G step per round, D's learning rate 2e-3 and G's 1e-3); the *collapse* setting changes
one thing, G takes five steps for every D step, so G
keeps racing to whichever spot the current D rates most real, D then learns to reject that spot, and
G jumps to the next one: mode hopping, the failure Goodfellow's NIPS 2016 tutorial (section 5.1.1)
describes. Both settings were chosen by measurement (the seeds and counts are in the lesson's output
and in tests/test_toy_collapse.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..course.validation import require_int
from .distributions import ring_centers, sample_ring
from .gan_2d import GAN2D, GAN2DConfig, single_threaded
from .mode_coverage import count_mode_hops, mode_coverage_report, occupied_modes

RING_STD = 0.02  # the ring of lesson 01 (and of the WGAN-GP paper's toy): radius 2, std 0.02
SETTINGS = {
    "default": GAN2DConfig(),  # Algorithm 1: k = 1 D step, then 1 G step; lr D 2e-3, G 1e-3
    "collapse": GAN2DConfig(g_steps=5),  # 5 G steps for every D step
}
SEEDS = (0, 1, 2, 3, 4)
PROBE = 2_500  # samples per measurement, as in VEEGAN and PacGAN


def sample_real_ring(n, rng):
    """n real points from lesson 01's ring, drawn with `rng` (the GAN's own generator)."""
    return sample_ring(n, std=RING_STD, seed=rng)


@dataclass
class CoverageTrace:
    """What one run looked like over time: one entry per snapshot."""

    seed: int
    rounds: list[int] = field(default_factory=list)
    modes_captured: list[int] = field(default_factory=list)
    high_quality: list[float] = field(default_factory=list)
    occupied: list[frozenset] = field(default_factory=list)  # modes holding >= 10% of the samples

    @property
    def final_modes(self) -> int:
        return self.modes_captured[-1]

    @property
    def hops(self) -> int:
        return count_mode_hops(self.occupied)

    @property
    def concentrated(self) -> int:
        """Snapshots in which G's mass sat on at most 2 modes (each holding >= 10% of the samples)."""
        return sum(1 for modes in self.occupied if 0 < len(modes) <= 2)

    @property
    def covers_all(self) -> bool:
        return self.final_modes == len(ring_centers())

    @property
    def collapsed(self) -> bool:
        """The issue's test: at most 2 modes captured at the end, or at least 3 mode hops."""
        return self.final_modes <= 2 or self.hops >= 3


def trace_run(config: GAN2DConfig, seed: int, rounds: int, snapshots: int = 20) -> CoverageTrace:
    """Train a fresh GAN2D for `rounds` rounds and measure mode coverage at `snapshots` even steps.

    The same `PROBE` latent vectors are used at every snapshot, so changes come from G alone.
    """
    rounds = require_int(rounds, "rounds", minimum=1)
    snapshots = min(require_int(snapshots, "snapshots", minimum=1), rounds)
    gan = GAN2D(config, seed=seed)
    z = np.random.default_rng(10_000 + seed).standard_normal((PROBE, config.latent_dim))
    centers = ring_centers()
    trace = CoverageTrace(seed)
    marks = np.linspace(0, rounds, snapshots + 1).round().astype(int)
    with single_threaded():
        for before, after in zip(marks[:-1], marks[1:], strict=True):
            gan.train(sample_real_ring, int(after - before))
            samples = gan.generate(z)
            report = mode_coverage_report(samples, centers, RING_STD)
            trace.rounds.append(int(after))
            trace.modes_captured.append(report.modes_captured)
            trace.high_quality.append(report.high_quality)
            trace.occupied.append(occupied_modes(samples, centers))
    return trace


def collapse_experiment(
    rounds: int, *, seeds: Sequence[int] = SEEDS, snapshots: int = 20
) -> dict[str, list[CoverageTrace]]:
    """`trace_run` for every seed in both `SETTINGS`; returns {"default": [...], "collapse": [...]}."""
    return {
        name: [trace_run(config, seed, rounds, snapshots) for seed in seeds]
        for name, config in SETTINGS.items()
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _seeds(seeds) -> str:
    if not seeds:
        return "(none)"
    return f"(seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))})"


def describe_experiment(results: dict[str, list[CoverageTrace]]) -> str:
    """What the experiment measured, seed by seed, as sentences the lesson prints."""
    lines = []
    for name, traces in results.items():
        config = SETTINGS[name]
        lines.append(
            f"{name} setting ({_plural(config.k, 'D step')} and {_plural(config.g_steps, 'G step')} per "
            f"round, learning rates D {config.d_lr:g}, G {config.g_lr:g}), {traces[0].rounds[-1]} rounds:"
        )
        for trace in traces:
            lines.append(
                f"  seed {trace.seed}: {trace.final_modes} of 8 modes captured at the end, "
                f"{100 * trace.high_quality[-1]:.0f}% high-quality samples; "
                f"mass on <= 2 modes in {trace.concentrated} of {len(trace.occupied)} snapshots, "
                f"{_plural(trace.hops, 'mode hop')}"
            )
        full = [t.seed for t in traces if t.covers_all]
        bad = [t.seed for t in traces if t.collapsed]
        lines.append(
            f"  -> all 8 modes at the end in {len(full)} of {len(traces)} seeds {_seeds(full)}; "
            f"collapsed (<= 2 modes at the end) or hopping (>= 3 hops) in {len(bad)} of {len(traces)} "
            f"{_seeds(bad)}"
        )
    return "\n".join(lines)
