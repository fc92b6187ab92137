"""Checks the Word renderer makes before a build: kept apart from docx.py so that
checking does not import python-docx (~80 ms) in the process that plans the build."""
from __future__ import annotations

from pathlib import Path

from .. import model
from ..model import SourceLocation
from ..problems import Problem, warning
from ..resolve import Document


def is_svg(path: Path) -> bool:
    """Judged by content, as validation does: python-docx cannot embed SVG, whatever the file is called."""
    with path.open("rb") as stream:
        return b"<svg" in stream.read(2048)


def preflight_docx(doc: Document) -> list[Problem]:
    """Warn, before building, about figures the Word document can only show as their text alternative."""
    source = doc.workbook.loc.file if doc.workbook.loc else None
    if not source:
        return []
    folder = Path(source).resolve().parent
    problems = []
    for node in doc.nodes:
        if isinstance(node, model.Figure) and node.image is not None:
            path = (folder / node.image.src).resolve()
            if path.is_file() and path.is_relative_to(folder) and is_svg(path):
                problems.append(warning(
                    node.image.loc or SourceLocation(source), f"image '{node.image.src}' of figure '{node.id}' is SVG, which the Word "
                    "document cannot embed: it shows the figure's caption and text alternative instead; add a PNG version "
                    "to show the picture in Word", "docx.svg-image"))
    return problems
