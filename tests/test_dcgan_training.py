"""Training into a run folder: resume continues exactly, the CLI trains and refuses bad input, and
training with a fixed seed makes the samples measurably closer to the real digits."""

import json

import keras
import numpy as np
import pytest

from dcgan_lessons import cli
from dcgan_lessons.course.data import load_dataset
from dcgan_lessons.dcgan.training import (
    RunConfig,
    epoch_order,
    fixed_noise,
    generate,
    make_gan,
    train_dcgan,
)
from dcgan_lessons.evaluate.quality import PCAFeatures, frechet_distance

SMALL = RunConfig(batch_size=32, limit=128, latent_dim=16, seed=3)


class Interrupt(keras.callbacks.Callback):
    """Stops a run the hard way after `epochs` epochs, as a Colab disconnect would."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def _state(run):
    gan = run.gan
    weights = gan.generator.get_weights() + gan.discriminator.get_weights()
    optimizer = [np.asarray(v) for v in gan.d_optimizer.variables + gan.g_optimizer.variables]
    return weights, optimizer


def _without_timing(history):
    return [{k: v for k, v in h.items() if k not in ("seconds", "images_per_s")} for h in history]


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path):
    whole = train_dcgan(tmp_path / "whole", epochs=4, config=SMALL, verbose=0)

    with pytest.raises(KeyboardInterrupt):
        train_dcgan(tmp_path / "cut", epochs=4, config=SMALL, callbacks=[Interrupt(2)], verbose=0)
    assert json.loads((tmp_path / "cut" / "history.json").read_text())[-1]["epoch"] == 2
    resumed = train_dcgan(tmp_path / "cut", epochs=4, config=SMALL, verbose=0)

    assert resumed.resumed_from == 2
    for got, want in zip(_without_timing(resumed.history), _without_timing(whole.history), strict=True):
        assert got == pytest.approx(want, rel=1e-5)
    steps = 4 * (128 // 32)
    assert (
        int(resumed.gan.g_optimizer.iterations.numpy())
        == int(resumed.gan.d_optimizer.iterations.numpy())
        == steps
    )
    (w_whole, o_whole), (w_resumed, o_resumed) = _state(whole), _state(resumed)
    for a, b in zip(w_whole + o_whole, w_resumed + o_resumed, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    frames = sorted(p.name for p in (tmp_path / "cut" / "samples").iterdir())
    assert frames == [f"epoch_{e:03d}.png" for e in range(1, 5)]
    assert (tmp_path / "cut" / "progress.gif").exists()


def test_a_finished_run_is_not_trained_again(tmp_path, capsys):
    train_dcgan(tmp_path, epochs=1, config=SMALL, verbose=0)
    again = train_dcgan(tmp_path, epochs=1, config=SMALL, verbose=0)
    assert again.resumed_from == 1 and "nothing to train" in capsys.readouterr().out


def test_resuming_with_other_settings_is_refused(tmp_path):
    train_dcgan(tmp_path, epochs=1, config=SMALL, verbose=0)
    other = RunConfig(batch_size=16, limit=128, latent_dim=16, seed=3)
    with pytest.raises(ValueError, match="batch_size: the folder has 32, you asked for 16"):
        train_dcgan(tmp_path, epochs=2, config=other, verbose=0)


def test_epoch_order_is_a_fixed_permutation_per_epoch():
    first, again, second = epoch_order(100, 32, 0, 0), epoch_order(100, 32, 0, 0), epoch_order(100, 32, 0, 1)
    assert first.shape == (3, 32) and len(set(first.ravel())) == 96
    assert np.array_equal(first, again) and not np.array_equal(first, second)
    with pytest.raises(ValueError, match="batch_size"):
        epoch_order(10, 32, 0, 0)


def test_frechet_distance_worked_numbers():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20_000, 1))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    assert frechet_distance(a, a + 1) == pytest.approx(1, abs=1e-9)  # N(0,1) vs N(1,1): 1
    b = rng.normal(size=(20_000, 2))
    # mu 0 vs (1, 1), Sigma I vs 4I: 2 + (1 + 4 - 2*2) * 2 = 4
    assert frechet_distance(b, 2 * b + 1) == pytest.approx(4, rel=1e-3)
    with pytest.raises(ValueError, match="equal widths"):
        frechet_distance(a, b)


def test_training_lowers_the_frechet_distance_on_the_digits(tmp_path):
    train = load_dataset("digits").images
    features = PCAFeatures(train)
    held_out = features.distance(load_dataset("digits", split="test").images)
    config = RunConfig(batch_size=64, seed=0)
    noise = fixed_noise(400, config.latent_dim, seed=11)
    before = features.distance(generate(make_gan(config, train.shape[1:]).generator, noise))
    run = train_dcgan(tmp_path, epochs=6, config=config, images=train, verbose=0)
    after = features.distance(generate(run.gan.generator, noise))
    # Real held-out digits are far closer than either; six epochs (132 steps) at least halve the distance.
    assert held_out < after < 0.5 * before, (held_out, after, before)


def test_cli_trains_resumes_and_writes_its_files(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--out", str(out), "--profile", "quick", "--limit", "64", "--batch-size", "32"]
    assert cli.main([*args, "--epochs", "1"]) == 0
    assert cli.main([*args, "--epochs", "2"]) == 0
    printed = capsys.readouterr().out
    assert "Resuming" in printed and "images/s" in printed
    names = {p.name for p in out.iterdir()}
    assert {"checkpoint.npz", "config.json", "history.json", "losses.csv", "progress.gif", "samples"} <= names
    rows = (out / "losses.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,") and len(rows) == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dataset", "imagenet"], "--dataset must be one of digits, mnist"),
        (["--epochs", "0"], "--epochs must be a positive whole number, got 0"),
        (["--batch-size", "-4"], "--batch-size must be a positive whole number"),
        (
            ["--limit", "16", "--batch-size", "32"],
            "batch_size: expected at most the 16 training images, got 32",
        ),
    ],
)
def test_cli_rejects_bad_arguments(tmp_path, capsys, extra, message):
    assert cli.main(["train", "--out", str(tmp_path / "run"), "--profile", "quick", *extra]) == 2
    assert message in capsys.readouterr().err


def test_cli_requires_an_output_folder(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train"])
    assert "--out" in capsys.readouterr().err


def test_colour_images_train_and_save_colour_grids(tmp_path):
    from PIL import Image

    images = np.random.default_rng(0).uniform(-1, 1, (64, 32, 32, 3)).astype("float32")  # CIFAR-10's shape
    run = train_dcgan(
        tmp_path, epochs=1, config=RunConfig(batch_size=32, latent_dim=8), images=images, verbose=0
    )
    assert run.gan.generator.output_shape == (None, 32, 32, 3)
    assert Image.open(tmp_path / "samples" / "epoch_001.png").mode == "RGB"


def test_several_steps_per_call_train_the_same(tmp_path):
    one = train_dcgan(tmp_path / "one", epochs=2, config=SMALL, verbose=0)
    four = train_dcgan(tmp_path / "four", epochs=2, config=SMALL, steps_per_execution=4, verbose=0)
    for got, want in zip(_without_timing(four.history), _without_timing(one.history), strict=True):
        assert got == pytest.approx(want, rel=1e-5)
    for a, b in zip(_state(one)[0], _state(four)[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("real_target", [1.0, 0.9])
def test_the_reported_d_loss_is_lesson_02s_loss_with_the_real_target(real_target):
    from dcgan_lessons.losses.minimax import smoothed_discriminator_loss

    gan = make_gan(RunConfig(latent_dim=8, real_target=real_target), (16, 16, 1))
    rng = np.random.default_rng(0)
    real_images = np.tanh(rng.normal(size=(8, 16, 16, 1))).astype("float32")
    noise = rng.normal(size=(8, 8)).astype("float32")
    # D's loss is computed before D's update, from the weights as they are now (BatchNorm in training mode).
    real_logits = gan.discriminator(real_images, training=True)
    fake_logits = gan.discriminator(gan.generator(noise, training=True), training=True)
    expected = float(smoothed_discriminator_loss(real_logits, fake_logits, alpha=real_target))
    logs = gan.train_on_batch(real_images, noise, return_dict=True)
    assert logs["d_loss"] == pytest.approx(expected, rel=1e-5)


def test_real_target_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="real_target"):
        make_gan(RunConfig(real_target=1.5), (16, 16, 1))
