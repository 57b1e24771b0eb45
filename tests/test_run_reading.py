"""The run reading lessons 05 and 06 print: every sentence follows from the history's numbers."""

import pytest

from dcgan_lessons.runs.run_reading import read_run


def record(epoch, d_loss, g_loss, d_real, d_fake, **more):
    return dict(epoch=epoch, d_loss=d_loss, g_loss=g_loss, d_real=d_real, d_fake=d_fake, **more)


# The cpu profile's shape (issue 15): D wins hard in epochs 2-6, then the game comes back.
WINNING_D = [
    record(1, 1.10, 0.90, 0.58, 0.42),
    *[record(e, 0.03 + 0.01 * e, 4.0 + 0.1 * e, 0.99, 0.02) for e in range(2, 7)],
    record(7, 0.90, 1.50, 0.80, 0.25),
    record(8, 1.30, 0.80, 0.56, 0.46),
]


def test_a_winning_discriminator_is_named_with_its_epochs():
    text = "\n".join(read_run(WINNING_D))
    assert "D saturated in epochs 2–6" in text
    assert "lowest d_loss 0.050 in epoch 2" in text
    assert "g_loss peaked at 4.60 in epoch 6" in text
    assert "clearly ahead (D(x) − D(G(z)) > 0.5) in epochs 2–7" in text
    assert "close (gap < 0.2) in epochs 1 and 8" in text
    assert "near its balance" in text  # how it ended


def test_a_run_that_never_saturates_says_so_and_how_it_ended():
    history = [record(e, 1.2, 0.9, 0.7, 0.15) for e in (1, 2, 3)]
    lines = read_run(history)
    assert any(line.startswith("D never saturated") for line in lines)
    assert "ahead" in lines[-2] and "without saturating" in lines[-2]
    assert "not measured" in lines[-1]


def test_falling_coverage_is_reported_with_its_best_epoch():
    history = [record(e, 1.2, 0.9, 0.6, 0.4, classes_covered=c) for e, c in ((1, 6), (2, 9), (3, 4))]
    assert read_run(history)[-1].startswith("Coverage fell: 9 classes in epoch 2, 4 at the end")
    history[-1]["classes_covered"] = 10
    assert read_run(history)[-1].startswith("Coverage did not fall: 10 classes")


def test_a_history_without_d_of_x_is_refused_clearly():
    with pytest.raises(ValueError, match="missing d_real, d_fake"):
        read_run([{"epoch": 1, "d_loss": 1.0, "g_loss": 1.0}])
    assert read_run([]) == ["The run has no finished epoch yet: nothing to read."]


def test_one_epoch_is_read_once():
    first = read_run([record(1, 0.73, 1.7, 0.86, 0.34)])[0]
    assert first == "Epoch 1: d_loss 0.73, D(x) 0.86, D(G(z)) 0.34 (at equilibrium: 1.39, ½, ½)."
