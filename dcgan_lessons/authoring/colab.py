"""The course's address, stamped into every lesson: its install cell and its "Open in Colab" badge.

The repository URL (and an optional tag) lives in one place, `pyproject.toml`:

    [project.urls]
    Repository = "https://github.com/dcgan-lessons/dcgan-lessons"

    [tool.dcgan-lessons]
    tag = ""            # a tag or branch the lessons install from; "" for the default branch

`build` writes from it, into every notebook, the first code cell (which pip-installs the course on Colab)
and a badge cell at the top; `build --repo URL[@TAG]` changes the setting and re-stamps (for a fork);
`build --check` reports a notebook whose install cell or badge says anything else.

The install cell cannot import the package it installs, so its fallback (a wheel uploaded next to the
notebook or to Drive, built by `python -m dcgan_lessons wheel`) is plain code, written here once.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

INSTALL_TAG = "course-install"  # the cell tags that mark what build stamps
BADGE_TAG = "colab-badge"
# A cell written before the stamping existed is recognised by this line, and taken over.
LEGACY_INSTALL_LINE = "COURSE_PACKAGE = "
SCHEMES = ("https://", "http://", "file://", "ssh://")  # what pip's git+ URLs accept
GITHUB = re.compile(r"^https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$")
REPOSITORY_LINE = re.compile(r'^(Repository\s*=\s*)"([^"]*)"', re.MULTILINE)
TAG_LINE = re.compile(r'^(tag\s*=\s*)"([^"]*)"', re.MULTILINE)
# Where the install cell looks for an uploaded wheel: the notebook's folder (Colab: /content) and Drive.
WHEEL_FOLDERS = (".", "/content", "/content/drive/MyDrive", "/content/drive/MyDrive/dcgan-lessons")


class AddressError(ValueError):
    """A repository address that cannot be used; the message says what was expected."""


@dataclass(frozen=True)
class CourseAddress:
    url: str  # e.g. https://github.com/owner/repo, file:///path/to/clone
    tag: str = ""  # tag or branch; "" for the repository's default branch

    @classmethod
    def parse(cls, text: str) -> CourseAddress:
        """'URL' or 'URL@TAG' (a tag without '/'); AddressError for anything else."""
        text = text.strip()
        url, tag = text, ""
        head, at, tail = text.rpartition("@")
        if at and head and "/" not in tail and ":" not in tail:
            url, tag = head, tail
        if not url.startswith(SCHEMES) or url.rstrip("/") in [s.rstrip("/") for s in SCHEMES]:
            raise AddressError(
                f"expected a git repository URL, optionally with @TAG (e.g. "
                f"https://github.com/you/dcgan-lessons@v1.0); got {text!r}."
            )
        return cls(url.rstrip("/"), tag)

    def __str__(self) -> str:
        return f"{self.url}@{self.tag}" if self.tag else self.url

    @property
    def pip_requirement(self) -> str:
        """What the install cell hands to pip."""
        return f"git+{self}"

    def colab_url(self, path_in_repo: str) -> str | None:
        """Colab's address for a notebook of this repository (Colab opens GitHub repositories only)."""
        match = GITHUB.match(self.url)
        if not match:
            return None
        owner, repo = match.groups()
        ref = self.tag or "main"
        return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{ref}/{path_in_repo}"


def read_address(pyproject: Path | str) -> CourseAddress:
    """The course's address from pyproject.toml ([project.urls] Repository, [tool.dcgan-lessons] tag).

    Read with the same two line patterns that `write_address` changes (tomllib needs Python 3.11).
    """
    pyproject = Path(pyproject)
    text = pyproject.read_text(encoding="utf-8")
    url, tag = REPOSITORY_LINE.search(text), TAG_LINE.search(text)
    if not url:
        raise AddressError(f'{pyproject}: expected the course\'s URL as [project.urls] Repository = "...".')
    return CourseAddress.parse(f"{url.group(2)}@{tag.group(2)}" if tag and tag.group(2) else url.group(2))


