"""What readers hand the assembler: a `Piece` (one block with its role), and the assembler's own state.

`Ids` makes the workbook's ids; `_Section`, `_Box` and `_Challenge` are the containers still being filled.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import model
from ..model import SourceLocation
from ..resolve import slugify
from ..validate import _reserved_reason
from . import pandoc_ast as ast


@dataclass
class Piece:
    """One block of the document with the role a reader gave it."""

    role: str
    block: dict | None = None
    kind: str | None = None  # the typed block it opens (label) or sits in
    title: list | None = None  # pandoc inlines: a heading's text or a label's title
    level: int = 0  # a heading's level; a label heading's level (0 for a label paragraph)
    guess: str | None = None  # how its role was guessed from its wording (reported as a warning)
    line: int | None = None
    data: dict = field(default_factory=dict)

    @property
    def inlines(self) -> list:
        if "inlines" in self.data:
            return self.data["inlines"]
        return (ast.para_inlines(self.block) or []) if self.block else []


# A piece that stays in whatever box is open (labels and Markdown readers: boxes end at headings and labels).
INHERIT = "*"
STRUCTURE_ROLES = frozenset({"heading", "label", "box-end", "skip", "meta"})


class Ids:
    """Ids made from titles, unique in the workbook and the same on every import of the same text."""

    def __init__(self, reserved: set[str]):
        self.reserved = set(reserved)
        self.taken: set[str] = set()

    def claim(self, anchor: str | None) -> str | None:
        if anchor and anchor in self.reserved and anchor not in self.taken:
            self.taken.add(anchor)
            return anchor
        return None

    def fresh(self, text: str, fallback: str) -> str:
        base = slugify(text) if text.strip() else fallback
        if base == "x":
            base = fallback
        if _reserved_reason(base):
            base = f"{base}-text"
        candidate, n = base, 2
        while candidate in self.taken or candidate in self.reserved:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


@dataclass
class _Section:
    title: model.Inlines
    level: int
    id: str
    loc: SourceLocation
    content: list = field(default_factory=list)


@dataclass
class _Box:
    kind: str
    title: model.Inlines | None
    level: int
    id: str | None
    loc: SourceLocation
    blocks: list = field(default_factory=list)
    subsection: list | None = None  # [title, blocks, loc] of the subsection being filled
    subsections_done: list = field(default_factory=list)


@dataclass
class _Challenge:
    title: model.Inlines | None
    level: int
    id: str
    loc: SourceLocation
    intro: list = field(default_factory=list)
    items: list = field(default_factory=list)
    question_open: bool = False  # the last question may still take a list
    spaced: bool = False  # the last question has its answer space (one without is a prompt)
    open_quiz: bool = False  # the last item is a quiz a following choice belongs to
