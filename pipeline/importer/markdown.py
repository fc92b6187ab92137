"""Markdown: pandoc's fenced divs name the kind, so nothing about them is guessed.

    ::: {.guidance title="Definitions of commissioning"}
    Text of the box.
    :::

likewise .challenge (its list items are its questions), .case-study, .tip and
.useful-links. Outside the divs the labels reader's rules apply (headings, a
"true or false" list as the quiz, TRUE/FALSE answers), reported as guesses.
"""
from __future__ import annotations

from . import pandoc_ast as ast
from .labels import LabelReader, _item_inlines

DIV_KINDS = {"guidance": "guidance", "challenge": "challenge", "case-study": "case-study", "tip": "tip",
             "useful-links": "useful-links"}


class MarkdownReader(LabelReader):
    def div(self, block: dict) -> int:
        attr, children = block["c"]
        kinds = [DIV_KINDS[name] for name in attr[1] if name in DIV_KINDS]
        if not kinds:
            return super().div(block)
        kind = kinds[0]
        title = ast.attr_pairs(attr).get("title")
        title_inlines = [{"t": "Str", "c": title}] if title else None
        self.kind = kind
        self.emit("label", block, kind=kind, title=title_inlines, level=0,
                  data={"id": attr[0] or None})
        index = 0
        while index < len(children):
            index += self.block(children, index)
        self.emit("box-end", None, kind=None)
        self.kind = None
        return 1

    def question_guess(self, item) -> str | None:
        return None  # a list in a .challenge div is its questions, as documented

    def list_block(self, block: dict) -> int:
        if self.kind == "challenge":
            items = block["c"][1] if block["t"] == "OrderedList" else block["c"]
            for item in items:
                sublists = [child for child in item if child["t"] in ("BulletList", "OrderedList")]
                inlines = _item_inlines([child for child in item if child not in sublists])
                self.emit("question", {"t": "Para", "c": inlines, "_line": block.get("_line")},
                          data={"sublists": sublists})
            return 1
        return super().list_block(block)


def pieces(blocks: list[dict]) -> list:
    return MarkdownReader().read(blocks)
