"""An author's plain document: headings, and labels in their wording, say what each part is.

A heading or a bold first line reading "Guidance – …", "Challenge [N] – …",
"Case study – …", "Hints and tips – …" or "Useful links" opens that typed box,
which runs to the next heading of the same or a higher level, or the next label.
Inside a challenge, paragraphs ending in "?" and a "Take a moment to consider"
paragraph with its list are questions; a list under a paragraph saying "true or
false" is the quiz, and "TRUE – …" / "FALSE – …" paragraphs later are its answers.
Every one of these is a guess from wording, so each is reported.
"""
from __future__ import annotations

import re

from . import pandoc_ast as ast
from .assemble import INHERIT, Piece

LABEL = re.compile(
    r"^(?P<label>guidance|challenge(?:\s+\d+)?|case\s+study|hints\s+and\s+tips|useful\s+links)\s*"
    r"(?:[–—:-]\s*(?P<title>.*\S))?\s*$", re.IGNORECASE | re.DOTALL)
KINDS = {"guidance": "guidance", "challenge": "challenge", "case study": "case-study",
         "hints and tips": "tip", "useful links": "useful-links"}
ANSWER = re.compile(r"^(?P<value>true|false)\b\s*(?:\((?P<qualifier>[^)]*)\))?\s*[–—:-]\s*", re.IGNORECASE)
CONSIDER = re.compile(r"^take a moment to consider", re.IGNORECASE)
CAPTION_STYLES = {"Caption", "Image Caption", "caption"}
QUOTE_STYLES = {"Quote", "Intense Quote", "Block Text"}
TRUE_OR_FALSE = re.compile(r"\btrue or false\b", re.IGNORECASE)


def label_kind(words: str) -> tuple[str, str | None] | None:
    match = LABEL.match(words)
    if not match:
        return None
    label = re.sub(r"\s+", " ", match.group("label").lower())
    kind = "challenge" if label.startswith("challenge") else KINDS[label]
    return kind, match.group("title")


