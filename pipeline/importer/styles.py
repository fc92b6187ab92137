"""Our own Word output read back: each named style names the role it was written for.

The style names are the Word renderer's (pipeline/render/docx.py, and the
reference document templates/docx/reference.docx). Inside a typed box every
paragraph takes the box's style, so there a role shows by its character style
(a quotation in Quote Char, a definition term in Definition Term Char, a
subsection title in Strong, a caption in Emphasis), as the renderer writes it.
"""
from __future__ import annotations

import re

from . import pandoc_ast as ast
from .assemble import INHERIT, Piece

KIND_OF_BOX = {
    "Guidance Box": "guidance",
    "Challenge Box": "challenge",
    "Case Study Box": "case-study",
    "Tip Box": "tip",
    "Useful Links Box": "useful-links",
}
KIND_OF_LABEL = {style.replace(" Box", " Label"): kind for style, kind in KIND_OF_BOX.items()}
# The label a reader sees, as pipeline.resolve writes it: "Challenge 3", "Case study".
LABEL_TEXT = re.compile(r"^(?:Guidance|Challenge(?: \d+)?|Case study|Hints and tips|Useful links)(?: – (?P<title>.*))?$", re.DOTALL)

# Paragraph styles that carry one role wherever they are.
ROLE_OF_STYLE = {
    "Normal": "paragraph", "Body Text": "paragraph", "First Paragraph": "paragraph", "Compact": "paragraph",
    "Challenge Question": "question",
    "Quote": "quote", "Quote Attribution": "attribution",
    "Definition Term": "definition-term", "Definition": "definition",
    "Figure": "figure-image", "caption": "caption", "Caption": "caption", "Image Caption": "caption",
    "Figure Description": "figure-description",
    "Video": "video",
    "Summary": "meta", "Publisher": "meta", "Publication Detail": "meta",
    "TOC Heading": "skip", "Council Name": "skip", "Contact Box": "skip", "Contact Heading": "skip",
    "Title": "skip", "Subtitle": "skip",
}
TABLE_ROLES = {"QuizTable": "quiz", "AnswerSpace": "answer-space", "WorkbookTable": "table"}
TOC_PLACEHOLDER = "The table of contents appears here when fields are updated"
CYCLE_NOTE = re.compile(r"^Then the cycle starts again at “.*”\.$")
ANSWER_HEAD = re.compile(r"^(?P<value>True|False)(?: \((?P<qualifier>[^)]*)\))? – ", re.DOTALL)


def is_our_word(doc_ast: dict) -> bool:
    """Whether a DOCX uses our named styles (a label or box style appears)."""
    styles = set()

    def visit(blocks) -> None:
        for block in blocks:
            style = ast.style_of(block)
            if style:
                styles.add(style)
    visit(doc_ast["blocks"])
    return bool(styles & (set(KIND_OF_BOX) | set(KIND_OF_LABEL)))


def pieces(blocks: list[dict]) -> list[Piece]:
    """Give every top-level block of our own Word output its role."""
    out: list[Piece] = []
    box_kind: str | None = None
    in_contact = False
    for block in join_steps(blocks):
        kind = block["t"]
        style = ast.style_of(block)
        if kind == "Header":
            level, attr, title = block["c"]
            if "Contact-Heading" in attr[1]:
                in_contact = True  # the brand's end page: not the workbook's text
                continue
            in_contact = False
            box_kind = None
            out.append(Piece("heading", block, title=title, level=level))
            continue
        if in_contact:
            continue
        if style and style.lower().startswith("toc "):
            continue  # the contents list written out at build time (issue 12): made again from the headings
        if style in KIND_OF_LABEL:
            box_kind = KIND_OF_LABEL[style]
            inlines = ast.para_inlines(block) or []
            label = ast.text(inlines)
            match = LABEL_TEXT.match(label)
            title = _after_dash(inlines) if match and match.group("title") else None
            anchor = next((ast.bookmark_id(a) for a in ast.anchors(inlines)), None)
            out.append(Piece("label", block, kind=box_kind, title=title, data={"id": anchor}))
            continue
        if style in KIND_OF_BOX:
            out.append(_box_paragraph(block, KIND_OF_BOX[style]))
            continue
        if kind in ("BulletList", "OrderedList"):
            first = _first_item_style(block)
            if first == "Quiz Answer":
                out.append(_quiz_answers(block))
            else:
                out.append(Piece("list", block, kind=KIND_OF_BOX.get(first or "")))
            continue
        if kind == "Table":
            role = TABLE_ROLES.get(style or "")
            if role == "quiz":
                out.append(_answer_table(block))
            elif role == "answer-space":
                head_rows, _ = ast.table_rows(block)
                label = ast.text(head_rows[0][0]) if head_rows and head_rows[0] else ""
                out.append(Piece("answer-space", block, kind="challenge", data={"drawing": label == "Your drawing"}))
            elif role == "table":
                # Outside a box the caption is the table's own; in a box it is the box-styled line before it.
                captioned = bool(ast.table_caption(block))
                out.append(Piece("table", block, kind=None if captioned else INHERIT))
            else:
                out.append(Piece("unknown", block, data={"what": "a table (tables are not a block kind yet)"}))
            continue
        if kind == "DefinitionList":
            out.append(Piece("definitions", block))
            continue
        if style == "Normal" and ast.text(ast.para_inlines(block) or []).startswith(TOC_PLACEHOLDER):
            continue
        if style in ("Diagram Layer", "Diagram Divider"):
            out.append(Piece("diagram-part", block, data={"part": "node" if style == "Diagram Layer" else "divider"}))
            continue
        role = ROLE_OF_STYLE.get(style or "")
        if role == "meta":
            out.append(Piece("meta", block, data={"field": style.lower()}))
        elif role == "figure-description" and CYCLE_NOTE.match(ast.text(ast.para_inlines(block) or [])):
            out.append(Piece("cycle-note", block))
        elif role == "question":
            out.append(Piece(role, block, kind="challenge"))
        elif role:
            out.append(Piece(role, block))
        elif kind in ("Para", "Plain") or (kind == "Div" and ast.para_inlines(block) is not None):
            out.append(Piece("paragraph", block, guess=f"a paragraph in the style “{style}”, which is not one of ours, is kept as a paragraph" if style else None))
        else:
            out.append(Piece("unknown", block))
    return out


