"""The Word writer: the title page, the contents, every block of the workbook, the contact page and footer.

WordWriter dispatches each model block kind to one handler (test_docx checks every
kind has one); paragraphs and inlines come from ParagraphWriter, the quiz and
answer spaces from QuizWriter.

Inside a box every paragraph takes the box's paragraph style, so the shading
and border run unbroken round the whole box; roles inside a box (a quotation,
a definition term, a subsection title) are shown by a character style, and
lists by real numbering.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Emu

from ... import model
from ...brand import Brand
from ...editions import primary_language
from ...i18n import N_, language_name
from ...resolve import Document
from ..docx_preflight import is_svg
from .ooxml import PPR_ORDER, set_property
from .paragraphs import Context
from . import answers
from .quiz import QuizWriter
from .contents import write_contents
from .publication import title_page_details
from .tables import step_continuation, step_first_paragraph, write_table
from .styles import BOX_STYLES, CONTACT_BOX, CONTACT_HEADING, HEADING_STYLES, LABEL_STYLES, LIST_STYLES

TOC_INSTRUCTION = r' TOC \o "1-3" \h \z \u '
# In English; the writer shows it in the document's language (doc.gettext).
# TRANSLATORS: name the menu items as Word and LibreOffice do in your language.
TOC_PLACEHOLDER = N_(
    "The table of contents appears here when fields are updated: in Word, right-click here and choose "
    "Update Field (or press F9); in LibreOffice, choose Tools > Update > Update All."
)

# Schema order of the children of w:settings that come after w:updateFields.
SETTINGS_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr attachedSchema themeFontLang "
    "clrSchemeMapping doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions "
    "readModeInkLockDown smartTagType schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
).split()


class WordWriter(QuizWriter):
    """Write the title page, contents and every block of a resolved workbook into a python-docx Document."""

    def __init__(self, doc: Document, brand: Brand, document: WordDocument):
        super().__init__(doc, brand, document)
        source = doc.workbook.loc.file if doc.workbook.loc else None
        self.source_dir = Path(source).resolve().parent if source else None
        self.handlers: dict[type, Callable] = {
            model.Paragraph: self.paragraph,
            model.ListBlock: self.list_block,
            model.Quote: self.quote,
            model.Definitions: self.definitions,
            model.Figure: self.figure,
            model.Video: self.video,
            model.Subsection: self.subsection,
            model.Box: self.box,
            model.Challenge: self.challenge,
            model.Quiz: self.quiz,
            model.QuizAnswers: self.quiz_answers,
            model.Section: self.section,
            model.Table: lambda node, ctx: write_table(self, node, ctx),
            model.Checklist: partial(answers.checklist, self),
            model.RatingScale: partial(answers.rating_scale, self),
        }

    # entry point

    def write(self) -> None:
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        top = Context(self.document)
        self.title_page(top)
        self.contents(top)
        for section in self.doc.workbook.sections:
            self.block(section, top)
        self.contact_page(top)
        write_contents(self)
        self.footer()
        self.update_fields_on_open()

    # title page, contents, footer, settings

    def title_page(self, ctx: Context) -> None:
        meta = self.doc.workbook.meta
        logo = self.brand.logo
        # python-docx cannot embed SVG: an SVG logo shows through its PNG/JPEG copy, or not at all
        # (brand.py warns, brand.logo-no-raster); the council's name is on the page either way.
        bitmap = logo.bitmap if logo is not None else None
        if bitmap is not None:
            paragraph = self.new_paragraph(ctx, "Council Name")
            self.picture(paragraph, bitmap[0], logo.alt, max_width=Emu(self.text_width // 2))
        self.text_paragraph(ctx, "Title", meta.title)
        if meta.subtitle:
            self.text_paragraph(ctx, "Subtitle", meta.subtitle)
        if meta.summary:
            self.text_paragraph(ctx, "Summary", meta.summary)
        if meta.publisher:
            self.text_paragraph(ctx, "Publisher", (model.Text(meta.publisher),))
        title_page_details(self, ctx)
        if self.brand.council_name != meta.publisher:
            council = self.text_paragraph(ctx, "Council Name", (model.Text(self.brand.council_name),))
            self.mark_language(council._p, self.brand_lang)
        # The other-language editions, named in this edition's language with their titles in their own.
        for edition in self.doc.editions:
            # TRANSLATORS: followed by the other edition's title; %(language)s is its language's name in yours (Welsh: "Saesneg"). Mind any mutation the name takes.
            words = self.doc.gettext("Also published in %(language)s:", language=language_name(edition.lang, self.doc.workbook.lang))
            self.text_paragraph(ctx, "Publisher", (model.Text(f"{words} "), model.Emphasis((model.Text(edition.title),))))

    def contents(self, ctx: Context) -> None:
        self.text_paragraph(ctx, "TOC Heading", (model.Text(self.doc.gettext("Contents")),))
        p = self.new_paragraph(ctx, "Normal")._p
        self.field(p, TOC_INSTRUCTION, self.doc.gettext(TOC_PLACEHOLDER))
        self.contents_field = p  # contents.write_contents fills it in once every heading is written

    def contact_page(self, ctx: Context) -> None:
        """The end page: how to reach the council, as the web pages' footer shows it."""
        contact, brand = self.brand.contact, self.brand
        website = contact.get("website") or brand.council_website
        if not contact and not website:
            return
        _ = self.doc.gettext
        self.text_paragraph(ctx, CONTACT_HEADING, (model.Text(_("Contact")),))
        lines: list[model.Inlines] = []
        brand_lines: set[int] = set()  # the brand's own text, in the brand's language
        if contact.get("name"):
            brand_lines.add(len(lines))
            lines.append((model.Strong((model.Text(contact["name"]),)),))
        if contact.get("name") != brand.council_name:
            brand_lines.add(len(lines))
            lines.append((model.Text(brand.council_name),))
        if contact.get("address"):
            brand_lines.add(len(lines))
            lines.append((model.Text(contact["address"]),))
        if contact.get("email"):
            lines.append((model.Text(_("Email:") + " "), model.Link(f"mailto:{contact['email']}", (model.Text(contact["email"]),))))
        if contact.get("phone"):
            lines.append((model.Text(_("Telephone:") + " " + contact["phone"]),))
        if website:
            lines.append((model.Text(_("Website:") + " "), model.Link(website, (model.Text(website),))))
        for index, line in enumerate(lines):
            paragraph = self.text_paragraph(ctx, CONTACT_BOX, line)
            if index in brand_lines:
                self.mark_language(paragraph._p, self.brand_lang)

    def footer(self) -> None:
        """Footer on every page but the title page: the brand's footer line and the page number."""
        section = self.document.sections[0]
        section.different_first_page_header_footer = True
        footer = section.footer
        if not footer.is_linked_to_previous and any(p.text.strip() for p in footer.paragraphs):
            return  # a brand reference document with its own footer keeps it
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        set_property(paragraph._p.get_or_add_pPr(), "pStyle", PPR_ORDER, {"val": self.style_id("Footer")})
        if self.brand.footer:
            self.run(paragraph._p, f"{self.brand.footer} ")
            self.mark_language(paragraph._p, self.brand_lang)
        self.run(paragraph._p, self.doc.gettext("Page") + " ")
        self.field(paragraph._p, " PAGE ", "1")

    def update_fields_on_open(self) -> None:
        """Ask Word to update fields (the contents) when the document is opened."""
        settings = self.document.settings.element
        if settings.find(qn("w:updateFields")) is not None:
            return
        element = settings.makeelement(qn("w:updateFields"), {qn("w:val"): "1"})
        later = {qn(f"w:{name}") for name in SETTINGS_AFTER_UPDATE_FIELDS}
        for index, child in enumerate(settings):
            if child.tag in later:
                settings.insert(index, element)
                break
        else:
            settings.append(element)

    # blocks

    def block(self, node, ctx: Context) -> None:
        node_id = getattr(node, "id", None)
        if node_id:
            self.pending.append(node_id)
        try:
            handler = self.handlers[type(node)]
        except KeyError:  # pragma: no cover - test_docx checks every block kind has a handler
            raise TypeError(f"no Word rendering for {type(node).__name__}") from None
        handler(node, ctx)

    def blocks(self, nodes, ctx: Context) -> None:
        for node in nodes:
            self.block(node, ctx)

    def heading(self, ctx: Context, title: model.Inlines, level: int) -> None:
        self.text_paragraph(ctx, HEADING_STYLES[min(level, 6) - 1], title)

    def section(self, node: model.Section, ctx: Context) -> None:
        self.heading(ctx, node.title, ctx.heading_level)
        inner = Context(ctx.container, heading_level=ctx.heading_level + 1)
        for child in node.content:
            self.block(child, inner)

    def subsection(self, node: model.Subsection, ctx: Context) -> None:
        if ctx.box_style:
            # A heading style would break the box's shading; the title keeps a strong character style.
            self.role_text(ctx, "Subheading", node.title, keep_next=True)
        else:
            self.heading(ctx, node.title, ctx.heading_level)
        self.blocks(node.blocks, Context(ctx.container, ctx.box_style, ctx.heading_level + 1))

    def paragraph(self, node: model.Paragraph, ctx: Context) -> None:
        self.text_paragraph(ctx, ctx.box_style or "Normal", node.content)

    def list_block(self, node: model.ListBlock, ctx: Context, depth: int = 0) -> None:
        num_id = self.numbering.new_list(node.ordered, boxed=bool(ctx.box_style), level=depth)
        style = ctx.box_style or LIST_STYLES[node.ordered][min(depth, 2)]
        for item in node.items:
            if item.id:
                self.pending.append(item.id)
            paragraph = self.new_paragraph(ctx, style)
            self.numbering.apply(paragraph, num_id, depth)
            rest = step_first_paragraph(self, paragraph, item)
            self.finish_paragraph(paragraph)
            for sublist in item.sublists:
                if sublist.id:
                    self.pending.append(sublist.id)
                self.list_block(sublist, ctx, depth + 1)
            step_continuation(self, rest, ctx, depth)

    def quote(self, node: model.Quote, ctx: Context) -> None:
        for child in node.paragraphs:
            if child.id:
                self.pending.append(child.id)
            self.role_text(ctx, "Quote", child.content)
        if node.attribution:
            self.role_text(ctx, "Quote Attribution", node.attribution, prefix="— ")

    def definitions(self, node: model.Definitions, ctx: Context) -> None:
        for entry in node.entries:
            if entry.id:
                self.pending.append(entry.id)
            self.role_text(ctx, "Definition Term", entry.term, keep_next=True)
            self.role_text(ctx, "Definition", entry.definition)

    def figure(self, node: model.Figure, ctx: Context) -> None:
        image_path = self.image_path(node)
        if image_path is not None:
            paragraph, _ = self.role_paragraph(ctx, "Figure")
            self.set_keep_next(paragraph)
            alt = node.alt or model.plain_text(node.caption)
            self.picture(paragraph, image_path, alt, max_width=self.text_width)
            if node.caption:
                self.role_text(ctx, "Caption", node.caption)
            return
        # No picture to embed: the caption, then the text description, then a described diagram as text.
        if node.caption:
            self.role_text(ctx, "Caption", node.caption, keep_next=True)
        if node.alt:
            self.role_text(ctx, "Figure Description", (model.Text(node.alt),))
        if node.diagram is not None:
            self.diagram(node.diagram, ctx)

    def diagram(self, diagram: model.Diagram, ctx: Context) -> None:
        """A described diagram as text: the steps of a cycle or sequence as a numbered list, layers as bands."""
        if diagram.layout in ("cycle", "sequence"):
            items = tuple(model.ListItem((model.Text(part.label),)) for part in diagram.nodes)
            self.list_block(model.ListBlock(items, ordered=True), ctx)
            if diagram.layout == "cycle" and diagram.nodes:
                paragraph, role = self.role_paragraph(ctx, "Figure Description")
                self.run(paragraph._p, self.doc.gettext("Then the cycle starts again at “%(name)s”.", name=diagram.nodes[0].label), role_style=role)
            return
        for part in diagram.parts:
            role = "Diagram Layer" if part.kind == "node" else "Diagram Divider"
            paragraph, char_style = self.role_paragraph(ctx, role)
            self.run(paragraph._p, part.label, role_style=char_style)

    def image_path(self, node: model.Figure) -> Path | None:
        """The figure's image file if it exists beside the source and python-docx can embed it (not SVG)."""
        if node.image is None or self.source_dir is None:
            return None
        path = (self.source_dir / node.image.src).resolve()
        if not path.is_file() or not path.is_relative_to(self.source_dir) or is_svg(path):
            return None
        return path

    def video(self, node: model.Video, ctx: Context) -> None:
        paragraph, role = self.role_paragraph(ctx, "Video")
        if node.href:
            hyperlink = self.external_link(paragraph._p, node.href)
            self.inlines(hyperlink, node.content, link=True)
        else:
            self.inlines(paragraph._p, node.content, role_style=role)
        self.finish_paragraph(paragraph)

    def label(self, ctx: Context, kind: str, node: model.Box | model.Challenge) -> None:
        """The label line of a typed block: "Challenge 3 – Outcomes for communities"."""
        text = self.doc.block_label(node)
        title = model.plain_text(node.title).strip() if node.title else ""
        paragraph = self.new_paragraph(ctx, LABEL_STYLES[kind])
        self.run(paragraph._p, text)
        if title and title.casefold() != text.casefold():
            self.run(paragraph._p, " – ")
            label_runs = len(list(paragraph._p.iter(qn("w:r"))))
            self.inlines(paragraph._p, node.title)
            # The council's links box: its title is the brand's text (the label is the workbook's).
            for run in list(paragraph._p.iter(qn("w:r")))[label_runs:]:
                self.mark_language(run, self.doc.text_lang.get(getattr(node, "id", None) or ""))
        self.finish_paragraph(paragraph)

    def box(self, node: model.Box, ctx: Context) -> None:
        self.label(ctx, node.kind, node)
        container = getattr(ctx.container, "_tc", None)
        body = container if container is not None else ctx.container.element.body
        before = set(body)
        self.blocks(node.blocks, Context(ctx.container, BOX_STYLES[node.kind], ctx.heading_level))
        lang = self.doc.text_lang.get(node.id or "")
        if lang:
            for child in body:
                if child not in before:
                    self.mark_language(child, lang)

    @property
    def brand_lang(self) -> str | None:
        """The brand's language where it is not the workbook's (its text is then marked with it), else None."""
        if primary_language(self.brand.language) == primary_language(self.doc.workbook.lang):
            return None
        return self.brand.language

    def challenge(self, node: model.Challenge, ctx: Context) -> None:
        self.label(ctx, "challenge", node)
        inner = Context(ctx.container, BOX_STYLES["challenge"], ctx.heading_level)
        self.blocks(node.intro, inner)
        for item in node.items:
            if isinstance(item, model.Question):
                self.question(item, inner)
            else:
                self.block(item, inner)

    def question(self, node: model.Question, ctx: Context) -> None:
        if node.id:
            self.pending.append(node.id)
        paragraph = self.new_paragraph(ctx, "Challenge Question")
        self.inlines(paragraph._p, node.content)
        self.finish_paragraph(paragraph)
        self.set_keep_next(paragraph)
        for sublist in node.sublists:
            self.list_block(sublist, ctx)
        if node.space == "drawing":
            answers.drawing_space(self, ctx, node)
        else:
            self.answer_space(ctx, node.id or "", answers.answer_space_height(node))
