"""The accessible HTML site: the shared pages (profile SITE) written into the output folder."""
from __future__ import annotations

from pathlib import Path

from ..brand import Brand
from ..resolve import Document
from .pages import SITE, render_pages


def render_html(doc: Document, brand: Brand, output: Path) -> None:
    """Write the static site of `doc` into the folder `output`."""
    for relative, data in render_pages(doc, brand, SITE).items():
        target = Path(output).joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
