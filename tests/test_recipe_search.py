"""benchmarks/recipe_search.py runs end to end at tiny sizes and ranks only on the training split."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_recipe_search_prints_and_records_every_setting_sampler_and_seed(tmp_path):
    out = tmp_path / "search.json"
    command = [
        sys.executable, str(ROOT / "benchmarks" / "recipe_search.py"), "--settings", "today",
        "--seeds", "0", "1", "--confirm-seeds", "--epochs", "2", "--limit", "96", "--samples", "40",
        "--decays", "0.9", "--truncation", "1.5", "--out", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    assert "Search (seeds [0, 1]" in done.stdout and "load average after" in done.stdout
    result = json.loads(out.read_text())
    runs = result["search"]["today"]
    assert len(runs) == 2 and [row["epoch"] for row in runs[0]] == [1, 2]
    for row in runs[0]:
        assert set(row) == {"epoch", "raw", "ema0.9", "raw@t1.5", "ema0.9@t1.5", "seconds", "cpu_seconds"}
        assert set(row["raw"]) == {"fd", "classes_covered", "inception_score", "confident_share"}
        assert set(row["ema0.9@t1.5"]) == set(row["raw"])
    assert runs[0][1]["seconds"] > runs[0][0]["seconds"] > 0 and runs[0][1]["cpu_seconds"] > 0
    assert result["confirm"] == {}  # no confirmation seeds: the held-out split was never read


def _search_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("recipe_search", ROOT / "benchmarks" / "recipe_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_diffaugment_translates_by_whole_pixels_with_zero_fill_and_passes_gradients():
    import numpy as np
    import tensorflow as tf

    search = _search_module()
    images = np.zeros((2, 8, 8, 1), "float32")
    images[:, 2, 3, 0] = 1.0
    moved = np.asarray(search.translate(images, np.array([1, -2]), np.array([2, 0])))
    assert np.argwhere(moved[0, ..., 0]).tolist() == [[3, 5]]  # 1 down, 2 right
    assert np.argwhere(moved[1, ..., 0]).tolist() == [[0, 3]]  # 2 up
    filled = np.asarray(search.translate(np.ones((1, 4, 4, 1), "float32"), np.array([1]), np.array([-1])))
    assert filled[0, 0].sum() == 0 and filled[0, :, 3].sum() == 0 and filled.sum() == 9  # zero fill

    import keras

    batch = tf.Variable(tf.random.normal((6, 28, 28, 1)))
    with tf.GradientTape() as tape:
        out = search.diff_augment(batch, "translation,cutout", keras.random.SeedGenerator(0))
        loss = tf.reduce_sum(out * 3.0)
    grads = tape.gradient(loss, batch).numpy()
    kept = out.numpy() != 0
    assert set(np.unique(grads)) <= {0.0, 3.0} and (grads == 3.0).sum() >= kept.sum()
    # cutout alone: one zeroed rectangle per image, a 14x14 square clipped at the border (7 to 14 a side)
    ones = tf.ones((64, 28, 28, 1))
    holes = search.diff_augment(ones, "cutout", keras.random.SeedGenerator(1)).numpy() == 0
    for hole in holes[..., 0]:
        rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
        assert hole.sum() == len(rows) * len(cols) and 7 <= len(rows) <= 14 and 7 <= len(cols) <= 14
    assert any(hole.sum() == 14 * 14 for hole in holes)


def test_truncated_noise_redraws_only_the_components_beyond_the_threshold():
    import numpy as np

    search = _search_module()
    noise = np.random.default_rng(0).standard_normal((50, 100)).astype("float32")
    cut = search.truncated(noise, 1.0, seed=0)
    assert np.abs(cut).max() < 1.0 and cut.dtype == noise.dtype  # redrawn, not clipped to the threshold
    near = np.abs(noise) <= 1.0
    assert np.array_equal(cut[near], noise[near]) and not np.array_equal(cut, noise)
