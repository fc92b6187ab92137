"""The Word package: core and extended properties, the document's language, and a reproducible save.

Two builds give the same bytes: timestamps come from pipeline.reproducible and
the package python-docx saves is re-zipped by pipeline.package.write_zip.
"""
from __future__ import annotations

import io
import zipfile
from html import escape
from pathlib import Path

from docx.document import Document as WordDocument
from docx.oxml.ns import qn

from ... import model
from ...brand import Brand
from ...package import write_zip
from ...reproducible import build_time
from ...resolve import Document
from .ooxml import RPR_ORDER, set_property


def set_properties(document: WordDocument, doc: Document, brand: Brand) -> None:
    """Title, subject, language, author and fixed timestamps, so nothing varies from build to build."""
    meta = doc.workbook.meta
    when = build_time(doc.workbook).replace(tzinfo=None)
    props = document.core_properties
    props.title = doc.title
    props.subject = model.plain_text(meta.subtitle or meta.summary).strip()
    props.author = brand.council_name
    props.last_modified_by = brand.council_name
    props.language = doc.workbook.lang
    props.keywords = "workbook"
    props.comments = model.plain_text(meta.summary).strip()
    props.category = doc.gettext("Training workbook")
    props.version = doc.workbook.version
    props.revision = 1
    props.created = when
    props.modified = when
    set_language(document, doc.workbook.lang)


def set_language(document: WordDocument, lang: str) -> None:
    """Declare the language on the document defaults and for the theme fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_property(rpr, "lang", RPR_ORDER, {"val": lang, "eastAsia": lang, "bidi": "ar-SA"})
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.attrib.clear()
        theme_lang.set(qn("w:val"), lang)


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>workbook-pipeline</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"
)


def save_reproducibly(document: WordDocument, out: Path, doc: Document, brand: Brand) -> Path:
    """Save through python-docx, then re-zip with fixed timestamps, [Content_Types].xml first."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    if "docProps/app.xml" in files:
        files["docProps/app.xml"] = APP_XML.format(company=escape(brand.council_name)).encode("utf-8")
    return write_zip(out, files, build_time(doc.workbook), first=("[Content_Types].xml", "_rels/.rels"))
