"""Read a workbook source (XML or JSON) safely into the document model.

Reading never trusts the file: size and encoding are checked first, XML is
parsed with entities, DTDs and network access switched off, and every problem
becomes a `Problem` with a location instead of an exception.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lxml import etree

from . import jsonform, model, resources
from .jsonform import INLINE_TYPES, MAX_ELEMENT_DEPTH, MAX_INLINE_DEPTH, too_deep_message
from .model import SourceLocation
from .problems import Problem, error
from .safe_read import InputError, read_input

MAX_SOURCE_BYTES = 10 * 1024 * 1024
SCHEMA_DIR = resources.schema()


@dataclass(frozen=True)
class LoadResult:
    """The model (None when the source could not be trusted) and every problem found reading it."""

    workbook: model.Workbook | None
    problems: list[Problem]
    source_dir: Path


def source_format(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "xml"


def load_source(path: Path | str, display_name: str | None = None) -> LoadResult:
    """Read, decode, parse and schema-check one source file; build the model if it is sound."""
    path = Path(path)
    name = display_name or str(path)
    try:
        source_dir = path.resolve().parent
    except (OSError, RuntimeError):  # a symlink loop: the reader below says so
        source_dir = path.absolute().parent
    whole_file = SourceLocation(name)
    try:
        data = read_input(path, MAX_SOURCE_BYTES, "workbook source")
    except InputError as exc:
        message = _FOLDER_MESSAGE if exc.message.startswith("is a folder") else _SOURCE_READ_MESSAGES.get(exc.kind, exc.message)
        if exc.kind == "unreadable":  # named as the user named it, as `build` does for a source that vanishes later
            message = f"cannot read {name}: {exc.reason}"
        if exc.kind == "too-large":
            shown = f"{exc.size:,} bytes, " if exc.size else ""
            message = (f"file is {shown}more than the {MAX_SOURCE_BYTES:,}-byte limit for a workbook source; "
                       "split the workbook or check that this is the right file")
        return LoadResult(None, [error(whole_file, message, f"source.{exc.kind}")], source_dir)

    problem = _check_text(data, name)
    if problem:
        return LoadResult(None, [problem], source_dir)
    if source_format(path) == "json":
        workbook, problems = _load_json(data.decode("utf-8-sig"), name)
    else:
        workbook, problems = _load_xml(data, name)
    return LoadResult(workbook, problems, source_dir)


_SOURCE_READ_MESSAGES = {"not-found": "no such file; check the path (workbooks live under source/<id>/workbook.xml)"}
_FOLDER_MESSAGE = "is a folder, not a workbook source; name the workbook.xml or .json file inside it"


def _check_text(data: bytes, name: str) -> Problem | None:
    if not data.strip():
        return error(SourceLocation(name, 1, 1), "file is empty; a workbook source starts with <workbook ...> (XML) or { (JSON)", "source.empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return error(
            SourceLocation(name, line, column),
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be decoded); save it as UTF-8",
            "source.encoding",
        )
    return None


# --- XML ---------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


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


class XmlReader:
    """Turn a schema-valid <workbook> element tree into model nodes, keeping line numbers."""

    def __init__(self, name: str):
        self.name = name

    def loc(self, element: etree._Element) -> SourceLocation:
        return SourceLocation(self.name, element.sourceline)

    # inline content ---------------------------------------------------------

    def inlines(self, element: etree._Element, stop_at: tuple[str, ...] = ()) -> model.Inlines:
        raw = self._raw_inlines(element, stop_at)
        return normalise_inlines(raw)

    def _raw_inlines(self, element: etree._Element, stop_at: tuple[str, ...] = ()) -> list[model.Inline]:
        nodes: list[model.Inline] = []
        if element.text:
            nodes.append(model.Text(element.text, loc=self.loc(element)))
        for child in element:
            if not isinstance(child.tag, str) or child.tag in stop_at:
                pass  # comments and nested lists are not inline content
            else:
                nodes.append(self.inline(child))
            if child.tail:
                nodes.append(model.Text(child.tail, loc=self.loc(element)))
        return nodes

    def inline(self, element: etree._Element) -> model.Inline:
        content = tuple(self._raw_inlines(element))
        loc = self.loc(element)
        if element.tag == "em":
            return model.Emphasis(content, loc=loc)
        if element.tag == "strong":
            return model.Strong(content, loc=loc)
        if element.tag == "link":
            return model.Link(element.get("href"), content, loc=loc)
        if element.tag == "ref":
            return model.Ref(element.get("target"), content, loc=loc)
        raise ValueError(f"unexpected inline element <{element.tag}>")  # the schema rules this out

    def optional_inlines(self, parent: etree._Element, tag: str) -> model.Inlines | None:
        found = parent.find(tag)
        return None if found is None else self.inlines(found)

    # blocks ---------------------------------------------------------------------

    def blocks(self, elements) -> tuple:
        return tuple(self.block(child) for child in elements if isinstance(child.tag, str))

    def block(self, element: etree._Element):
        reader: Callable = self._block_readers[element.tag]
        return reader(self, element)

    def paragraph(self, element):
        return model.Paragraph(self.inlines(element), id=element.get("id"), loc=self.loc(element))

    def list_block(self, element):
        items = tuple(self.list_item(item) for item in element.findall("item"))
        return model.ListBlock(items, ordered=element.get("type", "bullet") == "number", id=element.get("id"), loc=self.loc(element))

    def _item_parts(self, element):
        content = self.inlines(element, stop_at=("list",))
        sublists = tuple(self.list_block(child) for child in element.findall("list"))
        return content, sublists

    def list_item(self, element):
        if any(child.tag in ITEM_BLOCK_TAGS for child in element):
            content, blocks = self._content_and_blocks(element, ("p", "list", "table"))
            return model.ListItem(content, blocks=blocks, id=element.get("id"), loc=self.loc(element))
        content, sublists = self._item_parts(element)
        return model.ListItem(content, sublists, id=element.get("id"), loc=self.loc(element))

    # tables and block content (issue 12) ---------------------------------------

    def _content_and_blocks(self, element, block_tags: tuple[str, ...]):
        """Blocks of an item or cell, and any loose inline content beside them (the rules refuse that mix)."""
        blocks = self.blocks(child for child in element if child.tag in block_tags)
        content = self.inlines(element, stop_at=block_tags)
        where = _loose_text_line(element, block_tags)
        if content and isinstance(content[0], model.Text) and where is not None:
            content = (model.Text(content[0].text, loc=SourceLocation(self.name, where)), *content[1:])
        return content, blocks

    def table_cell(self, element):
        header = element.get("header") in ("true", "1")
        if any(child.tag in CELL_BLOCK_TAGS for child in element):
            content, blocks = self._content_and_blocks(element, CELL_BLOCK_TAGS)
            return model.TableCell(content, blocks, header=header, loc=self.loc(element))
        return model.TableCell(self.inlines(element), header=header, loc=self.loc(element))

    def table_row(self, element):
        return model.TableRow(tuple(self.table_cell(cell) for cell in element.findall("cell")), loc=self.loc(element))

    def table(self, element):
        head = element.find("head")
        return model.Table(
            self.inlines(element.find("caption")), head=None if head is None else self.table_row(head),
            rows=tuple(self.table_row(row) for row in element.findall("row")), id=element.get("id"), loc=self.loc(element),
        )

    def publication_metadata(self, meta_element) -> dict:
        publisher = meta_element.find("publisher")
        rights = meta_element.find("rights")
        return {
            "publisher_article": None if publisher is None else publisher.get("article"),
            "authors": tuple(normalise_space(whole_text(author)).strip() for author in meta_element.findall("author")),
            "rights": None if rights is None else normalise_space(whole_text(rights)).strip(),
            "identifiers": tuple(
                model.Identifier(identifier.get("scheme"), normalise_space(whole_text(identifier)).strip(), loc=self.loc(identifier))
                for identifier in meta_element.findall("identifier")
            ),
        }

    def quote(self, element):
        paragraphs = tuple(self.paragraph(p) for p in element.findall("p"))
        return model.Quote(paragraphs, self.optional_inlines(element, "attribution"), id=element.get("id"), loc=self.loc(element))

    def definitions(self, element):
        entries = tuple(
            model.Definition(
                self.inlines(entry.find("term")), self.inlines(entry.find("definition")),
                icon=entry.get("icon"), id=entry.get("id"), loc=self.loc(entry),
            )
            for entry in element.findall("entry")
        )
        return model.Definitions(entries, id=element.get("id"), loc=self.loc(element))

    def figure(self, element):
        alt = element.find("alt")
        image = element.find("image")
        diagram = element.find("diagram")
        return model.Figure(
            element.get("id"),
            caption=self.optional_inlines(element, "caption"),
            alt=None if alt is None else normalise_space(whole_text(alt)).strip(),
            image=None if image is None else model.Image(image.get("src"), loc=self.loc(image)),
            diagram=None if diagram is None else model.Diagram(
                diagram.get("layout"),
                tuple(
                    model.DiagramPart(part.tag, normalise_space(whole_text(part)).strip(), loc=self.loc(part))
                    for part in diagram if isinstance(part.tag, str)
                ),
                loc=self.loc(diagram),
            ),
            loc=self.loc(element),
        )

    def video(self, element):
        return model.Video(element.get("id"), self.inlines(element), href=element.get("href"), loc=self.loc(element))

    def subsection(self, element):
        return model.Subsection(
            self.inlines(element.find("title")), self.blocks(_children_except_title(element)),
            id=element.get("id"), loc=self.loc(element),
        )

    def box(self, element):
        return model.Box(
            element.tag, self.blocks(_children_except_title(element)),
            title=self.optional_inlines(element, "title"), id=element.get("id"), loc=self.loc(element),
        )

    def question(self, element):
        content, sublists = self._item_parts(element)
        lines = element.get("lines")
        return model.Question(content, sublists, id=element.get("id"), space=element.get("space", "text"),
                              lines=None if lines is None else int(lines), loc=self.loc(element))

    def quiz(self, element):
        statements = tuple(
            model.Statement(statement.get("id"), self.inlines(statement), loc=self.loc(statement))
            for statement in element.findall("statement")
        )
        return model.Quiz(element.get("id"), statements, prompt=self.optional_inlines(element, "prompt"),
                          choices=tuple(self.choice(choice) for choice in element.findall("choice")), loc=self.loc(element))

    def choice(self, element):
        options = tuple(
            model.Option(option.get("id"), self.inlines(option), correct=option.get("correct") == "true", loc=self.loc(option))
            for option in element.findall("option")
        )
        return model.Choice(element.get("id"), self.inlines(element.find("prompt")), options,
                            select=element.get("select", "one"), loc=self.loc(element))

    def checklist(self, element):
        checks = tuple(model.Check(check.get("id"), self.inlines(check), loc=self.loc(check)) for check in element.findall("check"))
        return model.Checklist(element.get("id"), checks, prompt=self.optional_inlines(element, "prompt"), loc=self.loc(element))

    def rating_scale(self, element):
        levels = tuple(model.Level(normalise_space(whole_text(level)).strip(), loc=self.loc(level)) for level in element.findall("level"))
        statements = tuple(
            model.RatedStatement(statement.get("id"), self.inlines(statement), loc=self.loc(statement))
            for statement in element.findall("statement")
        )
        return model.RatingScale(element.get("id"), levels, statements, prompt=self.optional_inlines(element, "prompt"),
                                 loc=self.loc(element))

    def answer(self, element):
        if element.get("choice") is not None and element.get("statement") is None:
            return model.ChoiceAnswer(element.get("choice"), self.inlines(element), loc=self.loc(element))
        value = element.get("value")
        # The schema cannot tie statement= to value= (XSD 1.0): validate.py reports what is missing.
        return model.Answer(
            element.get("statement"), None if value is None else value == "true", self.inlines(element),
            qualifier=element.get("qualifier"), loc=self.loc(element),
        )

    def quiz_answers(self, element):
        answers = tuple(self.answer(answer) for answer in element.findall("answer"))
        return model.QuizAnswers(element.get("quiz"), answers, id=element.get("id"), loc=self.loc(element))

    def challenge(self, element):
        intro = element.find("intro")
        items = tuple(self._challenge_item_readers[child.tag](self, child) for child in element
                      if child.tag in self._challenge_item_readers)
        return model.Challenge(
            element.get("id"), items, title=self.optional_inlines(element, "title"),
            intro=() if intro is None else self.blocks(intro), loc=self.loc(element),
        )

    def section(self, element):
        content = tuple(
            self.section(child) if child.tag == "section" else self.block(child)
            for child in _children_except_title(element)
        )
        return model.Section(element.get("id"), self.inlines(element.find("title")), content, loc=self.loc(element))

    def workbook(self, root):
        meta_element = root.find("meta")
        date = meta_element.find("date")
        publisher = meta_element.find("publisher")
        meta = model.Meta(
            self.inlines(meta_element.find("title")),
            subtitle=self.optional_inlines(meta_element, "subtitle"),
            summary=self.optional_inlines(meta_element, "summary"),
            publisher=None if publisher is None else normalise_space(whole_text(publisher)).strip(),
            date=None if date is None else whole_text(date).strip(),
            **self.publication_metadata(meta_element),
            translations=tuple(
                model.Translation(element.get("lang"), element.get("workbook"), loc=self.loc(element))
                for element in meta_element.findall("translation")
            ),
            loc=self.loc(meta_element),
        )
        sections = tuple(self.section(child) for child in root.findall("section"))
        return model.Workbook(root.get("id"), root.get("version"), meta, sections, lang=root.get("lang", "en-GB"), loc=self.loc(root))

    _challenge_item_readers = {"question": question, "quiz": quiz, "checklist": checklist, "rating-scale": rating_scale}

    _block_readers = {
        "p": paragraph, "list": list_block, "quote": quote, "definitions": definitions, "figure": figure,
        "video": video, "subsection": subsection, "guidance": box, "case-study": box, "tip": box,
        "useful-links": box, "challenge": challenge, "quiz": quiz, "quiz-answers": quiz_answers,
        "table": table,
    }


# An item holding one of these holds blocks (its lists then count as blocks too);
# a cell holding any of its block kinds holds blocks.
ITEM_BLOCK_TAGS = ("p", "table")
CELL_BLOCK_TAGS = ("p", "list")


def _loose_text_line(element: etree._Element, block_tags: tuple[str, ...]) -> int | None:
    """The line of the first loose text (or inline element) beside an element's blocks, for the message."""
    def line_of(text: str, start: int) -> int:
        return start + text[: len(text) - len(text.lstrip())].count("\n")

    if element.text and element.text.strip():
        return line_of(element.text, element.sourceline)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in block_tags:
            return child.sourceline
        if child.tail and child.tail.strip():
            return _tail_line(child)
    return None


