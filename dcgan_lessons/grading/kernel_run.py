"""Run one submitted notebook in its own kernel, with limits, then call the learner's functions case by case.

Each notebook runs in a fresh kernel process (nbclient), started with the grader's own Python through
`kernel_guard` (its own session and process group, memory and file-size limits, every process it starts
killed afterwards), in a scratch folder that holds only a copy of the notebook, so relative paths such as
`../results` or `../other.ipynb` land in the grader's private temporary folder, never among the
submissions or the results. The code cells run in order, every one even after an error (as nbgrader's
autograder does), until the notebook's time limit; a cell still running then is interrupted and the rest
are skipped. Output is counted, never kept.

If the kernel dies during a cell (`os._exit`, a crash, or another process killing it), a fresh kernel runs
the notebook again, up to twice; if it dies again, or it had ignored the interrupt and was killed, a last
one runs the cells before the one that stopped it, so the functions defined up to there still count.
A kernel that dies while starting is started once more.

Then the grader sends one call per case (`probe.call`): every public case of every exercise first, then
the hidden and private ones, so that nothing learner code could see of a hidden case can come back in the
text of a public one. Only plain data comes back; the grader judges it (`grader.py`).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from . import kernel_guard
from .calls import Call
from .probe import MIME

_TIMEOUT_NAME = "GraderTimeLimit"
_RERUNS = 2  # full re-runs after a kernel died in a cell, before only the cells before it are run
_REPLY_SECONDS = 15  # on top of a case's own limit: time for the kernel to build arguments and reply


@dataclass
class Limits:
    notebook_seconds: float = 300.0  # for all of a notebook's cells together
    case_seconds: float = 10.0  # for one call of a learner's function by the grader
    max_output_bytes: int = 2**20  # output beyond this is reported as such (none is ever kept)
    profile: str = "quick"  # the run profile the notebooks run in while graded
    # Per kernel, inherited by everything it starts; None for no limit. Generous: TensorFlow alone reserves
    # a few GB of address space, and no lesson writes large files.
    memory_bytes: int | None = 16 * 2**30
    file_size_bytes: int | None = 2 * 2**30


@dataclass
class KernelRun:
    """What running a notebook produced: where each function came from, one reply per case, and notes."""

    origins: dict[str, dict] = field(default_factory=dict)
    replies: dict[tuple[str, int], dict] = field(default_factory=dict)
    probed: bool = False  # the grader reached the calls (the notebook's cells are done)
    probe_stopped: bool = False  # the kernel ended or hung during the calls; the remaining were not made
    in_flight: tuple[str, int] | None = None  # the call being made when the kernel ended
    cell_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    output_bytes: int = 0
    deaf: bool = False  # the kernel ignored an interrupt and was killed


class _StartupFailed(Exception):
    """The kernel died or failed before the first learner cell."""


def _guard_command(limits: Limits) -> list[str]:
    options = []
    if limits.memory_bytes:
        options += ["--memory", str(int(limits.memory_bytes))]
    if limits.file_size_bytes:
        options += ["--file-size", str(int(limits.file_size_bytes))]
    # -I: the supervisor needs only the standard library, and nothing from the environment.
    return [sys.executable, "-I", kernel_guard.__file__, *options, "--"]


class _Client(NotebookClient):
    """nbclient with the grader's Python as kernel (under its guard), outputs counted, probe replies kept."""

    guard: list[str] = []
    output_bytes = 0
    last_reply: dict | None = None
    replies: list | None = None  # while a probe cell runs: the replies it published

    def create_kernel_manager(self):
        import ipykernel.kernelspec
        from jupyter_client.kernelspec import KernelSpec

        km = super().create_kernel_manager()
        spec = ipykernel.kernelspec.get_kernel_dict()
        spec["argv"] = [*self.guard, *spec["argv"]]
        km._kernel_spec = KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)
        return km

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        data = content.get("data", {})
        if self.replies is not None and msg.get("msg_type") == "display_data" and MIME in data:
            self.replies.append(data[MIME])
            return None
        self.output_bytes += len(content.get("text", "")) + sum(len(str(value)) for value in data.values())
        return None

    def process_id(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def kill(self) -> None:
        """Kill the supervisor and the kernel: the process group the supervisor leads."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (AttributeError, OSError):  # Windows, or the group is gone already
            process.send_signal(getattr(signal, "SIGKILL", signal.SIGTERM))


def describe_cell(number: int, source: str) -> str:
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return f"code cell {number} (`{first[:50]}{'…' if len(first) > 50 else ''}`)"


def run_notebook(notebook, file_name: str, lesson: str, limits: Limits, calls: list[Call]) -> KernelRun:
    """Execute `notebook` (in memory), then make `calls`; with fresh kernels when one dies (see above)."""
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    run = KernelRun()
    stop, reruns, started_again = len(cells), 0, False
    for _ in range(6):
        try:
            died_at = _attempt(cells[:stop], file_name, lesson, limits, calls, run)
        except _StartupFailed as error:
            if started_again:
                run.notes.append(f"the grader could not start a kernel for this notebook ({error})")
                break
            started_again = True
            continue
        if died_at is None:
            break
        where = describe_cell(died_at + 1, cells[died_at].source)
        run.cell_errors.clear()
        if reruns < _RERUNS and not run.deaf:  # perhaps another process killed it: run it all again
            reruns += 1
            run.notes.append(
                f"the kernel stopped during {where}; the grader ran the notebook again in a fresh kernel"
            )
            continue
        if stop == died_at:
            run.notes.append("the kernel stopped again after a restart; the exercises could not be graded")
            break
        stop = died_at
        how = "did not respond to the interrupt and was stopped" if run.deaf else "stopped again"
        run.notes.append(
            f"the kernel {how} during {where}; the grader started a fresh kernel and re-ran the "
            f"{died_at} code cell(s) before it, so the functions defined there count"
        )
    return run


def _attempt(cells, file_name, lesson, limits: Limits, calls: list[Call], run: KernelRun) -> int | None:
    """One kernel's run; the index of the learner cell during which the kernel died, else None."""
    package_root = str(Path(__file__).resolve().parents[2])  # the folder holding dcgan_lessons/
    token = secrets.token_hex(16)
    env = dict(os.environ)
    env.update(DCGAN_LESSONS_PROFILE=limits.profile, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    env[kernel_guard.MARKER] = token
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    probe = '__import__("dcgan_lessons.grading.probe").grading.probe'  # binds no name in the learner's kernel
    setup = nbformat.v4.new_code_cell(f"{probe}.install({lesson!r})")
    private = tempfile.mkdtemp(prefix="dcgan-grade-")
    try:
        return _attempt_in(private, cells, file_name, lesson, limits, calls, run, setup, env, token)
    finally:
        kernel_guard.remove_folder(private)


def _attempt_in(private, cells, file_name, lesson, limits, calls, run, setup, env, token) -> int | None:
    """`_attempt` in its scratch folder `private`."""
    scratch = Path(private) / "work"
    scratch.mkdir()
    work = nbformat.v4.new_notebook(cells=list(cells))
    work.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    (scratch / Path(file_name).name).write_text(nbformat.writes(work), encoding="utf-8")
    work.cells += [setup, nbformat.v4.new_code_cell()]  # nbclient stores each cell it runs by index
    client = _Client(
        work,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMEOUT_NAME, "evalue": "", "traceback": []},
        startup_timeout=120,
        iopub_timeout=10,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(scratch)}},
    )
    client.guard = _guard_command(limits)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: setattr(
        client, "last_reply", execute_reply
    )
    probe_seconds = len(calls) * (limits.case_seconds + _REPLY_SECONDS) + 60
    watchdog = threading.Timer(limits.notebook_seconds + probe_seconds + 150, client.kill)
    watchdog.daemon = True
    watchdog.start()
    leader = None
    try:
        try:
            with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                leader = client.process_id()
                try:
                    client.timeout = 120
                    client.execute_cell(setup, len(cells), store_history=False)
                    if _reply_error(client.last_reply):
                        error = _reply_error(client.last_reply)
                        raise _StartupFailed(f"its probe did not start: {error}")
                    _run_cells(client, cells, limits, run)
                    _probe(client, calls, limits, run, len(cells) + 1)
                finally:  # while the supervisor still holds the orphans it adopted
                    roots = {leader} if leader else set()
                    kernel_guard.end_processes(roots, session=leader, token=token, supervisor=leader)
        except _DiedIn as died:
            return died.index
        except DeadKernelError:
            if not run.probed:
                raise _StartupFailed("the kernel died while starting") from None
            run.probe_stopped = True
            run.notes.append("the kernel stopped while the grader called your functions")
        except _StartupFailed:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. "Kernel died before replying to kernel_info"
            if not run.probed:
                raise _StartupFailed(type(error).__name__) from None
            raise
    finally:
        watchdog.cancel()
        run.output_bytes = max(run.output_bytes, client.output_bytes)
        # The kernel and everything it started, even what left its session: nothing outlives its notebook.
        kernel_guard.end_processes({leader} if leader else set(), session=leader, token=token)
    if run.output_bytes > limits.max_output_bytes:
        run.notes.append(
            f"the notebook printed {run.output_bytes / 2**20:.1f} MB of output (the grader keeps none; "
            f"more than {limits.max_output_bytes / 2**20:g} MB makes a notebook slow to open)"
        )
    return None