class LabelReader:
    """Walk the blocks, tracking which typed box is open, and give each its role."""

    def __init__(self) -> None:
        self.out: list[Piece] = []
        self.kind: str | None = None  # the typed box open now
        self.statements: list[str] = []  # the last quiz's statements, to join answers to

    def read(self, blocks: list[dict]) -> list[Piece]:
        index = 0
        while index < len(blocks):
            index += self.block(blocks, index)
        return self.out

    def emit(self, role: str, block: dict | None, **fields) -> None:
        fields.setdefault("kind", INHERIT)
        self.out.append(Piece(role, block, line=block.get("_line") if block else None, **fields))

    def block(self, blocks: list[dict], index: int) -> int:
        """Read the block at `index` (and any it owns after it); return how many were read."""
        block = blocks[index]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        kind = block["t"]
        if kind == "Header":
            level, _, title = block["c"]
            words = ast.text(title)
            found = label_kind(words)
            if found:
                self.open(block, found, title, level, f"the heading “{words}” is read as a {found[0]} label")
            else:
                self.kind = None
                self.emit("heading", block, title=title, level=level, kind=None)
            return 1
        inlines = ast.para_inlines(block)
        if block["t"] in ("Para", "Plain") and inlines is not None:
            return self.paragraph(block, inlines, following)
        if kind in ("BulletList", "OrderedList"):
            return self.list_block(block)
        if kind == "BlockQuote":
            for child in block["c"]:
                if ast.para_inlines(child) is not None:
                    words = ast.text(ast.para_inlines(child))
                    self.emit("attribution" if words.startswith(("—", "–")) else "quote", child)
            return 1
        if kind == "DefinitionList":
            self.emit("definitions", block)
            return 1
        if kind == "Div":
            return self.div(block)
        if kind == "Table":
            # pandoc Markdown's caption line under a table, ": Caption" or "Table: Caption", which CommonMark
            # reads as a paragraph of its own
            caption = _caption_line(following) if following is not None and not ast.table_caption(block) else None
            if caption is not None:
                attr, _, *rest = block["c"]
                block = {**block, "c": [attr, [None, [{"t": "Plain", "c": caption}]], *rest]}
            self.emit("table", block)
            return 2 if caption is not None else 1
        if kind == "Figure":  # pandoc's figure: a picture with a caption, or (HTML) anything in <figure>
            attr, caption, body = block["c"]
            caption_inlines = [node for child in caption[1] for node in (ast.para_inlines(child) or [])]
            alts = [ast.text(node["c"][1]) for child in body for node in (ast.para_inlines(child) or []) if node["t"] == "Image"]
            if not alts:
                index = 0
                while index < len(body):
                    index += self.block(body, index)
                if caption_inlines:
                    self.emit("paragraph", {"t": "Para", "c": caption_inlines, "_line": block.get("_line")})
                return 1
            for child in body:
                if ast.para_inlines(child) is not None:
                    self.emit("figure-image", {**child, "_line": block.get("_line")})
            if caption_inlines and ast.text(caption_inlines) not in alts:  # Markdown's caption is the alt text again
                self.emit("caption", {"t": "Para", "c": caption_inlines, "_line": block.get("_line")})
            return 1
        if kind == "HorizontalRule":
            return 1
        self.emit("unknown", block)
        return 1

    def div(self, block: dict) -> int:
        """A plain Div (an HTML <div>): its blocks, in the box open now."""
        children = block["c"][1]
        index = 0
        while index < len(children):
            index += self.block(children, index)
        return 1

    def open(self, block, found, title_inlines, level: int, guess: str | None) -> None:
        kind, title = found
        self.kind = kind
        self.emit("label", block, kind=kind, title=_title_part(title_inlines) if title else None, level=level, guess=guess)

    def paragraph(self, block: dict, inlines: list, following: dict | None) -> int:
        words = ast.text(inlines)
        bold_label = _bold_first_line(inlines)
        if bold_label is not None:
            found = label_kind(ast.text(bold_label[0]))
            if found:
                self.open(block, found, bold_label[0], 0, f"the bold line “{ast.text(bold_label[0])}” is read as a {found[0]} label")
                if bold_label[1]:
                    self.emit("paragraph", {"t": "Para", "c": bold_label[1], "_line": block.get("_line")})
                return 1
        style = block.get("_style")
        if style in CAPTION_STYLES:
            self.emit("caption", block)
            return 1
        if style in QUOTE_STYLES:
            self.emit("attribution" if words.startswith(("—", "–")) else "quote", block)
            return 1
        visible = [node for node in inlines if node["t"] not in ("Space", "SoftBreak", "LineBreak")]
        if visible and all(node["t"] == "Image" for node in visible):
            self.emit("figure-image", block)
            return 1
        answer = ANSWER.match(words)
        if answer and self.statements:
            return self.answers(block)
        is_list = following is not None and following["t"] in ("BulletList", "OrderedList")
        if TRUE_OR_FALSE.search(words) and is_list:
            statements = [(_item_inlines(item), None) for item in _items(following)]
            self.statements = [ast.text(raw) for raw, _ in statements]
            self.emit("quiz", block, data={"prompt": inlines, "statements": statements},
                      guess=f"the list under “{words}” is read as a true-or-false quiz of {len(statements)} statements")
            return 2
        if self.kind == "challenge":
            if CONSIDER.match(words) and is_list:
                self.emit("question", block, data={"sublists": [following]},
                          guess=f"“{_short(words)}” and its list are read as a question")
                return 2
            if words.endswith("?"):
                self.emit("question", block, guess=f"“{_short(words)}” is read as a question (it ends in '?')")
                return 1
        self.emit("paragraph", block)
        return 1

    def list_block(self, block: dict) -> int:
        items = _items(block)
        if self.kind == "challenge" and items and all(ast.text(_item_inlines(item)).endswith("?") for item in items):
            for item in items:
                self.emit("question", {"t": "Para", "c": _item_inlines(item), "_line": block.get("_line")},
                          guess=self.question_guess(item))
            return 1
        if self.statements and items and all(ANSWER.match(ast.text(_item_inlines(item))) for item in items):
            self.answers_from([{"t": "Para", "c": _item_inlines(item)} for item in items], block)
            return 1
        self.emit("list", block)
        return 1

    def question_guess(self, item) -> str | None:
        return f"the list item “{_short(ast.text(_item_inlines(item)))}” is read as a question (it ends in '?')"

    def answers(self, block: dict) -> int:
        self.answers_from([block], block)
        return 1

    def answers_from(self, paragraphs: list[dict], block: dict) -> None:
        """TRUE/FALSE paragraphs: join each to the statement whose text comes before it (or by order)."""
        answers = []
        previous = self.out[-1] if self.out else None
        statement = None
        if previous is not None and previous.role == "paragraph" and _matches(ast.text(previous.inlines), self.statements):
            statement = previous.inlines
            self.out.pop()
        for paragraph in paragraphs:
            inlines = ast.para_inlines(paragraph) or []
            head, rest = _split_line_break(inlines)
            if rest is not None and _matches(ast.text(head), self.statements):
                statement, inlines = head, rest
            match = ANSWER.match(ast.text(inlines))
            answers.append({"statement": statement, "value": match.group("value").lower() == "true",
                            "qualifier": match.group("qualifier"), "explanation": _strip_answer_head(inlines)})
            statement = None
        if self.out and self.out[-1].role == "quiz-answers":
            self.out[-1].data["answers"].extend(answers)
            return
        self.emit("quiz-answers", block, data={"answers": answers},
                  guess="paragraphs starting TRUE or FALSE are read as the quiz's answers")


