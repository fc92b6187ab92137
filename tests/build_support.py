"""Helpers for tests that run builds as a user would: the command in a subprocess, and build/ as users see it."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.formats import FORMATS

ROOT = Path(__file__).resolve().parent.parent
KITCHEN_SINK = ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"
EPOCH = "1700000000"
ALL_BUILT = ", ".join(fmt.name for fmt in FORMATS)  # what a build with no --format writes


def environment() -> dict:
    return dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), cwd=ROOT, capture_output=True, text=True, timeout=600, env=env or environment())


def copy_kitchen_sink(folder: Path) -> Path:
    """A private copy of the kitchen-sink source folder; returns its workbook.xml."""
    shutil.copytree(KITCHEN_SINK.parent, folder)
    return folder / "workbook.xml"


def visible_tree(folder: Path) -> dict[str, str]:
    """{path: sha256} of the outputs as users see them: through build/<id>/<brand>'s symlink, hidden entries left out."""
    found = {}
    for parent, folders, files in os.walk(folder, followlinks=True):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in files:
            if not name.startswith("."):
                path = Path(parent, name)
                found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def built_column(stderr: str, workbook_id: str = "kitchen-sink", brand: str = "default") -> str:
    """The "built" cell of a pair's row in the build summary."""
    for line in stderr.splitlines():
        cells = line.split("  ")
        cells = [cell.strip() for cell in cells if cell.strip()]
        if cells[:2] == [workbook_id, brand]:
            return cells[2]
    raise AssertionError(f"no summary row for {workbook_id}/{brand} in:\n{stderr}")
