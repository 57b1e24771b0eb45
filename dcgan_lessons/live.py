"""Watching a DCGAN learn in a notebook: one figure, redrawn in place after every epoch.

The figure shows the generator's images for a fixed batch of noise (so frames are comparable) next to
the loss curves so far. Outside a notebook (a script, the CLI, a test) the callback draws into the
figure but displays nothing, so it never blocks or floods a terminal.
"""

from __future__ import annotations

import keras

from .plots import image_grid
from .training import generate


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
        self.figure, (self.image_ax, self.loss_ax) = plt.subplots(1, 2, figsize=(9, 4))
        plt.close(self.figure)  # shown through the display handle only, never twice
        self.handle = None

    def draw(self, epoch: int) -> None:
        grid = image_grid(generate(self.model.sampler, self.noise))
        self.image_ax.clear()
        self.image_ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1)
        self.image_ax.set_title(f"fixed noise after epoch {epoch}")
        self.image_ax.axis("off")
        self.loss_ax.clear()
        epochs = [h["epoch"] for h in self.history]
        for name in ("d_loss", "g_loss"):
            self.loss_ax.plot(epochs, [h[name] for h in self.history], marker=".", label=name)
        self.loss_ax.set_xlabel("epoch")
        self.loss_ax.legend()
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
