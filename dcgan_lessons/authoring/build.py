"""The lesson build: one source per lesson, two versions.

`solutions/NN_name.ipynb` is the only hand-written version of a lesson. Exercise code sits between
nbgrader's markers in a cell that names its exercise:

    # EXERCISE 00.scale_images
    def scale_images(images):
        ### BEGIN SOLUTION
        return images.astype("float32") / 127.5 - 1.0
        ### END SOLUTION

`build` writes `notebooks/NN_name.ipynb`, the learner version, with each block replaced by a stub that
raises NotImplementedError naming the exercise, and clears outputs from both versions so they are
committed clean. `build --check` changes nothing and fails when a learner notebook is out of date.

nbval's markers live in cell tags, where learners do not see them: a `# NBVAL_CHECK_OUTPUT` line (or any
of nbval's comment markers) in a solution cell is moved to the tag nbval reads (`nbval-check-output`)
in both versions. `build` rewrites the solution so; `build --check` reports a solution that still has
one. Moving is idempotent: re-running `build` after a merge converts whatever markers arrived with it.

The course's address (pyproject.toml, see `colab.py`) is stamped into both versions: the install cell
(tagged `course-install`) and an "Open in Colab" badge cell at the top (tagged `colab-badge`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .colab import BADGE_TAG, INSTALL_TAG, LEGACY_INSTALL_LINE, CourseAddress, badge_source, install_source

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
EXERCISE_LINE = re.compile(r"^#\s*EXERCISE\s+(\S+)\s*$")
# Anything a person may have meant as a marker: any case, any spacing, any number of '#' (even none).
NEAR_MARKER = re.compile(r"^#*\s*(begin|end)[\s_-]*solution\W*$", re.IGNORECASE)
LESSON_FILE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# nbval's comment markers and the cell tags it reads the same way (nbval.plugin's comment_markers).
NBVAL_MARKERS = ("NBVAL_CHECK_OUTPUT", "NBVAL_IGNORE_OUTPUT", "NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP")


class BuildError(ValueError):
    """A solution notebook that cannot be turned into a learner notebook; the message says where and why."""


def stub_lines(exercise_id: str, indent: str) -> list[str]:
    """The lines that replace a solution block in the learner version."""
    return [
        f"{indent}# YOUR CODE HERE",
        f'{indent}raise NotImplementedError("Exercise {exercise_id}: replace this line with your code.")',
    ]


def exercise_ids(source: str) -> list[str]:
    """The exercise ids named by `# EXERCISE <id>` lines in a cell's source."""
    return [m.group(1) for line in source.splitlines() if (m := EXERCISE_LINE.match(line.strip()))]


def check_near_markers(source: str, where: str = "cell") -> None:
    """Refuse lines that look like a solution marker but are not exactly one (they would leak the answer)."""
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker not in (BEGIN, END) and NEAR_MARKER.match(marker):
            wanted = BEGIN if marker.lstrip("#").strip()[:1].lower() == "b" else END
            raise BuildError(
                f"{where}, line {number}: {marker!r} looks like a solution marker but is not one, so the "
                f"answer would be published; write exactly {wanted!r}."
            )


