"""The package's layout (issue 23): folders by concern, no import circle, lower layers never import
upper ones, and the 0.1 flat paths still work, with a warning, until 0.2."""

import ast
import importlib
import json
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from package_graph import find_cycle, import_edges, layer_violations, module_files

import dcgan_lessons
from dcgan_lessons._moved import MOVED, OldPath

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dcgan_lessons"

# Bottom to top. A folder may import its own layer's and lower layers' folders, never a higher one's.
LAYERS = [
    ("course",),
    ("losses", "conv", "runs"),
    ("dcgan",),
    ("toy", "evaluate"),
    ("exercises",),
    ("widgets", "authoring"),
    ("grading",),
]
FOLDERS = sorted(folder for layer in LAYERS for folder in layer)


def test_the_package_is_its_folders_and_three_top_level_files():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "_moved.py", "cli.py"]
    folders = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))
    assert folders == FOLDERS


def test_no_file_of_the_package_is_ignored_by_git():
    """A file git ignores never reaches a clone: `runs/` (the lessons' run folders) hid runs/__init__.py."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    sources = sorted(
        str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*") if path.suffix in (".py", ".md")
    )
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *sources], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert ignored == []


def test_no_import_circle_inside_the_package():
    cycle = find_cycle(import_edges(PACKAGE))
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_no_folder_imports_a_higher_layer():
    assert layer_violations(import_edges(PACKAGE), LAYERS) == []


def test_the_graph_checks_find_a_planted_circle_and_an_upward_import(tmp_path):
    """The two checks above on a small package with what they must catch: a circle made only of imports
    inside functions (the kind the flat package had), and the bottom layer importing a widget."""
    files = {
        "pkg/__init__.py": "",
        "pkg/course/__init__.py": "",
        "pkg/course/base.py": "def f():\n    from ..widgets.view import show\n",
        "pkg/widgets/__init__.py": "",
        "pkg/widgets/view.py": "from ..course import base\n\ndef show():\n    pass\n",
        "pkg/dcgan/__init__.py": "",
        "pkg/dcgan/training.py": "def train():\n    from .live import View\n",
        "pkg/dcgan/live.py": "def view():\n    from . import training\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    edges = import_edges(tmp_path / "pkg")
    assert edges["pkg.dcgan.live"] == {"pkg.dcgan.training"}
    cycle = find_cycle(edges)
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 3
    problems = layer_violations(edges, [("course",), ("dcgan",), ("widgets",)])
    assert problems == ["pkg.course.base (course) imports pkg.widgets.view (widgets), a higher layer"]


def test_every_module_imports():
    for name in module_files(PACKAGE):
        if not name.endswith("__main__"):
            importlib.import_module(name)


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_says_what_it_holds_and_its_names_resolve(folder):
    package = importlib.import_module(f"dcgan_lessons.{folder}")
    assert package.__doc__ and len(package.__doc__.split()) >= 10
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        package.no_such_name  # noqa: B018


def test_importing_the_package_and_its_folders_loads_no_backend():
    """Folders export lazily: `import dcgan_lessons.dcgan` must not load Keras (the build, the grader and the
    `diagnose` command import the package without needing a backend)."""
    code = (
        "import sys, dcgan_lessons\n"
        + "".join(f"import dcgan_lessons.{folder}\n" for folder in FOLDERS)
        + "import dcgan_lessons.runs.diagnose, dcgan_lessons.runs.run_key\n"
        + "print(sorted(m for m in ('keras', 'tensorflow', 'jax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_old_path_warns_and_reads_through_to_the_new_module():
    sys.modules.pop("dcgan_lessons.run_key", None)
    with pytest.warns(
        DeprecationWarning, match=r"dcgan_lessons\.run_key moved to dcgan_lessons\.runs\.run_key"
    ):
        old = importlib.import_module("dcgan_lessons.run_key")
    from dcgan_lessons.runs import run_key

    assert isinstance(old, OldPath) and old.run_folder_name is run_key.run_folder_name
    assert old.__file__ == run_key.__file__
    with pytest.raises(AttributeError, match="now 'dcgan_lessons.runs.run_key'"):
        old.no_such_name  # noqa: B018


def test_old_from_imports_of_released_notebooks_still_work():
    """The 0.1 imports the released lessons made, including names the move gave to a sibling module."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from dcgan_lessons.checking import check
        from dcgan_lessons.stable_gan import stable_config
        from dcgan_lessons.toy_collapse import SETTINGS
        from dcgan_lessons.training import RunConfig, fixed_noise, generate, make_gan, train_dcgan

        from dcgan_lessons.dcgan import DCGAN
        from dcgan_lessons.losses import discriminator_loss, generator_loss

    from dcgan_lessons.dcgan import config, model, sampling, training
    from dcgan_lessons.losses import minimax

    assert check is dcgan_lessons.check and DCGAN is model.DCGAN and stable_config is config.stable_config
    assert (discriminator_loss, generator_loss) == (minimax.discriminator_loss, minimax.generator_loss)
    assert (RunConfig, fixed_noise, generate) == (config.RunConfig, sampling.fixed_noise, sampling.generate)
    assert (make_gan, train_dcgan) == (training.make_gan, training.train_dcgan)
    assert SETTINGS is importlib.import_module("dcgan_lessons.toy.collapse").SETTINGS


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_old_path_leads_to_an_existing_module(old):
    new = PACKAGE.joinpath(*MOVED[old].split(".")).with_suffix(".py")
    assert new.is_file()
    # A real module or folder of that name would win over the finder, leaving the entry dead.
    assert not (PACKAGE / f"{old}.py").exists() and not (PACKAGE / old).is_dir()
    # Importing dcgan_lessons.<old> sets that attribute of the package: it must not hide an exported name.
    assert old not in dcgan_lessons.__all__


def old_paths_imported(source: str) -> list[str]:
    """The 0.1 module paths a cell's imports name (a top-level name that is also an old module's, like the
    function `latent_explorer`, is the package's own attribute, not the old module)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "dcgan_lessons":
            own = {name for name, value in vars(dcgan_lessons).items() if not isinstance(value, ModuleType)}
            found += [a.name for a in node.names if a.name in MOVED and a.name not in own]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dcgan_lessons."):
            found += [node.module] if node.module.split(".")[1] in MOVED else []
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[1:2] and a.name.split(".")[1] in MOVED]
    return found


def test_the_old_path_finder_in_cells_sees_each_form():
    cell = (
        "from dcgan_lessons import check, training, latent_explorer\n"
        "from dcgan_lessons.run_key import step_owner\n"
        "import dcgan_lessons.stable_plots as plots\n"
        "from dcgan_lessons.dcgan import RunConfig\n"
    )
    assert old_paths_imported(cell) == ["training", "dcgan_lessons.run_key", "dcgan_lessons.stable_plots"]


def test_the_lessons_import_no_old_path():
    """Learners never see the deprecation warning: every lesson (both versions) uses the new paths."""
    found = []
    for notebook in sorted([*ROOT.glob("solutions/*.ipynb"), *ROOT.glob("notebooks/*.ipynb")]):
        for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                source = "\n".join(
                    line for line in "".join(cell["source"]).splitlines() if not line.startswith(("%", "!"))
                )
                found += [f"{notebook.name} cell {index}: {path}" for path in old_paths_imported(source)]
    assert found == []
