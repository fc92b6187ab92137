"""The frozen document model every format is rendered from.

A workbook source (XML or JSON) loads into these dataclasses and nothing else.
Nodes are immutable, and each keeps the place in the source it came from
(`loc`), which takes no part in equality so that a model loaded from XML equals
the same model loaded from JSON.

Few node kinds, variants as attributes: the four typed boxes (guidance, case
study, hints and tips, useful links) are one `Box` with a `kind`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Iterator, Literal, Union

# The place a node came from, and the table and answer kinds, live in modules of
# their own; every name stays `model.X`.
from .model_kinds import (  # noqa: F401  (re-exported)
    Check, Checklist, Choice, ChoiceAnswer, ChoiceSelect, Level, Option, RatedStatement, RatingScale,
    Table, TableCell, TableRow,
)
from .source_location import SourceLocation, _loc

FORMAT_VERSION = "1.0"

BoxKind = Literal["guidance", "case-study", "tip", "useful-links"]
BOX_KINDS: tuple[str, ...] = ("guidance", "case-study", "tip", "useful-links")
# Every kind of typed block a reader sees with a label and an icon.
BlockKind = Literal["guidance", "challenge", "case-study", "tip", "useful-links"]
BLOCK_KINDS: tuple[str, ...] = ("guidance", "challenge", "case-study", "tip", "useful-links")
DiagramLayout = Literal["cycle", "layers", "sequence"]
QuestionSpace = Literal["text", "drawing"]


# --- inline content -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Emphasis:
    content: tuple[Inline, ...]
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Strong:
    content: tuple[Inline, ...]
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Link:
    """A link to another site; `href` is None when the address is not known."""

    href: str | None
    content: tuple[Inline, ...]
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another part of the workbook; empty content means the target's title."""

    target: str
    content: tuple[Inline, ...] = ()
    loc: SourceLocation | None = _loc()


Inline = Union[Text, Emphasis, Strong, Link, Ref]
Inlines = tuple[Inline, ...]


# --- blocks ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    content: Inlines
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class ListItem:
    """A list item: inline content (and nested lists), or blocks (`blocks`: numbered steps with paragraphs)."""

    content: Inlines
    sublists: tuple[ListBlock, ...] = ()
    blocks: tuple[Block, ...] = ()
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class ListBlock:
    items: tuple[ListItem, ...]
    ordered: bool = False
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Quote:
    paragraphs: tuple[Paragraph, ...]
    attribution: Inlines | None = None
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Definition:
    term: Inlines
    definition: Inlines
    icon: BlockKind | None = None
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Definitions:
    entries: tuple[Definition, ...]
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class DiagramPart:
    """One labelled part of a described diagram: a `node`, or a `divider` between nodes."""

    kind: Literal["node", "divider"]
    label: str
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Diagram:
    layout: DiagramLayout
    parts: tuple[DiagramPart, ...]
    loc: SourceLocation | None = _loc()

    @property
    def nodes(self) -> tuple[DiagramPart, ...]:
        return tuple(part for part in self.parts if part.kind == "node")


@dataclass(frozen=True, slots=True)
class Figure:
    id: str
    caption: Inlines | None = None
    alt: str | None = None
    image: Image | None = None
    diagram: Diagram | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Video:
    id: str
    content: Inlines
    href: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Subsection:
    title: Inlines
    blocks: tuple[Block, ...]
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Box:
    """A typed block: guidance, case study, hints and tips or useful links."""

    kind: BoxKind
    blocks: tuple[Block, ...]
    title: Inlines | None = None
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Question:
    """A reflection question; the learner gets a space to answer each one."""

    content: Inlines
    sublists: tuple[ListBlock, ...] = ()
    id: str | None = None
    # "drawing": done on paper or in Word (a blank box there; on screen a note and a box for notes).
    space: QuestionSpace = "text"
    lines: int | None = None  # the answer box's height in lines; None: the usual height
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Statement:
    id: str
    content: Inlines
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Quiz:
    id: str
    statements: tuple[Statement, ...]
    prompt: Inlines | None = None
    choices: tuple[Choice, ...] = ()  # after the statements, in source order
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one quiz statement; its content is the explanation."""

    statement: str
    value: bool | None  # None only from an XML <answer> that gave no value (a validation error)
    explanation: Inlines
    qualifier: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class QuizAnswers:
    quiz: str
    answers: tuple[Answer | ChoiceAnswer, ...]
    id: str | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Challenge:
    """Reflection questions (or a quiz); numbered by `resolve`, never by hand."""

    id: str
    items: tuple[Question | Quiz | Checklist | RatingScale, ...]
    title: Inlines | None = None
    intro: tuple[Block, ...] = ()
    loc: SourceLocation | None = _loc()

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(item for item in self.items if isinstance(item, Question))


@dataclass(frozen=True, slots=True)
class Identifier:
    """A publication identifier: an ISBN (checked) or the publisher's own reference code."""

    scheme: Literal["isbn", "reference"]
    value: str
    loc: SourceLocation | None = _loc()


