"""Paragraphs, runs, links, fields and bookmarks: what every part of the Word writer is built from.

ParagraphWriter holds the state they share (the style ids, the bookmarks and the
ids waiting to be bookmarked on the next paragraph) and turns the model's inline
kinds into runs; the block handlers (writer.py) and the quiz and answer spaces
(quiz.py) build on it.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Emu

from ... import model
from ...brand import Brand
from ...resolve import Document
from .ooxml import PPR_ORDER, RPR_ORDER, set_property
from .styles import ROLE_CHARACTER_STYLES, style_ids


@dataclass
class Context:
    """Where blocks are being written: the container and, inside a box, the box's paragraph style."""

    container: object  # a python-docx Document or _Cell: anything with add_paragraph/add_table
    box_style: str | None = None
    heading_level: int = 1  # the level a heading written here takes


@dataclass
class Bookmarks:
    """Word bookmark names (at most 40 characters, letters, digits, underscores) for model ids."""

    names: dict[str, str] = field(default_factory=dict)
    placed: set[str] = field(default_factory=set)
    next_id: int = 1

    def name(self, key: str) -> str:
        if key not in self.names:
            base = re.sub(r"[^A-Za-z0-9_]", "_", key)
            if not base[:1].isalpha():
                base = f"b_{base}"
            if len(base) > 40:
                base = f"{base[:31]}_{hashlib.sha1(key.encode()).hexdigest()[:8]}"
            candidate, n = base, 2
            taken = set(self.names.values())
            while candidate in taken:
                suffix = f"_{n}"
                candidate, n = base[:40 - len(suffix)] + suffix, n + 1
            self.names[key] = candidate
        return self.names[key]


