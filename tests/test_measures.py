"""Lesson 06's measures: the worked numbers, the classifier's cache, and a ranking that a real (briefly
trained) generator must respect: held-out digits < trained generator < untrained generator on the Fréchet
distance, and a collapsed generator covers fewer classes. The measures also land in a run's log."""

import csv
import json
import sys

import numpy as np
import pytest

from dcgan_lessons import cli
from dcgan_lessons.course.data import load_dataset
from dcgan_lessons.dcgan.training import RunConfig, fixed_noise, generate, make_gan, train_dcgan
from dcgan_lessons.evaluate.classifier import VERSION, cache_folder, cache_path, load_or_train_classifier
from dcgan_lessons.evaluate.measures import (
    Evaluator,
    class_histogram,
    classes_covered,
    confident_share,
    inception_score,
    make_evaluator,
    memorisation_ratio,
    nearest_neighbour_distances,
)
from dcgan_lessons.evaluate.quality import frechet_distance

CONFIG = RunConfig(batch_size=64, seed=0)
EPOCHS = 6  # 132 steps on the 1,438 training digits: enough to rank clearly, about 10 s on 2 cores


@pytest.fixture(scope="session")
def evaluator():
    return make_evaluator("digits")


@pytest.fixture(scope="module")
def trained(evaluator, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("measured-run")
    return train_dcgan(
        run_dir, epochs=EPOCHS, config=CONFIG, images=evaluator.training, verbose=0, measures=evaluator
    )


def test_inception_score_worked_numbers():
    assert inception_score(np.eye(10)[np.arange(100) % 10]) == pytest.approx(10)  # ten balanced classes
    assert inception_score(np.eye(10)[np.zeros(50, int)]) == pytest.approx(1)  # one class
    assert inception_score(np.full((20, 10), 0.1)) == pytest.approx(1)  # no confidence at all
    # Two classes, each image 0.75 sure: KL = 0.75 ln 1.5 + 0.25 ln 0.5 for every image.
    p = np.array([[0.75, 0.25], [0.25, 0.75]])
    assert inception_score(p) == pytest.approx(np.exp(0.75 * np.log(1.5) + 0.25 * np.log(0.5)))
    with pytest.raises(ValueError, match="summing to 1"):
        inception_score(np.ones((3, 4)))


def test_class_histogram_and_coverage():
    p = np.eye(4)[[0, 0, 1, 3]]
    np.testing.assert_allclose(class_histogram(p), [0.5, 0.25, 0, 0.25])
    assert classes_covered(class_histogram(p)) == 3
    assert classes_covered([0.9, 0.05, 0.05, 0.0], min_share=0.1) == 1
    with pytest.raises(ValueError, match="one share per class"):
        classes_covered(np.ones((2, 2)))


def test_confident_share_worked_numbers():
    p = np.array([[0.95, 0.05], [0.6, 0.4], [0.1, 0.9], [0.5, 0.5]])
    assert confident_share(p) == 0.5  # p >= 0.9 counts: a learner's "> 0.9" would give 0.25
    assert confident_share(p, threshold=0.6) == 0.75
    with pytest.raises(ValueError, match="threshold"):
        confident_share(p, threshold=1.5)


def test_confident_share_separates_real_digits_from_malformed_ones(evaluator):
    from scipy.ndimage import gaussian_filter

    real = evaluator.held_out
    blended = 0.5 * real + 0.5 * real[np.random.default_rng(0).permutation(len(real))]  # two digits in one
    blurred = np.stack([gaussian_filter(image, (2, 2, 0)) for image in real])
    noise = np.random.default_rng(1).uniform(-1, 1, real.shape).astype("float32")
    shares = {
        name: evaluator.measure(images.astype("float32"))["confident_share"]
        for name, images in (("real", real), ("blended", blended), ("blurred", blurred), ("noise", noise))
    }
    # Measured: real 0.91, blended 0.49, blurred 0.57, noise 0.24 (the course's classifier, seed 0).
    assert shares["real"] >= 0.85, shares
    assert max(shares["blended"], shares["blurred"], shares["noise"]) <= 0.7, shares


def test_nearest_neighbours_match_brute_force_in_chunks():
    rng = np.random.default_rng(0)
    samples, training = rng.normal(size=(37, 3, 3, 1)), rng.normal(size=(23, 3, 3, 1))
    brute = np.sqrt(((samples.reshape(37, 1, -1) - training.reshape(1, 23, -1)) ** 2).sum(-1))
    got, index = nearest_neighbour_distances(samples, training, return_index=True, chunk=50)
    np.testing.assert_allclose(got, brute.min(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(index, brute.argmin(axis=1))
    assert nearest_neighbour_distances(training[[4, 9]], training).max() == 0.0  # exact for copies
    with pytest.raises(ValueError, match="values each"):
        nearest_neighbour_distances(samples, rng.normal(size=(5, 4)))


def test_memorisation_ratio_flags_copies():
    digits = load_dataset("digits", image_size=8)
    train, held_out = digits.images[:1000], digits.images[1000:1300]
    assert memorisation_ratio(train[:300], train, held_out) == 0.0  # copies of training images
    assert 0.8 < memorisation_ratio(digits.images[1300:], train, held_out) < 1.25  # fresh real images


def test_cache_folder_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("DCGAN_LESSONS_CACHE", str(tmp_path / "env"))
    assert cache_folder(tmp_path / "arg") == tmp_path / "arg"
    assert cache_folder() == tmp_path / "env"
    monkeypatch.delenv("DCGAN_LESSONS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "dcgan_lessons"
    name = cache_path("digits", (28, 28, 1), 12, 0, None).name
    assert name == f"classifier-digits-28x28x1-all-e12-s0-v{VERSION}.npz"
    assert cache_path("digits", (16, 16, 1), 12, 0, None).name != name  # another size, another file


def test_classifier_is_trained_once_then_loaded(evaluator, capsys):
    classifier = evaluator.classifier
    assert classifier.path.exists() and classifier.test_accuracy > 0.9
    again = load_or_train_classifier("digits")
    assert "loaded from" in capsys.readouterr().out
    images = load_dataset("digits", split="test", limit=20).images
    np.testing.assert_allclose(again.features(images), classifier.features(images), rtol=1e-5, atol=1e-5)
    probabilities = again.probabilities(images)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert (
        probabilities.argmax(axis=1) == load_dataset("digits", split="test", limit=20).labels
    ).mean() > 0.8
    with pytest.raises(ValueError, match="trained on images of shape"):
        classifier.features(np.zeros((2, 16, 16, 1), "float32"))


def test_identical_sets_measure_zero_distance(evaluator):
    features = evaluator.classifier.features(evaluator.held_out)
    assert frechet_distance(features, features) == pytest.approx(0, abs=1e-6)


def test_measures_rank_real_trained_untrained_and_collapsed(evaluator, trained):
    noise = fixed_noise(len(evaluator.held_out), CONFIG.latent_dim, seed=11)
    real = evaluator.measure(evaluator.held_out)
    good = evaluator.measure(generate(trained.gan.generator, noise))
    untrained = evaluator.measure(generate(make_gan(CONFIG, evaluator.training.shape[1:]).generator, noise))
    # A collapsed generator: every noise vector gives the image of one.
    collapsed = evaluator.measure(generate(trained.gan.generator, np.repeat(noise[:1], len(noise), axis=0)))
    assert real["fd"] < good["fd"] < untrained["fd"], (real["fd"], good["fd"], untrained["fd"])
    assert real["inception_score"] > good["inception_score"] > untrained["inception_score"]
    assert real["classes_covered"] == 10
    assert collapsed["classes_covered"] == 1 < good["classes_covered"]
    assert collapsed["max_class_share"] == 1.0 and collapsed["inception_score"] == pytest.approx(1)
    assert 0.8 < real["memorisation_ratio"] < 1.25


def test_measures_land_in_the_run_log(trained):
    history = json.loads((trained.run_dir / "history.json").read_text())
    assert len(history) == EPOCHS
    for name in (*Evaluator.SCALARS, "measure_seconds"):
        assert all(name in record for record in history), name
    assert history[-1]["fd"] < history[0]["fd"]  # training improves the measure
    with open(trained.run_dir / "losses.csv") as file:
        assert "fd" in csv.DictReader(file).fieldnames


def test_resuming_with_measures_adds_columns(tmp_path, evaluator):
    small = RunConfig(batch_size=32, limit=64, latent_dim=8, seed=1)
    train_dcgan(tmp_path, epochs=1, config=small, verbose=0)
    train_dcgan(tmp_path, epochs=2, config=small, verbose=0, measures=evaluator, measure_samples=50)
    with open(tmp_path / "losses.csv") as file:
        rows = list(csv.DictReader(file))
    assert rows[0]["fd"] == "" and float(rows[1]["fd"]) > 0


def test_cli_writes_the_measures(tmp_path, capsys, evaluator):
    out = tmp_path / "run"
    args = ["train", "--out", str(out), "--profile", "quick", "--limit", "64", "--batch-size", "32"]
    assert cli.main([*args, "--epochs", "1", "--measures", "--measure-samples", "40"]) == 0
    printed = capsys.readouterr().out
    assert "Measures after epoch 1: FD" in printed and "classes covered" in printed
    assert "fd" in json.loads((out / "history.json").read_text())[0]
    assert cli.main([*args, "--epochs", "2", "--measure-samples", "0"]) == 2
    assert "--measure-samples must be a positive whole number" in capsys.readouterr().err


def test_latent_explorer_has_a_static_fallback(trained, monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    from dcgan_lessons.evaluate.latent import latent_walk
    from dcgan_lessons.widgets.latent_explorer import latent_explorer, random_directions, save_walk_gif

    directions = random_directions(CONFIG.latent_dim, 2)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-6)
    base = fixed_noise(1, CONFIG.latent_dim, seed=3)[0]
    box = latent_explorer(trained.gan.generator, base, directions, names=["a", "b"])
    assert len(box.children) == 3  # two sliders and the output
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if ipywidgets were not installed
    figure = latent_explorer(trained.gan.generator, base, directions)
    assert isinstance(figure, plt.Figure)
    plt.close("all")
    frames = latent_walk(fixed_noise(3, CONFIG.latent_dim, seed=4), steps_between=4)
    path = save_walk_gif(generate(trained.gan.generator, frames), tmp_path / "walk.gif")
    from PIL import Image

    assert Image.open(path).n_frames == 12