Block = Union[
    Paragraph, ListBlock, Quote, Definitions, Figure, Video, Subsection, Box, Challenge, Quiz, QuizAnswers,
    Table,
]


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: Inlines
    content: tuple[Block | Section, ...]
    loc: SourceLocation | None = _loc()

    @property
    def subsections(self) -> tuple[Section, ...]:
        return tuple(child for child in self.content if isinstance(child, Section))


@dataclass(frozen=True, slots=True)
class Translation:
    """The same workbook in another language: its lang (BCP 47) and its workbook id; checked at build."""

    lang: str
    workbook: str
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Meta:
    title: Inlines
    subtitle: Inlines | None = None
    summary: Inlines | None = None
    publisher: str | None = None
    date: str | None = None
    # Publication metadata (issue 12). `publisher_article` is "the" when the publisher's
    # name takes one in running text ("Published by the Local Government Association").
    publisher_article: str | None = None
    authors: tuple[str, ...] = ()
    rights: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    # The other-language editions (<translation lang= workbook=/>), which every format links to.
    translations: tuple[Translation, ...] = ()
    loc: SourceLocation | None = _loc()

    @property
    def publisher_in_text(self) -> str | None:
        """The publisher as running text names it: "the Local Government Association"."""
        if self.publisher is None:
            return None
        return f"{self.publisher_article} {self.publisher}" if self.publisher_article else self.publisher

    @property
    def isbn(self) -> str | None:
        """The first ISBN, digits only (as urn:isbn: and the Word identifier want it)."""
        for identifier in self.identifiers:
            if identifier.scheme == "isbn":
                return re.sub(r"[\s-]", "", identifier.value)
        return None


@dataclass(frozen=True, slots=True)
class Workbook:
    id: str
    version: str
    meta: Meta
    sections: tuple[Section, ...]
    lang: str = "en-GB"
    loc: SourceLocation | None = _loc()


NODE_TYPES: tuple[type, ...] = (
    Text, Emphasis, Strong, Link, Ref, Paragraph, ListItem, ListBlock, Quote, Definition, Definitions,
    Image, DiagramPart, Diagram, Figure, Video, Subsection, Box, Question, Statement, Quiz, Answer,
    QuizAnswers, Challenge, Section, Translation, Meta, Workbook,
    TableCell, TableRow, Table, Identifier,
    Option, Choice, ChoiceAnswer, Check, Checklist, Level, RatedStatement, RatingScale,
)


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that can hold other nodes (computed once per class)."""
    names = _NODE_FIELDS.get(cls)
    if names is None:
        # A field holds nodes when its annotation names a node type (annotations are strings here).
        node_names = {node_type.__name__ for node_type in NODE_TYPES} | {"Inline", "Inlines", "Block"}
        names = tuple(f.name for f in fields(cls) if f.name != "loc" and node_names & set(re.findall(r"\w+", f.type)))
        _NODE_FIELDS[cls] = names
    return names


def children(node: object) -> Iterator[object]:
    """Yield the model nodes directly inside `node`, in document order."""
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            for item in value:
                if isinstance(item, NODE_TYPES):
                    yield item
        elif isinstance(value, NODE_TYPES):
            yield value


def walk(node: object) -> Iterator[object]:
    """Yield `node` and every node below it, in document order."""
    # An explicit stack: nested generators would cost a step per level for every node.
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(tuple(children(current))))


def plain_text(content: Inlines | None) -> str:
    """Return the text of inline content without markup."""
    if not content:
        return ""
    parts: list[str] = []
    for node in content:
        if isinstance(node, Text):
            parts.append(node.text)
        else:
            parts.append(plain_text(node.content))
    return "".join(parts)
