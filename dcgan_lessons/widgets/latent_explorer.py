"""Pictures of a generator's latent space (lesson 06): direction grids, a slider explorer and walk GIFs.

`draw_latent_directions` is the static picture: one row per latent direction, the image as the base
vector moves along it. `latent_explorer` puts one slider per direction on the same generator with
ipywidgets; without a widget front end it returns the static figure, and nothing waits on a widget.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..course.images import image_grid
from ..course.validation import as_array


def _generate(generator, noise) -> np.ndarray:
    from ..dcgan.sampling import generate

    return generate(generator, np.asarray(noise, dtype=np.float32))


def _directions(base, directions) -> tuple[np.ndarray, np.ndarray]:
    base = as_array(base, "base").astype(np.float32)
    directions = np.atleast_2d(as_array(directions, "directions").astype(np.float32))
    if base.ndim != 1 or directions.ndim != 2 or directions.shape[1] != len(base):
        raise ValueError(
            f"expected a base vector (d,) and directions (k, d), got {base.shape} and {directions.shape}."
        )
    return base, directions


def random_directions(latent_dim: int, count: int, seed: int = 0) -> np.ndarray:
    """`count` orthonormal latent directions, (count, latent_dim), from a seeded QR decomposition."""
    if not 1 <= count <= latent_dim:
        raise ValueError(f"count: expected 1 to latent_dim={latent_dim} directions, got {count}.")
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((latent_dim, count)))
    return q.T.astype(np.float32)


def draw_latent_directions(generator, base, directions, names=None, amounts=(-8, -4, 0, 4, 8)):
    """One row per direction: the generator's image for base + amount * direction. Returns the Figure."""
    import matplotlib.pyplot as plt

    base, directions = _directions(base, directions)
    amounts = np.asarray(amounts, dtype=np.float32)
    names = list(names) if names is not None else [f"direction {i}" for i in range(len(directions))]
    noise = base[None, None, :] + amounts[None, :, None] * directions[:, None, :]  # (k, steps, d)
    images = _generate(generator, noise.reshape(-1, len(base)))
    figure, ax = plt.subplots(figsize=(1.1 * len(amounts) + 1.5, 1.1 * len(directions) + 0.6))
    grid = image_grid(images, ncols=len(amounts))
    ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1)
    side = images.shape[1] + 1
    ax.set_xticks([side * (i + 0.5) for i in range(len(amounts))], [f"{a:+g}" for a in amounts])
    ax.set_yticks([side * (i + 0.5) for i in range(len(directions))], names)
    ax.set_xlabel("amount added along the direction")
    figure.tight_layout()
    return figure


def draw_latent_point(generator, z):
    """The generator's image for one latent vector z, on the fixed scale [-1, 1] -> black..white."""
    import matplotlib.pyplot as plt

    image = _generate(generator, np.asarray(z, dtype=np.float32)[None])[0]
    figure, ax = plt.subplots(figsize=(2.5, 2.5))
    # A fixed scale: by default imshow stretches each frame to its own min..max, so the contrast would jump.
    unit = (np.clip(image, -1, 1) + 1) / 2
    ax.imshow(unit[..., 0] if unit.shape[-1] == 1 else unit, cmap="gray", vmin=0, vmax=1)
    ax.axis("off")
    return figure


def latent_explorer(generator, base, directions, names=None, limit: float = 8.0):
    """Sliders over latent directions: the image for base + sum(amount_i * direction_i), redrawn live.

    Returns the ipywidgets box, or the static `draw_latent_directions` figure without ipywidgets.
    """
    base, directions = _directions(base, directions)
    names = list(names) if names is not None else [f"direction {i}" for i in range(len(directions))]
    try:
        import ipywidgets as widgets
    except ImportError:
        print("ipywidgets is not installed: showing the static figure (pip install ipywidgets for sliders).")
        return draw_latent_directions(generator, base, directions, names)
    import matplotlib.pyplot as plt

    def show(**amounts):
        z = base + sum(amounts[f"d{i}"] * directions[i] for i in range(len(directions)))
        draw_latent_point(generator, z)
        plt.show()

    sliders = {
        f"d{i}": widgets.FloatSlider(value=0.0, min=-limit, max=limit, step=0.5, description=name)
        for i, name in enumerate(names)
    }
    return widgets.interactive(show, **sliders)


def save_walk_gif(images, path, seconds_per_frame: float = 0.12) -> Path:
    """Write images in [-1, 1] (frames, h, w, c) as a looping GIF at `path` (a path you choose)."""
    from PIL import Image

    images = as_array(images, "images")
    pixels = np.rint((np.clip(images, -1, 1) + 1) * 127.5).astype(np.uint8)
    frames = [Image.fromarray(p[..., 0] if p.shape[-1] == 1 else p).resize((112, 112)) for p in pixels]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    duration = int(seconds_per_frame * 1000)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=duration, loop=0)
    return path