CONTINUE_STYLES = ("List Continue", "List Continue 2", "List Continue 3")


def join_steps(blocks: list[dict]) -> list[dict]:
    """Put numbered steps back together: pandoc ends a Word list at each step's continuation.

    The renderer (render/docx/tables.py) writes a step as its numbered first paragraph, then
    "List Continue" paragraphs, deeper lists and tables; pandoc reads those as blocks after a
    one-item list, and the next step as a new list starting at the next number. A run of such
    blocks between two parts of one list, or one opening with a continuation paragraph after
    the list's last item, goes back into the item before it.
    """
    out: list[dict] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if block["t"] != "OrderedList" or _first_item_style(block) not in ("List Number", "List Number 2", "List Number 3"):
            out.append(block)
            continue
        style = _first_item_style(block)
        items = [list(item) for item in block["c"][1]]
        while True:
            run = []
            look = index
            while look < len(blocks) and _continues_a_step(blocks[look], style):
                run.append(blocks[look])
                look += 1
            following = blocks[look] if look < len(blocks) else None
            if (following is not None and following["t"] == "OrderedList" and _first_item_style(following) == style
                    and following["c"][0][0] == len(items) + 1):
                items[-1].extend(run)
                items.extend(list(item) for item in following["c"][1])
                index = look + 1
                continue
            if run and ast.style_of(run[0]) in CONTINUE_STYLES:
                items[-1].extend(run)
                index = look
            break
        out.append({**block, "c": [block["c"][0], items]})
    return out


def _continues_a_step(block: dict, style: str) -> bool:
    if ast.style_of(block) in CONTINUE_STYLES:
        return True
    if block["t"] == "Table":
        return ast.style_of(block) == "WorkbookTable"
    if block["t"] in ("BulletList", "OrderedList"):
        first = _first_item_style(block) or ""
        return first[-1:].isdigit() and first[-1:] > (style[-1:] if style[-1:].isdigit() else "1")
    return False


def _box_paragraph(block: dict, kind: str) -> Piece:
    """A paragraph in a box's style: its character styles say what it is."""
    inlines = ast.para_inlines(block) or []
    words = ast.text(inlines)
    if inlines and any(node["t"] == "Image" for node in inlines):
        return Piece("figure-image", block, kind=kind)
    if ast.only_styled(inlines, {"Quote Char"}):
        return Piece("quote", block, kind=kind, data={"inlines": _unstyled(inlines)})
    if words.startswith("— "):
        return Piece("attribution", block, kind=kind)
    if ast.only_styled(inlines, {"Definition Term Char"}):
        return Piece("definition-term", block, kind=kind, data={"inlines": _unstyled(inlines)})
    if ast.only_styled(inlines, {"Strong"}):
        return Piece("subheading", block, kind=kind, title=_unstyled(inlines))
    if ast.only_styled(inlines, {"Emphasis"}):
        return Piece("caption", block, kind=kind, data={"inlines": _unstyled(inlines)})
    if CYCLE_NOTE.match(words):
        return Piece("cycle-note", block, kind=kind)
    return Piece("paragraph", block, kind=kind)


