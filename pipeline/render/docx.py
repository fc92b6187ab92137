"""Render a resolved workbook as a Word document (.docx) built on a reference document.

Every model role maps to a named style in the reference document
(templates/docx/reference.docx, or a brand's own reference.docx), so a council
restyles every Guidance box, heading or answer space in one place; this module
writes style names, never fonts or colours. The only formatting it decides is
the brand's, and only when the default reference is used: the brand's fonts
and colours are written into the style definitions, not onto paragraphs.

What a reader gets: a title page (the brand's logo, from its PNG copy when the
logo is SVG), a contents field (Word fills it in when the fields are updated),
real headings, a shaded box per typed block, a bordered answer space with a
content control after every question, the true/false quiz as a table of tick
boxes cross-linked with its answers, working links (the council's own among
them, as a Useful links box: see resolve.with_brand_links), an end page with the
council's contact details, and the brand's footer line on every page.

Inside a box every paragraph takes the box's paragraph style, so the shading
and border run unbroken round the whole box; roles inside a box (a quotation,
a definition term, a subsection title) are shown by a character style, and
lists by real numbering.

Two builds give the same bytes: timestamps come from pipeline.reproducible and
the package is re-zipped by pipeline.package.write_zip.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from html import escape

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Twips

from .. import model
from ..brand import Brand
from ..model import SourceLocation
from ..package import write_zip
from ..problems import UserError, error
from .docx_preflight import is_svg
from ..reproducible import build_time
from ..resolve import Document, with_brand_links

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE = PROJECT_ROOT / "templates" / "docx" / "reference.docx"

# Box paragraph style and label style of every typed block kind.
BOX_STYLES = {
    "guidance": "Guidance Box",
    "challenge": "Challenge Box",
    "case-study": "Case Study Box",
    "tip": "Tip Box",
    "useful-links": "Useful Links Box",
}
LABEL_STYLES = {kind: style.replace(" Box", " Label") for kind, style in BOX_STYLES.items()}
HEADING_STYLES = tuple(f"Heading {level}" for level in range(1, 7))
LIST_STYLES = {False: ("List Bullet", "List Bullet 2", "List Bullet 3"), True: ("List Number", "List Number 2", "List Number 3")}
ANSWER_SPACE = "Answer Space"
QUIZ_TABLE = "Quiz Table"
CONTACT_HEADING = "Contact Heading"
CONTACT_BOX = "Contact Box"

PARAGRAPH_STYLES = (
    "Normal", *HEADING_STYLES, "Title", "Subtitle", "Summary", "Publisher", "Council Name", "TOC Heading",
    *BOX_STYLES.values(), *LABEL_STYLES.values(), "Challenge Question",
    "Quote", "Quote Attribution", "Definition Term", "Definition", *LIST_STYLES[False], *LIST_STYLES[True],
    "Figure", "Caption", "Figure Description", "Diagram Layer", "Diagram Divider", "Video",
    "Table Heading", "Table Text", "Quiz Tick", "Quiz Answer", "Answer Space Label", "Answer Space Text", "Footer",
    CONTACT_HEADING, CONTACT_BOX,
)
CHARACTER_STYLES = ("Hyperlink", "Strong", "Emphasis", "Quote Char", "Definition Term Char", "Placeholder Text")
TABLE_STYLES = (QUIZ_TABLE, ANSWER_SPACE)
REQUIRED_STYLES = PARAGRAPH_STYLES + CHARACTER_STYLES + TABLE_STYLES

# Inside a box every paragraph has the box style; these character styles keep the role visible.
ROLE_CHARACTER_STYLES = {
    "Quote": "Quote Char",
    "Quote Attribution": None,
    "Definition Term": "Definition Term Char",
    "Subheading": "Strong",
    "Caption": "Emphasis",
    "Diagram Layer": "Strong",
    "Diagram Divider": "Emphasis",
}

# The left indent of box paragraphs (twips); lists in boxes indent from here so they sit inside the border.
BOX_INDENT = 113
LIST_INDENT_STEP = 360
# Tables line their borders up with the boxes' borders, which sit outside the box text by the border
# spacing (4 pt) and width; a table's indent counts to its cell text, past the 108-twip cell margin.
BOX_BORDER_OUTSET = 95
TABLE_INDENT = BOX_INDENT - BOX_BORDER_OUTSET + 108
BULLETS = ("•", "–", "◦")
NUMBER_FORMATS = ("decimal", "lowerLetter", "lowerRoman")

ANSWER_PLACEHOLDER = "Type your answer here"
ANSWER_LABEL = "Your answer"
TOC_INSTRUCTION = r' TOC \o "1-3" \h \z \u '
TOC_PLACEHOLDER = (
    "The table of contents appears here when fields are updated: in Word, right-click here and choose "
    "Update Field (or press F9); in LibreOffice, choose Tools > Update > Update All."
)
CHECKBOX_FONT = "MS Gothic"
UNCHECKED, CHECKED = "2610", "2612"  # ☐ and ☒

# Schema order of the children of w:pPr, w:rPr and w:settings, for inserting elements where Word expects them.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()
SETTINGS_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr attachedSchema themeFontLang "
    "clrSchemeMapping doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions "
    "readModeInkLockDown smartTagType schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
).split()


def render_docx(doc: Document, brand: Brand, output: Path) -> None:
    """Write the Word document of `doc` to `output`, from the brand's reference document (or the default one)."""
    doc = with_brand_links(doc, brand)
    reference = brand.reference_docx or DEFAULT_REFERENCE
    document = docx.Document(str(reference))
    check_styles(document, reference)
    if brand.reference_docx is None:
        apply_brand(document, brand)
    WordWriter(doc, brand, document).write()
    set_properties(document, doc, brand)
    save_reproducibly(document, Path(output), doc, brand)


