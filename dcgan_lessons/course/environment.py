"""Environment report and seeding: what a learner runs first, and what a bug report needs."""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass, field
from importlib import metadata

from .hardware import accelerators, keras_backend
from .profiles import profile_name
from .validation import require_int


def package_version(name: str) -> str | None:
    """The installed version of a distribution, or None. Reads metadata only, so nothing heavy is imported."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def is_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def cpu_flags() -> set[str]:
    """The processor's feature flags (Linux's /proc/cpuinfo); empty where they cannot be read."""
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def fast_precision() -> str:
    """The Keras dtype policy that trains fastest here without changing what is learned.

    - a GPU of compute capability 8 or more (A100, L4, H100...): "mixed_bfloat16";
    - an older GPU with tensor cores (T4, V100: capability 7): "mixed_float16" (with loss scaling);
    - a CPU that computes in bfloat16 natively (AVX512-BF16 or AMX): "mixed_bfloat16" (1.3-1.4x the
      float32 speed on this project's 2-core CPU, see the README's speed table);
    - anything else: "float32" (emulated 16-bit arithmetic would be slower).
    benchmarks/throughput.py measures each choice; tests/test_fast_training.py shows the quality is kept.
    """
    capability = _gpu_capability()
    if capability is not None:
        if capability >= 8:
            return "mixed_bfloat16"
        return "mixed_float16" if capability >= 7 else "float32"
    if accelerators():  # a TPU, or a GPU whose generation we cannot read: bfloat16 is the safe choice
        return "mixed_bfloat16"
    return "mixed_bfloat16" if cpu_flags() & {"avx512_bf16", "amx_bf16"} else "float32"


def _gpu_capability() -> float | None:
    """The first GPU's compute capability (e.g. 9.0 for an H100), or None without a readable one."""
    try:
        backend = keras_backend()
        if backend == "jax":
            import jax

            gpus = [d for d in jax.devices() if d.platform == "gpu"]
            return float(gpus[0].compute_capability) if gpus else None
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                major, minor = tf.config.experimental.get_device_details(gpus[0])["compute_capability"]
                return major + minor / 10
    except Exception:  # noqa: BLE001 - an unreadable GPU: fall back to the other rules
        return None
    return None


@dataclass
class EnvironmentReport:
    """Rows of (label, value) plus the problems that would stop the course from running."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, str]:
        return dict(self.rows)

    def __str__(self) -> str:
        width = max(len(label) for label, _ in self.rows)
        lines = ["DCGAN Lessons — environment report"]
        lines += [f"  {label:<{width}}  {value}" for label, value in self.rows]
        lines += [f"  PROBLEM: {problem}" for problem in self.problems]
        lines += [f"  note: {note}" for note in self.advice]
        if not self.problems:
            lines.append("  Everything the course needs is here.")
        return "\n".join(lines)


def environment_report() -> EnvironmentReport:
    """Collect Python, library versions, the Keras backend, accelerators, Colab and the run profile."""
    report = EnvironmentReport()
    add = report.rows.append
    add(("Python", f"{platform.python_version()} ({sys.executable})"))
    add(("Platform", f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores"))
    add(("Colab", "yes" if is_colab() else "no"))
    for name in ("numpy", "tensorflow", "keras", "jax", "matplotlib", "scikit-learn", "ipywidgets"):
        add((name, package_version(name) or "not installed"))
    dcgan_version = package_version("dcgan-lessons") or "not installed (imported from source)"
    add(("dcgan-lessons", dcgan_version))

    keras_version = package_version("keras")
    if keras_version is None:
        report.problems.append("Keras is not installed: pip install -r requirements.txt")
        found = []
    elif int(keras_version.split(".")[0]) < 3:
        report.problems.append(
            f"Keras {keras_version} found; the course needs Keras 3 (pip install 'keras>=3')."
        )
        found = []
    else:
        try:
            add(("Keras backend", keras_backend()))
            found = accelerators()
        except Exception as error:  # noqa: BLE001 - report the broken backend instead of crashing the report
            report.problems.append(f"Keras could not load its backend: {type(error).__name__}: {error}")
            found = []
        add(("Accelerators", ", ".join(found) if found else "none (CPU only)"))

    try:
        name, reason = profile_name(has_accelerator=bool(found))
        add(("Run profile", f"{name} ({reason})"))
    except ValueError as error:
        report.problems.append(str(error))

    probe = _cuda_probe_in_words()
    if probe and not found:
        add(("GPU probe", probe))
    if not found:
        report.advice.append(
            "No GPU found: unless DCGAN_LESSONS_PROFILE says otherwise, lessons use the 'cpu' profile "
            "(smaller runs). On Colab choose Runtime > Change runtime type > GPU for the full runs."
        )
    return report


def _cuda_probe_in_words() -> str | None:
    """What TensorFlow's hidden start-up lines said about CUDA, in plain words (None if nothing)."""
    from .quiet_start import startup_lines

    lines = "\n".join(startup_lines())
    if "Could not find cuda drivers" in lines:
        return "TensorFlow found no CUDA driver on this machine, so it computes on the CPU"
    if "cuInit" in lines:
        return "TensorFlow found a CUDA library but no usable GPU (cuInit failed): check the NVIDIA driver"
    return None


def set_seed(seed: int) -> None:
    """Seed Python's `random`, NumPy's global generator and the Keras backend, so a run can be repeated.

    `keras.utils.set_random_seed` also seeds TensorFlow's generator whenever TensorFlow is installed, and so
    imports it: about 4 CPU s in a JAX process, for a generator nothing there reads. On JAX with TensorFlow
    not loaded, this takes Keras's other step only (its global seed); elsewhere, or once TensorFlow is
    loaded, it is Keras's own call, so TensorFlow runs are seeded exactly as Keras seeds them.
    """
    seed = require_int(seed, "seed", minimum=0)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed % 2**32)
    import keras

    if keras.backend.backend() != "jax" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    try:
        from keras.src.backend.common import global_state
        from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # another Keras's layout: its own call, TensorFlow import and all
        keras.utils.set_random_seed(seed)
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, None)  # remade from the seed when next used
