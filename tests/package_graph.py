"""The import graph of a package, read from its source (nothing is imported): tests/test_package_layout.py.

Every `import` and `from ... import` counts, also the ones inside functions: an import that only runs
when a function is called still ties the two modules together, and a circle of them is what makes a
module impossible to read (or move) on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under `package_dir` (a package is its `__init__`)."""
    package_dir = Path(package_dir)
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def import_edges(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (`from pkg import sub` counts as `pkg.sub`)."""
    modules = module_files(package_dir)
    root = Path(package_dir).name
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                target = _absolute(name, is_package, node)
                if target.split(".")[0] != root:
                    continue
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    edges[name].add(submodule if submodule in modules else target)
            elif isinstance(node, ast.Import):
                edges[name].update(a.name for a in node.names if a.name.split(".")[0] == root)
    for name in edges:
        edges[name] = {target for target in edges[name] if target in modules and target != name}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def folder_of(module: str) -> str:
    """The sub-package a module lives in ("" for the package's own top-level modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and not _is_top_module(parts[1])) else ""


_TOP_MODULES = {"cli", "__main__", "_moved"}


def _is_top_module(name: str) -> bool:
    return name in _TOP_MODULES


def layer_violations(edges: dict[str, set[str]], layers: list[tuple[str, ...]]) -> list[str]:
    """Imports that reach up: from a folder to one in a higher layer (top-level modules sit above all)."""
    rank = {folder: index for index, names in enumerate(layers) for folder in names}
    rank[""] = len(layers)
    problems = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            low, high = folder_of(source), folder_of(target)
            if low not in rank or high not in rank:
                problems.append(f"{source} -> {target}: folder {low or high!r} is in no layer")
            elif rank[high] > rank[low]:
                problems.append(
                    f"{source} ({low or 'top'}) imports {target} ({high or 'top'}), a higher layer"
                )
    return problems