# --- styles -------------------------------------------------------------------


def style_ids(document: WordDocument) -> dict[str, str]:
    """Map each style's display name ("Heading 1", "Guidance Box") to its id."""
    return {style.name: style.style_id for style in document.styles}


def check_styles(document: WordDocument, reference: Path) -> None:
    """Stop with a message naming every style the renderer needs that the reference lacks."""
    names = style_ids(document)
    missing = [name for name in REQUIRED_STYLES if name not in names]
    if missing:
        raise UserError(error(
            SourceLocation(str(reference)),
            f"the reference document lacks {len(missing)} style(s) the Word output needs: {', '.join(missing)}; "
            "add them (templates/docx/make_reference.py shows how each is defined), or delete this reference.docx "
            "to use the default one",
            "docx.missing-style",
        ))


def first_font(css_family: str) -> str:
    """The first family of a CSS font list: 'Arial, Helvetica, sans-serif' -> 'Arial'."""
    return css_family.split(",")[0].strip().strip("'\"")


def hex_colour(colour: str) -> str:
    return colour.lstrip("#").upper()


def set_property(parent, tag: str, order: tuple[str, ...] | list[str], attrs: dict[str, str] | None = None):
    """Replace (or add) the child `w:tag` of a property element, keeping the schema's order."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    element = parent.makeelement(qn(f"w:{tag}"), {qn(f"w:{k}"): v for k, v in (attrs or {}).items()})
    position = order.index(tag)
    later = {qn(f"w:{name}") for name in order[position + 1:]}
    for index, child in enumerate(parent):
        if child.tag in later:
            parent.insert(index, element)
            break
    else:
        parent.append(element)
    return element


def _properties(style_element, tag: str):
    """The w:pPr or w:rPr of a style, created in the right place if missing."""
    found = style_element.find(qn(f"w:{tag}"))
    if found is not None:
        return found
    order = ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
             "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid",
             "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"]
    return set_property(style_element, tag, order)


def apply_brand(document: WordDocument, brand: Brand) -> None:
    """Write the brand's fonts and colours into the style definitions of the default reference."""
    styles = document.styles.element
    ids = style_ids(document)
    colours = brand.colours
    body_font, heading_font = first_font(brand.body_font), first_font(brand.heading_font)

    def style(name: str):
        return styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{ids[name]}']")

    def fonts(rpr, family: str) -> None:
        set_property(rpr, "rFonts", RPR_ORDER, {"ascii": family, "hAnsi": family, "cs": family, "eastAsia": family})

    default_rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts(default_rpr, body_font)
    set_property(_properties(style("Normal"), "rPr"), "color", RPR_ORDER, {"val": hex_colour(colours.text)})
    # accent is checked for contrast against the background, so it is safe for heading and link text.
    for name in (*HEADING_STYLES, "Title", "Subtitle", "TOC Heading"):
        rpr = _properties(style(name), "rPr")
        fonts(rpr, heading_font)
        set_property(rpr, "color", RPR_ORDER, {"val": hex_colour(colours.accent)})
    set_property(_properties(style("Hyperlink"), "rPr"), "color", RPR_ORDER, {"val": hex_colour(colours.accent)})
    for kind, name in BOX_STYLES.items():
        set_property(_properties(style(name), "pPr"), "shd", PPR_ORDER,
                     {"val": "clear", "color": "auto", "fill": hex_colour(colours.blocks[kind])})
    # Labels are a bar in the primary colour; on_primary is checked for contrast against it.
    for name in LABEL_STYLES.values():
        for side in style(name).iter(*(qn(f"w:{side}") for side in ("top", "left", "right"))):
            if side.getparent().tag == qn("w:pBdr"):
                side.set(qn("w:color"), hex_colour(colours.primary))
        set_property(_properties(style(name), "pPr"), "shd", PPR_ORDER,
                     {"val": "clear", "color": "auto", "fill": hex_colour(colours.primary)})
        set_property(_properties(style(name), "rPr"), "color", RPR_ORDER, {"val": hex_colour(colours.on_primary)})
    # The contact box: brand text on the brand background (a checked pair), framed in the primary colour.
    contact_box = style(CONTACT_BOX)
    set_property(_properties(contact_box, "pPr"), "shd", PPR_ORDER,
                 {"val": "clear", "color": "auto", "fill": hex_colour(colours.background)})
    borders = set_property(_properties(contact_box, "pPr"), "pBdr", PPR_ORDER)
    border = {qn("w:val"): "single", qn("w:sz"): "12", qn("w:space"): "4", qn("w:color"): hex_colour(colours.primary)}
    for side in ("top", "left", "bottom", "right"):
        borders.append(borders.makeelement(qn(f"w:{side}"), border))
    for name in (QUIZ_TABLE, ANSWER_SPACE):
        for shd in style(name).iter(qn("w:shd")):
            if shd.getparent().tag == qn("w:tcPr") and shd.getparent().getparent().tag == qn("w:tblStylePr"):
                shd.set(qn("w:fill"), hex_colour(colours.blocks["challenge"]))


