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


# Custom document properties the importer reads back (pipeline/importer/word_parts.py): what the
# page does not show in a form it can be read from, kept out of the reader's sight.
RIGHTS_PROPERTY = "Rights"
ARTICLE_PROPERTY = "Publisher article"  # "the" in "Published by the Local Government Association"


def set_publication_properties(document: WordDocument, doc: Document, extra: dict[str, str] | None = None) -> None:
    """Core properties (authors, ISBN) and the custom ones: the rights, the publisher's article, and `extra`."""
    meta = doc.workbook.meta
    props = document.core_properties
    if meta.authors:
        props.author = "; ".join(meta.authors)
    if meta.isbn:
        props.identifier = f"urn:isbn:{meta.isbn}"
    custom: dict[str, str] = {}
    if meta.rights:
        custom[RIGHTS_PROPERTY] = meta.rights
    if meta.publisher and meta.publisher_article:
        custom[ARTICLE_PROPERTY] = meta.publisher_article
    custom.update(extra or {})
    if custom:
        entries = "".join(
            f'<property fmtid="{CUSTOM_FMTID}" pid="{pid}" name="{escape(name)}"><vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
            for pid, (name, value) in enumerate(custom.items(), start=2)  # pid 2 is the first a property may take
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{entries}</Properties>'
        )
        package = document.part.package
        existing = next((part for part in package.iter_parts() if part.partname == "/docProps/custom.xml"), None)
        if existing is not None:
            # A brand's reference document with custom properties of its own: keep them, ours after.
            _merge_into(existing, custom)
            return
        part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_TYPE, xml.encode("utf-8"), package)
        package.relate_to(part, CUSTOM_PROPERTIES_RELATIONSHIP)


def _merge_into(part, custom: dict[str, str]) -> None:
    from lxml import etree

    namespace = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
    for old in [prop for prop in root if prop.get("name") in custom]:
        root.remove(old)
    pid = max([int(prop.get("pid", "1")) for prop in root] + [1])
    for name, value in custom.items():
        pid += 1
        prop = etree.SubElement(root, f"{{{namespace}}}property", fmtid=CUSTOM_FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{vt}}}lpwstr").text = value
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
