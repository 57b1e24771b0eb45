"""Pictures of a transposed convolution's geometry, static or with sliders (lesson 03).

`draw_transpose_connections` draws, along one axis, which input cells feed each output cell (one line
per kernel tap), the cells the output crops away, and each output cell's overlap count, next to the
2-D overlap map. `conv_transpose_explorer` puts sliders on it with ipywidgets; without a widget front
end, the static figure is the fallback and nothing waits on a widget.
"""

from __future__ import annotations

import numpy as np

from ..conv.arithmetic import conv_transpose_cropping, conv_transpose_output_size, conv_transpose_taps
from ..conv.numpy_reference import overlap_map


def draw_transpose_connections(
    input_size: int = 4,
    kernel_size: int = 3,
    stride: int = 2,
    padding: str | int = "valid",
    output_padding: int | None = None,
    *,
    figsize: tuple[float, float] = (11, 3.6),
):
    """Draw one axis of a transposed convolution and its 2-D overlap map; return the Figure.

    Invalid settings (those `conv_transpose_output_size` rejects) draw the error message instead of
    raising, so a slider can pass through them.
    """
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [2.4, 1]})
    try:
        size = conv_transpose_output_size(input_size, kernel_size, stride, padding, output_padding)
    except ValueError as error:
        for ax in (left, right):
            ax.axis("off")
        left.text(0, 0.5, f"Not possible:\n{error}", wrap=True, va="center", fontsize=10, color="firebrick")
        return figure
    before, after = conv_transpose_cropping(input_size, kernel_size, stride, padding, output_padding)
    taps = conv_transpose_taps(input_size, kernel_size, stride, padding, output_padding)
    counts = np.bincount([n for _, _, n in taps], minlength=size)
    _draw_axis(left, input_size, kernel_size, stride, size, before, after, counts, padding, output_padding)
    image = right.imshow(
        overlap_map(input_size, kernel_size, stride, padding, output_padding), cmap="viridis"
    )
    right.set_title(f"2-D overlap map ({size}×{size})", fontsize=10)
    right.set_xticks([])
    right.set_yticks([])
    figure.colorbar(image, ax=right, fraction=0.046, pad=0.04, label="products summed")
    figure.tight_layout()
    return figure


def _draw_axis(ax, input_size, kernel_size, stride, size, before, after, counts, padding, output_padding):
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    cmap, tap_colours = colormaps["viridis"], colormaps["tab10"]
    top = max(counts.max(), 1)
    full_end = size + max(after, 0)
    for n in range(-before, full_end):  # the full scatter, cropped cells hatched
        inside = 0 <= n < size
        colour = cmap(counts[n] / top) if inside else "whitesmoke"
        ax.add_patch(
            Rectangle(
                (n - 0.45, -0.45),
                0.9,
                0.9,
                facecolor=colour,
                edgecolor="grey",
                hatch=None if inside else "///",
            )
        )
        if inside:
            ax.text(
                n, 0, str(counts[n]), ha="center", va="center", color="white" if counts[n] < top else "black"
            )
    centre = (kernel_size - 1) / 2 - before
    for m in range(input_size):
        x = m * stride + centre
        ax.add_patch(Rectangle((x - 0.45, 1.55), 0.9, 0.9, facecolor="lightsteelblue", edgecolor="grey"))
        ax.text(x, 2, f"x{m}", ha="center", va="center", fontsize=9)
        for j in range(kernel_size):
            n = m * stride + j - before
            cropped = not 0 <= n < size
            ax.plot(
                [x, n],
                [1.55, 0.45],
                color=tap_colours(j % 10),
                alpha=0.25 if cropped else 0.9,
                linestyle=":" if cropped else "-",
                linewidth=1.4,
            )
    extra = "None" if output_padding is None else output_padding
    ax.set_title(
        f"input {input_size} → output {size}: kernel {kernel_size}, stride {stride}, padding={padding!r}, "
        f"output_padding={extra}\nline colour = kernel tap; numbers = overlap counts; hatched = cropped",
        fontsize=10,
    )
    ax.set_xlim(min(-before, centre) - 0.8, max(full_end, (input_size - 1) * stride + centre + 1) - 0.2)
    ax.set_ylim(-0.7, 2.7)
    ax.set_yticks([0, 2], ["output", "input"])
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)


def conv_transpose_explorer():
    """Sliders for input size, kernel, stride, padding and output_padding over `draw_transpose_connections`.

    Returns the ipywidgets box, or the static figure when ipywidgets is not installed.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        print("ipywidgets is not installed: showing the static figure (pip install ipywidgets for sliders).")
        return draw_transpose_connections()
    import matplotlib.pyplot as plt

    def show(input_size, kernel_size, stride, padding, output_padding):
        extra = None if output_padding == "None" else int(output_padding)
        draw_transpose_connections(input_size, kernel_size, stride, padding, extra)
        plt.show()

    # It opens on the settings of the static figure the lesson draws above it.
    labels = {"description_width": "initial"}  # the default width cuts "output_padding" short
    controls = {
        "input_size": widgets.IntSlider(value=4, min=1, max=8, description="input size", style=labels),
        "kernel_size": widgets.IntSlider(value=3, min=1, max=7, description="kernel", style=labels),
        "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride", style=labels),
        "padding": widgets.ToggleButtons(
            options=["valid", "same"], value="same", description="padding", style=labels
        ),
        "output_padding": widgets.Dropdown(
            options=["None", "0", "1", "2", "3"], description="output_padding", style=labels
        ),
    }
    return widgets.interactive(show, **controls)
