"""The check framework itself: comparison, feedback text, and how check() keeps a notebook running."""

import functools
import warnings

import numpy as np
import pytest

from dcgan_lessons import check, get_exercise, run_check, scale_images
from dcgan_lessons.course.checking import compare_values
from dcgan_lessons.grading.score import public_score


def test_compare_values_matches_within_tolerance():
    assert compare_values(np.float32(1.0), 1.0 + 1e-7) is None
    assert compare_values([1, (2.0, 3.0)], [1, (2.0, 3.0)]) is None
    assert compare_values("a", "a") is None


@pytest.mark.parametrize(
    ("expected", "got", "kind", "text"),
    [
        (np.zeros((2, 3)), np.zeros((3, 2)), "shape", "expected shape (2, 3), got shape (3, 2)"),
        (np.zeros(3, np.float32), np.zeros(3), "dtype", "expected dtype float32, got dtype float64"),
        (np.array([1.0, 2.0]), np.array([1.0, 2.5]), "values", "first at index (1,); expected [1., 2.], got"),
        (np.arange(10.0), np.arange(10.0) + (np.arange(10) == 3), "values", "index (3,): expected 3, got 4"),
        (np.zeros(2), "zeros", "type", "expected an array of shape (2,), got str"),
        (1.0, None, "type", "expected a number, got NoneType"),
        ((1.0, 2.0), (1.0,), "length", "expected 2 items, got 1"),
        ((1.0, 2.0), (1.0, 3.0), "values", "item 2 of 2:"),
    ],
)
def test_compare_values_says_what_differs(expected, got, kind, text):
    mismatch = compare_values(expected, got, check_dtype=True)
    assert mismatch is not None and mismatch.kind == kind
    assert text in mismatch.detail


def test_compare_values_accepts_tensors():
    import keras

    assert compare_values(np.arange(3.0), keras.ops.arange(3.0)) is None


def test_check_returns_learners_function_when_it_passes(capsys):
    def mine(images):
        return images.astype("float32") / 127.5 - 1

    assert check("00.scale_images", mine) is mine
    assert "✓ 00.scale_images" in capsys.readouterr().out


def test_check_of_stub_goes_on_with_the_reference(capsys):
    def stub(images):
        raise NotImplementedError("Exercise 00.scale_images: replace this line with your code.")

    assert check("00.scale_images", stub) is scale_images
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "dcgan_lessons.scale_images" in out


def test_wrong_answer_feedback_shows_expected_got_and_the_hint_but_not_the_solution(capsys):
    def mine(images):
        return images.astype("float32") / 255

    assert check("00.scale_images", mine) is scale_images
    out = capsys.readouterr().out
    assert "✗ 00.scale_images" in out
    assert "first at index (0, 0, 0, 0)" in out  # the first pixel, 0, should map to -1
    assert all(line.count(", got") <= 1 for line in out.splitlines())  # "expected … got" said once
    assert "your values lie in [0, 1]" in out
    assert "127.5" not in out  # the answer itself is never printed


def test_an_exception_in_learner_code_becomes_feedback():
    def broken(images):
        return images.reshape(-1, 7)

    result = run_check(get_exercise("00.scale_images"), broken)
    assert result.status == "failed"
    assert "raised ValueError" in result.feedback()


def test_learner_code_cannot_change_the_cases():
    exercise = get_exercise("00.scale_images")
    before = [case.args[0].copy() for case in exercise.public]

    def vandal(images):
        images[...] = 0
        return images.astype("float32") / 127.5 - 1

    run_check(exercise, vandal)
    assert all(np.array_equal(a, case.args[0]) for a, case in zip(before, exercise.public, strict=False))
    assert run_check(exercise, exercise.reference).passed


def test_not_a_function_is_reported_not_raised(capsys):
    assert check("00.scale_images", np.zeros(3)) is scale_images
    assert "Expected a function, got ndarray" in capsys.readouterr().out


def test_partial_credit_counts_cases():
    def only_grayscale(images):
        if images.shape[-1] != 1:
            raise ValueError("colour not handled")
        return images.astype("float32") / 127.5 - 1

    result = run_check(get_exercise("00.scale_images"), only_grayscale, include_hidden=True)
    assert result.status == "failed"
    assert 0 < result.score < result.exercise.points