def learner_source(source: str, where: str = "cell") -> str:
    """Replace every solution block of one cell's source with its stub; raise BuildError on bad markers."""
    check_near_markers(source, where)
    if BEGIN not in source and END not in source:
        return source
    ids = exercise_ids(source)
    if len(ids) != 1:
        found = f"found {', '.join(ids)}" if ids else "found none"
        raise BuildError(
            f"{where}: a cell with a solution block must name exactly one exercise with a line "
            f"'# EXERCISE <id>' ({found})."
        )
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise BuildError(f"{where}, line {number}: '{BEGIN}' inside another solution block.")
            indent = line[: len(line) - len(line.lstrip())]
            if not indent:
                # A top-level stub would raise when the learner runs the cell and stop the notebook;
                # inside a function it raises only when the function is called, which check() expects.
                raise BuildError(
                    f"{where}, line {number}: a solution block must sit inside a function body "
                    "(indented), so the learner's notebook still runs to the end."
                )
            out += stub_lines(ids[0], indent)
            inside = True
        elif marker == END:
            if not inside:
                raise BuildError(f"{where}, line {number}: '{END}' without a matching '{BEGIN}'.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise BuildError(f"{where}: '{BEGIN}' is never closed by '{END}'.")
    return "\n".join(out)


def nbval_tag(marker: str) -> str:
    """The cell tag nbval reads like a comment marker: NBVAL_CHECK_OUTPUT -> nbval-check-output."""
    return marker.lower().replace("_", "-")


def move_markers_to_tags(cell: nbformat.NotebookNode) -> None:
    """Move nbval's comment-marker lines from a code cell's source to its tags (in place; idempotent)."""
    kept, found = [], []
    for line in cell.source.splitlines():
        comment = line.strip()
        marker = comment.lstrip("#").strip() if comment.startswith("#") else ""
        if marker in NBVAL_MARKERS:
            found.append(marker)
        else:
            kept.append(line)
    if not found:
        return
    cell.source = "\n".join(kept)
    tags = list(cell.metadata.get("tags", []))
    cell.metadata["tags"] = tags + [nbval_tag(m) for m in found if nbval_tag(m) not in tags]


def clean(notebook: nbformat.NotebookNode, lesson: str, version: str) -> nbformat.NotebookNode:
    """Strip outputs and execution counts, move nbval markers to tags, set the course's metadata, in place."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            move_markers_to_tags(cell)
        # Front ends add these while editing; they change nothing a learner sees.
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
    metadata = notebook.metadata
    metadata["kernelspec"] = dict(KERNELSPEC)
    metadata["language_info"] = {"name": "python"}
    # The grader matches submissions to lessons by this, not by file name.
    metadata["dcgan_lessons"] = {"lesson": lesson, "version": version}
    return notebook


def learner_notebook(solution: nbformat.NotebookNode, lesson: str, name: str = "") -> nbformat.NotebookNode:
    """The learner version of a solution notebook (a new object; the solution is not modified)."""
    notebook = nbformat.reads(nbformat.writes(solution), as_version=4)  # a deep copy
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            cell.source = learner_source(cell.source, where=f"{name} cell {index}")
    return clean(notebook, lesson, "learner")


def check_exercises_known(notebook: nbformat.NotebookNode, lesson: str, name: str) -> None:
    """Every exercise a notebook names must be registered, and belong to this lesson."""
    from ..exercises import all_exercises

    registry = all_exercises()
    for index, cell in enumerate(notebook.cells):
        for exercise_id in exercise_ids(cell.source) if cell.cell_type == "code" else []:
            if exercise_id not in registry:
                raise BuildError(
                    f"{name} cell {index}: exercise {exercise_id!r} is not registered in "
                    f"dcgan_lessons/exercises/lesson{lesson}.py."
                )
            if not exercise_id.startswith(f"{lesson}."):
                raise BuildError(
                    f"{name} cell {index}: exercise {exercise_id!r} belongs to another lesson "
                    f"(ids in this notebook start with '{lesson}.')."
                )


def _tagged(notebook: nbformat.NotebookNode, tag: str, cell_type: str) -> nbformat.NotebookNode | None:
    return next(
        (c for c in notebook.cells if c.cell_type == cell_type and tag in c.metadata.get("tags", [])), None
    )


def install_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """The lesson's install cell: the tagged one, or one written before stamping existed; None if neither."""
    return _tagged(notebook, INSTALL_TAG, "code") or next(
        (c for c in notebook.cells if c.cell_type == "code" and LEGACY_INSTALL_LINE in c.source), None
    )


def stamp_install_cell(notebook: nbformat.NotebookNode, address: CourseAddress) -> None:
    """Write the install cell for `address` (in place): the tagged cell, a pre-stamping one, or a new one."""
    cell = install_cell(notebook)
    if cell is None:  # before the first code cell: nothing may import the package before it
        first = next((i for i, c in enumerate(notebook.cells) if c.cell_type == "code"), len(notebook.cells))
        cell = nbformat.v4.new_code_cell()
        cell.id = INSTALL_TAG  # a fixed id, so rebuilding is byte-for-byte stable
        notebook.cells.insert(first, cell)
    cell.source = install_source(address)
    cell.metadata["tags"] = [*(t for t in cell.metadata.get("tags", []) if t != INSTALL_TAG), INSTALL_TAG]


def stamp_badge(notebook: nbformat.NotebookNode, address: CourseAddress, path_in_repo: str) -> None:
    """Write the "Open in Colab" badge cell for this notebook (in place), first in the notebook."""
    cell = _tagged(notebook, BADGE_TAG, "markdown")
    if cell is None:
        cell = nbformat.v4.new_markdown_cell(metadata={"tags": [BADGE_TAG]})
        cell.id = BADGE_TAG
        notebook.cells.insert(0, cell)
    cell.source = badge_source(address, path_in_repo)


def course_address(solutions_dir: Path) -> tuple[CourseAddress | None, Path]:
    """The address set in the course's pyproject.toml, and the course's root folder.

    The pyproject.toml beside solutions/, else the one of the source checkout this package runs from (a
    copy of the lessons elsewhere keeps the course's address); (None, solutions' parent) without either.
    """
    from .colab import course_root, read_address

    root = solutions_dir.resolve().parent
    if (root / "pyproject.toml").is_file():
        return read_address(root / "pyproject.toml"), root
    try:
        return read_address(course_root(root) / "pyproject.toml"), root
    except FileNotFoundError:
        return None, root


def path_in_repository(path: Path, root: Path) -> str:
    """`notebooks/00_setup.ipynb`: where Colab finds this notebook in the repository."""
    return Path(os.path.relpath(path.resolve(), root)).as_posix()


def serialise(notebook: nbformat.NotebookNode) -> str:
    """nbformat's canonical JSON (sorted keys, one-space indent), so rebuilding is byte-for-byte stable."""
    return nbformat.writes(notebook, version=4) + "\n"


@dataclass
class BuildReport:
    written: list[Path] = field(default_factory=list)
    outdated: list[Path] = field(default_factory=list)  # what --check found stale (nothing written then)
    lessons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.outdated


def build(
    solutions_dir: Path | str = "solutions",
    notebooks_dir: Path | str = "notebooks",
    *,
    check: bool = False,
    address: CourseAddress | None = None,
) -> BuildReport:
    """Write the learner notebooks (and clean the solutions); with check=True only report what is stale.

    `address` (default: pyproject.toml's, when there is one beside the solutions folder) is stamped into
    every notebook's install cell and badge.
    """
    solutions_dir, notebooks_dir = Path(solutions_dir), Path(notebooks_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(
            f"No solutions folder at {solutions_dir.resolve()}: run the build from the "
            "course's root folder, or pass --solutions and --notebooks."
        )
    sources = sorted(solutions_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"No .ipynb files in {solutions_dir.resolve()}.")
    configured, root = course_address(solutions_dir)
    address = address or configured
    report = BuildReport()
    expected_outputs = set()
    for source in sources:
        match = LESSON_FILE.match(source.name)
        if not match:
            raise BuildError(f"{source}: lesson files are named NN_name.ipynb (two digits, lower-case name).")
        lesson = match.group(1)
        report.lessons.append(lesson)
        try:
            solution = nbformat.read(source, as_version=4)
        except Exception as error:  # noqa: BLE001 - any unreadable notebook gets the same message
            raise BuildError(
                f"{source} is not a readable notebook (expected nbformat JSON; came: "
                f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}). "
                "Fix it or restore it from git."
            ) from None
        check_exercises_known(solution, lesson, source.name)
        versions = {
            source: clean(solution, lesson, "solution"),
            notebooks_dir / source.name: learner_notebook(solution, lesson, source.name),
        }
        expected_outputs.add(source.name)
        for path, notebook in versions.items():
            # Lessons have an install cell; a notebook without one (a test's) is not stamped.
            if address is not None and install_cell(solution) is not None:
                stamp_install_cell(notebook, address)
                stamp_badge(notebook, address, path_in_repository(path, root))
            text = serialise(notebook)
            if path.exists() and path.read_text(encoding="utf-8") == text:
                continue
            if check:
                report.outdated.append(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                report.written.append(path)
    # A learner notebook whose solution was deleted or renamed is stale too.
    if notebooks_dir.is_dir():
        report.outdated += [
            p for p in sorted(notebooks_dir.glob("*.ipynb")) if p.name not in expected_outputs
        ]
    return report
