"""Lesson 05's run folder is named after what trains it: solving the exercise and running the lesson again
trains the learner's step in a new folder, instead of finding the stub's run (the course's step) finished."""

import json
from pathlib import Path

import numpy as np

from dcgan_lessons import check, load_dataset
from dcgan_lessons.authoring.build import learner_source
from dcgan_lessons.dcgan.gan_step import train_step as course_step
from dcgan_lessons.dcgan.run_loading import load_run, newest_run
from dcgan_lessons.dcgan.training import RunConfig, train_dcgan
from dcgan_lessons.runs.run_key import run_folder_name, step_owner

ROOT = Path(__file__).resolve().parents[1]
SMALL = RunConfig(batch_size=16, limit=32, latent_dim=8, seed=3)


def lesson_cell(marker):
    cells = json.loads((ROOT / "solutions" / "05_train_dcgan.ipynb").read_text())["cells"]
    return next("".join(c["source"]) for c in cells if marker in "".join(c["source"]))


def define_train_step(source, traced):
    """Run the exercise cell's source as a notebook does; `traced` counts calls of the step's loss."""
    import tensorflow as tf

    from dcgan_lessons.losses.minimax import discriminator_loss, generator_loss

    def counting_loss(*args):
        traced.append(1)
        return discriminator_loss(*args)

    namespace = {"tf": tf, "discriminator_loss": counting_loss, "generator_loss": generator_loss}
    exec(compile(source, "<ipython-input-7>", "exec"), namespace)
    return namespace["train_step"]


def test_solving_the_step_then_rerunning_trains_the_learners_step(tmp_path, capsys):
    source = lesson_cell("# EXERCISE 05.train_step")
    images = load_dataset("digits", limit=SMALL.limit).images[:, ::2, ::2]  # 14x14: a fast epoch

    # 1. The learner runs the lesson with the stub: the check hands back the course's step.
    stub_traced = []
    step = check("05.train_step", define_train_step(learner_source(source), stub_traced))
    assert step is course_step and step_owner(step) == "course"
    stub_dir = tmp_path / run_folder_name("05_digits_quick", step, SMALL)
    train_dcgan(stub_dir, epochs=1, config=SMALL, images=images, verbose=0)

    # 2. They solve it and run the lesson again: a new folder, and their step trains in it.
    traced = []
    solved = check("05.train_step", define_train_step(source, traced))
    assert solved is not course_step and step_owner(solved) == "yours"
    solved_dir = tmp_path / run_folder_name("05_digits_quick", solved, SMALL)
    assert solved_dir != stub_dir and not solved_dir.exists()
    traced.clear()  # the check's own calls
    run = train_dcgan(solved_dir, epochs=1, config=SMALL, images=images, step_function=solved, verbose=0)
    assert run.resumed_from == 0 and len(run.history) == 1
    assert traced, "the learner's step never ran in the training"
    assert "nothing to train" not in capsys.readouterr().out

    # 3. Running the same solved lesson once more resumes that folder: the name is stable.
    again = check("05.train_step", define_train_step(source, []))
    assert run_folder_name("05_digits_quick", again, SMALL) == solved_dir.name

    # 4. Lesson 06 finds the newest of them and rebuilds its generator with the trained weights.
    assert newest_run(tmp_path, "05_digits_quick") == solved_dir
    assert newest_run(tmp_path, "05_mnist_quick") is None
    gan, history = load_run(solved_dir, images.shape[1:])
    assert len(history) == 1
    for loaded, trained in zip(gan.generator.weights, run.gan.generator.weights, strict=True):
        assert np.array_equal(np.asarray(loaded), np.asarray(trained))


def test_the_lesson_names_its_run_folder_after_its_step():
    cell = lesson_cell("RUN_DIR = ")
    assert "run_folder_name(" in cell and "train_step, config)" in cell


def test_the_name_changes_with_the_settings_and_an_edited_step():
    source = lesson_cell("# EXERCISE 05.train_step")
    step = define_train_step(source, [])
    name = run_folder_name("05_x", step, SMALL)
    assert name.startswith("05_x_yours_") and len(name.rsplit("_", 1)[1]) == 8
    assert run_folder_name("05_x", step, RunConfig(batch_size=32, limit=32, latent_dim=8, seed=3)) != name
    edited = define_train_step(source.replace("fake_images = generator(", "fake_images = 1 * generator("), [])
    assert run_folder_name("05_x", edited, SMALL) != name
    assert run_folder_name("05_x", course_step, SMALL).startswith("05_x_course_")
    assert np.all([c in "0123456789abcdef" for c in name[-8:]])