def _run_cells(client: _Client, cells, limits: Limits, run: KernelRun) -> None:
    """Run the learner's cells; `_DiedIn` says in which one the kernel died."""
    deadline = time.monotonic() + limits.notebook_seconds
    for current, cell in enumerate(cells):
        if not cell.source.strip():
            continue  # nbclient sends nothing for an empty cell
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            run.notes.append(
                f"the time limit ({limits.notebook_seconds:g} s) was reached: "
                f"{describe_cell(current + 1, cell.source)} and the cells after it were not run"
            )
            break
        client.timeout = max(1, int(remaining + 0.999))
        client.last_reply = None
        try:
            client.execute_cell(cell, current)
        except DeadKernelError:
            raise _DiedIn(current) from None
        error = _reply_error(client.last_reply)
        if error and error.startswith(_TIMEOUT_NAME):
            run.notes.append(
                f"the time limit ({limits.notebook_seconds:g} s) was reached in "
                f"{describe_cell(current + 1, cell.source)}: it was interrupted and the "
                "cells after it were not run"
            )
            if not _responds(client, len(cells) + 1):
                client.kill()  # it ignored the interrupt: treated like a kernel that died there
                run.deaf = True
                raise _DiedIn(current)
            break
        if error:
            run.cell_errors.append(f"{describe_cell(current + 1, cell.source)} raised {error}")


