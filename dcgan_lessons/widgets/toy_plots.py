"""Pictures of a toy GAN's state: p_data, p_g and D(x) on one plot (1-D), samples and D's map (2-D).

Each function draws into an Axes (a new figure when none is given) and returns the Figure, without
`plt.show()`; the live trainer and the stepper (`stepper.py`) redraw them as training runs.
"""

from __future__ import annotations

import numpy as np


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        figure, ax = plt.subplots(figsize=figsize)
        return figure, ax
    return ax.figure, ax


def _legend_below(ax, ncol: int) -> None:
    """The legend under the axes, off the data (and under the x label)."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, fontsize=7, frameon=False)


def show_gan_1d(gan, pdf, *, x_range=(-5.0, 5.0), samples: int = 2_000, ax=None, title: str | None = None):
    """One plot of a 1-D GAN: the data density p_data, a histogram of G's samples (p_g) and D(x).

    Args:
        gan: a `ToyGAN` with data_dim 1 (anything with `sample(n)` and `discriminate(x)`).
        pdf: the data density, called on an array of x values (e.g. `mixture_1d_pdf`).
    """
    figure, ax = _axes(ax, (6.5, 3.6))
    x = np.linspace(x_range[0], x_range[1], 400)
    fake = gan.sample(samples)[:, 0]
    ax.plot(x, pdf(x), color="black", label="p_data (real density)")
    heights, _, _ = ax.hist(
        fake,
        bins=np.linspace(x_range[0], x_range[1], 61),
        density=True,
        alpha=0.45,
        color="tab:orange",
        label="p_g (generated, histogram)",
    )
    ax.plot(x, gan.discriminate(x[:, None]), color="tab:blue", label="D(x): P(real)")
    ax.axhline(0.5, color="tab:blue", linestyle=":", linewidth=0.8)
    ax.set_xlim(*x_range)
    # Room for the tallest bar: a generator squeezed into a narrow bump has a density far above 1.
    ax.set_ylim(0, 1.05 * max(1.0, float(np.max(heights)), float(np.max(pdf(x)))))
    ax.set_xlabel("x")
    ax.set_ylabel("density; D(x)")
    _legend_below(ax, ncol=3)
    if title:
        ax.set_title(title, fontsize=10)
    return figure


def show_gan_2d(
    gan, *, centers=None, lim: float = 3.0, samples: int = 1_000, ax=None, title: str | None = None
):
    """A 2-D GAN: D's probability as a heat-map (GAN Lab's background), G's samples and the true modes."""
    figure, ax = _axes(ax, (4.5, 4.5))
    grid = np.linspace(-lim, lim, 60)
    xx, yy = np.meshgrid(grid, grid)
    d = gan.discriminate(np.stack([xx.ravel(), yy.ravel()], axis=1)).reshape(xx.shape)
    mesh = ax.pcolormesh(xx, yy, d, cmap="RdBu", vmin=0, vmax=1, shading="auto", alpha=0.6)
    figure.colorbar(mesh, ax=ax, fraction=0.046, label="D(x)")
    fake = gan.sample(samples)
    if centers is not None:  # under the samples, so that samples on a mode stay visible
        centers = np.asarray(centers)
        ax.scatter(centers[:, 0], centers[:, 1], s=50, marker="x", color="red", label="true modes", zorder=2)
    ax.scatter(fake[:, 0], fake[:, 1], s=3, color="black", alpha=0.5, label="generated", zorder=3)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    _legend_below(ax, ncol=2)
    if title:
        ax.set_title(title, fontsize=10)
    return figure


def show_losses(history, *, ax=None, title: str = "training curves"):
    """D's and G's losses per round, with 2 log 2 (D's loss at equilibrium, D = 1/2) marked."""
    figure, ax = _axes(ax, (6.5, 3.0))
    ax.plot(history.d_loss, label="d_loss", linewidth=0.8)
    ax.plot(history.g_loss, label="g_loss", linewidth=0.8)
    ax.axhline(2 * np.log(2), color="gray", linestyle="--", linewidth=0.8, label="2 log 2 (D = 1/2)")
    ax.set_xlabel("round (k D steps + 1 G step)")
    ax.set_ylabel("loss")
    _legend_below(ax, ncol=3)
    ax.set_title(title, fontsize=10)
    return figure


def show_modes_over_time(results, *, modes: int = 8):
    """Lesson 01's collapse experiment over time: one column per setting, every seed in each.

    Top: modes captured (a high-quality sample within 3 std). Bottom: where G's mass sits, the modes
    holding at least 10% of the samples, one colour per seed: a spread generator fills the rows, a
    collapsed one shows one or two dots per snapshot, and mode hopping shows as dots that jump.

    Args:
        results: {setting name: [toy_collapse.CoverageTrace, one per seed]}.
    """
    import matplotlib.pyplot as plt

    names = list(results)
    figure, axes = plt.subplots(
        2, len(names), figsize=(5.2 * len(names), 6.4), squeeze=False, sharex="col", sharey="row"
    )
    for column, name in enumerate(names):
        traces = results[name]
        top, bottom = axes[0, column], axes[1, column]
        for index, trace in enumerate(traces):
            colour = f"C{index}"
            top.plot(
                trace.rounds,
                trace.modes_captured,
                drawstyle="steps-post",
                color=colour,
                alpha=0.8,
                label=f"seed {trace.seed}",
            )
            offset = (index - (len(traces) - 1) / 2) * 0.12  # seeds side by side within a mode's row
            for rounds, occupied in zip(trace.rounds, trace.occupied, strict=True):
                bottom.scatter(
                    [rounds] * len(occupied), np.array(sorted(occupied)) + offset, s=8, color=colour
                )
        top.set_title(f"{name} setting", fontsize=10)
        top.set_ylabel("modes captured")
        top.set_ylim(-0.3, modes + 0.5)
        top.grid(alpha=0.3)
        bottom.set_ylabel("modes holding ≥ 10% of samples")
        bottom.set_yticks(range(modes))
        bottom.set_ylim(-0.6, modes - 0.4)
        bottom.set_xlabel("round")
        bottom.grid(alpha=0.3, axis="y")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    return figure
