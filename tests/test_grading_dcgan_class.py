"""Exercise 05.DCGAN through the instructor grader's real kernels: the learner's *class* is found in the
notebook, built and trained there by the course's cases, and judged here; a wrong tracker loses points.
(Both notebooks in one grading call: about 45 s of kernels on 2 cores.)"""

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from dcgan_lessons.grading.grader import Limits, grade_submissions

ROOT = Path(__file__).resolve().parents[1]


def solved_class_source():
    cells = json.loads((ROOT / "solutions" / "05_train_dcgan.ipynb").read_text())["cells"]
    source = next("".join(c["source"]) for c in cells if "# EXERCISE 05.DCGAN" in "".join(c["source"]))
    return "\n".join(line for line in source.splitlines() if "### " not in line)


def write(path, class_source):
    notebook = new_notebook(cells=[new_code_cell("import keras"), new_code_cell(class_source)])
    notebook.metadata["dcgan_lessons"] = {"lesson": "05", "version": "learner"}
    nbformat.write(notebook, path)
    return path


def test_the_grader_scores_a_learners_dcgan_class(tmp_path):
    right = solved_class_source()
    wrong = right.replace(
        "self.d_fake_tracker.update_state(keras.ops.mean(keras.ops.sigmoid(fake_logits)))",
        "self.d_fake_tracker.update_state(keras.ops.mean(keras.ops.sigmoid(real_logits)))",
    )
    assert wrong != right
    files = [write(tmp_path / "right.ipynb", right), write(tmp_path / "wrong.ipynb", wrong)]
    grades = grade_submissions(files, limits=Limits(notebook_seconds=120, case_seconds=60), workers=1)
    scores = {
        grade.submission.path.stem: {g.exercise.id: g.score for g in grade.exercises} for grade in grades
    }
    assert scores["right"]["05.DCGAN"] == 2
    assert scores["wrong"]["05.DCGAN"] == 0
    assert scores["right"]["05.train_step"] == 0  # the notebook defines no train_step