def _tail_line(child: etree._Element) -> int:
    """The line where the non-blank text after `child` starts."""
    following = child.getnext()
    if following is not None:
        return following.sourceline - child.tail.lstrip().count("\n")
    end = child.sourceline + etree.tostring(child, with_tail=False).count(b"\n")
    return end + child.tail[: len(child.tail) - len(child.tail.lstrip())].count("\n")


def whole_text(element: etree._Element) -> str:
    """All the text of an element, as the schema sees it: a comment inside does not cut it short (unlike .text)."""
    return element.xpath("string()")


def _children_except_title(element):
    """Element children other than <title>, skipping comments and processing instructions."""
    return (child for child in element if isinstance(child.tag, str) and child.tag != "title")


def normalise_space(text: str) -> str:
    return _WHITESPACE.sub(" ", text)


def normalise_inlines(nodes: list[model.Inline] | tuple[model.Inline, ...]) -> model.Inlines:
    """Collapse white space, merge adjacent text and trim the ends, the way a browser would."""
    collapsed = _collapse(nodes)
    collapsed = _trim(collapsed, start=True)
    collapsed = _trim(collapsed, start=False)
    return tuple(collapsed)


def _collapse(nodes) -> list[model.Inline]:
    out: list[model.Inline] = []
    for node in nodes:
        if isinstance(node, model.Text):
            text = normalise_space(node.text)
            if out and isinstance(out[-1], model.Text):
                previous = out.pop()
                text = normalise_space(previous.text + text)
                node = model.Text(text, loc=previous.loc)
            else:
                node = model.Text(text, loc=node.loc)
            # A space right after a space (across an element boundary) is one space.
            if out and text.startswith(" ") and _ends_with_space(out[-1]):
                node = model.Text(text[1:], loc=node.loc)
            if node.text:
                out.append(node)
        else:
            content = _collapse(node.content)
            if out and content and _starts_with_space(content[0]) and _ends_with_space(out[-1]):
                content[0] = model.Text(content[0].text[1:], loc=content[0].loc)
                content = [c for c in content if not (isinstance(c, model.Text) and not c.text)]
            out.append(_replace_content(node, tuple(content)))
    return out


