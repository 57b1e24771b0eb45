"""The flat module paths of dcgan-lessons 0.1 (`dcgan_lessons.training`, ...), kept working until 0.2.

The package moved into folders by concern. A notebook saved before the move still runs: importing an
old path gives a stand-in module whose names are read from the module's new home, with a
DeprecationWarning naming the new path.
Names a module handed to a sibling in the move (`stable_gan.stable_config` now lives in dcgan/config.py,
`checking.check` in exercises/) are looked up in the new folder's exports, then in the package's.

Old paths that are now folders (`dcgan_lessons.dcgan`, `.losses`, `.toy`, `.grading`) need nothing here: each
folder exports the old module's public names. Remove this file, and its line in `__init__`, in 0.2.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

REMOVED_IN = "0.2"
PACKAGE = __name__.rpartition(".")[0]

# old module (0.1) -> its path now, inside the package. Not `mode_coverage` and `latent_explorer`: those are
# also functions the package exports, and importing a module of that name would replace the function.
MOVED = {
    "validation": "course.validation",
    "profiles": "course.profiles",
    "environment": "course.environment",
    "quiet_start": "course.quiet_start",
    "compile_cache": "course.compile_cache",
    "data": "course.data",
    "checking": "course.checking",
    "stabilisers": "losses.stabilisers",
    "conv_arithmetic": "conv.arithmetic",
    "conv_numpy": "conv.numpy_reference",
    "checkerboard": "conv.checkerboard",
    "checkpoint": "runs.checkpoint",
    "run_folder": "runs.run_folder",
    "run_key": "runs.run_key",
    "run_reading": "runs.run_reading",
    "diagnose": "runs.diagnose",
    "architecture": "dcgan.architecture",
    "gan_step": "dcgan.gan_step",
    "ema": "dcgan.ema",
    "devices": "dcgan.devices",
    "stable_gan": "dcgan.stable_gan",
    "learner_model": "dcgan.learner_model",
    "articles": "dcgan.articles",
    "training": "dcgan.training",
    "resident": "dcgan.resident",
    "live": "dcgan.live",
    "epoch_measures": "dcgan.epoch_measures",
    "run_loading": "dcgan.run_loading",
    "toy_gan": "toy.gan_1d",
    "toy_gan_2d": "toy.gan_2d",
    "toy_collapse": "toy.collapse",
    "ring_comparison": "toy.ring_comparison",
    "classifier": "evaluate.classifier",
    "measures": "evaluate.measures",
    "quality": "evaluate.quality",
    "latent": "evaluate.latent",
    "plots": "widgets.plots",
    "conv_explorer": "widgets.conv_explorer",
    "gan_explorer": "widgets.gan_explorer",
    "stepper": "widgets.stepper",
    "toy_plots": "widgets.toy_plots",
    "measure_plots": "widgets.measure_plots",
    "stable_plots": "widgets.stable_plots",
    "build": "authoring.build",
    "colab": "authoring.colab",
    "gradebook": "grading.gradebook",
    "grader_calls": "grading.calls",
    "kernel_guard": "grading.kernel_guard",
    "kernel_run": "grading.kernel_run",
    "probe": "grading.probe",
    "submissions": "grading.submissions",
    "extra_cases": "grading.extra_cases",
    "nbgrader_export": "grading.nbgrader_export",
    "score": "grading.score",
}


class OldPath(types.ModuleType):
    """An old module path: reading a name reads it from the module's new home.

    Only reads go through (what a notebook's `from ... import` does); to patch a function in a test,
    patch its new module.
    """

    def __getattr__(self, name: str):  # only for names not set on the stand-in itself
        target = self.__dict__["_target"]
        homes = (target, sys.modules[target.__name__.rpartition(".")[0]], sys.modules[PACKAGE])
        for home in homes:
            try:
                return getattr(home, name)
            except AttributeError:
                continue
        raise AttributeError(f"module {self.__name__!r} (now {target.__name__!r}) has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return dir(self.__dict__["_target"])


class OldPathFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `dcgan_lessons.<old name>` and loads it as an `OldPath` to the new module."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package == PACKAGE and name in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        old = spec.name.rpartition(".")[2]
        new = f"{PACKAGE}.{MOVED[old]}"
        warnings.warn(
            f"{spec.name} moved to {new} (the package is now in folders by concern); the old path works "
            f"until dcgan-lessons {REMOVED_IN}. Public names are also in {new.rpartition('.')[0]}.",
            DeprecationWarning,
            stacklevel=2,  # importlib's own frames are skipped: this names the line that imported
        )
        module = OldPath(spec.name, f"Moved to {new}.")
        module._target = importlib.import_module(new)
        return module

    def exec_module(self, module) -> None:
        """Nothing to run: the new module already ran."""


def install() -> None:
    """Put the finder on `sys.meta_path` once (after the normal finders: a real module always wins)."""
    if not any(isinstance(finder, OldPathFinder) for finder in sys.meta_path):
        sys.meta_path.append(OldPathFinder())
