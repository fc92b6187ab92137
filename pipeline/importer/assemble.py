"""Build the document model from a stream of typed pieces.

A reader (styles.py for our own Word styles, labels.py for an author's wording,
markdown.py for fenced divs) turns pandoc's blocks into `Piece`s, each with a
role; this module turns the pieces into sections, typed boxes, challenges,
quizzes and the rest. Each role is one handler in `Assembler.HANDLERS`, so a new
block kind is one role, one handler, and a line in the reader that recognises it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from .. import model
from ..model import SourceLocation
from ..problems import Problem, error, warning
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


class Assembler:
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

    def list_block(self, piece: Piece) -> None:
        node = self.read_list(piece.block)
        box = self.box
        if self.pending and self.pending[0] == "figure":
            figure = self.pending[1]
            if node.ordered and figure.get("alt") and not figure.get("image") and not figure.get("parts"):
                figure["parts"] = [model.DiagramPart("node", model.plain_text(item.content)) for item in node.items]
                figure["layout"] = "sequence"
                return
        self.flush()
        if isinstance(box, _Challenge) and box.question_open and box.items and isinstance(box.items[-1], model.Question):
            question = box.items[-1]
            box.items[-1] = model.Question(question.content, (*question.sublists, node), id=question.id, loc=question.loc)
            return
        self.add(node, piece)

    def read_list(self, block: dict) -> model.ListBlock:
        ordered = block["t"] == "OrderedList"
        raw_items = block["c"][1] if ordered else block["c"]
        items = []
        for blocks in raw_items:
            children = [grand for child in blocks for grand in _undiv(child)]
            paragraphs = sum(1 for child in children if ast.para_inlines(child) is not None)
            if paragraphs > 1 or any(child["t"] == "Table" for child in children):
                items.append(self.read_step(children))  # a numbered step with paragraphs (issue 12)
                continue
            content: list = []
            sublists = []
            for child in children:
                if child["t"] in ("BulletList", "OrderedList"):
                    sublists.append(self.read_list(child))
                else:
                    inlines = ast.para_inlines(child)
                    if inlines is None:
                        self.inline_reader.dropped.append(f"a {child['t']} inside a list item")
                        continue
                    if content:
                        content.append({"t": "Space"})
                    content.extend(inlines)
            items.append(model.ListItem(self.inlines(content), tuple(sublists)))
        return model.ListBlock(tuple(items), ordered=ordered)

    def read_step(self, children: list) -> model.ListItem:
        """An item holding blocks: its paragraphs, lists and tables, in order."""
        out: list = []
        for child in children:
            if child["t"] in ("BulletList", "OrderedList"):
                out.append(self.read_list(child))
            elif child["t"] == "Table":
                table = self.build_table(child, self.inlines(ast.table_caption(child)) or None, None)
                if table is not None:
                    out.append(table)
            else:
                inlines = ast.para_inlines(child)
                if inlines is None:
                    self.inline_reader.dropped.append(f"a {child['t']} inside a list item")
                    continue
                content = self.inlines(inlines)
                if content:
                    out.append(model.Paragraph(content))
        return model.ListItem((), blocks=tuple(out))

    # --- tables (issue 12) --------------------------------------------------------------

    HEADER_CELL_STYLES = frozenset({"Table Heading"})

    def table(self, piece: Piece) -> None:
        """A table: its caption (its own, a caption line before it, or made up with a warning), head row and rows."""
        caption = self.inlines(ast.table_caption(piece.block)) or None
        pending = self.pending
        if caption is None and pending and pending[0] == "figure" and pending[1].get("caption") and not (
                pending[1].get("image") or pending[1].get("alt") or pending[1].get("parts")):
            caption = pending[1]["caption"]  # in a box: the caption line the renderer writes before the table
            self.pending = None
        self.flush()
        table = self.build_table(piece.block, caption, piece)
        if table is not None:
            self.add(table, piece)

    def build_table(self, block: dict, caption: model.Inlines | None, piece: Piece | None) -> model.Table | None:
        self.table_number += 1
        head_rows, body_rows, row_heads = ast.table_parts(block)
        head = None
        if head_rows:
            head = model.TableRow(tuple(self.table_cell(cell, in_head=True) for cell in head_rows[0]))
            row_heads = [0] * (len(head_rows) - 1) + row_heads
            body_rows = [*head_rows[1:], *body_rows]
        bold_first = ast.style_of(block) is None and len(body_rows) > 1 and all(
            row and _all_bold(row[0]) for row in body_rows)
        if bold_first and not any(row_heads):
            row_heads = [1] * len(body_rows)  # an author's table: a first column all in bold is its row headers
            self.warn(piece, "the bold first column of a table is read as its row headers; check it is right", "import.guessed")
        rows = tuple(model.TableRow(tuple(
            _as_header(self.table_cell(cell), column < heads) for column, cell in enumerate(row)))
            for row, heads in zip(body_rows, row_heads))
        if not rows:
            self.warn(piece, "left out a table with no rows", "import.dropped")
            return None
        if caption is None:
            caption = self._caption_from_paragraph_before(piece)
        return model.Table(caption, head, rows, loc=self.where(piece))

    def _caption_from_paragraph_before(self, piece: Piece | None) -> model.Inlines:
        """A table without a caption: the short paragraph just before it, or "Table N"; a warning either way."""
        container = self._current_blocks() if piece is not None else []  # a table in a step: no paragraph to take
        last = container[-1] if container else None
        if (isinstance(last, model.Paragraph) and self.last_role == "paragraph"
                and len(model.plain_text(last.content)) <= 150):
            container.pop()
            self.warn(piece, f"a table has no caption, so the paragraph before it, “{model.plain_text(last.content)}”, "
                      "is taken as its caption; check it names the table", "import.guessed")
            return last.content
        self.warn(piece, f"a table has no caption, so it is captioned “Table {self.table_number}”; give it a caption "
                  "that says what it shows", "import.guessed")
        return (model.Text(f"Table {self.table_number}"),)

    def _current_blocks(self) -> list:
        box = self.box
        if isinstance(box, _Box):
            return box.subsection[1] if box.subsection is not None else box.blocks
        if isinstance(box, _Challenge):
            return box.intro if not box.items else []
        if self.sections:
            return self.sections[-1].content
        return []

    def table_cell(self, blocks: list, in_head: bool = False) -> model.TableCell:
        """A cell: one paragraph is inline content, more (or a list) are blocks; "Table Heading" in a row is a row header."""
        styles = {ast.style_of(block) for block in blocks} | {block.get("_style") for block in blocks}
        header = not in_head and bool(styles & self.HEADER_CELL_STYLES)
        paragraphs, out = [], []
        for block in blocks:
            inner = block["c"][1] if block["t"] == "Div" and ast.para_inlines(block) is None else [block]
            for child in inner:
                if child["t"] in ("BulletList", "OrderedList"):
                    out.append(self.read_list(child))
                    continue
                inlines = ast.para_inlines(child)
                if inlines is None:
                    self.inline_reader.dropped.append(f"a {child['t']} inside a table cell")
                    continue
                content = self.inlines(inlines)
                if content:
                    paragraphs.append(content)
                    out.append(model.Paragraph(content))
        if len(out) == 1 and paragraphs:
            return model.TableCell(paragraphs[0], header=header)
        return model.TableCell((), tuple(out), header=header)

    # --- challenges ---------------------------------------------------------------

    def _challenge(self, piece: Piece) -> _Challenge | None:
        if isinstance(self.box, _Challenge):
            return self.box
        self.warn(piece, "a question outside any challenge is kept as a paragraph", "import.stray-question")
        return None

    def question(self, piece: Piece) -> None:
        challenge = self._challenge(piece)
        if challenge is None:
            self.paragraph(piece)
            return
        challenge.items.append(model.Question(self.inlines(piece.inlines), loc=self.where(piece)))
        challenge.question_open = True
        challenge.spaced = False
        if piece.data.get("prompt_id") is None:
            anchor = next((ast.bookmark_id(a) for a in ast.anchors(piece.inlines)), None)
            piece.data["prompt_id"] = anchor
        self.prompt_anchor = piece.data["prompt_id"]  # a choice's id is bookmarked on its prompt
        for sublist in piece.data.get("sublists", ()):
            self.list_block(Piece("list", sublist, line=piece.line))

    def answer_space(self, piece: Piece) -> None:
        height = None
        if self.answer_space_number < len(self.answer_heights):
            height = self.answer_heights[self.answer_space_number]
        self.answer_space_number += 1
        drawing = bool(piece.data.get("drawing"))
        drawing_lines = None
        if drawing:
            if self.drawing_lines is not None and self.drawing_number < len(self.drawing_lines):
                drawing_lines = self.drawing_lines[self.drawing_number]
            self.drawing_number += 1
        box = self.box
        if not isinstance(box, _Challenge):
            return
        box.question_open = False
        box.spaced = True
        box.open_quiz = False  # a question with its own space: a later choice starts a quiz of its own
        if not box.items or not isinstance(box.items[-1], model.Question):
            return
        question = box.items[-1]
        lines = drawing_lines if drawing else _lines_from_height(height, drawing)
        if drawing or lines is not None:
            box.items[-1] = model.Question(question.content, question.sublists, id=question.id,
                                           space="drawing" if drawing else "text", lines=lines, loc=question.loc)

    def _prompt_before(self, challenge: _Challenge | None, default: str | None = None) -> tuple[model.Inlines | None, str | None]:
        """The question just before a table of ticks is its prompt (it has no answer space): take it back."""
        if challenge is None or not challenge.items or challenge.spaced or not isinstance(challenge.items[-1], model.Question):
            return None, None
        question = challenge.items.pop()
        challenge.spaced = True  # the item before it, if a question, had its own space
        anchor = getattr(self, "prompt_anchor", None)
        if default is not None and model.plain_text(question.content) == default:
            return None, anchor
        return question.content, anchor

    def _tick_rows(self, rows: list, fallback: str) -> list[tuple[str, model.Inlines]]:
        out = []
        for raw, anchor in rows:
            content = self.inlines(raw)
            out.append((self.ids.claim(anchor) or self.ids.fresh(model.plain_text(content), fallback), content))
        return out

    def choice(self, piece: Piece) -> None:
        """A choice (issue 13): its numbered prompt "2. Which …? (choose one)" before it, its options in the table."""
        challenge = self.box if isinstance(self.box, _Challenge) else None
        prompt, anchor = self._prompt_before(challenge)
        prompt = prompt or (model.Text("Choose"),)
        prompt, select = _choice_prompt(prompt)
        options = self._tick_rows(piece.data["options"], "option")
        correct = None
        if self.correct_options is not None and self.choice_number < len(self.correct_options):
            correct = self.correct_options[self.choice_number]
        self.choice_number += 1
        choice_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(prompt), "choice")
        if not correct:
            correct = [1]
            # Reported at the end, unless the choice's answer names its correct options (quiz_answers).
            self.choice_places[choice_id] = self.place()
            self.unsure_choices[choice_id] = warning(
                self.where(piece), f"{self.place()}: the document does not say which option of “{model.plain_text(prompt)}” "
                "is correct, so the first is marked correct; check it", "import.guessed")
        choice = model.Choice(choice_id, prompt, tuple(
            model.Option(option_id, content, correct=number in correct)
            for number, (option_id, content) in enumerate(options, start=1)), select=select, loc=self.where(piece))
        if challenge is not None and challenge.open_quiz and isinstance(challenge.items[-1], model.Quiz):
            quiz = challenge.items[-1]
            updated = model.Quiz(quiz.id, quiz.statements, prompt=quiz.prompt, choices=(*quiz.choices, choice), loc=quiz.loc)
            challenge.items[-1] = updated
            self.quizzes[self.quizzes.index(quiz)] = updated
            return
        quiz_prompt, _ = self._prompt_before(challenge)
        base = f"{model.plain_text(challenge.title)} quiz" if challenge and challenge.title else "quiz"
        quiz = model.Quiz(self.ids.fresh(base, "quiz"), (), prompt=quiz_prompt, choices=(choice,), loc=self.where(piece))
        if challenge is not None:
            challenge.items.append(quiz)
            challenge.question_open = False
            challenge.open_quiz = True
            challenge.spaced = True
        else:
            self.add(quiz, piece)
        self.quizzes.append(quiz)

    def checklist(self, piece: Piece) -> None:
        challenge = self._challenge(piece)
        if challenge is None:
            return
        prompt, anchor = self._prompt_before(challenge, default="Tick each one you have done")
        checks = self._tick_rows(piece.data["checks"], "check")
        checklist_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(prompt) or "checklist", "checklist")
        challenge.items.append(model.Checklist(checklist_id, tuple(model.Check(i, c) for i, c in checks), prompt=prompt,
                                               loc=self.where(piece)))
        challenge.spaced, challenge.open_quiz, challenge.question_open = True, False, False

    def rating_scale(self, piece: Piece) -> None:
        challenge = self._challenge(piece)
        if challenge is None:
            return
        prompt, anchor = self._prompt_before(challenge, default="Rate each statement")
        statements = self._tick_rows(piece.data["statements"], "statement")
        scale_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(prompt) or "scale", "scale")
        challenge.items.append(model.RatingScale(
            scale_id, tuple(model.Level(label) for label in piece.data["levels"]),
            tuple(model.RatedStatement(i, c) for i, c in statements), prompt=prompt, loc=self.where(piece)))
        challenge.spaced, challenge.open_quiz, challenge.question_open = True, False, False

    def quiz(self, piece: Piece) -> None:
        challenge = self.box if isinstance(self.box, _Challenge) else None
        prompt = self.inlines(piece.data["prompt"]) if piece.data.get("prompt") is not None else None
        if prompt is None and challenge is not None and self.last_role == "question" and challenge.items:
            last = challenge.items[-1]
            if isinstance(last, model.Question) and not last.sublists:
                challenge.items.pop()
                prompt = last.content
        base = f"{model.plain_text(challenge.title)} quiz" if challenge and challenge.title else "quiz"
        quiz_id = self.ids.fresh(base, "quiz")
        statements = []
        for raw, anchor in piece.data["statements"]:
            content = self.inlines(raw)
            statement_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(content), "statement")
            statements.append(model.Statement(statement_id, content, loc=self.where(piece)))
        quiz = model.Quiz(quiz_id, tuple(statements), prompt=prompt or None, loc=self.where(piece))
        if challenge is not None:
            challenge.items.append(quiz)
            challenge.question_open = False
            challenge.open_quiz = True
            challenge.spaced = True
        else:
            self.add(quiz, piece)
        self.quizzes.append(quiz)

    def quiz_answers(self, piece: Piece) -> None:
        quizzes = self.quizzes
        if not quizzes:
            self.warn(piece, "answers marked TRUE/FALSE but no quiz before them; kept as paragraphs", "import.stray-answers")
            for answer in piece.data["answers"]:
                self.add(model.Paragraph(self.inlines(answer["explanation"])), piece)
            return
        linked = {answer.get("statement_id") for answer in piece.data["answers"]} - {None}
        # The quiz the answers are for: the one holding a statement or choice they link to, else the last.
        quiz = next((q for q in reversed(quizzes) if linked & ({s.id for s in q.statements} | {c.id for c in q.choices})),
                    quizzes[-1])
        by_text = {_key(model.plain_text(s.content)): s.id for s in quiz.statements}
        choice_ids = {c.id for c in quiz.choices}
        answers = []
        for number, answer in enumerate(piece.data["answers"]):
            statement = answer.get("statement_id")
            if statement in choice_ids:
                if statement in self.unsure_choices and answer.get("named"):
                    self.named_correct[statement] = answer["named"]
                answers.append(model.ChoiceAnswer(statement, self.inlines(answer.get("after_dash", answer["explanation"])),
                                                  loc=self.where(piece)))
                continue
            if statement is None and answer.get("statement") is not None:
                statement = by_text.get(_key(ast.text(answer["statement"])))
            if statement is None and number < len(quiz.statements):
                statement = quiz.statements[number].id
                self.warn(piece, f"answer {number + 1} is joined to statement {number + 1} of the quiz by its place, "
                          "not its text", "import.guessed")
            if statement is None:
                self.warn(piece, f"answer {number + 1} matches no statement of the quiz; left out", "import.dropped")
                continue
            answers.append(model.Answer(statement, answer["value"], self.inlines(answer["explanation"]),
                                        qualifier=answer.get("qualifier") or None, loc=self.where(piece)))
        self.add(model.QuizAnswers(quiz.id, tuple(answers), loc=self.where(piece)), piece)

    # --- quotes, definitions, figures (gathered over several pieces) ---------------

    def flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        kind, data = pending
        if kind == "quote":
            self.add(model.Quote(tuple(data["paragraphs"]), attribution=data.get("attribution")))
        elif kind == "definitions":
            if data.get("term") is not None:
                data["entries"].append(model.Definition(data["term"], ()))
            self.add(model.Definitions(tuple(data["entries"])))
        elif kind == "figure":
            caption = data.get("caption")
            alt = data.get("alt")
            text = model.plain_text(caption) if caption else (alt or "figure")
            diagram = None
            if data.get("parts"):
                diagram = model.Diagram(data.get("layout", "layers"), tuple(data["parts"]))
            image = model.Image(data["image"]) if data.get("image") else None
            if image is None and diagram is None and not alt:
                if caption:  # a caption-styled line with no picture: a paragraph, not a figure
                    self.add(model.Paragraph(caption))
                return
            if image is not None and not alt:
                piece = data.get("piece")
                if self.empty_alt_is_decorative and not caption:
                    self.warn(piece, f"left out the picture {data['image']}: its alt text is empty, which in HTML "
                              "means it is decoration", "import.dropped")
                    return
                if caption:
                    alt = model.plain_text(caption)
                    self.warn(piece, "a picture has no alt text, so its caption is used as its description; "
                              "check it says what the picture shows", "import.no-alt")
                else:
                    self.errors.append(error(self.where(piece), f"{self.place()}: a picture has no alt text; describe "
                                             "it (in Word: right-click it, Edit Alt Text) and import again", "import.no-alt"))
            self.add(model.Figure(self.ids.fresh(text, "figure"), caption=caption, alt=alt, image=image,
                                  diagram=diagram, loc=data.get("loc")))

    def _gather(self, kind: str, piece: Piece) -> dict:
        if self.pending is None or self.pending[0] != kind:
            self.flush()
            self.pending = (kind, {"loc": self.where(piece)})
        return self.pending[1]

    def quote(self, piece: Piece) -> None:
        data = self._gather("quote", piece)
        if data.get("attribution") is not None:
            self.flush()
            data = self._gather("quote", piece)
        data.setdefault("paragraphs", []).append(model.Paragraph(self.inlines(piece.inlines)))

    def attribution(self, piece: Piece) -> None:
        if self.pending is None or self.pending[0] != "quote":
            self.flush()
            self.paragraph(piece)
            return
        raw = ast.para_inlines(piece.block) or []
        content = self.inlines(raw)
        if content and isinstance(content[0], model.Text):
            first = content[0].text.lstrip("—").lstrip()
            content = ((model.Text(first),) if first else ()) + content[1:]
        self.pending[1]["attribution"] = content

    def definitions(self, piece: Piece) -> None:
        data = self._gather("definitions", piece)
        entries = data.setdefault("entries", [])
        for term, definitions in piece.block["c"]:
            raw: list = []
            for blocks in definitions:
                for child in blocks:
                    if raw:
                        raw.append({"t": "Space"})
                    raw.extend(ast.para_inlines(child) or [])
            entries.append(model.Definition(self.inlines(term), self.inlines(raw)))
        self.flush()

    def definition_term(self, piece: Piece) -> None:
        data = self._gather("definitions", piece)
        data.setdefault("entries", [])
        if data.get("term") is not None:
            data["entries"].append(model.Definition(data["term"], ()))
        data["term"] = self.inlines(piece.inlines)

    def definition(self, piece: Piece) -> None:
        if self.pending is None or self.pending[0] != "definitions" or self.pending[1].get("term") is None:
            self.flush()
            self.paragraph(piece)
            return
        data = self.pending[1]
        data["entries"].append(model.Definition(data.pop("term"), self.inlines(piece.inlines)))

    def figure_image(self, piece: Piece) -> None:
        self.flush()
        data = self._gather("figure", piece)
        self.images.clear()
        self.inlines(piece.inlines, pictures=True)
        if self.images:
            src, alt, title = self.images[-1]
            data["image"] = src
            data["alt"] = alt or None
            if title:  # Markdown's ![alt](file "caption")
                data["caption"] = (model.Text(title),)
            data["piece"] = piece

    def caption(self, piece: Piece) -> None:
        if self.pending and self.pending[0] == "figure" and self.pending[1].get("image") and not self.pending[1].get("caption"):
            self.pending[1]["caption"] = self.inlines(piece.inlines)
            return
        self.flush()
        self._gather("figure", piece)["caption"] = self.inlines(piece.inlines)

    def figure_description(self, piece: Piece) -> None:
        if self.pending and self.pending[0] == "figure" and self.pending[1].get("alt") is None:
            self.pending[1]["alt"] = model.plain_text(self.inlines(piece.inlines))
            return
        self.flush()
        self.paragraph(piece)

    def diagram_part(self, piece: Piece) -> None:
        data = self._gather("figure", piece)
        data.setdefault("parts", []).append(model.DiagramPart(piece.data["part"], ast.text(piece.inlines)))
        data["layout"] = "layers"

    def cycle_note(self, piece: Piece) -> None:
        if self.pending and self.pending[0] == "figure" and self.pending[1].get("layout") == "sequence":
            self.pending[1]["layout"] = "cycle"
            return
        self.flush()
        self.paragraph(piece)

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


TWIPS_PER_LINE, ANSWER_HEIGHT, DRAWING_HEIGHT = 400, 1701, 6804  # render/docx/answers.py's sizes


def _lines_from_height(height: int | None, drawing: bool) -> int | None:
    """An answer space's `lines` from its row height: lines × 400 twips, or the usual height (None)."""
    if height is None or height == (DRAWING_HEIGHT if drawing else ANSWER_HEIGHT):
        return None
    if not drawing and height == ANSWER_HEIGHT // 3:
        return 1
    return height // TWIPS_PER_LINE if height % TWIPS_PER_LINE == 0 else None


