"""Build the document model from a stream of typed pieces.

A reader (styles.py for our own Word styles, labels.py for an author's wording,
markdown.py for fenced divs) turns pandoc's blocks into `Piece`s, each with a
role; this module turns the pieces into sections, typed boxes, challenges,
quizzes and the rest. Each role is one handler in `Assembler.HANDLERS`, so a new
block kind is one role, one handler, and a line in the reader that recognises it.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import model
from ..model import SourceLocation
from ..problems import Problem, warning
from . import pandoc_ast as ast
from .assemble_challenges import ChallengeHandlers, _key
from .assemble_gathered import GatheredHandlers
from .assemble_tables import TableHandlers
from .pieces import INHERIT, STRUCTURE_ROLES, Ids, Piece, _Box, _Challenge, _Section

__all__ = ["INHERIT", "STRUCTURE_ROLES", "Assembler", "Ids", "Piece"]


class Assembler(TableHandlers, ChallengeHandlers, GatheredHandlers):
    """Pieces in, a Workbook out; every guess and every dropped piece becomes a warning."""

    def __init__(self, path: str, reserved_ids: set[str], empty_alt_is_decorative: bool = False):
        self.path = path
        self.empty_alt_is_decorative = empty_alt_is_decorative  # HTML's alt="" marks decoration
        self.ids = Ids(reserved_ids)
        self.inline_reader = ast.InlineReader()
        self.problems: list[Problem] = []  # warnings: guesses and what was left out
        self.errors: list[Problem] = []  # what stops the import
        self.sections: list[_Section] = []  # the open sections, outermost first
        self.top: list[_Section] = []
        self.box: _Box | _Challenge | None = None
        self.pending: tuple | None = None  # a quote, definitions or figure being gathered
        self.preamble: list = []  # blocks before the first heading
        self.paragraph_number = 0
        self.table_number = 0
        self.last_role = ""
        self.meta: dict[str, model.Inlines] = {}
        self.details: list[str] = []  # the title page's publication details (publication.py's lines)
        self.images: list[tuple[str, str]] = []  # (pandoc image path, alt)
        self.quizzes: list[model.Quiz] = []
        # What word_parts.py read beside pandoc: each choice's correct option numbers, each answer space's height.
        self.correct_options: list[list[int]] | None = None
        self.answer_heights: tuple[int | None, ...] = ()
        self.choice_number = 0
        self.prompt_anchor: str | None = None
        self.unsure_choices: dict[str, Problem] = {}  # choice id -> the warning that its first option was guessed
        self.named_correct: dict[str, list[str]] = {}  # choice id -> the options its answer names as correct
        self.choice_places: dict[str, str] = {}  # choice id -> where it was ("in “…”, paragraph N")
        self.answer_space_number = 0
        self.drawing_lines: list[int | None] | None = None
        self.drawing_number = 0
        self.HANDLERS: dict[str, Callable[[Piece], None]] = {
            "heading": self.heading,
            "label": self.label,
            "box-end": self.box_end,
            "paragraph": self.paragraph,
            "list": self.list_block,
            "question": self.question,
            "answer-space": self.answer_space,
            "quiz": self.quiz,
            "quiz-answers": self.quiz_answers,
            "table": self.table,
            "choice": self.choice,
            "checklist": self.checklist,
            "rating-scale": self.rating_scale,
            "quote": self.quote,
            "attribution": self.attribution,
            "definitions": self.definitions,
            "definition-term": self.definition_term,
            "definition": self.definition,
            "subheading": self.subheading,
            "figure-image": self.figure_image,
            "caption": self.caption,
            "figure-description": self.figure_description,
            "diagram-part": self.diagram_part,
            "cycle-note": self.cycle_note,
            "video": self.video,
            "meta": self.meta_piece,
            "skip": lambda piece: None,
            "unknown": self.unknown,
        }

    # --- where and warnings ---------------------------------------------------

    def where(self, piece: Piece | None) -> SourceLocation:
        return SourceLocation(self.path, piece.line if piece else None)

    def place(self) -> str:
        path = " › ".join(model.plain_text(section.title) for section in self.sections) or "before the first heading"
        return f"in “{path}”, paragraph {self.paragraph_number}"

    def warn(self, piece: Piece | None, message: str, code: str) -> None:
        self.problems.append(warning(self.where(piece), f"{self.place()}: {message}", code))

    def inlines(self, raw, pictures: bool = False) -> model.Inlines:
        content = self.inline_reader.read(raw)
        if pictures:
            self.images.extend(self.inline_reader.images)
        elif self.inline_reader.images:
            self.inline_reader.dropped.append("a picture inside text (put it in a paragraph of its own)")
        self.inline_reader.images.clear()
        return content

    # --- the loop -----------------------------------------------------------------

    def feed(self, pieces: list[Piece]) -> None:
        for piece in pieces:
            if piece.role not in ("heading", "skip", "meta", "box-end"):
                self.paragraph_number += 1
            if piece.role == "paragraph" and self.pending and self.pending[0] == "definitions" and self.pending[1].get("term") is not None:
                piece.role = "definition"  # in a box, a definition is the plain paragraph after its term
            if (piece.role == "paragraph" and piece.kind not in (None, INHERIT) and self.pending and self.pending[0] == "figure"
                    and self.pending[1].get("caption") and not self.pending[1].get("image") and self.pending[1].get("alt") is None):
                piece.role = "figure-description"  # in a box, a figure's description is the plain paragraph after its caption
            if piece.guess:
                self.warn(piece, f"{piece.guess}; check it is right", "import.guessed")
            handler = self.HANDLERS.get(piece.role)
            if handler is None:  # a reader made a role this module has no handler for: a bug, not input
                raise KeyError(f"no import handler for the role {piece.role!r}")
            if piece.role not in STRUCTURE_ROLES:
                self.enter(piece)
            if piece.role not in ("quote", "attribution", "definition-term", "definition", "caption",
                                  "figure-description", "diagram-part", "cycle-note", "figure-image", "list", "skip", "table"):
                self.flush()
            handler(piece)
            dropped = self.inline_reader.dropped
            if dropped:
                self.warn(piece, f"left out {', '.join(sorted(set(dropped)))}, which a workbook cannot hold", "import.dropped")
                dropped.clear()
            if piece.role != "skip":
                self.last_role = piece.role

    def enter(self, piece: Piece) -> None:
        """Close the open box for a piece outside it; open an untitled one for a piece in a box's style."""
        kind = piece.kind
        if kind == INHERIT:
            return
        open_kind = None if self.box is None else ("challenge" if isinstance(self.box, _Challenge) else self.box.kind)
        if kind == open_kind:
            return
        self.close_box()
        if kind is not None:
            self.warn(piece, f"text in the {kind} style with no label before it: made an untitled {kind} box",
                      "import.no-label")
            self.label(Piece("label", kind=kind, line=piece.line))

    def finish(self) -> list[model.Section]:
        """Close whatever is open; return the top-level sections."""
        self.flush()
        self.close_box()
        while self.sections:
            self.close_section()
        if self.named_correct:
            self.top = [self._mark_named_correct(section) for section in self.top]
        self.problems.extend(problem for choice_id, problem in self.unsure_choices.items()
                             if choice_id not in self.named_correct)
        return self.top

    def _mark_named_correct(self, node):
        """Choices whose answer names their correct options (and no property did): mark those options."""
        if isinstance(node, model.Choice) and node.id in self.named_correct:
            names = {_key(name) for name in self.named_correct[node.id]}
            options = tuple(replace(option, correct=_key(model.plain_text(option.content)) in names) for option in node.options)
            if any(option.correct for option in options):
                self.problems.append(warning(node.loc, f"{self.choice_places[node.id]}: the document does not say which "
                                             f"options of “{model.plain_text(node.prompt)}” are correct, so those its "
                                             "answer names are marked correct; check them", "import.guessed"))
                return replace(node, options=options)
            self.named_correct.pop(node.id)
            return node
        if isinstance(node, (model.Section, model.Box, model.Subsection, model.Challenge, model.Quiz)):
            changes = {}
            for name in ("content", "blocks", "items", "intro", "choices"):
                value = getattr(node, name, None)
                if isinstance(value, tuple):
                    changes[name] = tuple(self._mark_named_correct(child) for child in value)
            return replace(node, **changes)
        return node

    # --- containers -----------------------------------------------------------------

    def add(self, block, piece: Piece | None = None) -> None:
        """Put a finished block where the document is: a subsection, box, challenge intro or section."""
        box = self.box
        if isinstance(box, _Box):
            (box.subsection[1] if box.subsection is not None else box.blocks).append(block)
        elif isinstance(box, _Challenge):
            if box.items and not isinstance(block, model.Quiz):
                # A challenge holds its introduction, then its questions: later text follows the challenge.
                self.warn(piece, "text after a challenge's questions ends the challenge; it follows it in the section",
                          "import.moved")
                self.close_box()
                self.add(block, piece)
                return
            box.intro.append(block)
        elif self.sections:
            self.sections[-1].content.append(block)
        else:
            self.preamble.append((block, piece))

    def close_box(self) -> None:
        self.flush()
        box, self.box = self.box, None
        if box is None:
            return
        if isinstance(box, _Box):
            self._close_subsection(box)
            node = model.Box(box.kind, tuple(box.blocks), title=box.title, id=box.id, loc=box.loc)
            if not box.blocks:
                self.problems.append(warning(box.loc, f"{self.place()}: the {box.kind} box is empty", "import.empty-box"))
        else:
            if not box.items:
                self.problems.append(warning(box.loc, f"{self.place()}: challenge '{box.id}' has no question; "
                                             "end each question with '?'", "import.no-question"))
            node = model.Challenge(box.id, tuple(box.items), title=box.title, intro=tuple(box.intro), loc=box.loc)
        self.add(node)

    def _close_subsection(self, box: _Box) -> None:
        if box.subsection is not None:
            title, blocks, loc = box.subsection
            box.blocks.append(model.Subsection(title, tuple(blocks), loc=loc))
            box.subsection = None

    def close_section(self) -> None:
        section = self.sections.pop()
        node = model.Section(section.id, section.title, tuple(section.content), loc=section.loc)
        (self.sections[-1].content if self.sections else self.top).append(node)

    # --- headings and boxes -------------------------------------------------------------

    def heading(self, piece: Piece) -> None:
        if self.box is not None and isinstance(self.box, _Box) and piece.level > self.box.level > 0:
            self.subheading(piece)
            return
        self.close_box()
        while self.sections and self.sections[-1].level >= piece.level:
            self.close_section()
        title = self.inlines(piece.title)
        anchor = next((ast.bookmark_id(a) for a in ast.anchors(piece.title)), None)
        section_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(title), "section")
        self.sections.append(_Section(title, piece.level, section_id, self.where(piece)))
        self.paragraph_number = 0
        if self.preamble:
            for block, _ in self.preamble:
                self.sections[-1].content.append(block)
            self.preamble.clear()

    def label(self, piece: Piece) -> None:
        self.close_box()
        title = self.inlines(piece.title) if piece.title else None
        title = title or None
        anchor = piece.data.get("id")
        loc = self.where(piece)
        if piece.kind == "challenge":
            challenge_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(title), "challenge")
            self.box = _Challenge(title, piece.level, challenge_id, loc)
        else:
            self.box = _Box(piece.kind, title, piece.level, self.ids.claim(anchor), loc)

    def box_end(self, piece: Piece) -> None:
        self.close_box()

    def subheading(self, piece: Piece) -> None:
        box = self.box
        title = self.inlines(piece.title if piece.title is not None else piece.inlines)
        if not isinstance(box, _Box):
            self.paragraph(piece)
            return
        self._close_subsection(box)
        box.subsection = [title, [], self.where(piece)]

    # --- paragraphs and lists ---------------------------------------------------------

    def paragraph(self, piece: Piece) -> None:
        content = self.inlines(piece.inlines)
        if content:
            self.add(model.Paragraph(content), piece)
        elif piece.block and piece.block["t"] not in ("Para", "Plain", "Div"):
            self.unknown(piece)
    def video(self, piece: Piece) -> None:
        content = self.inlines(piece.inlines)
        href = None
        if len(content) == 1 and isinstance(content[0], model.Link):
            href, content = content[0].href, content[0].content
        self.add(model.Video(self.ids.fresh(model.plain_text(content), "video"), content, href=href, loc=self.where(piece)), piece)

    def meta_piece(self, piece: Piece) -> None:
        if piece.data["field"] == "publication detail":  # several: authors, identifiers, rights, in that order
            self.details.append(model.plain_text(self.inlines(piece.inlines)))
            return
        self.meta[piece.data["field"]] = self.inlines(piece.inlines)

    def unknown(self, piece: Piece) -> None:
        kind = piece.block["t"] if piece.block else ""
        what = piece.data.get("what") or BLOCK_NAMES.get(kind, f"a block pandoc calls {kind or 'nothing'}")
        self.warn(piece, f"left out {what}, which could not be typed", "import.dropped")


BLOCK_NAMES = {
    "CodeBlock": "a code block", "RawBlock": "raw markup", "LineBlock": "a block of lines (poetry)",
"Div": "an unnamed group of blocks",
}
