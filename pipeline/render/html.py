"""The accessible HTML site: the shared pages (profile SITE) written to <out_dir>/html/."""
from __future__ import annotations

from pathlib import Path

from ..brand import Brand
from ..resolve import Document
from .pages import SITE, render_pages


def render_html(doc: Document, brand: Brand, out_dir: Path) -> Path:
    """Write the static site of `doc` into out_dir/"html" and return that folder."""
    site = Path(out_dir) / "html"
    for relative, data in render_pages(doc, brand, SITE).items():
        target = site.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return site
