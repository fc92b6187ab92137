"""The publication metadata of the Word document (issue 12): authors, ISBN and rights.

The core properties (docProps/core.xml) carry the authors (dc:creator) and the
ISBN (dc:identifier, as urn:isbn:); they have no rights field (ECMA-376 part 2
lists none), so the rights line is a custom document property, "Rights", shown
in Word's File > Info > Properties > Advanced > Custom and read by document
management systems, as well as on the title page.
"""
from __future__ import annotations

from html import escape

from docx.document import Document as WordDocument
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from ... import model
from ...resolve import Document
from .paragraphs import Context
from .styles import PUBLICATION_DETAIL as DETAIL_STYLE


def title_page_details(writer, ctx: Context) -> None:
    """The title page's authors, identifiers and rights line, after the publisher."""
    meta = writer.doc.workbook.meta
    _ = writer.doc.gettext
    if meta.authors:
        if len(meta.authors) == 1:
            by = _("By %(name)s", name=meta.authors[0])
        else:
            by = _("By %(names)s and %(last)s", names=", ".join(meta.authors[:-1]), last=meta.authors[-1])
        writer.text_paragraph(ctx, DETAIL_STYLE, (model.Text(by),))
    for identifier in meta.identifiers:
        label = "ISBN" if identifier.scheme == "isbn" else _("Reference")
        writer.text_paragraph(ctx, DETAIL_STYLE, (model.Text(f"{label} {identifier.value}"),))
    if meta.rights:
        writer.text_paragraph(ctx, DETAIL_STYLE, (model.Text(meta.rights),))

CUSTOM_PROPERTIES_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPERTIES_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
# The format id every custom property carries (ECMA-376 part 1, 22.3.2.2).
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def set_publication_properties(document: WordDocument, doc: Document) -> None:
    meta = doc.workbook.meta
    props = document.core_properties
    if meta.authors:
        props.author = "; ".join(meta.authors)
    if meta.isbn:
        props.identifier = f"urn:isbn:{meta.isbn}"
    if meta.rights:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f'<property fmtid="{CUSTOM_FMTID}" pid="2" name="Rights"><vt:lpwstr>{escape(meta.rights)}</vt:lpwstr></property>'
            "</Properties>"
        )
        package = document.part.package
        part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_TYPE, xml.encode("utf-8"), package)
        package.relate_to(part, CUSTOM_PROPERTIES_RELATIONSHIP)
