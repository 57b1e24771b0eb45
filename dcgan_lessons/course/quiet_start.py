"""Keep TensorFlow's start-up lines out of the lessons and the terminal, and nothing else.

While TensorFlow loads, and when it first lists devices, its C++ side writes straight to file
descriptor 2: absl's "All log messages before absl::InitializeLog() is called...", oneDNN's notice,
"Could not find cuda drivers", cpu_feature_guard's instruction list and, without a GPU, "failed call
to cuInit". In a notebook they land as red boxes that read like errors. `TF_CPP_MIN_LOG_LEVEL` does
not reach the absl lines written before logging starts, and Python's logging reaches none of them.

So `install()` (run by `import dcgan_lessons`) wraps the first import of TensorFlow, by anyone: the
course's helpers, Keras, or a lesson's `import tensorflow`. During that import and the first device
listing, descriptor 2 points at a temporary file. Afterwards the lines known to be start-up chatter
are kept in `startup_lines()` (for `doctor`), and everything else is written back to descriptor 2,
so a real failure is never swallowed. The import also sets `TF_CPP_MIN_LOG_LEVEL=2` unless the user
set it: TensorFlow's later INFO/WARNING lines go, its ERROR lines stay.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import re
import sys
import tempfile

# One C++ log line as absl/glog write it: "I0000 00:00:1796072269.751677    5527 port.cc:153] message".
_LOG_LINE = re.compile(r"^(?P<level>[IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] (?P<message>.*)$")
# The few ERROR lines that are only the CUDA probe saying there is no usable GPU.
_PROBE_ERRORS = re.compile(r"failed call to cuInit|Unable to register cu(DNN|FFT|BLAS) factory")
_CHATTER = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    # cpu_feature_guard's message goes on over a second line.
    re.compile(r"^To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler"),
)
_captured: list[str] = []


def is_startup_chatter(line: str) -> bool:
    """True for a line TensorFlow writes as it starts: INFO/WARNING lines, absl's banner, the CUDA probe."""
    line = line.rstrip("\r\n")
    if line == _CHATTER[0] or _CHATTER[1].match(line):
        return True
    match = _LOG_LINE.match(line)
    if not match:
        return False
    return match["level"] in "IW" or (match["level"] == "E" and bool(_PROBE_ERRORS.search(match["message"])))


def split_startup_output(text: str) -> tuple[list[str], str]:
    """(the start-up lines, everything else with its line ends) of what TensorFlow's start wrote to stderr."""
    kept, passed = [], []
    for line in text.splitlines(keepends=True):
        (kept if is_startup_chatter(line) else passed).append(line)
    return [line.rstrip("\r\n") for line in kept], "".join(passed)


def startup_lines() -> list[str]:
    """The start-up lines TensorFlow wrote in this process and that were kept off the screen."""
    return list(_captured)


@contextlib.contextmanager
def quiet_native_stderr():
    """Point file descriptor 2 at a temporary file; afterwards keep the chatter and write back the rest."""
    for stream in (sys.stderr, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 at all (some embedded interpreters): nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            for stream in (sys.stderr, sys.__stderr__):
                with contextlib.suppress(Exception):
                    stream.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            kept, rest = split_startup_output(sink.read().decode("utf-8", errors="replace"))
            _captured.extend(kept)
            if rest:
                os.write(2, rest.encode("utf-8"))


class _QuietLoader(importlib.abc.Loader):
    """Runs TensorFlow's own loader with descriptor 2 redirected, then puts the real loader back."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with quiet_native_stderr():
            self._loader.exec_module(module)
            # The CUDA probe ("failed call to cuInit") runs at the first device query, not at import.
            with contextlib.suppress(Exception):
                module.config.list_physical_devices()
        module.__loader__ = module.__spec__.loader = self._loader


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` with the other finders and hands back its spec with a quiet loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _QuietLoader(spec.loader)
                return spec
        return None


def install() -> None:
    """Quiet TensorFlow's first import in this process (no effect once TensorFlow is loaded)."""
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
