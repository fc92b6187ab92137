"""The named styles of the Word output: which style each model role takes, and the brand's look on them.

The renderer writes style names, never fonts or colours: every role maps to a
style in the reference document (templates/docx/reference.docx or a brand's own),
check_styles names any the reference lacks, and apply_brand writes the brand's
fonts and colours into the default reference's style definitions.
"""
from __future__ import annotations

from pathlib import Path

from docx.document import Document as WordDocument
from docx.oxml.ns import qn

from ... import resources
from ...brand import Brand
from ...model import SourceLocation
from ...problems import UserError, error
from .ooxml import PPR_ORDER, RPR_ORDER, set_property

DEFAULT_REFERENCE = resources.templates("docx", "reference.docx")

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
# Tables and steps (issue 12): the workbook's own tables, the paragraphs that continue a step.
DATA_TABLE = "Workbook Table"
LIST_CONTINUE_STYLES = ("List Continue", "List Continue 2", "List Continue 3")
TOC_STYLES = ("toc 1", "toc 2", "toc 3")
PUBLICATION_DETAIL = "Publication Detail"

PARAGRAPH_STYLES = (
    "Normal", *HEADING_STYLES, "Title", "Subtitle", "Summary", "Publisher", "Council Name", "TOC Heading",
    *BOX_STYLES.values(), *LABEL_STYLES.values(), "Challenge Question",
    "Quote", "Quote Attribution", "Definition Term", "Definition", *LIST_STYLES[False], *LIST_STYLES[True],
    "Figure", "Caption", "Figure Description", "Diagram Layer", "Diagram Divider", "Video",
    "Table Heading", "Table Text", "Quiz Tick", "Quiz Answer", "Answer Space Label", "Answer Space Text", "Footer",
    CONTACT_HEADING, CONTACT_BOX, *LIST_CONTINUE_STYLES, *TOC_STYLES, PUBLICATION_DETAIL,
)
CHARACTER_STYLES = ("Hyperlink", "Strong", "Emphasis", "Quote Char", "Definition Term Char", "Placeholder Text")
TABLE_STYLES = (QUIZ_TABLE, ANSWER_SPACE, DATA_TABLE)
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
# Tables line their borders up with the boxes' borders, which sit outside the box text by the border
# spacing (4 pt) and width; a table's indent counts to its cell text, past the 108-twip cell margin.
BOX_BORDER_OUTSET = 95
TABLE_INDENT = BOX_INDENT - BOX_BORDER_OUTSET + 108


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
