"""The output formats: one record each, in one ordered table.

A format is a renderer `render(doc, brand, output: Path) -> None` that writes
exactly `output` (a file, or for the site a folder), an optional preflight
`check(doc) -> list[Problem]` run before anything is rendered, and the name of
its output inside build/<workbook>/<brand>/. Adding a format is one module
plus one row here.

Functions are named as "module:function" strings and imported on first use,
so that a build with nothing to do answers without loading any renderer.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Callable

    from .brand import Brand
    from .problems import Problem
    from .resolve import Document


# A NamedTuple rather than a dataclass: build.py imports this table on the path
# that answers "nothing to do", where importing dataclasses costs measurable time.
class Format(NamedTuple):
    name: str  # what --format and the build call it
    render: str  # "module:function" of `render(doc, brand, output) -> None`
    output: str  # the output's name inside build/<workbook>/<brand>/, with {id} for the workbook id
    preflight: str | None = None  # "module:function" of `check(doc) -> list[Problem]`, or None

    def output_name(self, workbook_id: str) -> str:
        """The file (or folder) name of this format's output for a workbook."""
        return self.output.format(id=workbook_id)

    def renderer(self) -> Callable[[Document, Brand, Path], None]:
        return _function(self.render)

    def check(self, doc: Document) -> list[Problem]:
        """The preflight's problems for `doc` (none for a format without one)."""
        return _function(self.preflight)(doc) if self.preflight else []


def _function(reference: str):
    module_name, function_name = reference.split(":")
    return getattr(importlib.import_module(module_name), function_name)


FORMATS: tuple[Format, ...] = (
    Format("html", "pipeline.render.html:render_html", "html"),
    Format("docx", "pipeline.render.docx:render_docx", "{id}.docx", "pipeline.render.docx_preflight:preflight_docx"),
    Format("epub", "pipeline.render.epub:render_epub", "{id}.epub"),
    Format("scorm12", "pipeline.render.scorm:render_scorm12", "{id}-scorm12.zip", "pipeline.render.scorm:preflight_scorm12"),
    Format("scorm2004", "pipeline.render.scorm:render_scorm2004", "{id}-scorm2004.zip", "pipeline.render.scorm:preflight_scorm2004"),
    Format("pdf", "pipeline.render.pdf:render_pdf", "{id}.pdf"),
)

BY_NAME: dict[str, Format] = {fmt.name: fmt for fmt in FORMATS}


def render_into(name: str, doc: Document, brand: Brand, folder: Path) -> Path:
    """Brand and localise `doc`, and write format `name`'s output into `folder` under its usual name; return its path.

    For callers outside the build (tests, the bench): the build itself brands
    and localises each document once and calls the renderers directly.
    """
    from .branding import brand_document
    from .language import localise

    output = Path(folder) / BY_NAME[name].output_name(doc.workbook.id)
    output.parent.mkdir(parents=True, exist_ok=True)
    BY_NAME[name].renderer()(localise(brand_document(doc, brand), editions=doc.editions), brand, output)
    return output