def test_unknown_exercise_id_suggests_the_nearest():
    with pytest.raises(ValueError, match="Did you mean '00.scale_images'"):
        check("00.scale_image", scale_images)
    with pytest.raises(TypeError, match="string like"):
        get_exercise(0)


def test_fresh_arguments_are_made_anew_for_every_call_and_observe_sees_them():
    from dcgan_lessons.course.checking import Case, Exercise, Fresh

    made = []

    def make():
        made.append([0])
        return made[-1]

    def append_one(items):
        items.append(1)
        return "done"

    exercise = Exercise(
        id="99.append_one",
        title="append 1",
        reference=append_one,
        public=[Case("a fresh list", args=(Fresh(make),))],
        hidden=[],
        mistakes=[],
        observe=lambda result, args: (result, list(args[0])),
    )
    result = run_check(exercise, append_one)
    assert result.passed
    assert made == [[0, 1], [0, 1]]  # one fresh list for the answer, one for the reference
    wrong = run_check(exercise, lambda items: "done")  # right return value, argument left unchanged
    assert not wrong.passed and wrong.cases[0].mismatch.kind == "length"


def test_rerunning_the_check_cell_after_a_failure_prints_no_tick(capsys):
    """A failed check binds the name to the course's reference; checking that again must not say ✓."""

    def scale_images(images):  # the learner's wrong attempt
        return images.astype("float32") / 255

    scale_images = check("00.scale_images", scale_images)  # the check cell, first run
    capsys.readouterr()
    scale_images = check("00.scale_images", scale_images)  # the check cell, run again on its own
    out = capsys.readouterr().out
    assert "✓" not in out and "Re-run your exercise cell first" in out


@pytest.mark.parametrize(
    "wrapper",
    [
        lambda images: scale_images(images),
        functools.partial(scale_images),
        lambda images: np.asarray(scale_images(images)) * 1.0,
    ],
    ids=["lambda", "partial", "returns the reference's result"],
)
def test_a_thin_wrapper_of_the_reference_is_not_the_learners(wrapper, capsys):
    check("00.scale_images", wrapper)
    out = capsys.readouterr().out
    assert "✓" not in out and "Re-run your exercise cell first" in out
    rows = public_score("00", {"scale_images": wrapper, "unscale_images": None})
    assert rows[0][1] == 0 and "not yours" in rows[0][2]


def _toy_exercise(mistakes):
    from dcgan_lessons.course.checking import Case, Exercise

    return Exercise(
        id="99.double",
        title="double",
        reference=lambda x: 2 * x,
        public=[
            Case("small", args=(np.array([1.0, 2.0]),)),
            Case("negative", args=(np.array([-1.0, -3.0]),)),
        ],
        hidden=[],
        mistakes=mistakes,
    )


def test_a_hint_is_shown_only_when_its_mistake_explains_every_failing_case():
    from dcgan_lessons.course.checking import Mistake

    def squares(x):
        return x**2 if x.min() > 0 else 2 * x  # wrong on "small" only

    def squares_everywhere(x):  # wrong on both cases
        with np.errstate(all="ignore"):
            return x**2

    exercise = _toy_exercise([Mistake("squares", lambda x: x**2, "you squared instead of doubling.")])
    partly = run_check(
        exercise, lambda x: x**2 + (x < 0) * (3 * x - x**2 + 7)
    )  # differs on both, unlike x**2
    assert partly.status == "failed" and "hint:" not in partly.feedback()
    assert "you squared" in run_check(exercise, squares_everywhere).feedback()
    assert "you squared" in run_check(exercise, squares).feedback()  # the only failing case is explained


def test_the_course_code_s_warnings_do_not_reach_the_learner():
    from dcgan_lessons.course.checking import Mistake

    def noisy(x):
        warnings.warn("the course's planted mistake warns", RuntimeWarning, stacklevel=1)
        return np.log(x - 10)

    exercise = _toy_exercise([Mistake("log", noisy, "no")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_check(exercise, lambda x: 3 * x)
    assert caught == []


def test_an_error_names_the_learners_line():
    def broken(images):
        scaled = images / 127.5
        return scaled.reshape(-1, 7)

    feedback = run_check(get_exercise("00.scale_images"), broken).feedback()
    assert "in `broken`, line" in feedback and "test_checking.py: `return scaled.reshape(-1, 7)`" in feedback
