"""The table kinds (issue 12) and the answer kinds (issue 13: choices in a quiz, checklists and rating scales in a challenge).

Part of the document model: pipeline/model.py re-exports every name here, so
`model.Table`, `model.Choice` and the rest are the way to name them, and
`model.NODE_TYPES` and `model.Block` include them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .source_location import SourceLocation, _loc

if TYPE_CHECKING:  # annotations only (they stay strings): model imports this module
    from .model import Block, Inlines

ChoiceSelect = Literal["one", "many"]


# --- tables (issue 12) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell: inline content, or blocks (paragraphs and lists); `header` makes it a row header."""

    content: Inlines = ()
    blocks: tuple[Block, ...] = ()
    header: bool = False
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class TableRow:
    cells: tuple[TableCell, ...]
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a caption, an optional head row (column headers) and its rows."""

    caption: Inlines
    head: TableRow | None = None
    rows: tuple[TableRow, ...] = ()
    id: str | None = None
    loc: SourceLocation | None = _loc()


# --- more ways to answer (issue 13): choices in a quiz, checklists and rating scales in a challenge


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    content: Inlines
    correct: bool = False
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Choice:
    """A question of a quiz answered by picking one option ("one") or several ("many"); scored like a statement."""

    id: str
    prompt: Inlines
    options: tuple[Option, ...]
    select: ChoiceSelect = "one"
    loc: SourceLocation | None = _loc()

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options if option.correct)


@dataclass(frozen=True, slots=True)
class ChoiceAnswer:
    """The explanation of a choice's answer (the correct options are on the options themselves)."""

    choice: str
    explanation: Inlines
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    content: Inlines
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Checklist:
    """Tick boxes for the learner's own record: nothing is right or wrong, nothing is graded."""

    id: str
    checks: tuple[Check, ...]
    prompt: Inlines | None = None
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class Level:
    label: str
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class RatedStatement:
    """One statement of a rating scale, rated on the scale's levels (not a quiz statement)."""

    id: str
    content: Inlines
    loc: SourceLocation | None = _loc()


@dataclass(frozen=True, slots=True)
class RatingScale:
    """A self-assessment: each statement rated on the same levels, in order; never graded."""

    id: str
    levels: tuple[Level, ...]
    statements: tuple[RatedStatement, ...]
    prompt: Inlines | None = None
    loc: SourceLocation | None = _loc()