CHOICE_HINTS = {" (choose one)": "one", " (choose all that apply)": "many"}


def _choice_prompt(prompt: model.Inlines) -> tuple[model.Inlines, str]:
    """A choice's prompt as written in Word, "2. Which …? (choose one)", less its number and hint; and its select."""
    items = list(prompt)
    select = "one"
    if items and isinstance(items[0], model.Text):
        items[0] = model.Text(re.sub(r"^\d+\.\s*", "", items[0].text))
    if items and isinstance(items[-1], model.Text):
        for hint, value in CHOICE_HINTS.items():
            if items[-1].text.endswith(hint):
                items[-1] = model.Text(items[-1].text[: -len(hint)])
                select = value
                break
    return tuple(item for item in items if not (isinstance(item, model.Text) and not item.text)), select


def _all_bold(blocks: list) -> bool:
    inlines = [node for block in blocks for node in (ast.para_inlines(block) or [])]
    return bool(inlines) and ast.only_styled(inlines, {"Strong"}, tags=("Strong",))


def _as_header(cell: model.TableCell, header: bool) -> model.TableCell:
    if not header or cell.header:
        return cell
    # A row header's text is the header itself: the bold that marked it goes.
    content = cell.content[0].content if len(cell.content) == 1 and isinstance(cell.content[0], model.Strong) else cell.content
    return model.TableCell(content, cell.blocks, header=True)


def _undiv(block: dict) -> list[dict]:
    """A styled Div holding several blocks, as its blocks (docx+styles wraps paragraphs one by one)."""
    if block["t"] == "Div" and "custom-style" in ast.attr_pairs(block["c"][0]) and len(block["c"][1]) > 1:
        return list(block["c"][1])
    return [block]


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()
