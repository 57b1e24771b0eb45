"""Run one submitted notebook in its own kernel, with limits, and collect what the probe found.

Each notebook runs in a fresh kernel process (nbclient), started with the grader's own Python, in a
scratch folder that holds only a copy of the notebook, so relative paths such as `../results` or
`../other.ipynb` land in the grader's private temporary folder, never among the submissions or the
results. The code cells run in order, every one even after an error (as nbgrader's autograder does), until
the notebook's time limit; a cell still running then is interrupted and the rest are skipped. Output is
counted, never kept. If the kernel dies (`os._exit`, a crash) or ignores the interrupt, a fresh kernel
re-runs the cells before the one that stopped it, so the functions defined up to there still count.
Then `probe.report` runs the cases; a watchdog kills the kernel if anything still hangs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

_TIMEOUT_NAME = "GraderTimeLimit"


@dataclass
class Limits:
    notebook_seconds: float = 300.0  # for all of a notebook's cells together
    case_seconds: float = 10.0  # for one call of a learner's function by the grader
    max_output_bytes: int = 2**20  # output beyond this is reported as such (none is ever kept)
    profile: str = "quick"  # the run profile the notebooks run in while graded


@dataclass
class KernelRun:
    """What running a notebook produced: the probe's lines, the cells that failed, and notes for feedback."""

    lines: list[dict] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    probe_done: bool = False
    output_bytes: int = 0
    deaf: bool = False  # the kernel ignored an interrupt and was killed


class _Client(NotebookClient):
    """nbclient with the grader's Python as kernel, outputs counted instead of stored, and a kill switch."""

    def create_kernel_manager(self):
        import ipykernel.kernelspec
        from jupyter_client.kernelspec import KernelSpec

        km = super().create_kernel_manager()
        km._kernel_spec = KernelSpec(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )
        return km

    output_bytes = 0
    last_reply: dict | None = None

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        self.output_bytes += len(content.get("text", "")) + sum(
            len(str(value)) for value in content.get("data", {}).values()
        )
        return None

    def kill(self) -> None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.send_signal(getattr(signal, "SIGKILL", signal.SIGTERM))


def describe_cell(number: int, source: str) -> str:
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return f"code cell {number} (`{first[:50]}{'…' if len(first) > 50 else ''}`)"


def run_notebook(
    notebook, file_name: str, lesson: str, limits: Limits, extra_cases: Path | None
) -> KernelRun:
    """Execute `notebook` (in memory) and run the probe; once more from a fresh kernel if the kernel died."""
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    run = KernelRun()
    stop = len(cells)
    for attempt in (1, 2):
        died_at = _attempt(cells[:stop], file_name, lesson, limits, extra_cases, run)
        if died_at is None or attempt == 2:
            if died_at is not None:
                run.notes.append(
                    "the kernel stopped again after a restart; the exercises could not be graded"
                )
            break
        stop = died_at
        how = "did not respond to the interrupt and was stopped" if run.deaf else "stopped"
        run.notes.append(
            f"the kernel {how} during {describe_cell(died_at + 1, cells[died_at].source)}; the grader "
            f"started a fresh kernel and re-ran the {died_at} code cell(s) before it, so the functions "
            "defined there count"
        )
        run.cell_errors.clear()
    return run


def _attempt(cells, file_name, lesson, limits: Limits, extra_cases, run: KernelRun) -> int | None:
    """One kernel's run; returns the index of the learner cell during which the kernel died, else None."""
    import dcgan_lessons

    from .exercises import lesson_exercises

    package_root = str(Path(dcgan_lessons.__file__).resolve().parents[1])
    env = dict(os.environ)
    env.update(DCGAN_LESSONS_PROFILE=limits.profile, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    extra = repr(str(Path(extra_cases).resolve())) if extra_cases else "None"
    setup = nbformat.v4.new_code_cell(
        f'__import__("dcgan_lessons.probe", fromlist=["install"]).install({lesson!r}, {extra})'
    )
    with (
        # A notebook may leave files it cannot delete itself (read-only, still open): never fail on them.
        tempfile.TemporaryDirectory(prefix="dcgan-grade-", ignore_cleanup_errors=True) as private,
        tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as inbox,
    ):
        scratch = Path(private) / "work"
        scratch.mkdir()
        work = nbformat.v4.new_notebook(cells=list(cells))
        work.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        (scratch / Path(file_name).name).write_text(nbformat.writes(work), encoding="utf-8")
        work.cells.append(setup)
        report_path = Path(inbox) / "probe.jsonl"
        # Every case may use its whole limit; private extra cases are rarely more than a few per exercise.
        cases = sum(len(e.public) + len(e.hidden) + 5 for e in lesson_exercises(lesson))
        probe_seconds = 30 + limits.case_seconds * cases
        probe = nbformat.v4.new_code_cell(
            f'__import__("dcgan_lessons.probe", fromlist=["report"]).report({str(report_path)!r}, '
            f"{limits.case_seconds!r})"
        )
        work.cells.append(probe)
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
        client.on_cell_executed = lambda cell, cell_index, execute_reply: setattr(
            client, "last_reply", execute_reply
        )
        watchdog = threading.Timer(limits.notebook_seconds + probe_seconds + 150, client.kill)
        watchdog.daemon = True
        watchdog.start()
        current = None
        try:
            with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                client.timeout = 120
                client.execute_cell(setup, len(cells), store_history=False)
                if _reply_error(client.last_reply):
                    raise RuntimeError(
                        f"the grader could not start its probe: {_reply_error(client.last_reply)}"
                    )
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
                    client.execute_cell(cell, current)
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
                            raise DeadKernelError("the kernel did not respond after an interrupt")
                        break
                    if error:
                        run.cell_errors.append(f"{describe_cell(current + 1, cell.source)} raised {error}")
                current = None
                client.timeout = int(probe_seconds)
                client.last_reply = None
                client.execute_cell(probe, len(cells) + 1, store_history=False)
                error = _reply_error(client.last_reply)
                run.probe_done = error is None
                if error:
                    run.notes.append(f"the grader's run of your functions stopped early ({error})")
        except DeadKernelError:
            if current is not None:
                return current
            run.notes.append("the kernel stopped while the grader ran your functions")
        finally:
            watchdog.cancel()
            run.output_bytes = max(run.output_bytes, client.output_bytes)
            if report_path.exists():
                run.lines = _read_lines(report_path)
    if run.output_bytes > limits.max_output_bytes:
        run.notes.append(
            f"the notebook printed {run.output_bytes / 2**20:.1f} MB of output (the grader keeps none; "
            f"more than {limits.max_output_bytes / 2**20:g} MB makes a notebook slow to open)"
        )
    return None


def _responds(client: _Client, index: int) -> bool:
    """Whether the kernel runs a trivial cell within 5 s (after an interrupt it may not)."""
    client.timeout, client.last_reply = 5, None
    client.execute_cell(nbformat.v4.new_code_cell("pass"), index, store_history=False)
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


def _read_lines(path: Path) -> list[dict]:
    lines = []
    for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict) and isinstance(line.get("exercise"), str):
            lines.append(line)
    return lines
