"""The user's project: the folder the command runs in, holding source/, brands/ and build/.

As with MkDocs, the toolkit is a tool and the project is the user's folder:
every path a user names or a command defaults to is relative to the current
folder, never to where the toolkit is installed. The only things taken from
the toolkit are the bundled brand and sample, and only when named (or when
the project has no brand of that name).
"""
from __future__ import annotations

from pathlib import Path

from . import resources

SOURCE_FOLDER = Path("source")
BRANDS_FOLDER = Path("brands")


def brand_folder(named: Path | None) -> Path:
    """The brand folder a `--brand` value means: a folder, else brands/<name>, else the bundled brand of that name.

    Without --brand: the project's brands/default, else the bundled default.
    A value that is none of these is returned as given, for the brand loader
    to report as missing.
    """
    name = str(named) if named is not None else resources.DEFAULT_BRAND_NAME
    if named is not None and (named / "brand.json").is_file():
        return named
    if len(Path(name).parts) == 1 and name not in (".", ".."):
        if (BRANDS_FOLDER / name / "brand.json").is_file():
            return BRANDS_FOLDER / name
        if name in resources.bundled_brand_names():
            return resources.bundled_brand(name)
    return named if named is not None else resources.bundled_brand()


def every_brand_folder() -> list[Path]:
    """The brand folders `build-all` uses by default: each in brands/, or the bundled default when there are none."""
    found = sorted(path.parent for path in BRANDS_FOLDER.glob("*/brand.json"))
    return found or [resources.bundled_brand()]


def workbook_sources() -> list[Path]:
    """Every workbook under source/ (XML first, then JSON), as paths relative to the current folder."""
    return sorted(SOURCE_FOLDER.glob("*/workbook.xml")) + sorted(SOURCE_FOLDER.glob("*/workbook.json"))
