"""What our Word output keeps outside pandoc's reading: document properties and a few table facts.

pandoc's DOCX reader gives the text and the named styles, but not the core
properties (the authors), the custom ones (the rights, the publisher's article,
the correct options of the choices) or a table row's height (an answer space's
size in lines). These are read here from the package parts pandoc.py already
checked (bounded, without DTDs), with a parser that resolves no entities.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC = "http://purl.org/dc/elements/1.1/"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"


@dataclass(frozen=True)
class WordFacts:
    authors: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)  # custom document properties by name
    answer_heights: tuple[int | None, ...] = ()  # each AnswerSpace table's answer-row height (twips), in order


def _parse(data: bytes | None):
    if not data:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def read_facts(parts: dict[str, bytes] | None, answer_space_style: str = "AnswerSpace") -> WordFacts:
    parts = parts or {}
    authors: tuple[str, ...] = ()
    core = _parse(parts.get("docProps/core.xml"))
    if core is not None:
        creator = core.find(f"{{{DC}}}creator")
        if creator is not None and creator.text and creator.text.strip():
            authors = tuple(name.strip() for name in creator.text.split(";") if name.strip())
    properties: dict[str, str] = {}
    custom = _parse(parts.get("docProps/custom.xml"))
    if custom is not None:
        for prop in custom.findall(f"{{{CUSTOM}}}property"):
            value = "".join(prop.itertext())
            properties[prop.get("name", "")] = value
    heights: list[int | None] = []
    document = _parse(parts.get("word/document.xml"))
    if document is not None:
        for table in document.iter(f"{{{W}}}tbl"):
            style = table.find(f"{{{W}}}tblPr/{{{W}}}tblStyle")
            if style is None or style.get(f"{{{W}}}val") != answer_space_style:
                continue
            rows = table.findall(f"{{{W}}}tr")
            height = rows[1].find(f"{{{W}}}trPr/{{{W}}}trHeight") if len(rows) > 1 else None
            value = height.get(f"{{{W}}}val") if height is not None else None
            heights.append(int(value) if value and value.isdigit() else None)
    return WordFacts(authors, properties, tuple(heights))
