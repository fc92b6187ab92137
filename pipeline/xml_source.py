"""The safe XML parse and schema step: bytes in, a schema-valid tree read into the model, or located problems.

The parser never expands entities or loads a DTD or anything from the network;
any DOCTYPE is refused, nesting is bounded before the schema recurses, and each
libxml2 message is turned into a plain `file:line[:col]` problem.
"""
from __future__ import annotations

import re

from lxml import etree

from . import model, resources
from .jsonform import INLINE_TYPES, MAX_ELEMENT_DEPTH, MAX_INLINE_DEPTH, too_deep_message
from .model import SourceLocation
from .problems import Problem, error
from .xml_reader import XmlReader, _tail_line

SCHEMA_DIR = resources.schema()


def _secure_parser() -> etree.XMLParser:
    # Entities are never expanded and no DTD or network resource is loaded, so an
    # XXE or entity-expansion document cannot read files or blow up memory; any
    # DOCTYPE is then rejected outright below.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
    )


_xml_schema: etree.XMLSchema | None = None


def xml_schema() -> etree.XMLSchema:
    global _xml_schema
    if _xml_schema is None:
        _xml_schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "workbook.xsd"), _secure_parser()))
    return _xml_schema


def _load_xml(data: bytes, name: str) -> tuple[model.Workbook | None, list[Problem]]:
    try:
        tree = etree.fromstring(data, _secure_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        # libxml2 stops an entity bomb itself ("amplification factor exceeded");
        # name the declarations that caused it rather than echo the parser.
        declared = _declared_entities(data, name)
        if declared:
            return None, declared
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = re.sub(r", line \d+, column \d+$", "", exc.msg)
        if message in _PLAIN_SYNTAX_MESSAGES:
            column = _ampersand_column(data, line, column) if message.startswith("xmlParseEntityRef") else column
            message = _PLAIN_SYNTAX_MESSAGES[message]
        return None, [error(SourceLocation(name, line, column), f"not well-formed XML: {message}", "xml.syntax")]

    doctype_problems = _doctype_problems(tree, data, name)
    if doctype_problems:
        return None, doctype_problems

    root = tree.getroot()
    if root.tag != "workbook":
        return None, [error(SourceLocation(name, root.sourceline), f"the root element is <{root.tag}>, but a workbook source must start with <workbook>", "xml.root")]

    too_deep = _depth_problem(root, name)
    if too_deep:
        return None, [too_deep]
    schema = xml_schema()
    if not schema.validate(tree):
        return None, [_plain_schema_problem(entry, tree, name) or _schema_problem(entry, name) for entry in schema.error_log]
    return XmlReader(name).workbook(root), []


def _depth_problem(root: etree._Element, name: str) -> Problem | None:
    """Refuse elements nested past the limits: the reader, rules and templates recurse once per level."""
    depth = inlines = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str):
            continue
        step = 1 if event == "start" else -1
        depth += step
        inlines += step if element.tag in INLINE_TYPES else 0
        if depth > MAX_ELEMENT_DEPTH or inlines > MAX_INLINE_DEPTH:
            return error(SourceLocation(name, element.sourceline), too_deep_message(depth > MAX_ELEMENT_DEPTH), "source.too-deep")
    return None


