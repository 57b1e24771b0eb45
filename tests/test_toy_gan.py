"""The toy GAN learns (JSD on a grid falls, with a fixed seed), mode-coverage metrics separate real,
collapsed and trained generators, and the stepper steps without anyone clicking."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dcgan_lessons import get_profile  # noqa: E402
from dcgan_lessons.exercises.lesson01 import RecordingGAN  # noqa: E402
from dcgan_lessons.losses.minimax import histogram_jsd  # noqa: E402
from dcgan_lessons.toy.distributions import (  # noqa: E402
    mixture_1d_pdf,
    ring_centers,
    sample_mixture_1d,
    sample_ring,
)
from dcgan_lessons.toy.gan_1d import ToyGAN, alternating_step, train  # noqa: E402
from dcgan_lessons.toy.mode_coverage import mode_coverage, mode_coverage_report  # noqa: E402
from dcgan_lessons.widgets.stepper import ToyGANStepper, snapshots, train_live  # noqa: E402

EDGES = np.linspace(-5, 5, 51)


def sample_1d(n, rng):
    return sample_mixture_1d(n, seed=rng)


def sample_2d(n, rng):
    return sample_ring(n, seed=rng)


def test_toy_gan_moves_p_g_toward_p_data():
    """With seed 0, 400 rounds (well within the cpu profile's toy_steps) cut the JSD on a grid by > 3x."""
    steps = 400
    assert steps <= get_profile("cpu").toy_steps
    gan = ToyGAN(1, seed=0)
    before = histogram_jsd(gan.sample(4000), mixture_1d_pdf, EDGES)
    history = train(gan, sample_1d, steps)
    after = histogram_jsd(gan.sample(4000), mixture_1d_pdf, EDGES)
    assert len(history.d_loss) == steps and np.all(np.isfinite(history.g_loss))
    assert before > 0.4 and after < before / 3, (before, after)
    # Both modes are used: neither side of 0 holds less than a third of the samples.
    share = float(np.mean(gan.sample(4000) > 0))
    assert 1 / 3 < share < 2 / 3


def test_toy_gan_is_repeatable_and_reset_restarts():
    a, b = ToyGAN(1, seed=3), ToyGAN(1, seed=3)
    train(a, sample_1d, 5)
    train(b, sample_1d, 5)
    np.testing.assert_allclose(a.sample(10), b.sample(10), rtol=1e-5)
    a.reset()
    fresh = ToyGAN(1, seed=3)
    np.testing.assert_allclose(a.sample(10), fresh.sample(10), rtol=1e-5)
    assert a.d_steps == a.g_steps == 0


def test_alternating_step_order_on_a_recording_gan_and_a_real_one():
    recorder = RecordingGAN()
    alternating_step(recorder, [np.zeros((2, 1))] * 3)
    assert recorder.calls == ["D", "D", "D", "G"]
    gan = ToyGAN(1, seed=0, batch_size=16)
    d_loss, g_loss = alternating_step(gan, [sample_1d(16, gan.rng) for _ in range(2)])
    assert (gan.d_steps, gan.g_steps) == (2, 1) and np.isfinite(d_loss) and np.isfinite(g_loss)


def test_toy_gan_rejects_bad_input():
    gan = ToyGAN(2, seed=0)
    with pytest.raises(ValueError, match=r"shape \(batch, 2\)"):
        gan.d_step(np.zeros((4, 1)))
    with pytest.raises(ValueError):
        ToyGAN(1, d_lr=0)


def test_mode_coverage_real_collapsed_and_trained():
    centers, std = ring_centers(), 0.02
    real = mode_coverage(sample_ring(2500, std=std, seed=0), centers, std)
    assert real[0] == 8 and real[1] == pytest.approx(1 - np.exp(-4.5), abs=0.006)  # 98.9%
    # A collapsed generator: every sample on one mode (a "ring" of 1 mode sits at the first centre).
    modes, high_quality = mode_coverage(sample_ring(2500, modes=1, std=std, seed=1), centers, std)
    assert modes == 1 and high_quality == pytest.approx(0.989, abs=0.006)  # ~99% high quality, 1 mode
    gan = ToyGAN(2, seed=0)
    before = mode_coverage_report(gan.sample(2500), centers, std)
    train(gan, sample_2d, get_profile("cpu").toy_steps)
    after = mode_coverage_report(gan.sample(2500), centers, std)
    assert after.modes_captured >= 6 and after.high_quality > 0.3, str(after)
    assert after.high_quality > before.high_quality + 0.25
    assert "modes captured" in str(after)


def test_stepper_steps_from_code_and_from_its_buttons():
    gan = ToyGAN(1, seed=0, batch_size=32)
    stepper = ToyGANStepper(gan, sample_1d, pdf=mixture_1d_pdf, k=2)
    assert [who for who, _ in stepper.step("D")] == ["D"]
    assert [who for who, _ in stepper.step("both")] == ["D", "G"]
    assert (gan.d_steps, gan.g_steps) == (3, 1)
    box = stepper.widget()
    assert box is not None
    box.buttons["G step"].click()
    assert gan.g_steps == 2
    box.buttons["reset"].click()
    assert gan.d_steps == gan.g_steps == 0 and stepper.log == []
    with pytest.raises(ValueError, match="step"):
        stepper.step("X")
    assert "D steps 0" in stepper.title()


def test_static_fallback_and_live_training_draw_without_a_front_end():
    import matplotlib.pyplot as plt

    gan = ToyGAN(1, seed=0, batch_size=32)
    figure = snapshots(gan, sample_1d, [0, 2, 4], pdf=mixture_1d_pdf)
    assert len([ax for ax in figure.axes if ax.has_data()]) == 3
    history = train_live(gan, sample_1d, 4, pdf=mixture_1d_pdf, every=2)
    assert len(history.d_loss) == 4
    ring_gan = ToyGAN(2, seed=0, batch_size=32)
    figure2 = snapshots(ring_gan, sample_2d, [1, 2], centers=ring_centers())
    assert figure2.axes
    assert len(train_live(ring_gan, sample_2d, 2, centers=ring_centers(), every=1).g_loss) == 2
    with pytest.raises(ValueError, match="increasing"):
        snapshots(gan, sample_1d, [3, 1], pdf=mixture_1d_pdf)
    plt.close("all")
