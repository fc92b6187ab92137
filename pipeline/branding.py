"""The brand applied to the document once, before any renderer: a document -> document step.

Everything brand-dependent in the content (today: the council's own links)
is added here, so every format shows the same branded document and no
renderer has to remember to do it. The build calls `brand_document` once per
workbook/brand pair; the result is an ordinary resolved Document.
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import model
from .editions import primary_language
from .resolve import BRAND_LINKS_ID, Document, resolve

if TYPE_CHECKING:
    from .brand import Brand


def brand_document(doc: Document, brand: Brand) -> Document:
    """The document with the council's own links as a Useful links box, placed once for every format.

    The box goes straight after the workbook's last Useful links box (its
    "useful resources"), or at the end of the last section when there is
    none; its title is the council's name. A brand without links, or a
    document that has the box already, comes back unchanged: branding twice
    is branding once.
    """
    if not brand.links or not doc.workbook.sections:
        return doc
    return _add_brand_links(doc, brand)


def _add_brand_links(doc: Document, brand: Brand) -> Document:
    paragraphs = []
    for link in brand.links:
        content: list[model.Inline] = [model.Link(link.href, (model.Text(link.title),))]
        if link.description:
            content.append(model.Text(f" – {link.description}"))
        paragraphs.append(model.Paragraph(tuple(content)))
    title = (model.Text(brand.council_name),)
    if any(isinstance(node, model.Box) and node.kind == "useful-links" and node.title == title and node.blocks == tuple(paragraphs)
           for node in doc.targets.values()):
        return doc
    box_id, n = BRAND_LINKS_ID, 2
    while box_id in doc.targets:
        box_id, n = f"{BRAND_LINKS_ID}-{n}", n + 1
    box = model.Box("useful-links", tuple(paragraphs), title=title, id=box_id)
    sections = _insert_after_last_useful_links(doc.workbook.sections, box)
    if sections is None:
        last = doc.workbook.sections[-1]
        sections = (*doc.workbook.sections[:-1], replace(last, content=(*last.content, box)))
    branded = resolve(replace(doc.workbook, sections=sections), doc.publish)
    if primary_language(brand.language) != primary_language(doc.workbook.lang):
        # The box's title and links are the brand's text, in the brand's language.
        branded = replace(branded, text_lang=MappingProxyType({**doc.text_lang, box_id: brand.language}))
    return branded


def _insert_after_last_useful_links(sections: tuple[model.Section, ...], box: model.Box) -> tuple[model.Section, ...] | None:
    """`sections` with `box` after the last Useful links box directly in a section, or None if there is none."""
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        content = list(section.content)
        for position in range(len(content) - 1, -1, -1):
            child = content[position]
            if isinstance(child, model.Section):
                inner = _insert_after_last_useful_links((child,), box)
                if inner is not None:
                    content[position] = inner[0]
                    break
            elif isinstance(child, model.Box) and child.kind == "useful-links":
                content.insert(position + 1, box)
                break
        else:
            continue
        return (*sections[:index], replace(section, content=tuple(content)), *sections[index + 1:])
    return None
