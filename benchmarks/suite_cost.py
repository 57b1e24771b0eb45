"""CPU seconds each test file costs, so the suite's budget can be judged on a loaded machine.

Wall time on a shared machine says more about the neighbours than about the tests. This runs every test
file (and every notebook) in its own `pytest -n 0 -q` process and reads, with `os.wait4`, the user + system
CPU seconds of that process and of every child it waited for (notebook kernels, JAX and TensorFlow
subprocesses), then prints the files sorted by cost, their sum, and the sum over two cores, which is what
the suite cannot beat with `-n 2` on an idle machine.

    .venv/bin/python benchmarks/suite_cost.py             # every file of tests/, notebooks/, solutions/
    .venv/bin/python benchmarks/suite_cost.py tests/test_ema.py notebooks/05_train_dcgan.ipynb
    .venv/bin/python benchmarks/suite_cost.py --jobs 1    # one file at a time (default 2)

The runs share the per-session folders conftest.py makes (lesson 06's classifier cache, JAX's compile cache),
as the two xdist workers of one suite run do, so a file is not charged for a cache another file filled only
when run alone. A file that fails is marked, its figures still count.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("tests", "notebooks", "solutions")


def all_files():
    files = sorted((ROOT / "tests").glob("test_*.py"))
    for folder in FOLDERS[1:]:
        files += sorted((ROOT / folder).glob("*.ipynb"))
    return [str(f.relative_to(ROOT)) for f in files]


def run_one(path, env, lock, results):
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:randomly", path],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    tail = out[0].decode(errors="replace").strip().splitlines()[-1:] if out else [""]
    row = (usage.ru_utime + usage.ru_stime, wall, proc.returncode, path, tail[0] if tail else "")
    with lock:
        results.append(row)
        print(f"{row[0]:8.1f} cpu-s {row[1]:7.1f} wall-s  rc={row[2]}  {path}  [{row[4]}]", flush=True)


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("files", nargs="*", help="test files or notebooks (default: all of them)")
    parser.add_argument("--jobs", type=int, default=2, help="files measured at once (default 2)")
    args = parser.parse_args()
    files = args.files or all_files()

    env = dict(os.environ)
    for name, prefix in (
        ("DCGAN_LESSONS_RUNS", "runs"),
        ("DCGAN_LESSONS_CACHE", "cache"),
        ("DCGAN_LESSONS_JAX_CACHE", "jax-cache"),
    ):
        env.setdefault(name, tempfile.mkdtemp(prefix=f"dcgan-lessons-suite-cost-{prefix}-"))

    results, lock = [], threading.Lock()
    print(f"load average before: {os.getloadavg()}", flush=True)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for path in files:
            pool.submit(run_one, path, env, lock, results)
    wall = time.monotonic() - start
    print(f"load average after: {os.getloadavg()}")

    print("\n  cpu-s   wall-s  rc  file")
    for cpu, file_wall, rc, path, _ in sorted(results, reverse=True):
        print(f"{cpu:7.1f}  {file_wall:7.1f}  {rc:2d}  {path}")
    total = sum(r[0] for r in results)
    print(
        f"\n{len(results)} files, {total:.0f} CPU seconds in all ({total / 60:.1f} min); over two cores at "
        f"least {total / 120:.1f} min. Measured in {wall / 60:.1f} min with {args.jobs} at once."
    )
    failed = [r[3] for r in results if r[2] != 0]
    if failed:
        print("failed:", *failed)


if __name__ == "__main__":
    main()