def _starts_with_space(node) -> bool:
    return isinstance(node, model.Text) and node.text.startswith(" ")


def _ends_with_space(node) -> bool:
    if isinstance(node, model.Text):
        return node.text.endswith(" ")
    return bool(node.content) and _ends_with_space(node.content[-1])


def _replace_content(node, content):
    from dataclasses import replace

    return replace(node, content=content)


def _trim(nodes: list[model.Inline], start: bool) -> list[model.Inline]:
    if not nodes:
        return nodes
    index = 0 if start else -1
    node = nodes[index]
    if isinstance(node, model.Text):
        text = node.text.lstrip() if start else node.text.rstrip()
        rest = nodes[1:] if start else nodes[:-1]
        if not text:
            return _trim(rest, start)
        trimmed = model.Text(text, loc=node.loc)
        return [trimmed, *rest] if start else [*rest, trimmed]
    inner = _trim(list(node.content), start)
    updated = _replace_content(node, tuple(inner))
    return [updated, *nodes[1:]] if start else [*nodes[:-1], updated]


# --- JSON --------------------------------------------------------------------


def _load_json(text: str, name: str) -> tuple[model.Workbook | None, list[Problem]]:
    from .jsonfile import parse_json

    data, problems = parse_json(text, name, "json", too_deep_code="source.too-deep")
    if problems:
        return None, problems
    too_deep = jsonform.depth_problem(data, name, text)
    if too_deep:
        return None, [too_deep]
    positions = jsonform.source_map(text)
    problems = jsonform.schema_problems(data, name, positions)
    if problems:
        return None, problems
    return jsonform.from_json(data, name, positions), []
