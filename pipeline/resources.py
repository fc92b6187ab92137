"""Where the toolkit's own files are: templates, schemas, the bundled brand and sample, and its caches.

Every module reads them through here; only this module knows where the package
is. Installed from a wheel they are package data in
`<site-packages>/pipeline/_data/` (setup.py copies the checkout's top-level
templates/, schema/, brands/default/ and the sample workbook there); run from
the checkout (an editable install, or `python -m pipeline` in it) they are the
checkout's own folders, so an edited template counts at once.

The user's files (sources, brands, build/, settings) are never looked for here:
they are relative to the folder the user works in (see `project.py`).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

# The bundled brand `--brand default` names, and the sample workbook's id.
DEFAULT_BRAND_NAME = "default"
SAMPLE_ID = "commissioning-services"


@lru_cache(maxsize=1)
def _package_dir() -> Path:
    # What importlib.resources.files("pipeline") gives for a package on disk (pip
    # never installs zipped, and Jinja2, lxml and the fingerprint walk need real
    # paths), without importing importlib.resources: that costs ~10 ms on the
    # path that answers "nothing to do", whose budget is ~100 ms.
    return Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def checkout() -> Path | None:
    """The source checkout the toolkit runs from, or None when it runs installed."""
    root = _package_dir().parent
    if (_package_dir() / "_data").is_dir() or not (root / "pyproject.toml").is_file() or not (root / "templates").is_dir():
        return None
    return root


@lru_cache(maxsize=1)
def data_root() -> Path:
    """The folder holding templates/, schema/, brands/ and sample/."""
    return checkout() or _package_dir() / "_data"


def version() -> str:
    """The installed toolkit's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("workbook-pipeline")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def templates(*parts: str) -> Path:
    """A file or folder under templates/, such as templates("html") or templates("docx", "reference.docx")."""
    return data_root().joinpath("templates", *parts)


def schema(name: str = "") -> Path:
    """A schema (workbook.xsd, workbook.schema.json, brand.schema.json, publish.schema.json), or their folder."""
    return data_root() / "schema" / name if name else data_root() / "schema"


def bundled_brand(name: str = DEFAULT_BRAND_NAME) -> Path:
    """The folder of a brand shipped with the toolkit (only `default`)."""
    return data_root() / "brands" / name


def bundled_brand_names() -> list[str]:
    return sorted(path.parent.name for path in (data_root() / "brands").glob("*/brand.json"))


def sample_workbook() -> Path:
    """The folder of the sample workbook shipped with the toolkit (its workbook.xml and publish.json)."""
    if checkout() is not None:
        return checkout() / "source" / SAMPLE_ID
    return data_root() / "sample"


def schema_reference(name: str, from_folder: Path, project: Path | None = None) -> str:
    """How a file written in `from_folder` names a schema so editors find it: a relative path, else a file: URI.

    Relative when the schema is inside the project (a virtual environment kept
    there) or the toolkit runs from its checkout; otherwise a relative path
    would climb out of the project into wherever the toolkit happens to be.
    """
    schema_path = schema(name).resolve()
    project = (project or Path.cwd()).resolve()
    if checkout() is not None or schema_path.is_relative_to(project):
        return Path(os.path.relpath(schema_path, Path(from_folder).resolve())).as_posix()
    return schema_path.as_uri()


def code_folders() -> list[tuple[Path, Path]]:
    """(folder, root it is named relative to) of everything the outputs are made from: the code, templates and schemas."""
    if checkout() is not None:
        root = checkout()
        return [(root / folder, root) for folder in ("pipeline", "templates", "schema")]
    return [(_package_dir(), _package_dir().parent)]  # the package, its _data/ included


def cache_dir(name: str) -> Path:
    """A folder for one kind of cached work (compiled templates, schema checks passed).

    In the checkout it is the checkout's .cache/ (git-ignored); installed, the
    user's cache folder, never site-packages, which may be read-only or shared.
    """
    if checkout() is not None:
        return checkout() / ".cache" / name
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbook-pipeline" / name
