"""Are pyproject.toml's version floors true? Install the oldest versions it allows and run every notebook.

    python .ci/oldest_versions.py [--venv /tmp/dcgan-oldest] [--pin numpy==1.26.4 ...] [--paths notebooks]

For each `name>=floor` in [project] dependencies (and the `tensorflow` extra), pip is asked which versions
it can install here and the lowest one at or above the floor is pinned (`tensorflow>=2.16` gives 2.16.1:
there is no 2.16.0). A fresh virtual environment gets exactly those, plus the test tools (pytest, nbval,
ipykernel, nbclient at any version), then nbval runs the notebooks in the `quick` profile. `--pin` replaces
a floor, to find the version that passes before raising it in pyproject.toml. Packages come from the
registry (slow: TensorFlow alone is hundreds of MB), so this is not part of .ci/run; the README records
its last result. Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

import tomllib
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ["pytest", "nbval", "ipykernel", "nbclient"]


def floors() -> dict[str, str]:
    """{distribution: floor} for every `name>=version` the course declares (extras included)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["tensorflow"])
    found = {}
    for requirement in declared:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)\s*", requirement)
        if not match:
            raise SystemExit(f"pyproject.toml: expected 'name>=version', got {requirement!r}")
        found[match.group(1)] = match.group(2)
    return found


def available(name: str) -> list[Version]:
    """The versions pip can install here (wheels for this Python), newest first."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", name], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("Available versions:"))
    return [Version(v.strip()) for v in line.split(":", 1)[1].split(",")]


def lowest_at_least(name: str, floor: str) -> str:
    candidates = [v for v in available(name) if v >= Version(floor) and not v.is_prerelease]
    if not candidates:
        raise SystemExit(f"{name}: no installable version >= {floor}")
    return str(min(candidates))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--venv", default="/tmp/dcgan-oldest", help="where to create the environment")
    parser.add_argument("--pin", action="append", default=[], help="name==version, replacing a floor")
    parser.add_argument("--paths", nargs="+", default=["notebooks", "solutions"], help="what pytest runs")
    args = parser.parse_args()

    start = time.perf_counter()
    pins = {name: lowest_at_least(name, floor) for name, floor in floors().items()}
    for pin in args.pin:
        name, _, version = pin.partition("==")
        pins[name] = version
    print("Oldest versions allowed:", ", ".join(f"{n}=={v}" for n, v in pins.items()), flush=True)

    venv.create(args.venv, with_pip=True, clear=True)
    python = str(Path(args.venv) / "bin" / "python")
    requirements = [f"{n}=={v}" for n, v in pins.items()]
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--only-binary", ":all:", *requirements, *TOOLS],
        check=True,
    )
    # The course itself, without letting pip move any pin.
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(ROOT)], check=True)
    subprocess.run([python, "-m", "pip", "check"], check=False)
    installed = f"{time.perf_counter() - start:.0f} s"
    print(f"Installed in {installed}.", flush=True)

    env = dict(os.environ, DCGAN_LESSONS_PROFILE="quick", KERAS_BACKEND="tensorflow")
    run = subprocess.run(
        [python, "-m", "pytest", "-q", *args.paths], cwd=str(ROOT), env=env
    )
    print(
        f"Oldest versions ({', '.join(requirements)}): pytest exit {run.returncode}; "
        f"{time.perf_counter() - start:.0f} s in all (install {installed})."
    )
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
