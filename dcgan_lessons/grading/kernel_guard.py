"""Keep each graded kernel, and everything it starts, apart from the grader; end them all afterwards.

The grader starts every kernel through this small supervisor, `python -m dcgan_lessons.grading.kernel_guard
[--memory BYTES] [--file-size BYTES] -- KERNEL COMMAND`:

- jupyter_client starts it in a new session and process group, so a notebook's `os.killpg(0, ...)`
  reaches only its own kernel, and the kernel's parent is this supervisor, not the grader: a notebook that
  kills its parent ends the supervisor, and the grader sees a dead kernel and carries on;
- it applies the memory (address space) and file-size limits with `resource`; the kernel and all its
  children inherit them;
- on Linux it adopts orphaned descendants (PR_SET_CHILD_SUBREAPER), and when the kernel ends it kills every
  process below it; if the grader itself ends (killed, interrupted), it kills them all too.

The grader marks each kernel's environment with a token and, after the notebook, calls `end_processes`,
which kills what is left: the kernel's session, every process carrying the token (a daemon that started
its own session still does), and all their descendants. `adopting_orphans` makes the grader itself adopt
whatever escapes both (a daemon that cleared its environment after its parents died) and kills it before
the results are written. None of this stops a process that searches `/proc` for the grader and kills it
as the same user: see the README's "What the grader defends" for that and for containers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

MARKER = "DCGAN_LESSONS_GRADED_KERNEL"  # environment variable holding the kernel's token
_SUBREAPER, _GET_SUBREAPER = 36, 37  # prctl options (Linux)


def _prctl(option: int, value: int = 0) -> int | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if option == _GET_SUBREAPER:
            flag = ctypes.c_int(0)
            libc.prctl(option, ctypes.byref(flag), 0, 0, 0)
            return flag.value
        return libc.prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        return None


def _processes() -> dict[int, tuple[int, int]]:
    """Live processes: pid -> (parent pid, session id); empty where there is no /proc."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields and fields[0] not in (b"Z", b"X"):  # zombies are gone already
            table[int(entry)] = (int(fields[1]), int(fields[3]))
    return table


def _carries(pid: int, needle: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return needle in environ.read().split(b"\0")
    except OSError:
        return False


def tree(roots: set[int], *, session: int | None = None, token: str | None = None) -> set[int]:
    """`roots`, the members of `session`, the processes whose environment carries `token`, and all below."""
    table = _processes()
    found = {pid for pid in roots if pid in table}
    if session is not None:
        found |= {pid for pid, (_, sid) in table.items() if sid == session}
    if token:
        needle = f"{MARKER}={token}".encode()
        found |= {pid for pid in table if _carries(pid, needle)}
    while True:
        below = {pid for pid, (ppid, _) in table.items() if ppid in found} - found
        if not below:
            break
        found |= below
    found.discard(os.getpid())
    return found


def end_processes(
    roots: set[int], *, session: int | None = None, token: str | None = None, supervisor: int | None = None
) -> int:
    """Kill `tree(...)`: stopped first, so that none can fork a replacement while the others die.

    A `supervisor` is first asked to end its kernel and exit (SIGTERM), so that it collects the kernel and
    the CPU time they used is counted for the grader, as for any child process.
    """
    if supervisor:
        with contextlib.suppress(OSError):
            os.kill(supervisor, signal.SIGTERM)
            for _ in range(40):
                if supervisor not in _processes():
                    break
                time.sleep(0.05)
    killed = set()
    for _ in range(5):
        pids = tree(roots, session=session, token=token) - killed
        if not pids:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        killed |= pids
        _reap(pids)
        time.sleep(0.02)
    return len(killed)


def _reap(pids) -> None:
    """Collect our own dead children (adopted orphans among them), so that none stays a zombie."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


@contextlib.contextmanager
def adopting_orphans():
    """While inside, orphaned descendants become the grader's children; on leaving, they are killed."""
    before = {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()}
    previous = _prctl(_GET_SUBREAPER)
    if previous is not None:
        _prctl(_SUBREAPER, 1)
    try:
        yield
    finally:
        adopted = {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()} - before
        end_processes(adopted)
        if previous is not None:
            _prctl(_SUBREAPER, previous)


def limit_resources(memory_bytes: int | None, file_size_bytes: int | None) -> None:
    """Apply the limits to this process (and so to everything it starts); a no-op where unsupported."""
    try:
        import resource
    except ImportError:  # Windows
        return
    for name, value in (("RLIMIT_AS", memory_bytes), ("RLIMIT_FSIZE", file_size_bytes)):
        limit = getattr(resource, name, None)
        if value and limit is not None:
            _, hard = resource.getrlimit(limit)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(limit, (value, hard))


def remove_folder(path) -> None:
    """Delete a scratch folder, also what a notebook made read-only; never fail on what remains."""

    def retry(function, name, _):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o700)
            if not os.path.islink(name):
                os.chmod(name, 0o700)
            function(name)

    shutil.rmtree(path, onerror=retry)
    with contextlib.suppress(OSError):  # a folder made unreadable hides its files until it is opened up
        for root, folders, _ in os.walk(path):
            for folder in folders:
                os.chmod(os.path.join(root, folder), 0o700)
        shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    settings = dict(zip(options[::2], options[1::2], strict=True))
    limit_resources(int(settings.get("--memory", 0)), int(settings.get("--file-size", 0)))
    _prctl(_SUBREAPER, 1)
    # Interrupts reach the kernel through the process group; this process must outlive them. A handler,
    # not SIG_IGN: an ignored signal would stay ignored in the kernel after exec.
    signal.signal(signal.SIGINT, lambda *_: None)
    env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))  # the kernel ends if this process dies
    kernel = subprocess.Popen(command, env=env)

    def stop(*_):
        end_processes({kernel.pid} | _children())
        with contextlib.suppress(OSError):  # not kernel.wait(): the interrupted main thread holds its lock
            os.waitpid(kernel.pid, 0)  # collected here, its CPU time counts for the grader
        os._exit(1)

    parent = os.getppid()

    def watch():
        while kernel.poll() is None:
            time.sleep(1)
            if os.getppid() != parent:  # the grader is gone: nothing it started may outlive it
                stop()

    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=watch, daemon=True).start()
    code = kernel.wait()
    end_processes(_children())
    return code


def _children() -> set[int]:
    return {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()}


if __name__ == "__main__":
    sys.exit(main())