class _DiedIn(DeadKernelError):
    def __init__(self, index: int):
        super().__init__(f"the kernel died in code cell {index + 1}")
        self.index = index


def _probe(client: _Client, calls: list[Call], limits: Limits, run: KernelRun, index: int) -> None:
    """Ask where each function came from, then make every call; all text here is the grader's own."""
    run.probed = True
    origins = _send(client, "__import__('dcgan_lessons.grading.probe').grading.probe.origins()", 60, index)
    run.origins = {
        key: value
        for key, value in (origins if isinstance(origins, dict) else {}).items()
        if isinstance(key, str) and isinstance(value, dict)
    }
    for call in calls:
        if (run.origins.get(call.exercise_id) or {}).get("origin") != "learner":
            continue
        seconds = float(limits.case_seconds)
        probe = "__import__('dcgan_lessons.grading.probe').grading.probe"
        source = f"{probe}.call({call.exercise_id!r}, {call.request!r}, {seconds!r})"
        client.last_reply, run.in_flight = None, (call.exercise_id, call.index)
        reply = _send(client, source, int(seconds + _REPLY_SECONDS), index)
        run.in_flight = None
        error = _reply_error(client.last_reply)
        if error and error.startswith(_TIMEOUT_NAME):
            run.replies[(call.exercise_id, call.index)] = {"status": "timeout"}
            if not _responds(client, index):
                client.kill()
                run.probe_stopped = True
                run.notes.append("a call of your function ignored the interrupt; the rest were not made")
                return
            continue
        run.replies[(call.exercise_id, call.index)] = reply if isinstance(reply, dict) else {}


def _send(client: _Client, source: str, seconds: int, index: int):
    """Run one grader cell and return the last reply it published (parsed JSON), or None."""
    client.timeout, client.replies = seconds, []
    try:
        client.execute_cell(nbformat.v4.new_code_cell(source), index, store_history=False)
        replies = client.replies
    finally:
        client.replies = None
    if not replies or not isinstance(replies[-1], str):
        return None
    try:
        return json.loads(replies[-1])
    except ValueError:
        return None


def _responds(client: _Client, index: int) -> bool:
    """Whether the kernel runs a trivial cell within 5 s (after an interrupt it may not)."""
    client.timeout, client.last_reply = 5, None
    try:
        client.execute_cell(nbformat.v4.new_code_cell("pass"), index, store_history=False)
    except DeadKernelError:
        return False
    return _reply_error(client.last_reply) is None


def _reply_error(reply: dict | None) -> str | None:
    if reply is None:
        return "no reply from the kernel"
    content = reply.get("content", {})
    if content.get("status") != "error":
        return None
    message = str(content.get("evalue", ""))[:300]
    return (
        f"{content.get('ename', 'an error')}: {message}" if message else str(content.get("ename", "an error"))
    )