class ParagraphWriter:
    """Write styled paragraphs and their inline content into a python-docx Document."""

    def __init__(self, doc: Document, brand: Brand, document: WordDocument):
        self.doc = doc
        self.brand = brand
        self.document = document
        self.ids = style_ids(document)
        self.bookmarks = Bookmarks()
        self.pending: list[str] = []  # ids to bookmark on the next paragraph written
        section = document.sections[0]
        self.text_width = Emu(section.page_width - section.left_margin - section.right_margin)

    def style_id(self, name: str) -> str:
        return self.ids[name]

    def new_paragraph(self, ctx: Context, style: str):
        """Add a paragraph in `style` (or, in a box, the box's style), bookmarking any pending ids."""
        paragraph = ctx.container.add_paragraph()
        ppr = paragraph._p.get_or_add_pPr()
        set_property(ppr, "pStyle", PPR_ORDER, {"val": self.style_id(style)})
        for key in self.pending:
            self.bookmark(paragraph._p, key)
        self.pending.clear()
        return paragraph

    def role_paragraph(self, ctx: Context, role: str):
        """A paragraph for a role: its own style outside boxes; in a box, the box style plus a character style."""
        if ctx.box_style:
            return self.new_paragraph(ctx, ctx.box_style), ROLE_CHARACTER_STYLES.get(role)
        return self.new_paragraph(ctx, role), None

    def role_text(self, ctx: Context, role: str, content: model.Inlines | None, *, prefix: str = "", keep_next=False):
        """A role's paragraph holding `prefix` and `content`, in the role's style or, in a box, its character style."""
        paragraph, char_style = self.role_paragraph(ctx, role)
        if prefix:
            self.run(paragraph._p, prefix, role_style=char_style)
        self.inlines(paragraph._p, content, role_style=char_style)
        self.finish_paragraph(paragraph)
        if keep_next:
            self.set_keep_next(paragraph)
        return paragraph

    def bookmark(self, p, key: str) -> None:
        """Mark the start of paragraph `p` with a bookmark named for `key` (a point, which links jump to)."""
        name = self.bookmarks.name(key)
        if name in self.bookmarks.placed:
            return
        self.bookmarks.placed.add(name)
        number = str(self.bookmarks.next_id)
        self.bookmarks.next_id += 1
        ppr = p.find(qn("w:pPr"))
        at = 0 if ppr is None else p.index(ppr) + 1
        p.insert(at, p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): number}))
        p.insert(at, p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): number, qn("w:name"): name}))

    def finish_paragraph(self, paragraph) -> None:
        """Trim the spaces the source's line breaks left at either end of a paragraph."""
        texts = list(paragraph._p.iter(qn("w:t")))
        if texts:
            texts[0].text = texts[0].text.lstrip()
            texts[-1].text = texts[-1].text.rstrip()

    def run(self, parent, text: str, *, strong=False, emphasis=False, link=False, role_style: str | None = None):
        """Append a w:r with text to `parent` (a w:p or w:hyperlink); styles, not direct formatting, where one fits."""
        r = parent.makeelement(qn("w:r"), {})
        rpr = r.makeelement(qn("w:rPr"), {})
        style = "Hyperlink" if link else "Strong" if strong else "Emphasis" if emphasis else role_style
        if style:
            set_property(rpr, "rStyle", RPR_ORDER, {"val": self.style_id(style)})
        # A run has one character style; a second role (strong text in a link) is the matching toggle.
        if strong and style != "Strong":
            set_property(rpr, "b", RPR_ORDER)
        if emphasis and style != "Emphasis":
            set_property(rpr, "i", RPR_ORDER)
        if len(rpr):
            r.append(rpr)
        t = r.makeelement(qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
        t.text = text
        r.append(t)
        parent.append(r)
        return r

    def inlines(self, parent, content: model.Inlines | None, *, strong=False, emphasis=False, link=False, role_style=None) -> None:
        for node in content or ():
            if isinstance(node, model.Text):
                text = re.sub(r"\s+", " ", node.text)
                if text:
                    self.run(parent, text, strong=strong, emphasis=emphasis, link=link, role_style=role_style)
            elif isinstance(node, model.Emphasis):
                self.inlines(parent, node.content, strong=strong, emphasis=True, link=link, role_style=role_style)
            elif isinstance(node, model.Strong):
                self.inlines(parent, node.content, strong=True, emphasis=emphasis, link=link, role_style=role_style)
            elif isinstance(node, model.Link):
                if node.href and not link:
                    hyperlink = self.external_link(parent, node.href)
                    self.inlines(hyperlink, node.content, strong=strong, emphasis=emphasis, link=True)
                else:
                    # No known address: plain text, never a made-up URL.
                    self.inlines(parent, node.content, strong=strong, emphasis=emphasis, link=link, role_style=role_style)
            elif isinstance(node, model.Ref):
                content = node.content or (model.Text(self.doc.target_title(node.target)),)
                if link:
                    self.inlines(parent, content, strong=strong, emphasis=emphasis, link=True)
                else:
                    hyperlink = self.internal_link(parent, node.target)
                    self.inlines(hyperlink, content, strong=strong, emphasis=emphasis, link=True)
            else:  # pragma: no cover - the model has no other inline kinds
                raise TypeError(f"no Word rendering for inline {type(node).__name__}")

    def external_link(self, parent, href: str):
        rel_id = self.document.part.relate_to(href, RT.HYPERLINK, is_external=True)
        hyperlink = parent.makeelement(qn("w:hyperlink"), {qn("r:id"): rel_id, qn("w:history"): "1"})
        parent.append(hyperlink)
        return hyperlink

    def internal_link(self, parent, key: str):
        hyperlink = parent.makeelement(qn("w:hyperlink"), {qn("w:anchor"): self.bookmarks.name(key), qn("w:history"): "1"})
        parent.append(hyperlink)
        return hyperlink

    def mark_language(self, element, lang: str | None) -> None:
        """Give every run in `element` (a paragraph, table or run) the language `lang`; nothing for None.

        The brand's own text is in the brand's language: where that is not the
        workbook's, its runs say so, as the web pages' lang attributes do.
        """
        if not lang:
            return
        runs = [element] if element.tag == qn("w:r") else list(element.iter(qn("w:r")))
        for r in runs:
            rpr = r.find(qn("w:rPr"))
            if rpr is None:
                rpr = r.makeelement(qn("w:rPr"), {})
                r.insert(0, rpr)
            set_property(rpr, "lang", RPR_ORDER, {"val": lang})

    def text_paragraph(self, ctx: Context, style: str, content: model.Inlines | None, role_style=None):
        paragraph = self.new_paragraph(ctx, style)
        self.inlines(paragraph._p, content, role_style=role_style)
        self.finish_paragraph(paragraph)
        return paragraph

    def field(self, p, instruction: str, placeholder: str) -> None:
        """Append a complex field (begin, instruction, separate, result, end) to paragraph `p`."""
        def fld_char(kind: str) -> None:
            r = p.makeelement(qn("w:r"), {})
            r.append(r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
            p.append(r)

        fld_char("begin")
        r = p.makeelement(qn("w:r"), {})
        instr = r.makeelement(qn("w:instrText"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
        instr.text = instruction
        r.append(instr)
        p.append(r)
        fld_char("separate")
        self.run(p, placeholder)
        fld_char("end")

    def set_keep_next(self, paragraph) -> None:
        set_property(paragraph._p.get_or_add_pPr(), "keepNext", PPR_ORDER)

    def picture(self, paragraph, path: Path, alt: str, max_width: int) -> None:
        from ...safe_read import read_embedded

        run = paragraph.add_run()
        # Read bounded, as validation read it (a file can change after the check); python-docx
        # names a picture from a stream "image.png", so the file's own name is put back.
        shape = run.add_picture(io.BytesIO(read_embedded(path)))
        shape._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("name", path.name)
        if shape.width > max_width:
            shape.height = Emu(int(shape.height * max_width / shape.width))
            shape.width = Emu(max_width)
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)
