"""Lesson 05's live figure: samples, both losses with their equilibrium lines, D(x) and D(G(z)) with ½,
and one title that says which epoch of how many (the progress display)."""

import math
import types

import keras
import numpy as np

from dcgan_lessons.dcgan.live import LiveProgress


def test_the_live_figure_shows_d_of_x_and_the_reference_lines():
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(64), keras.layers.Reshape((8, 8, 1))])
    history = [
        dict(epoch=e, d_loss=1.0, g_loss=1.5, d_real=0.8, d_fake=0.3, images_per_s=900.0) for e in (1, 2, 3)
    ]
    live = LiveProgress(np.zeros((4, 4), "float32"), history)
    live.set_model(types.SimpleNamespace(generator=generator, sampler=generator))
    live.set_params({"epochs": 5})
    live.draw(3)

    def lines(ax):
        return {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}

    d_view = lines(live.d_ax)
    assert d_view["D(x)"] == [0.8] * 3 and d_view["D(G(z))"] == [0.3] * 3
    flat = [ys for label, ys in d_view.items() if label not in ("D(x)", "D(G(z))")]
    assert [0.5, 0.5] in flat  # the dashed ½
    losses = lines(live.loss_ax)
    assert losses["d_loss"] == [1.0] * 3 and losses["g_loss"] == [1.5] * 3
    references = [ys[0] for label, ys in losses.items() if label not in ("d_loss", "g_loss")]
    assert np.allclose(sorted(references), [math.log(2), 2 * math.log(2)])
    assert live.figure._suptitle.get_text() == "epoch 3 of 5 · 900 images/s"
