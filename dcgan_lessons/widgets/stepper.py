"""Train a toy GAN where you can watch it: live plots, a hand-stepper (like GAN Lab), static snapshots.

- `train_live` trains for some rounds and redraws the plot in place every few rounds.
- `ToyGANStepper` steps D only, G only, or both (k D steps then one G step), changes the learning
  rates and k, and resets, from ipywidgets buttons or from code (`stepper.step("D")`).
- `snapshots` is the static fallback: a row of pictures of the same run after given numbers of rounds,
  for when widgets are unavailable (a static viewer, a PDF export). Nothing here waits for a click.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..course.validation import require_choice, require_int
from ..toy.gan_1d import History, ToyGAN, alternating_step, train
from .toy_plots import show_gan_1d, show_gan_2d


def _draw(gan, ax, title, pdf=None, centers=None, x_range=(-5.0, 5.0)):
    if gan.data_dim == 1:
        if pdf is None:
            raise ValueError("a 1-D GAN is drawn against the data density: pass pdf=...")
        return show_gan_1d(gan, pdf, x_range=x_range, ax=ax, title=title)
    return show_gan_2d(gan, centers=centers, ax=ax, title=title)


def train_live(
    gan: ToyGAN,
    sample_real: Callable,
    steps: int,
    *,
    pdf=None,
    centers=None,
    k: int = 1,
    every: int = 100,
    history: History | None = None,
    step: Callable = alternating_step,
) -> History:
    """Train like `toy_gan.train` (same arguments), redrawing the GAN's picture every `every` rounds."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    figure = plt.figure(figsize=(6.5, 3.6) if gan.data_dim == 1 else (5, 4.5))
    start = len(history.d_loss) if history is not None else 0
    _draw(gan, figure.add_subplot(), f"after {start} rounds", pdf, centers)
    handle = display(figure, display_id=True)

    def redraw(step, gan):
        figure.clear()  # also removes the 2-D plot's colour bar, which is drawn again
        _draw(gan, figure.add_subplot(), f"after {start + step} rounds", pdf, centers)
        if handle is not None:
            handle.update(figure)

    history = train(gan, sample_real, steps, k=k, history=history, callback=redraw, every=every, step=step)
    plt.close(figure)  # already shown through the display handle; do not draw it a second time
    return history


def snapshots(
    gan: ToyGAN,
    sample_real: Callable,
    rounds: Sequence[int],
    *,
    pdf=None,
    centers=None,
    k: int = 1,
    ncols: int = 3,
):
    """Train and draw the GAN after each number of `rounds` (increasing, from its current state).

    The static fallback of the stepper: the same story as the live plot, as one figure.
    """
    import matplotlib.pyplot as plt

    rounds = [require_int(r, "rounds", minimum=0) for r in rounds]
    if not rounds or any(b < a for a, b in zip(rounds, rounds[1:], strict=False)):
        raise ValueError(f"rounds must be a non-empty increasing sequence, got {rounds}.")
    nrows = -(-len(rounds) // ncols)
    size = (4.2, 2.8) if gan.data_dim == 1 else (3.4, 3.0)
    figure, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)
    done = 0
    for ax, target in zip(axes.ravel(), rounds, strict=False):
        train(gan, sample_real, target - done, k=k)
        done = target
        _draw(gan, ax, f"after {target} rounds", pdf, centers)
    for ax in axes.ravel()[len(rounds) :]:
        ax.axis("off")
    figure.tight_layout()
    return figure


class ToyGANStepper:
    """Step a toy GAN by hand: D only, G only, or a round of Algorithm 1; change rates and k; reset.

    Use `widget()` in a notebook for buttons and sliders, or call `step` from code; both update the
    same history. `widget()` returns None when ipywidgets is missing (draw `figure()` instead).
    """

    def __init__(self, gan: ToyGAN, sample_real: Callable, *, pdf=None, centers=None, k: int = 1):
        self.gan = gan
        self.sample_real = sample_real
        self.pdf = pdf
        self.centers = centers
        self.k = require_int(k, "k", minimum=1)
        self.log: list[tuple[str, float]] = []  # ("D" or "G", loss) for every single step taken

    def step(self, which: str = "both", times: int = 1) -> list[tuple[str, float]]:
        """Take `times` steps: "D" (one D update), "G" (one G update) or "both" (k D updates, one G)."""
        require_choice(which, "step", ("D", "G", "both"))
        taken = []
        for _ in range(require_int(times, "times", minimum=1)):
            if which == "D":
                taken.append(("D", self.gan.d_step(self._real())))
            elif which == "G":
                taken.append(("G", self.gan.g_step()))
            else:
                d_loss, g_loss = alternating_step(self.gan, [self._real() for _ in range(self.k)])
                taken += [("D", d_loss), ("G", g_loss)]
        self.log += taken
        return taken

    def reset(self) -> None:
        """Back to the GAN's initial weights (its seed) and an empty log."""
        self.gan.reset()
        self.log = []

    def _real(self) -> np.ndarray:
        return self.sample_real(self.gan.batch_size, self.gan.rng)

    def title(self) -> str:
        d_lr, g_lr = self.gan.learning_rates
        last = f"last {self.log[-1][0]} loss {self.log[-1][1]:.3f}" if self.log else "no step yet"
        return (
            f"D steps {self.gan.d_steps}, G steps {self.gan.g_steps}, k={self.k}\n"
            f"lr D {d_lr:g}, G {g_lr:g}; {last}"
        )

    def figure(self, ax=None):
        """The GAN's current picture (p_data, p_g and D in 1-D; samples on D's map in 2-D)."""
        return _draw(self.gan, ax, self.title(), self.pdf, self.centers)

    def widget(self):
        """Buttons and sliders driving `step`, `reset` and the learning rates; None without ipywidgets."""
        try:
            import ipywidgets as widgets
        except ImportError:
            return None
        import matplotlib.pyplot as plt
        from IPython.display import display

        output = widgets.Output()
        d_lr, g_lr = self.gan.learning_rates
        k_slider = widgets.IntSlider(value=self.k, min=1, max=10, description="k (D steps)")
        d_slider = widgets.FloatLogSlider(value=d_lr, base=10, min=-5, max=-1, description="D lr")
        g_slider = widgets.FloatLogSlider(value=g_lr, base=10, min=-5, max=-1, description="G lr")
        buttons = {
            "D step": lambda: self.step("D"),
            "G step": lambda: self.step("G"),
            "round (k D + 1 G)": lambda: self.step("both"),
            "50 rounds": lambda: self.step("both", 50),
            "reset": self.reset,
        }

        def redraw():
            output.clear_output(wait=True)
            with output:
                figure = self.figure()
                display(figure)
                plt.close(figure)

        def on_click(action):
            def handler(_button):
                self.k = k_slider.value
                self.gan.set_learning_rates(d_slider.value, g_slider.value)
                action()
                redraw()

            return handler

        row = []
        for label, action in buttons.items():
            button = widgets.Button(description=label)
            button.on_click(on_click(action))
            row.append(button)
        redraw()
        box = widgets.VBox([widgets.HBox(row), widgets.HBox([k_slider, d_slider, g_slider]), output])
        box.buttons = {button.description: button for button in row}  # for tests and scripted demos
        return box
