"""Render a resolved workbook as a Word document (.docx) built on a reference document.

Every model role maps to a named style in the reference document
(templates/docx/reference.docx, or a brand's own reference.docx), so a council
restyles every Guidance box, heading or answer space in one place; this package
writes style names, never fonts or colours. The only formatting it decides is
the brand's, and only when the default reference is used: the brand's fonts
and colours are written into the style definitions, not onto paragraphs.

What a reader gets: a title page (the brand's logo, from its PNG copy when the
logo is SVG), a contents field whose list is written out at build time (contents.py),
real headings, a shaded box per typed block, a bordered answer space with a
content control after every question, the true/false quiz as a table of tick
boxes cross-linked with its answers, working links (the council's own among
them, as a Useful links box: added once per build by pipeline.branding), an end page with the
council's contact details, and the brand's footer line on every page.

One job per module:
    styles.py      style names per model role, check_styles, apply_brand (the brand onto the reference's styles)
    ooxml.py       set_property: property elements in schema order
    writer.py      WordWriter: title page, contents, the block handlers, contact page, footer
    paragraphs.py  ParagraphWriter: paragraphs, runs, inlines, links, fields, bookmarks, pictures
    quiz.py        QuizWriter: the quiz table, its answers, the answer space after a question
    numbering.py   Numbering: real Word list numbering
    package.py     core properties, language, the reproducible save
    tables.py      tables and numbered steps (issue 12)
    contents.py    the contents list written out inside the TOC field
    publication.py authors, ISBN and rights in the document properties
The checks made before a build are in ../docx_preflight.py, outside this
package, so that planning a build does not import python-docx.
"""
from __future__ import annotations

from pathlib import Path

import docx

from ...brand import Brand
from ...resolve import Document
from .package import save_reproducibly, set_properties
from .answers import import_properties
from .publication import set_publication_properties
from .styles import BOX_STYLES, CONTACT_BOX, DEFAULT_REFERENCE, LABEL_STYLES, apply_brand, check_styles, first_font, hex_colour
from .writer import WordWriter

# The entry point, and the names tests/test_branding.py imports from here (it predates the package).
__all__ = ["render_docx", "BOX_STYLES", "CONTACT_BOX", "LABEL_STYLES", "first_font", "hex_colour"]


def render_docx(doc: Document, brand: Brand, output: Path) -> None:
    """Write the Word document of `doc` to `output`, from the brand's reference document (or the default one)."""
    reference = brand.reference_docx or DEFAULT_REFERENCE
    document = docx.Document(str(reference))
    check_styles(document, reference)
    if brand.reference_docx is None:
        apply_brand(document, brand)
    WordWriter(doc, brand, document).write()
    set_properties(document, doc, brand)
    set_publication_properties(document, doc, import_properties(doc.workbook))
    save_reproducibly(document, Path(output), doc, brand)