# --- the document body --------------------------------------------------------


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


def answer_key(statement_id: str) -> str:
    # A colon cannot appear in a model id, so this never clashes with one.
    return f"answer:{statement_id}"


class WordWriter:
    """Write the title page, contents and every block of a resolved workbook into a python-docx Document."""

    def __init__(self, doc: Document, brand: Brand, document: WordDocument):
        self.doc = doc
        self.brand = brand
        self.document = document
        self.ids = style_ids(document)
        self.bookmarks = Bookmarks()
        self.pending: list[str] = []  # ids to bookmark on the next paragraph written
        self.in_link = False
        self.numbering = Numbering(document)
        section = document.sections[0]
        self.text_width = Emu(section.page_width - section.left_margin - section.right_margin)
        self.statements = {s.id: s for s in doc.all_statements()}
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
        self.footer()
        self.update_fields_on_open()

    # paragraphs and runs

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

    def text_paragraph(self, ctx: Context, style: str, content: model.Inlines | None, role_style=None):
        paragraph = self.new_paragraph(ctx, style)
        self.inlines(paragraph._p, content, role_style=role_style)
        self.finish_paragraph(paragraph)
        return paragraph

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
        if self.brand.council_name != meta.publisher:
            self.text_paragraph(ctx, "Council Name", (model.Text(self.brand.council_name),))

    def contents(self, ctx: Context) -> None:
        self.text_paragraph(ctx, "TOC Heading", (model.Text("Contents"),))
        p = self.new_paragraph(ctx, "Normal")._p
        self.field(p, TOC_INSTRUCTION, TOC_PLACEHOLDER)

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

    def contact_page(self, ctx: Context) -> None:
        """The end page: how to reach the council, as the web pages' footer shows it."""
        contact, brand = self.brand.contact, self.brand
        website = contact.get("website") or brand.council_website
        if not contact and not website:
            return
        self.text_paragraph(ctx, CONTACT_HEADING, (model.Text("Contact"),))
        lines: list[model.Inlines] = []
        if contact.get("name"):
            lines.append((model.Strong((model.Text(contact["name"]),)),))
        if contact.get("name") != brand.council_name:
            lines.append((model.Text(brand.council_name),))
        if contact.get("address"):
            lines.append((model.Text(contact["address"]),))
        if contact.get("email"):
            lines.append((model.Text("Email: "), model.Link(f"mailto:{contact['email']}", (model.Text(contact["email"]),))))
        if contact.get("phone"):
            lines.append((model.Text(f"Telephone: {contact['phone']}"),))
        if website:
            lines.append((model.Text("Website: "), model.Link(website, (model.Text(website),))))
        for line in lines:
            self.text_paragraph(ctx, CONTACT_BOX, line)

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
        self.run(paragraph._p, "Page ")
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
            paragraph, role = self.role_paragraph(ctx, "Subheading")
            self.inlines(paragraph._p, node.title, role_style=role)
            self.finish_paragraph(paragraph)
            self.set_keep_next(paragraph)
        else:
            self.heading(ctx, node.title, ctx.heading_level)
        self.blocks(node.blocks, Context(ctx.container, ctx.box_style, ctx.heading_level + 1))

    def set_keep_next(self, paragraph) -> None:
        set_property(paragraph._p.get_or_add_pPr(), "keepNext", PPR_ORDER)

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
            self.inlines(paragraph._p, item.content)
            self.finish_paragraph(paragraph)
            for sublist in item.sublists:
                if sublist.id:
                    self.pending.append(sublist.id)
                self.list_block(sublist, ctx, depth + 1)

    def quote(self, node: model.Quote, ctx: Context) -> None:
        for child in node.paragraphs:
            if child.id:
                self.pending.append(child.id)
            paragraph, role = self.role_paragraph(ctx, "Quote")
            self.inlines(paragraph._p, child.content, role_style=role)
            self.finish_paragraph(paragraph)
        if node.attribution:
            paragraph, role = self.role_paragraph(ctx, "Quote Attribution")
            self.run(paragraph._p, "— ", role_style=role)
            self.inlines(paragraph._p, node.attribution, role_style=role)
            self.finish_paragraph(paragraph)

    def definitions(self, node: model.Definitions, ctx: Context) -> None:
        for entry in node.entries:
            if entry.id:
                self.pending.append(entry.id)
            term, role = self.role_paragraph(ctx, "Definition Term")
            self.inlines(term._p, entry.term, role_style=role)
            self.finish_paragraph(term)
            self.set_keep_next(term)
            definition, role = self.role_paragraph(ctx, "Definition")
            self.inlines(definition._p, entry.definition, role_style=role)
            self.finish_paragraph(definition)

    def figure(self, node: model.Figure, ctx: Context) -> None:
        image_path = self.image_path(node)
        if image_path is not None:
            paragraph, _ = self.role_paragraph(ctx, "Figure")
            self.set_keep_next(paragraph)
            alt = node.alt or model.plain_text(node.caption)
            self.picture(paragraph, image_path, alt, max_width=self.text_width)
            if node.caption:
                paragraph, role = self.role_paragraph(ctx, "Caption")
                self.inlines(paragraph._p, node.caption, role_style=role)
                self.finish_paragraph(paragraph)
            return
        # No picture to embed: the caption, then the text description, then a described diagram as text.
        if node.caption:
            paragraph, role = self.role_paragraph(ctx, "Caption")
            self.inlines(paragraph._p, node.caption, role_style=role)
            self.finish_paragraph(paragraph)
            self.set_keep_next(paragraph)
        if node.alt:
            paragraph, role = self.role_paragraph(ctx, "Figure Description")
            self.inlines(paragraph._p, (model.Text(node.alt),), role_style=role)
            self.finish_paragraph(paragraph)
        if node.diagram is not None:
            self.diagram(node.diagram, ctx)

    def diagram(self, diagram: model.Diagram, ctx: Context) -> None:
        """A described diagram as text: the steps of a cycle or sequence as a numbered list, layers as bands."""
        if diagram.layout in ("cycle", "sequence"):
            items = tuple(model.ListItem((model.Text(part.label),)) for part in diagram.nodes)
            self.list_block(model.ListBlock(items, ordered=True), ctx)
            if diagram.layout == "cycle" and diagram.nodes:
                paragraph, role = self.role_paragraph(ctx, "Figure Description")
                self.run(paragraph._p, f"Then the cycle starts again at “{diagram.nodes[0].label}”.", role_style=role)
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

    def picture(self, paragraph, path: Path, alt: str, max_width: int) -> None:
        run = paragraph.add_run()
        shape = run.add_picture(str(path))
        if shape.width > max_width:
            shape.height = Emu(int(shape.height * max_width / shape.width))
            shape.width = Emu(max_width)
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)

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
            self.inlines(paragraph._p, node.title)
        self.finish_paragraph(paragraph)

    def box(self, node: model.Box, ctx: Context) -> None:
        self.label(ctx, node.kind, node)
        self.blocks(node.blocks, Context(ctx.container, BOX_STYLES[node.kind], ctx.heading_level))

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
        self.answer_space(ctx, node.id or "")

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

    def answer_space(self, ctx: Context, question_id: str) -> None:
        """A bordered answer area: a header row naming it, and a tall cell holding a rich-text content control."""
        table = self.table(ctx, ANSWER_SPACE, [1], rows=2)
        label = self.cell_paragraph(table.cell(0, 0), "Answer Space Label")
        self.run(label._p, ANSWER_LABEL)
        row = table.rows[1]._tr
        tr_pr = row.get_or_add_trPr()
        tr_pr.append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="1701" w:hRule="atLeast"/>'))
        tc = table.cell(1, 0)._tc
        for p in tc.findall(qn("w:p")):
            tc.remove(p)
        style = self.style_id("Answer Space Text")
        placeholder = self.style_id("Placeholder Text")
        tc.append(parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{escape(ANSWER_LABEL)}"/><w:tag w:val="{escape(question_id)}"/>'
            '<w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:rPr><w:rStyle w:val="{placeholder}"/></w:rPr>'
            f'<w:t>{escape(ANSWER_PLACEHOLDER)}</w:t></w:r></w:p></w:sdtContent></w:sdt>'
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
        table = self.table(ctx, QUIZ_TABLE, [70, 15, 15], rows=1 + len(node.statements))
        for column, heading in enumerate(("Statement", "True", "False")):
            paragraph = self.cell_paragraph(table.cell(0, column), "Table Heading")
            self.run(paragraph._p, heading)
        for row, statement in enumerate(node.statements, start=1):
            self.pending.append(statement.id)
            paragraph = self.cell_paragraph(table.cell(row, 0), "Table Text")
            self.inlines(paragraph._p, statement.content)
            if statement.id in self.doc.answers:
                self.run(paragraph._p, " ")
                link = self.internal_link(paragraph._p, answer_key(statement.id))
                self.run(link, "(answer)", link=True)
            self.finish_paragraph(paragraph)
            text = model.plain_text(statement.content).strip()
            for column, value in ((1, "True"), (2, "False")):
                paragraph = self.cell_paragraph(table.cell(row, column), "Quiz Tick")
                self.checkbox(paragraph, f"{value}: {text}", f"{statement.id}:{value.lower()}")

    def quiz_answers(self, node: model.QuizAnswers, ctx: Context) -> None:
        """A numbered list: each statement (linked back to the quiz), its value and qualifier, its explanation."""
        num_id = self.numbering.new_list(True, boxed=bool(ctx.box_style), level=0)
        for answer in node.answers:
            self.pending.append(answer_key(answer.statement))
            paragraph = self.new_paragraph(ctx, ctx.box_style or "Quiz Answer")
            self.numbering.apply(paragraph, num_id, 0)
            statement = self.statements.get(answer.statement)
            if statement is not None:
                link = self.internal_link(paragraph._p, statement.id)
                self.inlines(link, statement.content, link=True)
                paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:br/></w:r>'))
            self.run(paragraph._p, "True" if answer.value else "False", strong=True)
            if answer.qualifier:
                self.run(paragraph._p, f" ({answer.qualifier})")
            self.run(paragraph._p, " – ")  # worded as the workbook does: "True (sort of!) – explanation"
            self.inlines(paragraph._p, answer.explanation)
            self.finish_paragraph(paragraph)


class Numbering:
    """Real Word numbering for lists: one abstract definition per (bullet or number, in a box or not)."""

    def __init__(self, document: WordDocument):
        self.element = document.part.numbering_part.element
        self.abstract: dict[tuple[bool, bool], int] = {}
        self.bullets: dict[bool, int] = {}

    def _next_id(self, tag: str, attribute: str) -> int:
        return max((int(e.get(qn(attribute))) for e in self.element.findall(qn(tag))), default=0) + 1

    def abstract_id(self, ordered: bool, boxed: bool) -> int:
        key = (ordered, boxed)
        if key not in self.abstract:
            number = self._next_id("w:abstractNum", "w:abstractNumId")
            offset = BOX_INDENT if boxed else 0
            levels = []
            for level in range(9):
                if ordered:
                    fmt, text = NUMBER_FORMATS[level % 3], f"%{level + 1}."
                else:
                    fmt, text = "bullet", BULLETS[level % 3]
                left = offset + LIST_INDENT_STEP * (level + 1)
                levels.append(
                    f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                    f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                    f'<w:pPr><w:ind w:left="{left}" w:hanging="{LIST_INDENT_STEP}"/></w:pPr></w:lvl>'
                )
            abstract = parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{number}">'
                f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>'
            )
            first_num = self.element.find(qn("w:num"))
            if first_num is not None:
                first_num.addprevious(abstract)
            else:
                self.element.append(abstract)
            self.abstract[key] = number
        return self.abstract[key]

    def new_list(self, ordered: bool, boxed: bool, level: int) -> int:
        """A numbering instance for one list; numbered lists restart at 1, bullet lists share one."""
        if not ordered and boxed in self.bullets:
            return self.bullets[boxed]
        num_id = self._next_id("w:num", "w:numId")
        override = (
            f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="1"/></w:lvlOverride>' if ordered else ""
        )
        self.element.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{self.abstract_id(ordered, boxed)}"/>'
            f"{override}</w:num>"
        ))
        if not ordered:
            self.bullets[boxed] = num_id
        return num_id

    def apply(self, paragraph, num_id: int, level: int) -> None:
        ppr = paragraph._p.get_or_add_pPr()
        num_pr = set_property(ppr, "numPr", PPR_ORDER)
        num_pr.append(parse_xml(f'<w:ilvl {nsdecls("w")} w:val="{level}"/>'))
        num_pr.append(parse_xml(f'<w:numId {nsdecls("w")} w:val="{num_id}"/>'))


