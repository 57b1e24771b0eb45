"""The grader's parts, without kernels: transport of values, lesson matching, scoring from probe lines,
private cases, file names, and the learner's `show_score`."""

import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dcgan_lessons import all_exercises, cli, get_exercise, scale_images, show_score, unscale_images
from dcgan_lessons.grading import probe
from dcgan_lessons.grading.extra_cases import load_extra_cases
from dcgan_lessons.grading.gradebook import gradebook_rows
from dcgan_lessons.grading.grader import SubmissionGrade, grade_exercise, judge_reply, lesson_calls
from dcgan_lessons.grading.kernel_run import KernelRun
from dcgan_lessons.grading.probe import as_defined, decode_value, encode_value, to_plain
from dcgan_lessons.grading.submissions import (
    learner_names,
    parse_notebook,
    read_submissions,
    safe_file_name,
    which_lesson,
)

SCALE = get_exercise("00.scale_images")


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        2.5,
        "text",
        True,
        np.arange(6, dtype=np.uint8).reshape(2, 3),
        np.float32(1.5),
        (np.zeros(2), [1, "a"]),
        {"loss": np.float64(0.25)},
    ],
    ids=repr,
)
def test_plain_values_travel_unchanged(value):
    back = decode_value(encode_value(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    elif isinstance(value, (tuple, dict)):
        assert repr(back) == repr(value)
    else:
        assert back == value


# Fixed ids: repr() of these holds a memory address, which differs between pytest-xdist workers.
@pytest.mark.parametrize(
    "value",
    [np.array([object()]), object(), {1: 2}, lambda: 0],
    ids=["object array", "object", "dict with int keys", "lambda"],
)
def test_other_values_are_not_sent_back(value):
    with pytest.raises(TypeError):
        encode_value(value)


def test_functions_keep_the_globals_they_were_defined_with():
    namespace = {"np": np}
    exec("def f(x):\n    print(x)\n    return np.sum(x)", namespace)
    snapshot = dict(namespace)
    live = {**namespace, "np": None, "print": None, "helper": 1}
    assert as_defined(namespace["f"], snapshot, live)([1, 2]) == 3


def notebook(*sources, lesson=None):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    if lesson:
        nb.metadata["dcgan_lessons"] = {"lesson": lesson, "version": "learner"}
    return nb


def test_lesson_comes_from_metadata_then_markers_then_file_name():
    assert which_lesson(notebook("x = 1", lesson="02"), "00_setup.ipynb") == ("02", "notebook metadata")
    assert which_lesson(notebook("# EXERCISE 03.f\ndef f(): pass"), "x.ipynb") == ("03", "exercise markers")
    assert which_lesson(notebook("x = 1"), "01_gan_game (1).ipynb") == ("01", "file name")
    assert which_lesson(notebook("x = 1"), "homework.ipynb") == (None, "")


def test_the_lesson_option_is_the_last_resort(tmp_path):
    path = tmp_path / "=homework.ipynb"
    path.write_text(nbformat.writes(notebook("x = 1")))
    assert read_submissions([path])[0].problem.startswith("cannot tell which lesson")
    submission = read_submissions([path], lesson="00")[0]
    assert (submission.lesson, submission.problem) == ("00", None)
    header, rows = gradebook_rows([SubmissionGrade(submission)])
    assert rows[0][:2] == ["'=homework", "'=homework.ipynb"]


@pytest.mark.parametrize("data", [b"", b"\xff\xfe", b"[1, 2]", b'{"cells": 3}', b"print('hi')"])
def test_what_is_not_a_notebook_is_said_so(data):
    parsed, problem = parse_notebook(data)
    assert parsed is None and problem.startswith("not a Jupyter notebook")


def test_feedback_file_names_stay_in_the_folder_and_are_unique(tmp_path):
    taken = set()
    names = [safe_file_name(n, taken) for n in ["../../etc/passwd", "a/b", "a__b", "A__B", ".hidden", ""]]
    assert all("/" not in n and not n.startswith(".") and n for n in names)
    assert len({n.lower() for n in names}) == len(names)
    (tmp_path / "x").mkdir()
    files = [tmp_path / "x" / "alice.ipynb", tmp_path / "bob.ipynb"]
    assert learner_names(files) == ["x/alice", "bob"]


def replies(origin="learner", cases=(), **state):
    return KernelRun(origins={SCALE.id: {"origin": origin}}, replies=dict(cases), **state)


def reply(index, **data):
    return (SCALE.id, index), data


def test_scores_come_from_the_kernels_replies_judged_here():
    cases = len(SCALE.public) + len(SCALE.hidden)
    right = [
        reply(i, status="returned", value=encode_value(SCALE.expected(c)))
        for i, c in enumerate([*SCALE.public, *SCALE.hidden])
    ]
    assert grade_exercise(SCALE, {}, replies(cases=right)).score == 1
    # The process died during the third case: it and the rest fail, the first two count.
    died = grade_exercise(SCALE, {}, replies(cases=right[:2], in_flight=(SCALE.id, 2), probe_stopped=True))
    assert died.score == pytest.approx(2 / cases)
    assert [c.mismatch.kind for c in died.result.cases[2:]] == ["crash"] * (cases - 2)
    assert "ended while this case ran" in died.result.cases[2].mismatch.detail
    stub = [reply(0, status="raised", type="NotImplementedError", not_implemented=True)]
    assert grade_exercise(SCALE, {}, replies(cases=stub)).result.status == "not_attempted"
    slow = [reply(i, status="timeout") for i in range(cases)]
    assert grade_exercise(SCALE, {}, replies(cases=slow)).score == 0


@pytest.mark.parametrize(
    "forged",
    [
        {"status": "judged", "passed": True},  # the old protocol's verdict from the kernel: never trusted
        {"status": "returned", "value": {"t": "array", "npy": "bm90IGFuIGFycmF5"}},
        {"status": "returned", "value": {"t": "object", "pickle": "..."}},
        {"status": "returned", "value": encode_value(np.zeros((1, 2, 2, 1), np.float32))},
        {"status": "not_plain", "type": "MyArray"},
        {"status": "passed"},
        {},
    ],
    ids=repr,
)
def test_only_plain_data_that_matches_scores(forged):
    case = SCALE.public[0]
    assert not judge_reply(SCALE, case, False, forged).passed
    assert judge_reply(
        SCALE, case, False, {"status": "returned", "value": encode_value(SCALE.expected(case))}
    ).passed


def test_kernel_text_reaches_feedback_for_public_cases_only():
    raised = {"status": "raised", "type": "ValueError", "message": "secret input [1, 2]"}
    assert "secret input" in judge_reply(SCALE, SCALE.public[0], False, raised).mismatch.detail
    assert "secret" not in judge_reply(SCALE, SCALE.hidden[0], True, raised).mismatch.detail
    odd = {"status": "raised", "type": "x'); import os #"}
    assert judge_reply(SCALE, SCALE.public[0], False, odd).mismatch.detail == "raised value"


def test_public_cases_are_all_called_before_any_hidden_one():
    calls = lesson_calls([SCALE, get_exercise("00.unscale_images")], {})
    hidden = [call.hidden for call in calls]
    assert hidden == sorted(hidden) and any(hidden) and not all(hidden)


class _Subclass(np.ndarray):
    pass


@pytest.mark.parametrize(
    "value",
    [np.zeros(2).view(_Subclass), type("L", (list,), {})([1]), type("F", (float,), {})(1.0), object()],
    ids=["ndarray subclass", "list subclass", "float subclass", "object"],
)
def test_values_that_are_not_plain_data_are_refused_in_the_kernel(value):
    with pytest.raises(Exception, match="L|F|_Subclass|object"):
        to_plain(value)


def test_tensors_become_arrays():
    import keras

    assert type(to_plain([keras.ops.ones(3)])[0]) is np.ndarray


@pytest.mark.parametrize(
    ("origin", "reason"),
    [
        ("missing", "defines no function"),
        ("course", "course's own implementation"),
        ("other", "not a function"),
    ],
)
def test_no_learner_function_scores_zero_with_a_reason(origin, reason):
    graded = grade_exercise(SCALE, {}, replies(origin))
    assert graded.score == 0 and reason in graded.reason
    assert "not graded" in grade_exercise(SCALE, {}, KernelRun(notes=["the kernel stopped"])).reason


def write_cases(tmp_path, body):
    path = tmp_path / "cases.py"
    path.write_text("import numpy as np\nfrom dcgan_lessons.course.checking import Case\n" + body)
    return path


def test_private_cases_are_checked_when_read(tmp_path):
    one = 'Case("white", args=(np.full((1, 1, 1, 1), 255, dtype=np.uint8),))'
    assert [
        c.name
        for c in load_extra_cases(write_cases(tmp_path, f"CASES = {{'00.scale_images': [{one}]}}"))[
            "00.scale_images"
        ]
    ] == ["white"]
    with pytest.raises(ValueError, match="Did you mean"):
        load_extra_cases(write_cases(tmp_path, f"CASES = {{'00.scale_image': [{one}]}}"))
    with pytest.raises(TypeError, match="CASES"):
        load_extra_cases(write_cases(tmp_path, "CASES = []"))
    wrong = 'Case("wrong", args=(np.zeros((1, 1, 1, 1), dtype=np.uint8),), expected=np.zeros((1, 1, 1, 1)))'
    with pytest.raises(ValueError, match="fails on the reference"):
        load_extra_cases(write_cases(tmp_path, f"CASES = {{'00.scale_images': [{wrong}]}}"))
    with pytest.raises(FileNotFoundError):
        load_extra_cases(tmp_path / "missing.py")
    with pytest.raises(ValueError, match="does not run"):
        load_extra_cases(write_cases(tmp_path, "CASES = {"))
    fresh_class = '__import__("dcgan_lessons.course.checking").course.checking.Fresh'
    fresh = f'Case("fresh", args=({fresh_class}(lambda: 1),))'
    with pytest.raises(TypeError, match="plain data only"):
        load_extra_cases(write_cases(tmp_path, f"CASES = {{'00.scale_images': [{fresh}]}}"))


def test_grade_command_reports_bad_input(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nothing"), "--out", str(tmp_path / "out")]) == 2
    assert "No submission file or folder" in capsys.readouterr().err


def test_show_score_counts_public_cases_only_for_the_learners_own_functions(capsys):
    def mine(images):
        return images.astype("float32") / 127.5 - 1.0

    show_score("00", {"scale_images": mine, "unscale_images": unscale_images})
    text = capsys.readouterr().out
    assert "lesson 00's public cases: 1 / 2 points" in text
    assert "✓ 00.scale_images" in text and "not passing its check yet" in text
    show_score("00", {"scale_images": scale_images})
    assert "0 / 2 points" in capsys.readouterr().out
    with pytest.raises(ValueError, match="no exercises"):
        show_score("99", {})
    with pytest.raises(TypeError, match="globals"):
        show_score("00", None)


def test_the_readme_example_of_private_cases_loads(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    example = readme.split("# my_cases.py", 1)[1].split("\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "my_cases.py"
    path.write_text(example)
    assert len(load_extra_cases(path)["00.scale_images"]) == 2


class _Shell:
    user_ns: dict = {}


@pytest.mark.parametrize("exercise_id", list(all_exercises()))
def test_every_exercise_through_the_grader_protocol_passes_the_reference_and_fails_a_mistake(
    exercise_id, monkeypatch
):
    """The kernel's side (`probe.call`) run here on the reference and on a planted mistake; its replies
    go through JSON and are judged by the grader's side: full marks, then fewer."""
    exercise = get_exercise(exercise_id)
    replies = []
    monkeypatch.setattr(probe, "_reply", replies.append)

    def graded(function):
        snapshot = getattr(function, "__globals__", {})
        monkeypatch.setitem(probe._state, "found", {exercise_id: ("learner", function, snapshot)})
        monkeypatch.setitem(probe._state, "shell", _Shell())
        run = KernelRun(origins={exercise_id: {"origin": "learner"}}, probed=True)
        for call in lesson_calls([exercise], {}):
            with np.errstate(all="ignore"):  # in a kernel, the call's warnings are discarded
                probe.call(call.exercise_id, call.request, 60.0)
            run.replies[exercise_id, call.index] = json.loads(json.dumps(replies[-1]))
        return grade_exercise(exercise, {}, run).score

    assert graded(exercise.reference) == exercise.points
    assert graded(exercise.mistakes[0].answer) < exercise.points
