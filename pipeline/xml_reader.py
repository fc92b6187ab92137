"""The element reader: a schema-valid <workbook> tree -> model nodes, with line numbers and browser-like white space."""
from __future__ import annotations

import re
from typing import Callable

from lxml import etree

from . import model
from .model import SourceLocation

_WHITESPACE = re.compile(r"\s+")


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
