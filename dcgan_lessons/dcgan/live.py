"""Watching a DCGAN learn in a notebook: one figure, redrawn in place after every epoch.

The figure shows the generator's images for a fixed batch of noise (so frames are comparable) next to
the loss curves so far and both networks' view of the game: D(x), how real D finds the real images, and
D(G(z)), how real it finds the fakes. Dashed lines mark the equilibrium (d_loss = 2 ln 2, g_loss = ln 2,
D = ½). The figure's title says which epoch of how many and the speed: it is the one progress display of a
training call, updated in place (train with `verbose=0`, so Keras's own bars do not pile up under it).
Outside a notebook (a script, the CLI, a test) the callback draws into the
figure but displays nothing, so it never blocks or floods a terminal.
"""

from __future__ import annotations

import keras

from ..course.images import image_grid
from ..runs.run_reading import EQUILIBRIUM_D_LOSS, EQUILIBRIUM_G_LOSS
from .sampling import generate


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class LiveProgress(keras.callbacks.Callback):
    """A Keras callback: after each epoch, redraw the sample grid and the loss curves in place.

    Args:
        noise: the fixed noise whose images are drawn.
        history: the run's per-epoch records (the list `train_dcgan` fills), plotted as curves.
    """

    def __init__(self, noise, history: list[dict]):
        super().__init__()
        import matplotlib.pyplot as plt

        self.noise, self.history = noise, history
        self.figure, (self.image_ax, self.loss_ax, self.d_ax) = plt.subplots(
            1, 3, figsize=(12, 3.8), dpi=72, gridspec_kw={"width_ratios": [1, 1.2, 1.2]}
        )
        plt.close(self.figure)  # shown through the display handle only, never twice; dpi 72 keeps it small
        self.handle = None

    def draw(self, epoch: int) -> None:
        grid = image_grid(generate(self.model.sampler, self.noise))
        self.image_ax.clear()
        self.image_ax.imshow(
            grid[..., 0] if grid.shape[-1] == 1 else grid,
            cmap="gray",
            vmin=0,
            vmax=1,
            interpolation="nearest",
        )
        self.image_ax.set_title(f"fixed noise after epoch {epoch}")
        self.image_ax.axis("off")
        epochs = [h["epoch"] for h in self.history]
        panels = (
            (
                self.loss_ax,
                "losses",
                (("d_loss", "d_loss"), ("g_loss", "g_loss")),
                ((EQUILIBRIUM_D_LOSS, "2 ln 2"), (EQUILIBRIUM_G_LOSS, "ln 2")),
            ),
            (
                self.d_ax,
                "D's view (mean over the epoch)",
                (("d_real", "D(x)"), ("d_fake", "D(G(z))")),
                ((0.5, "½"),),
            ),
        )
        for ax, title, curves, references in panels:
            ax.clear()
            for name, label in curves:
                if all(name in h for h in self.history):
                    ax.plot(epochs, [h[name] for h in self.history], marker=".", label=label)
            for value, label in references:
                ax.axhline(value, color="grey", linestyle="--", linewidth=0.8)
                ax.annotate(label, (1, value), xycoords=("axes fraction", "data"), color="grey", fontsize=8)
            ax.set_title(title, fontsize=10)
            ax.set_xlabel("epoch")
            ax.legend(fontsize=8, loc="best")
        self.d_ax.set_ylim(-0.02, 1.02)
        total = (self.params or {}).get("epochs", "?")
        speed = self.history[-1].get("images_per_s") if self.history else None
        self.figure.suptitle(
            f"epoch {epoch} of {total}" + (f" · {speed:,.0f} images/s" if speed else ""), fontsize=11
        )
        self.figure.tight_layout()

    def on_epoch_end(self, epoch, logs=None):
        self.draw(epoch + 1)
        if not _in_notebook():
            return
        from IPython.display import display

        if self.handle is None:
            self.handle = display(self.figure, display_id=True)
        else:
            self.handle.update(self.figure)
