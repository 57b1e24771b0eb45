"""Sub-package exports that import nothing until a name is asked for.

Each sub-package's `__init__` lists its public names by module; `from dcgan_lessons.dcgan import DCGAN`
then imports `dcgan/model.py` (and Keras) only at that moment. So importing one light module of a folder
(`dcgan_lessons.runs.run_key`, say) never loads Keras or TensorFlow through its package's `__init__`.
"""

from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, names_by_module: dict[str, tuple[str, ...]]):
    """(`__getattr__`, `__dir__`, `__all__`) for the package `package`; see the module docstring.

    A name may not be a module of the package too: importing that module would replace the name.
    """
    home = {name: module for module, names in names_by_module.items() for name in names}
    clash = sorted(name for name in home if name in names_by_module)
    if clash:
        raise RuntimeError(f"{package} exports {clash}, which are also its modules' names.")

    def __getattr__(name: str):
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home[name]}"), name)
        setattr(sys.modules[package], name, value)  # found once; later lookups are plain attributes
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *home})

    return __getattr__, __dir__, sorted(home)