def pieces(blocks: list[dict]) -> list[Piece]:
    from .styles import join_steps  # Word's List Continue paragraphs under numbered items are steps, by style

    return LabelReader().read(flatten_styles(join_steps(blocks)))


def flatten_styles(blocks: list[dict]) -> list[dict]:
    """Take the blocks out of the Divs docx+styles wraps each styled paragraph in, keeping the style as `_style`."""
    out: list[dict] = []
    for block in blocks:
        if block["t"] == "Div" and "custom-style" in ast.attr_pairs(block["c"][0]) and not block["c"][0][1]:
            style = ast.attr_pairs(block["c"][0])["custom-style"]
            for child in flatten_styles(block["c"][1]):
                child = dict(child)
                child.setdefault("_style", style)
                out.append(child)
            continue
        if block["t"] == "BulletList":
            block = {**block, "c": [flatten_styles(item) for item in block["c"]]}
        elif block["t"] == "OrderedList":
            block = {**block, "c": [block["c"][0], [flatten_styles(item) for item in block["c"][1]]]}
        elif block["t"] == "BlockQuote":
            block = {**block, "c": flatten_styles(block["c"])}
        out.append(block)
    return out


TABLE_CAPTION = re.compile(r"^(?:Table)?:\s+")


def _caption_line(block: dict) -> list | None:
    """The inlines after ": " or "Table: " of a paragraph that is a table's caption, else None."""
    inlines = ast.para_inlines(block) if block["t"] in ("Para", "Plain") else None
    if not inlines or not TABLE_CAPTION.match(ast.text(inlines) + " "):
        return None
    first = inlines[0]
    rest = inlines[1:]
    if first["t"] == "Str" and first["c"] in (":", "Table:"):
        return [node for node in rest if node["t"] not in ("Space", "SoftBreak")][:1] and _lstrip(rest)
    return None


def _lstrip(inlines: list) -> list:
    while inlines and inlines[0]["t"] in ("Space", "SoftBreak"):
        inlines = inlines[1:]
    return inlines


def _matches(words: str, statements: list[str]) -> bool:
    key = re.sub(r"[\W_]+", " ", words.casefold()).strip()
    return any(re.sub(r"[\W_]+", " ", s.casefold()).strip() == key for s in statements)


def _split_line_break(inlines: list):
    for index, node in enumerate(inlines):
        if node["t"] == "LineBreak":
            return inlines[:index], inlines[index + 1:]
    return inlines, None


def _strip_answer_head(inlines: list) -> list:
    """The explanation after "TRUE (qualifier) – "."""
    for index, node in enumerate(inlines):
        if node["t"] == "Str" and (node["c"] in ("–", "—", "-", ":") or node["c"].endswith((":", "–"))):
            if ANSWER.match(ast.text(inlines[:index + 1]) + " "):
                return inlines[index + 1:]
    return inlines


def _items(block: dict) -> list:
    return block["c"][1] if block["t"] == "OrderedList" else block["c"]


def _item_inlines(item: list) -> list:
    out: list = []
    for child in item:
        inlines = ast.para_inlines(child)
        if inlines is not None:
            if out:
                out.append({"t": "Space"})
            out.extend(inlines)
    return out


MAX_LABEL_LENGTH = 150


def _bold_first_line(inlines: list):
    """A first line that starts in bold ("**Challenge 1** – Title", or all bold): (its inlines, the rest) or None."""
    first = [node for node in inlines if node["t"] not in ("Space", "SoftBreak")][:1]
    if not first or first[0]["t"] != "Strong":
        return None
    head, rest = _split_line_break(inlines)
    if len(ast.text(head)) > MAX_LABEL_LENGTH:
        return None
    bold = [node for node in head if node["t"] not in ("Space", "SoftBreak")]
    if len(bold) == 1:
        return bold[0]["c"], rest or []
    return head, rest or []


def _title_part(inlines: list) -> list:
    """The title after the label's dash or colon: "Challenge 2 – Your council" -> "Your council"."""
    for index, node in enumerate(inlines):
        if node["t"] == "Str" and node["c"] in ("–", "—", "-", ":"):
            return inlines[index + 1:]
        if node["t"] == "Str" and node["c"].endswith(":"):
            return inlines[index + 1:]
    return inlines


def _short(words: str) -> str:
    return words if len(words) <= 60 else words[:57] + "…"
