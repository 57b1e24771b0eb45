"""Naming a notebook's run folder after what trains it, so a changed step never resumes a stale run.

Lesson 05 trains with the learner's `train_step` when it passes its check, else with the course's. A run
folder named only by data set and profile would be resumed (or found finished) after the learner solves
the exercise, and the course's run reported as theirs. `run_folder_name` adds who wrote the step and a
digest of its code and of the run's settings: the stub's run, the solved step's run and a later edit of it
each get their own folder; re-running the same notebook resumes the same one.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import asdict, is_dataclass


def _code_text(function) -> str:
    """The step's source (its Python function's, for a @tf.function); its bytecode when there is none."""
    function = getattr(function, "python_function", function)
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        code = getattr(function, "__code__", None)
        return repr(function) if code is None else _code_of(code)


def _code_of(code) -> str:
    """Bytecode, constants and names, nested functions' too (their repr would hold a memory address)."""
    consts = [_code_of(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return code.co_code.hex() + repr(consts) + repr(code.co_names)


def step_owner(function) -> str:
    """'course' for a step from the course's package, 'yours' for any other."""
    function = getattr(function, "python_function", function)
    module = getattr(function, "__module__", "") or ""
    return "course" if module == "dcgan_lessons" or module.startswith("dcgan_lessons.") else "yours"


def run_folder_name(base: str, step_function, settings) -> str:
    """`base`, who wrote the step, 8 hex digits of its code and the settings: '05_digits_cpu_yours_1a2b3c4d'.

    `settings`: the run's RunConfig (or a dict of settings).
    """
    if not callable(step_function):
        raise TypeError(
            f"step_function: expected the training step function, got {type(step_function).__name__}."
        )
    values = asdict(settings) if is_dataclass(settings) else dict(settings)
    text = _code_text(step_function) + json.dumps(values, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{base}_{step_owner(step_function)}_{digest}"
