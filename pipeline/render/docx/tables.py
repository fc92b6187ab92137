"""Tables and numbered steps in Word (issue 12).

A table is a Word table in the reference document's "Workbook Table" style, its
caption a "Caption" paragraph kept with it, its head row marked as a header row
(w:tblHeader, so Word and LibreOffice repeat it on every page), every cell
paragraph in "Table Heading" (head and row-header cells) or "Table Text".

A list item that holds blocks is a step: its first paragraph carries the number,
the paragraphs after it continue the item in "List Continue" (indented to the
item's text), and its lists and tables follow at the item's depth.
"""
from __future__ import annotations

from docx.oxml.ns import qn

from ... import model
from .numbering import LIST_INDENT_STEP
from .ooxml import PPR_ORDER, set_property
from .paragraphs import Context
from .styles import BOX_INDENT, DATA_TABLE, LIST_CONTINUE_STYLES

HEADING_CELL, TEXT_CELL = "Table Heading", "Table Text"


def write_table(writer, node: model.Table, ctx: Context) -> None:
    """A captioned Word table; `writer` is the WordWriter (its table, cell and paragraph helpers)."""
    writer.role_text(ctx, "Caption", node.caption, keep_next=True)
    rows = ([node.head] if node.head else []) + list(node.rows)
    columns = max(len(row.cells) for row in rows)
    table = writer.table(ctx, DATA_TABLE, [1] * columns, rows=len(rows))
    first_tr_pr = table.rows[0]._tr.trPr
    if node.head is None:  # writer.table marks its first row as the header: here there is none
        for header in first_tr_pr.findall(qn("w:tblHeader")):
            first_tr_pr.remove(header)
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    look.set(qn("w:firstRow"), "1" if node.head else "0")
    look.set(qn("w:firstColumn"), "1" if any(cell.header for row in node.rows for cell in row.cells) else "0")
    for index, row in enumerate(rows):
        is_head = node.head is not None and index == 0
        # A row is never split across pages: a reader always sees a cell whole, beside its header.
        tr_pr = table.rows[index]._tr.get_or_add_trPr()
        tr_pr.insert(0, tr_pr.makeelement(qn("w:cantSplit"), {}))
        for column in range(columns):
            cell = row.cells[column] if column < len(row.cells) else model.TableCell()
            style = HEADING_CELL if is_head or cell.header else TEXT_CELL
            _write_cell(writer, table.cell(index, column), cell, style)


def _write_cell(writer, word_cell, cell: model.TableCell, style: str) -> None:
    if not cell.blocks:
        paragraph = writer.cell_paragraph(word_cell, style)
        writer.inlines(paragraph._p, cell.content)
        writer.finish_paragraph(paragraph)
        return
    # The cell's own empty paragraph goes: its blocks bring theirs, in the cell's style.
    empty = word_cell.paragraphs[0]._p
    writer.blocks(cell.blocks, Context(word_cell, box_style=style))
    empty.getparent().remove(empty)


def step_first_paragraph(writer, paragraph, item: model.ListItem) -> tuple:
    """Put an item's text (or, for a step, its first paragraph) in its numbered paragraph; return the blocks left."""
    if not item.blocks:
        writer.inlines(paragraph._p, item.content)
        return ()
    first, *rest = item.blocks
    if isinstance(first, model.Paragraph):
        if first.id:
            writer.bookmark(paragraph._p, first.id)
        writer.inlines(paragraph._p, first.content)
        return tuple(rest)
    return item.blocks


def step_continuation(writer, blocks, ctx: Context, depth: int) -> None:
    """The rest of a step: paragraphs indented under the item's text, then its lists and tables."""
    for block in blocks:
        if isinstance(block, model.Paragraph):
            style = ctx.box_style or LIST_CONTINUE_STYLES[min(depth, 2)]
            if block.id:
                writer.pending.append(block.id)
            paragraph = writer.new_paragraph(ctx, style)
            if ctx.box_style:  # a box's style has the box's indent: the step's text sits further in
                left = (BOX_INDENT if ctx.box_style not in (HEADING_CELL, TEXT_CELL) else 0) + LIST_INDENT_STEP * (depth + 1)
                set_property(paragraph._p.get_or_add_pPr(), "ind", PPR_ORDER, {"left": str(left)})
            writer.inlines(paragraph._p, block.content)
            writer.finish_paragraph(paragraph)
        elif isinstance(block, model.ListBlock):
            if block.id:
                writer.pending.append(block.id)
            writer.list_block(block, ctx, depth + 1)
        else:
            writer.block(block, ctx)

