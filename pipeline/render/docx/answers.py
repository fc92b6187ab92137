"""More ways to answer in Word (issue 13): choices, checklists, rating scales and drawing spaces.

Each is a table of content-control check boxes (w14:checkbox, as the true/false
quiz uses), so the document can be filled in on screen or on paper; a drawing
question gets an empty bordered box instead of a text control. The handlers
take the WordWriter and are registered in its table one line each.
"""
from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from ... import model
from ...i18n import N_
from .paragraphs import Context
from .styles import ANSWER_SPACE, BOX_STYLES, QUIZ_TABLE

DRAWING_LABEL = N_("Your drawing")  # in English; shown in the document's language
TWIPS_PER_LINE = 400  # a line of the answer space's text, with its spacing (about 0.7 cm)
DRAWING_HEIGHT = 6804  # twips: 12 cm, room for a diagram on an A4 page
ANSWER_HEIGHT = 1701  # twips: 3 cm, the text answer space's usual height (quiz.py)


def _prompt(writer, ctx: Context, content: model.Inlines | None) -> None:
    if content:
        style = "Challenge Question" if ctx.box_style == BOX_STYLES["challenge"] else (ctx.box_style or "Normal")
        writer.set_keep_next(writer.text_paragraph(ctx, style, content))


def _tick_table(writer, ctx: Context, headings: list[str], widths: list[int], rows: list[tuple[str | None, model.Inlines, list[tuple[str, str]]]]):
    """A table: a heading row, then per row its text and one check box per further column (alias, tag)."""
    table = writer.table(ctx, QUIZ_TABLE, widths, rows=1 + len(rows))
    for column, heading in enumerate(headings):
        writer.run(writer.cell_paragraph(table.cell(0, column), "Table Heading")._p, heading)
    for row, (bookmark, content, boxes) in enumerate(rows, start=1):
        if bookmark:
            writer.pending.append(bookmark)
        paragraph = writer.cell_paragraph(table.cell(row, 0), "Table Text")
        writer.inlines(paragraph._p, content)
        writer.finish_paragraph(paragraph)
        for column, (alias, tag) in enumerate(boxes, start=1):
            writer.checkbox(writer.cell_paragraph(table.cell(row, column), "Quiz Tick"), alias, tag)
    return table


def choices(writer, node: model.Quiz, ctx: Context) -> None:
    """Each choice of a quiz: its numbered prompt, then its options with a check box each."""
    for number, choice in enumerate(node.choices, start=len(node.statements) + 1):
        writer.pending.append(choice.id)
        _ = writer.doc.gettext
        hint = _("choose one") if choice.select == "one" else _("choose all that apply")
        _prompt(writer, ctx, (model.Text(f"{number}. "), *choice.prompt, model.Text(f" ({hint})")))
        rows = [(option.id, option.content, [(model.plain_text(option.content).strip(), f"{choice.id}:{option.id}")])
                for option in choice.options]
        _tick_table(writer, ctx, [_("Option"), _("Your choice")], [80, 20], rows)


# A custom document property (publication.py writes it) naming each choice's correct options,
# which the Word page leaves for the reader to find: per choice in document order, the numbers
# of its correct options ("1; 1 3"). pipeline/importer reads it back.
CORRECT_OPTIONS_PROPERTY = "Correct options"


# Likewise each drawing question's `lines` (its notes box on screen), which the drawing box's
# height hides below 17 lines (the box is never under 12 cm): per drawing question, "-" for none.
DRAWING_LINES_PROPERTY = "Drawing space lines"


def import_properties(workbook: model.Workbook) -> dict[str, str]:
    """The custom document properties the importer needs to give back what the page does not show."""
    properties = {}
    choices = [node for node in model.walk(workbook) if isinstance(node, model.Choice)]
    if choices:
        properties[CORRECT_OPTIONS_PROPERTY] = "; ".join(
            " ".join(str(number) for number, option in enumerate(choice.options, start=1) if option.correct)
            for choice in choices)
    drawings = [node for node in model.walk(workbook) if isinstance(node, model.Question) and node.space == "drawing"]
    if drawings:
        properties[DRAWING_LINES_PROPERTY] = "; ".join(str(q.lines) if q.lines else "-" for q in drawings)
    return properties


def checklist(writer, node: model.Checklist, ctx: Context) -> None:
    writer.pending.append(node.id)
    _ = writer.doc.gettext
    _prompt(writer, ctx, node.prompt or (model.Text(_("Tick each one you have done")),))
    rows = [(check.id, check.content, [(model.plain_text(check.content).strip(), check.id)]) for check in node.checks]
    _tick_table(writer, ctx, ["", _("Done")], [85, 15], rows)


def rating_scale(writer, node: model.RatingScale, ctx: Context) -> None:
    """A table: a statement a row, a level a column, a check box in every cell."""
    writer.pending.append(node.id)
    _ = writer.doc.gettext
    _prompt(writer, ctx, node.prompt or (model.Text(_("Rate each statement")),))
    levels = [level.label for level in node.levels]
    share = 60 // len(levels)  # the statements take the other 40 % (or a little more)
    rows = [
        (statement.id, statement.content,
         [(f"{label}: {model.plain_text(statement.content).strip()}", f"{statement.id}:{number}") for number, label in enumerate(levels, start=1)])
        for statement in node.statements
    ]
    _tick_table(writer, ctx, [_("Statement"), *levels], [100 - share * len(levels), *[share] * len(levels)], rows)


def drawing_space(writer, ctx: Context, question: model.Question) -> None:
    """An empty bordered box to draw in: a header row naming it, and a tall empty cell."""
    table = writer.table(ctx, ANSWER_SPACE, [1], rows=2)
    writer.run(writer.cell_paragraph(table.cell(0, 0), "Answer Space Label")._p, writer.doc.gettext(DRAWING_LABEL))
    height = max(DRAWING_HEIGHT, (question.lines or 0) * TWIPS_PER_LINE)
    table.rows[1]._tr.get_or_add_trPr().append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{height}" w:hRule="atLeast"/>'))
    writer.cell_paragraph(table.cell(1, 0), "Answer Space Text")


def answer_space_height(question: model.Question) -> int:
    """The text answer space's height in twips: `lines` lines, or the usual height."""
    return ANSWER_HEIGHT if question.lines is None else max(ANSWER_HEIGHT // 3, question.lines * TWIPS_PER_LINE)


def choice_answer(writer, answer: model.ChoiceAnswer, ctx: Context, num_id) -> None:
    """A choice's entry in the numbered answers: its prompt (linked back), its correct options, the explanation."""
    from .quiz import answer_key

    choice = writer.doc.targets.get(answer.choice)
    writer.pending.append(answer_key(answer.choice))
    paragraph = writer.new_paragraph(ctx, ctx.box_style or "Quiz Answer")
    writer.numbering.apply(paragraph, num_id, 0)
    if isinstance(choice, model.Choice):
        link = writer.internal_link(paragraph._p, choice.id)
        writer.inlines(link, choice.prompt, link=True)
        paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:br/></w:r>'))
        writer.run(paragraph._p, "; ".join(model.plain_text(option.content).strip() for option in choice.options if option.correct), strong=True)
        writer.run(paragraph._p, " – ")
    writer.inlines(paragraph._p, answer.explanation)
    writer.finish_paragraph(paragraph)
    return paragraph