def write_address(pyproject: Path | str, address: CourseAddress) -> None:
    """Change the setting in pyproject.toml in place (other lines, comments included, are kept)."""
    pyproject = Path(pyproject)
    text = pyproject.read_text(encoding="utf-8")
    if not REPOSITORY_LINE.search(text) or not TAG_LINE.search(text):
        raise AddressError(
            f"{pyproject}: expected a 'Repository = \"...\"' line under [project.urls] and a 'tag = \"...\"' "
            "line under [tool.dcgan-lessons] to change."
        )
    text = REPOSITORY_LINE.sub(lambda m: f'{m.group(1)}"{address.url}"', text, count=1)
    text = TAG_LINE.sub(lambda m: f'{m.group(1)}"{address.tag}"', text, count=1)
    pyproject.write_text(text, encoding="utf-8")


def install_source(address: CourseAddress) -> str:
    """The install cell: pip-install from the repository, else from an uploaded wheel; say which."""
    return f"""\
# Installs the course's helper package when it is missing, as on a fresh Colab runtime (about a minute):
# from the course's repository or, if that fails, from a dcgan_lessons-*.whl uploaded next to this notebook
# or to Drive. On your computer `pip install -r requirements.txt` did it already; this cell does nothing.
import glob
import importlib.util
import subprocess
import sys

COURSE_PACKAGE = "{address.pip_requirement}"  # written by the course's build
if importlib.util.find_spec("dcgan_lessons") is None:
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    tried = subprocess.run(pip + [COURSE_PACKAGE], capture_output=True, text=True)
    if tried.returncode == 0:
        print(f"Installed the course's package from {{COURSE_PACKAGE}}.")
    else:  # no network, or no such repository: use a wheel from `python -m dcgan_lessons wheel`
        lines = tried.stderr.strip().splitlines() or ["no message"]  # pip's own line, or git's
        why = next((x.strip() for x in lines if x.lstrip().startswith(("ERROR:", "fatal:"))), lines[-1])
        folders = {json.dumps(list(WHEEL_FOLDERS))}
        wheels = [w for d in folders for w in sorted(glob.glob(f"{{d}}/dcgan_lessons-*.whl"))]
        if not wheels:
            raise RuntimeError(f"Could not install {{COURSE_PACKAGE}} ({{why}}); no wheel in {{folders}}.")
        subprocess.run(pip + [wheels[-1]], check=True)
        print(f"pip could not install {{COURSE_PACKAGE}} ({{why}}), so it installed {{wheels[-1]}} instead.")
# Imported before Keras loads TensorFlow: it keeps TensorFlow's start-up messages out of the notebook.
importlib.import_module("dcgan_lessons")"""


def badge_source(address: CourseAddress, path_in_repo: str) -> str:
    """The badge cell: Colab's button for this notebook, or how to open it where Colab cannot."""
    colab = address.colab_url(path_in_repo)
    if colab:
        return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})"
    return (
        f"*Colab opens notebooks from GitHub; this course lives at {address.url}. "
        "To run it there, upload this notebook (File → Upload notebook).*"
    )


def course_root(start: Path | str | None = None) -> Path:
    """The course's source folder (whose pyproject.toml names dcgan-lessons): here, or the package's."""
    candidates = [Path(start or Path.cwd()).resolve(), Path(__file__).resolve().parents[2]]
    for folder in candidates:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and 'name = "dcgan-lessons"' in pyproject.read_text(encoding="utf-8"):
            return folder
    raise FileNotFoundError(
        f"No course folder at {candidates[0]} (expected a pyproject.toml for dcgan-lessons there): run the "
        "command in the folder you cloned the course into."
    )


def build_wheel(out: Path | str = "dist", root: Path | str | None = None) -> Path:
    """Build dcgan_lessons-<version>-py3-none-any.whl into `out`, for the install cell's offline fallback."""
    import importlib.util

    root, out = course_root(root), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("dcgan_lessons-*.whl"))
    # setuptools copies the package into build/lib and never deletes what the source no longer has: after
    # modules moved (0.1's flat files went into folders), a wheel built over an old build/lib carried both.
    shutil.rmtree(root / "build" / "lib", ignore_errors=True)
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out)]
    command.append(str(root))
    if importlib.util.find_spec("setuptools"):  # build with what is here: no download needed
        command.insert(4, "--no-build-isolation")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip wheel failed (exit {result.returncode}):\n{result.stderr.strip()}")
    made = sorted(set(out.glob("dcgan_lessons-*.whl")) - before) or sorted(out.glob("dcgan_lessons-*.whl"))
    return max(made, key=lambda path: path.stat().st_mtime)