# --- properties and the package ----------------------------------------------


def set_properties(document: WordDocument, doc: Document, brand: Brand) -> None:
    """Title, subject, language, author and fixed timestamps, so nothing varies from build to build."""
    meta = doc.workbook.meta
    when = build_time(doc.workbook).replace(tzinfo=None)
    props = document.core_properties
    props.title = doc.title
    props.subject = model.plain_text(meta.subtitle or meta.summary).strip()
    props.author = brand.council_name
    props.last_modified_by = brand.council_name
    props.language = doc.workbook.lang
    props.keywords = "workbook"
    props.comments = model.plain_text(meta.summary).strip()
    props.category = "Training workbook"
    props.version = doc.workbook.version
    props.revision = 1
    props.created = when
    props.modified = when
    set_language(document, doc.workbook.lang)


def set_language(document: WordDocument, lang: str) -> None:
    """Declare the language on the document defaults and for the theme fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_property(rpr, "lang", RPR_ORDER, {"val": lang, "eastAsia": lang, "bidi": "ar-SA"})
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.attrib.clear()
        theme_lang.set(qn("w:val"), lang)


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>workbook-pipeline</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"
)


def save_reproducibly(document: WordDocument, out: Path, doc: Document, brand: Brand) -> Path:
    """Save through python-docx, then re-zip with fixed timestamps, [Content_Types].xml first."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    if "docProps/app.xml" in files:
        files["docProps/app.xml"] = APP_XML.format(company=escape(brand.council_name)).encode("utf-8")
    return write_zip(out, files, build_time(doc.workbook), first=("[Content_Types].xml", "_rels/.rels"))

