"""What a reader answers in: the true/false quiz table, its answers list, the answer space after a question."""
from __future__ import annotations

from html import escape

from docx.document import Document as WordDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips

from ... import model
from ...brand import Brand
from ...i18n import N_
from ...resolve import Document
from . import answers
from .numbering import Numbering
from .ooxml import PPR_ORDER, set_property
from .paragraphs import Context, ParagraphWriter
from .styles import ANSWER_SPACE, BOX_BORDER_OUTSET, BOX_INDENT, BOX_STYLES, QUIZ_TABLE

# In English; the writer shows them in the document's language (doc.gettext).
ANSWER_PLACEHOLDER = N_("Type your answer here")
ANSWER_LABEL = N_("Your answer")
CHECKBOX_FONT = "MS Gothic"
UNCHECKED, CHECKED = "2610", "2612"  # ☐ and ☒


def answer_key(statement_id: str) -> str:
    # A colon cannot appear in a model id, so this never clashes with one.
    return f"answer:{statement_id}"


class QuizWriter(ParagraphWriter):
    """Write quiz tables, answer lists and answer spaces: Word tables and content controls."""

    def __init__(self, doc: Document, brand: Brand, document: WordDocument):
        super().__init__(doc, brand, document)
        self.numbering = Numbering(document)
        self.statements = {s.id: s for s in doc.all_statements()}

    def table(self, ctx: Context, style: str, widths: list[int], rows: int):
        """A table in a named table style, full text width, with a repeating header row."""
        table = ctx.container.add_table(rows=rows, cols=len(widths))
        tbl = table._tbl
        tbl_pr = tbl.tblPr
        style_el = tbl_pr.find(qn("w:tblStyle"))
        if style_el is None:
            style_el = tbl_pr.makeelement(qn("w:tblStyle"), {})
            tbl_pr.insert(0, style_el)
        style_el.set(qn("w:val"), self.style_id(style))
        for old in tbl_pr.findall(qn("w:tblW")) + tbl_pr.findall(qn("w:tblLook")) + tbl_pr.findall(qn("w:jc")):
            tbl_pr.remove(old)
        twips = int(self.text_width) // int(Twips(1)) - 2 * (BOX_INDENT - BOX_BORDER_OUTSET)
        style_el.addnext(parse_xml(f'<w:tblW {nsdecls("w")} w:w="{twips}" w:type="dxa"/>'))
        tbl_pr.append(parse_xml(
            f'<w:tblLook {nsdecls("w")} w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        ))
        total = sum(widths)
        for grid_col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
            grid_col.set(qn("w:w"), str(twips * width // total))
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = Twips(twips * width // total)
        # The bare element: the Open XML SDK rejects w:tblHeader w:val="true".
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))
        return table

    def cell_paragraph(self, cell, style: str):
        """The first (empty) paragraph of a new cell, styled; bookmarks pending ids."""
        paragraph = cell.paragraphs[0]
        set_property(paragraph._p.get_or_add_pPr(), "pStyle", PPR_ORDER, {"val": self.style_id(style)})
        for key in self.pending:
            self.bookmark(paragraph._p, key)
        self.pending.clear()
        return paragraph

    def answer_space(self, ctx: Context, question_id: str, height: int = 1701) -> None:
        """A bordered answer area: a header row naming it, and a tall cell holding a rich-text content control."""
        table = self.table(ctx, ANSWER_SPACE, [1], rows=2)
        label = self.cell_paragraph(table.cell(0, 0), "Answer Space Label")
        answer_label, placeholder_text = self.doc.gettext(ANSWER_LABEL), self.doc.gettext(ANSWER_PLACEHOLDER)
        self.run(label._p, answer_label)
        row = table.rows[1]._tr
        tr_pr = row.get_or_add_trPr()
        tr_pr.append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{height}" w:hRule="atLeast"/>'))
        tc = table.cell(1, 0)._tc
        for p in tc.findall(qn("w:p")):
            tc.remove(p)
        style = self.style_id("Answer Space Text")
        placeholder = self.style_id("Placeholder Text")
        tc.append(parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{escape(answer_label)}"/><w:tag w:val="{escape(question_id)}"/>'
            '<w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:rPr><w:rStyle w:val="{placeholder}"/></w:rPr>'
            f'<w:t>{escape(placeholder_text)}</w:t></w:r></w:p></w:sdtContent></w:sdt>'
        ))

    def checkbox(self, paragraph, alias: str, tag: str) -> None:
        paragraph._p.append(parse_xml(
            f'<w:sdt {nsdecls("w", "w14")}><w:sdtPr><w:alias w:val="{escape(alias)}"/><w:tag w:val="{escape(tag)}"/>'
            f'<w14:checkbox><w14:checked w14:val="0"/>'
            f'<w14:checkedState w14:val="{CHECKED}" w14:font="{CHECKBOX_FONT}"/>'
            f'<w14:uncheckedState w14:val="{UNCHECKED}" w14:font="{CHECKBOX_FONT}"/></w14:checkbox></w:sdtPr>'
            f'<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="{CHECKBOX_FONT}" w:eastAsia="{CHECKBOX_FONT}" '
            f'w:hAnsi="{CHECKBOX_FONT}"/></w:rPr><w:t>{chr(int(UNCHECKED, 16))}</w:t></w:r></w:sdtContent></w:sdt>'
        ))

    def quiz(self, node: model.Quiz, ctx: Context) -> None:
        if node.prompt:
            style = "Challenge Question" if ctx.box_style == BOX_STYLES["challenge"] else (ctx.box_style or "Normal")
            paragraph = self.text_paragraph(ctx, style, node.prompt)
            self.set_keep_next(paragraph)
        if not node.statements:  # a quiz of choices only
            answers.choices(self, node, ctx)
            return
        table = self.table(ctx, QUIZ_TABLE, [70, 15, 15], rows=1 + len(node.statements))
        _ = self.doc.gettext
        for column, heading in enumerate((_("Statement"), _("True"), _("False"))):
            paragraph = self.cell_paragraph(table.cell(0, column), "Table Heading")
            self.run(paragraph._p, heading)
        for row, statement in enumerate(node.statements, start=1):
            self.pending.append(statement.id)
            paragraph = self.cell_paragraph(table.cell(row, 0), "Table Text")
            self.inlines(paragraph._p, statement.content)
            if statement.id in self.doc.answers:
                self.run(paragraph._p, " ")
                link = self.internal_link(paragraph._p, answer_key(statement.id))
                self.run(link, _("(answer)"), link=True)
            self.finish_paragraph(paragraph)
            text = model.plain_text(statement.content).strip()
            for column, value, shown in ((1, "true", _("True")), (2, "false", _("False"))):
                paragraph = self.cell_paragraph(table.cell(row, column), "Quiz Tick")
                self.checkbox(paragraph, f"{shown}: {text}", f"{statement.id}:{value}")
        answers.choices(self, node, ctx)

    def quiz_answers(self, node: model.QuizAnswers, ctx: Context) -> None:
        """A numbered list: each statement (linked back to the quiz), its value and qualifier, its explanation."""
        num_id = self.numbering.new_list(True, boxed=bool(ctx.box_style), level=0)
        for answer in node.answers:
            if isinstance(answer, model.ChoiceAnswer):
                paragraph = answers.choice_answer(self, answer, ctx, num_id)
                continue
            self.pending.append(answer_key(answer.statement))
            paragraph = self.new_paragraph(ctx, ctx.box_style or "Quiz Answer")
            self.numbering.apply(paragraph, num_id, 0)
            statement = self.statements.get(answer.statement)
            if statement is not None:
                link = self.internal_link(paragraph._p, statement.id)
                self.inlines(link, statement.content, link=True)
                paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:br/></w:r>'))
            self.run(paragraph._p, self.doc.gettext("True") if answer.value else self.doc.gettext("False"), strong=True)
            if answer.qualifier:
                self.run(paragraph._p, f" ({answer.qualifier})")
            self.run(paragraph._p, " – ")  # worded as the workbook does: "True (sort of!) – explanation"
            self.inlines(paragraph._p, answer.explanation)
            self.finish_paragraph(paragraph)