def _unstyled(inlines: list) -> list:
    """The content of the character-style Spans, without them (a title in Strong is plain text)."""
    out = []
    for node in inlines:
        if node["t"] == "Span" and ast.attr_pairs(node["c"][0]).get("custom-style"):
            out.extend(node["c"][1])
        elif not (node["t"] == "Span" and "anchor" in node["c"][0][1]):
            out.append(node)
    return out


def _after_dash(inlines: list) -> list:
    """The title in a label "Challenge 3 – Title": the inlines after the first en dash."""
    for index, node in enumerate(inlines):
        if node["t"] == "Str" and node["c"] == "–":
            return inlines[index + 1:]
        if node["t"] == "Str" and node["c"].startswith("–"):
            rest = node["c"][1:]
            return ([{"t": "Str", "c": rest}] if rest else []) + inlines[index + 1:]
    return inlines


def _before_dash(inlines: list) -> list[str]:
    """The option names a choice's answer starts with ("Blue; Rain – …"), as render/docx/answers.py writes them."""
    head = []
    for node in inlines:
        if node["t"] == "Str" and node["c"].startswith("–"):
            break
        head.append(node)
    else:
        return []
    return [name.strip() for name in ast.text(head).split(";") if name.strip()]


def _first_item_style(block: dict) -> str | None:
    items = block["c"][1] if block["t"] == "OrderedList" else block["c"]
    for item in items:
        for child in item:
            style = ast.style_of(child)
            if style:
                return style
    return None


def _answer_table(table: dict) -> Piece:
    """A QuizTable: true/false statements, a choice's options, a checklist or a rating scale, told by its head row."""
    head_rows, body_rows = ast.table_rows(table)
    headings = [ast.text(cell) for cell in head_rows[0]] if head_rows else []
    first_cells = []
    for row in body_rows:
        inlines = [node for block in (row[0] if row else []) for node in (ast.para_inlines(block) or [])]
        anchor = next((ast.bookmark_id(a) for a in ast.anchors(inlines)), None)
        first_cells.append((inlines, anchor))
    if headings == ["Option", "Your choice"]:  # render/docx/answers.py's head rows
        return Piece("choice", table, kind="challenge", data={"options": first_cells})
    if headings == ["", "Done"]:
        return Piece("checklist", table, kind="challenge", data={"checks": first_cells})
    if headings[:1] == ["Statement"] and headings != ["Statement", "True", "False"]:
        return Piece("rating-scale", table, kind="challenge", data={"levels": headings[1:], "statements": first_cells})
    return Piece("quiz", table, kind="challenge", data={"statements": _statements(table)})


def _statements(table: dict) -> list[tuple[list, str | None]]:
    """The statements of a quiz table: the first cell of each body row, less its "(answer)" link."""
    statements = []
    for body in table["c"][4]:
        for row in body[3]:
            cell = row[1][0]
            inlines = []
            for block in cell[4]:
                inlines.extend(ast.para_inlines(block) or [])
            anchor = next((ast.bookmark_id(a) for a in ast.anchors(inlines)), None)
            kept = [node for node in inlines if not (node["t"] == "Link" and ast.text(node["c"][1]) == "(answer)")]
            statements.append((kept, anchor))
    return statements


def _quiz_answers(block: dict) -> Piece:
    """Quiz answers as the renderer writes them: statement link, line break, True/False (qualifier) – explanation."""
    answers = []
    for item in block["c"][1]:
        inlines: list = []
        for child in item:
            inlines.extend(ast.para_inlines(child) or [])
        statement_id = None
        statement = None
        rest = inlines
        for index, node in enumerate(inlines):
            if node["t"] == "LineBreak":
                head, rest = inlines[:index], inlines[index + 1:]
                for part in head:
                    if part["t"] == "Link" and part["c"][2][0].startswith("#"):
                        statement_id = ast.bookmark_id(part["c"][2][0][1:])
                        statement = part["c"][1]
                break
        words = ast.text(rest)
        match = ANSWER_HEAD.match(words)
        value, qualifier = (match.group("value") == "True", match.group("qualifier")) if match else (True, None)
        explanation = _after_dash(rest) if match else rest
        answers.append({"statement_id": statement_id, "statement": statement, "value": value,
                        "qualifier": qualifier, "explanation": explanation,
                        "after_dash": _after_dash(rest),  # a choice's answer: "Blue; Rain – explanation"
                        "named": _before_dash(rest)})
    return Piece("quiz-answers", block, data={"answers": answers})
