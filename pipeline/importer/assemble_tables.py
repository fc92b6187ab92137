"""The assembler's lists, numbered steps and tables (issue 12): `Assembler` takes these handlers from `TableHandlers`."""
from __future__ import annotations

from .. import model
from . import pandoc_ast as ast
from .pieces import Piece, _Box, _Challenge


class TableHandlers:
    """Lists, steps holding blocks, and tables with their captions, head rows and row headers."""

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
