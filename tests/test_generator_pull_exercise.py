"""Exercise 01.generator_pull as a learner meets it: answers written the way learners write them.

Wrong answers that are *not* the planted mistakes fail the public cases, and correct answers written
differently from the reference pass them, so the check judges what an answer computes, not its form.
"""

import math

import numpy as np
import pytest
from scipy.special import expit

from dcgan_lessons import run_check
from dcgan_lessons.exercises import get_exercise

EXERCISE = get_exercise("01.generator_pull")


def with_expit(logits, logit_grads, loss="non-saturating"):
    d = expit(logits)
    factor = (1 - d) if loss == "non-saturating" else d
    return factor[:, None] * logit_grads


def loop_with_math(logits, logit_grads, loss="non-saturating"):
    rows = []
    for a, (gx, gy) in zip(logits, logit_grads, strict=True):
        d = 1 / (1 + math.exp(-a))
        w = math.exp(-a) / (1 + math.exp(-a)) if loss == "non-saturating" else d
        rows.append([w * gx, w * gy])
    return rows  # a list of lists is fine: the check compares values


def from_the_loss_derivatives(logits, logit_grads, loss="non-saturating"):
    d = 1.0 / (1.0 + np.exp(-logits.astype(np.float32)))  # float32, as a Keras user might
    dloss_dlogit = -(1.0 - d) if loss == "non-saturating" else -d  # d/da of -log D and of log(1 - D)
    gradient = dloss_dlogit.reshape(-1, 1) * logit_grads
    return -gradient


def with_where(logits, logit_grads, loss="non-saturating"):
    d = np.where(
        logits >= 0,
        1 / (1 + np.exp(-np.abs(logits))),
        np.exp(-np.abs(logits)) / (1 + np.exp(-np.abs(logits))),
    )
    return np.einsum("n,nd->nd", 1 - d if loss.startswith("non") else d, logit_grads)


@pytest.mark.parametrize("answer", [with_expit, loop_with_math, from_the_loss_derivatives, with_where])
def test_correct_answers_written_differently_pass_public_and_hidden_cases(answer):
    result = run_check(EXERCISE, answer, include_hidden=True)
    assert result.passed, result.feedback()


def returns_the_gradient(logits, logit_grads, loss="non-saturating"):
    d = expit(logits)
    return (-(1 - d) if loss == "non-saturating" else -d)[:, None] * logit_grads


def uses_probability_for_non_saturating(logits, logit_grads, loss="non-saturating"):
    return expit(logits)[:, None] * logit_grads  # "push more where D is higher", for both losses


def forgets_the_logit_factor(logits, logit_grads, loss="non-saturating"):
    return np.array(logit_grads, dtype=float)


def divides_by_the_batch(logits, logit_grads, loss="non-saturating"):
    return with_expit(logits, logit_grads, loss) / len(logits)


def returns_lengths(logits, logit_grads, loss="non-saturating"):
    return np.linalg.norm(with_expit(logits, logit_grads, loss), axis=1)


def multiplies_by_the_logit(logits, logit_grads, loss="non-saturating"):
    return (1 - logits)[:, None] * logit_grads  # confuses a with D(x)


WRONG = [
    returns_the_gradient,
    uses_probability_for_non_saturating,
    forgets_the_logit_factor,
    divides_by_the_batch,
    returns_lengths,
    multiplies_by_the_logit,
]


@pytest.mark.parametrize("answer", WRONG)
def test_learner_style_wrong_answers_fail_the_public_cases(answer):
    result = run_check(EXERCISE, answer)  # public cases only: what a learner alone sees
    assert result.status == "failed", answer.__name__
    assert "01.generator_pull" in result.feedback()


def test_feedback_names_the_usual_mistake():
    hint = run_check(EXERCISE, returns_the_gradient).feedback()
    assert "against" in hint and "uphill" in hint
    hint = run_check(EXERCISE, forgets_the_logit_factor).feedback()
    assert "chain rule" in hint