_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(?:(SYSTEM|PUBLIC)\s+(?:\"[^\"]*\"\s+)?[\"']([^\"']*)[\"'])?")


def _declared_entities(data: bytes, name: str) -> list[Problem]:
    start = data.find(b"<!DOCTYPE")
    if start < 0:
        return []
    where = SourceLocation(name, data.count(b"\n", 0, start) + 1)
    problems = []
    for match in _ENTITY_DECLARATION.finditer(data, start):
        entity = match.group(1).decode("utf-8", "replace")
        if match.group(2):
            url = match.group(3).decode("utf-8", "replace")
            problems.append(error(where, f"external entity '{entity}' refers to '{url}'; external entities are not allowed (they can read files or the network): write the text itself", "xml.external-entity"))
        else:
            problems.append(error(where, f"entity declaration '{entity}' is not allowed (entities can expand into huge documents): write the text itself", "xml.entity"))
    return problems


def _doctype_problems(tree: etree._ElementTree, data: bytes, name: str) -> list[Problem]:
    info = tree.docinfo
    if not info.doctype:
        return []
    start = data.find(b"<!DOCTYPE")
    line = data.count(b"\n", 0, start) + 1 if start >= 0 else 1
    where = SourceLocation(name, line)
    problems: list[Problem] = []
    dtd = info.internalDTD
    for entity in dtd.iterentities() if dtd is not None else ():
        if entity.system_url:
            problems.append(error(where, f"external entity '{entity.name}' refers to '{entity.system_url}'; external entities are not allowed (they can read files or the network): write the text itself", "xml.external-entity"))
        else:
            problems.append(error(where, f"entity declaration '{entity.name}' is not allowed (entities can expand into huge documents): write the text itself", "xml.entity"))
    if info.system_url or info.public_id:
        problems.append(error(where, f"the DOCTYPE loads '{info.system_url or info.public_id}'; a workbook must not load DTDs: remove the <!DOCTYPE> line (the schema is given by xsi:noNamespaceSchemaLocation)", "xml.external-dtd"))
    if not problems:
        problems.append(error(where, "DOCTYPE declarations are not allowed in a workbook source: remove the <!DOCTYPE> line", "xml.doctype"))
    return problems


# libxml2's wording that tells an author nothing, in words that say what to do (issue 12).
_PLAIN_SYNTAX_MESSAGES = {
    "xmlParseEntityRef: no name": "a bare & must be written &amp; (write “Terms &amp; conditions”)",
}

# Where a table may stand, named when one stands anywhere else.
TABLE_PLACES = ("a <section>, a <subsection>, a typed box (<guidance>, <case-study>, <tip>, <useful-links>), "
                "a challenge's <intro> or a list <item>")
# What each container holds, in order, for the errors where libxml2 names nothing.
_ALLOWED_CHILDREN = {
    "workbook": "<meta>, then one or more <section>s",
    "meta": "<title>, <subtitle>, <summary>, <publisher>, <date>, <author>s, <rights>, <identifier>s, in that order",
    "section": "<title>, then blocks (<p>, <list>, <table>, <quote>, <figure>, typed boxes, <challenge>, …) and <section>s",
    "challenge": "<title>, then <intro> (paragraphs, lists, tables …), then <question>s and <quiz>zes",
    "table": "<caption>, then an optional <head>, then <row>s",
    "head": "<cell>s",
    "row": "<cell>s",
    "quote": "<p>s, then an optional <attribution>",
}


def _ampersand_column(data: bytes, line: int | None, column: int | None) -> int | None:
    """libxml2 points just past a bare &: point at the & itself."""
    if not line or not column:
        return column
    lines = data.split(b"\n")
    if line > len(lines):
        return column
    text = lines[line - 1].decode("utf-8", "replace")
    found = text.rfind("&", 0, column)
    return found + 1 if found >= 0 else column


def _plain_schema_problem(entry: etree._LogEntry, tree: etree._ElementTree, name: str) -> Problem | None:
    """A schema error in an author's words where libxml2's own are opaque, at the line of the cause."""
    found = tree.xpath(entry.path) if entry.path else []
    element = found[0] if found else None
    if element is None:
        return None
    if "the content type is 'element-only'" in entry.message:
        line, text = _first_loose_text(element)
        shown = text if len(text) <= 30 else text[:29] + "…"
        return error(SourceLocation(name, line or entry.line), f"text must be inside a <p>: <{element.tag}> holds only elements, "
                     f"but “{shown}” stands loose in it; wrap it in <p>…</p>", "schema.loose-text")
    if entry.type_name != "SCHEMAV_ELEMENT_CONTENT" or "This element is not expected" not in entry.message:
        return None
    parent = element.getparent()
    where = "here" if parent is None else f"inside <{parent.tag}>"
    if element.tag == "table":
        return error(SourceLocation(name, entry.line), f"<table> is not allowed {where}; a table may stand in {TABLE_PLACES}: "
                     "move it there", "table.not-allowed")
    if "Expected is" not in entry.message and parent is not None:
        allowed = _ALLOWED_CHILDREN.get(parent.tag, f"the children schema/workbook.xsd lists for <{parent.tag}>")
        return error(SourceLocation(name, entry.line), f"<{element.tag}> is not allowed {where} at this point; <{parent.tag}> holds "
                     f"{allowed}", "schema.element")
    return None


def _first_loose_text(element: etree._Element) -> tuple[int | None, str]:
    """The line and text of the first non-blank text directly inside `element`."""
    if element.text and element.text.strip():
        return element.sourceline + element.text[: len(element.text) - len(element.text.lstrip())].count("\n"), element.text.strip()
    for child in element:
        if child.tail and child.tail.strip():
            return _tail_line(child), child.tail.strip()
    return None, ""


def _expected_choices(match: re.Match) -> str:
    choices = [choice.strip() for choice in match.group(1).split(",")]
    # libxml2 names at most ten of the valid elements; say so rather than
    # suggest the list is complete.
    more = ", …" if len(choices) >= 10 else ""
    return "expected one of: " + ", ".join(choices) + more


_SCHEMA_CODES = {
    "SCHEMAV_ELEMENT_CONTENT": "schema.element",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_4": "schema.element",
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1": "schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2": "schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_4": "schema.missing-attribute",
}


_ID_PATTERN_ERROR = re.compile(r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '\[a-z\]\[a-z0-9\]\*\(-\[a-z0-9\]\+\)\*'", re.S)
# The answer box's height: the facet messages of an anonymous xs:positiveInteger restriction name no type.
_LINES_ERROR = re.compile(r"Element 'question', attribute 'lines': (?:\[facet '\w+'\] The value )?'(.*?)' is", re.S)
_DATE_PATTERN_ERROR = re.compile(r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '\[0-9\]\{4\}-\[0-9\]\{2\}-\[0-9\]\{2\}'", re.S)


def _schema_problem(entry: etree._LogEntry, name: str) -> Problem:
    code = _SCHEMA_CODES.get(entry.type_name, "schema.invalid")
    message = entry.message
    bad_date = _DATE_PATTERN_ERROR.search(message)
    if bad_date:
        return error(SourceLocation(name, entry.line, entry.column or None),
                     f"<date> {bad_date.group(1)!r} is not a date written YYYY-MM-DD (no time zone), such as 2026-03-31", "schema.date")
    bad_lines = _LINES_ERROR.search(message)
    if bad_lines:
        return error(SourceLocation(name, entry.line, entry.column or None),
                     f"<question> lines=\"{bad_lines.group(1)}\" is not a number of lines: write a whole number from 1 to 60", "schema.lines")
    bad_id = _ID_PATTERN_ERROR.search(message)
    if bad_id:
        from .resolve import slugify

        value = bad_id.group(1)
        if value.strip() != value:
            return error(SourceLocation(name, entry.line, entry.column or None),
                         f"id {value!r} has a line break or space at its start or end; remove it", "schema.id")
        return error(SourceLocation(name, entry.line, entry.column or None),
                     f"'{value}' is not a valid id: use lower-case letters a–z, digits and single hyphens, starting with a letter "
                     f"(for example '{slugify(value)}')", "schema.id")
    # lxml writes "This element is not expected. Expected is ( x )." Put the
    # element first and keep the list of valid choices, which is the useful part.
    message = message.replace("This element is not expected.", "this element is not allowed here;")
    message = message.replace("Missing child element(s).", "a required child element is missing;")
    message = re.sub(r"Expected is one of \( (.*?) \)\.", _expected_choices, message)
    message = re.sub(r"Expected is \( (.*?) \)\.", r"expected: <\1>", message)
    match = re.match(r"Element '([^']+)'(?:, attribute '([^']+)')?: (.*)", message, re.S)
    if match:
        element, attribute, rest = match.groups()
        subject = f"<{element}> attribute '{attribute}'" if attribute else f"<{element}>"
        message = f"{subject}: {rest[0].lower() + rest[1:] if rest else rest}"
    column = entry.column if entry.column else None
    return error(SourceLocation(name, entry.line, column), message.rstrip(), code)
