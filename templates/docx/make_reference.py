"""Generate templates/docx/reference.docx, the reference document the Word renderer starts from.

    .venv/bin/python templates/docx/make_reference.py        # rewrites templates/docx/reference.docx

Every style the renderer uses is defined here, by name, in one readable table:
to restyle the Word output, change a definition below and run this script, or
copy reference.docx into a brand folder and restyle it in Word (Home > Styles >
Modify). A brand's own reference.docx must keep every style named in
pipeline.render.docx.styles.REQUIRED_STYLES; the renderer names any that are missing.

Colours and fonts written here are placeholders for the default brand:
`apply_brand` rewrites them from brands/default/brand.json, and again from the
brand of each build, whenever this default reference is used.

The output is reproducible (fixed timestamps, fixed zip order), so rebuilding
it without changes leaves git with nothing to commit.
"""
from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls, qn  # noqa: E402
from docx.shared import Twips  # noqa: E402

from pipeline.brand import load_brand  # noqa: E402
from pipeline.package import write_zip  # noqa: E402
from pipeline.render.docx.package import APP_XML, set_language  # noqa: E402
from pipeline.render.docx.ooxml import RPR_ORDER, set_property  # noqa: E402
from pipeline.render.docx.styles import (  # noqa: E402
    BOX_INDENT, DEFAULT_REFERENCE, REQUIRED_STYLES, TABLE_INDENT, apply_brand, check_styles,
)

TIMESTAMP = datetime(2026, 1, 1, tzinfo=timezone.utc)
BORDER = "7F7F7F"
CUSTOM = 'w:customStyle="1" '
BOX_BORDER = f'w:val="single" w:sz="6" w:space="4" w:color="{BORDER}"'


def paragraph_style(style_id: str, name: str, ppr: str = "", rpr: str = "", based_on: str | None = "Normal",
                    next_style: str | None = None, custom: bool = True, priority: int = 20) -> str:
    return (
        f'<w:style {nsdecls("w")} w:type="paragraph" {CUSTOM if custom else ""}w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>'
        + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
        + (f'<w:next w:val="{next_style}"/>' if next_style else "")
        + f'<w:uiPriority w:val="{priority}"/><w:qFormat/>'
        + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
        + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
        + "</w:style>"
    )


def character_style(style_id: str, name: str, rpr: str, custom: bool = True) -> str:
    return (
        f'<w:style {nsdecls("w")} w:type="character" {CUSTOM if custom else ""}w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f"<w:rPr>{rpr}</w:rPr></w:style>"
    )


def table_style(style_id: str, name: str, borders: str, header_fill: str, header_rpr: str = "<w:b/>") -> str:
    margins = ('<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
               '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>')
    return (
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
        '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f'<w:tblPr><w:tblInd w:w="{TABLE_INDENT}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>{margins}</w:tblPr>'
        f'<w:tblStylePr w:type="firstRow"><w:rPr>{header_rpr}</w:rPr>'
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{header_fill}"/></w:tcPr></w:tblStylePr>'
        "</w:style>"
    )


def borders(sides: str, attrs: str) -> str:
    return "".join(f"<w:{side} {attrs}/>" for side in sides.split())


def heading(level: int, size: int, extra_ppr: str = "", extra_rpr: str = "") -> str:
    return paragraph_style(
        f"Heading{level}", f"heading {level}", custom=False, next_style="Normal", priority=9,
        ppr=f'<w:keepNext/><w:keepLines/>{extra_ppr}<w:spacing w:before="{360 if level <= 2 else 240}" w:after="120"/>'
            f'<w:outlineLvl w:val="{level - 1}"/>',
        rpr=f'<w:b/><w:bCs/>{extra_rpr}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>',
    )


def box_styles() -> list[str]:
    """A generic "Box" and, based on it, a box and a label style per typed block kind."""
    styles = [paragraph_style(
        "Box", "Box", priority=30,
        ppr=f'<w:pBdr>{borders("top left bottom right", BOX_BORDER)}</w:pBdr>'
            '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
            f'<w:spacing w:before="0" w:after="120"/><w:ind w:left="{BOX_INDENT}" w:right="{BOX_INDENT}"/>',
    )]
    for kind in ("Guidance", "Challenge", "Case Study", "Tip", "Useful Links"):
        box_id = kind.replace(" ", "") + "Box"
        styles.append(paragraph_style(box_id, f"{kind} Box", based_on="Box", next_style=box_id, priority=30,
                                      ppr='<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'))
        styles.append(paragraph_style(
            kind.replace(" ", "") + "Label", f"{kind} Label", based_on=box_id, next_style=box_id, priority=30,
            # No bottom border: the label is a bar of its own (Word and LibreOffice group paragraphs whose
            # borders are identical), so two boxes in a row stay apart and the box's top edge sits under it.
            ppr='<w:keepNext/><w:keepLines/>'
                f'<w:pBdr>{borders("top left", BOX_BORDER)}<w:bottom w:val="nil"/>{borders("right", BOX_BORDER)}</w:pBdr>'
                '<w:shd w:val="clear" w:color="auto" w:fill="1D4F91"/>'
                '<w:spacing w:before="240" w:after="0"/>',
            rpr='<w:b/><w:bCs/><w:color w:val="FFFFFF"/><w:sz w:val="24"/><w:szCs w:val="24"/>',
        ))
    return styles


def style_definitions() -> list[str]:
    grey_text = '<w:color w:val="404040"/>'
    return [
        paragraph_style("Normal", "Normal", based_on=None, custom=False, priority=0,
                        ppr='<w:spacing w:after="160" w:line="276" w:lineRule="auto"/>',
                        rpr='<w:color w:val="1B1B1B"/><w:sz w:val="22"/><w:szCs w:val="22"/>'),
        heading(1, 36, extra_ppr="<w:pageBreakBefore/>"),
        heading(2, 30),
        heading(3, 26),
        heading(4, 24),
        heading(5, 22),
        heading(6, 22, extra_rpr="<w:i/><w:iCs/>"),
        paragraph_style("Title", "Title", custom=False, priority=10, next_style="Subtitle",
                        ppr='<w:spacing w:before="2400" w:after="240" w:line="240" w:lineRule="auto"/>',
                        rpr='<w:b/><w:bCs/><w:kern w:val="28"/><w:sz w:val="56"/><w:szCs w:val="56"/>'),
        paragraph_style("Subtitle", "Subtitle", custom=False, priority=11, next_style="Summary",
                        ppr='<w:spacing w:after="360"/>', rpr='<w:sz w:val="32"/><w:szCs w:val="32"/>'),
        paragraph_style("Summary", "Summary", ppr='<w:spacing w:after="720"/>',
                        rpr='<w:sz w:val="26"/><w:szCs w:val="26"/>'),
        paragraph_style("Publisher", "Publisher", ppr='<w:spacing w:after="120"/>',
                        rpr='<w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
        paragraph_style("CouncilName", "Council Name", ppr='<w:spacing w:after="120"/>',
                        rpr='<w:sz w:val="24"/><w:szCs w:val="24"/>'),
        # No outline level: the contents page is not itself a heading in the contents.
        paragraph_style("TOCHeading", "TOC Heading", custom=False, priority=39, next_style="Normal",
                        ppr='<w:keepNext/><w:pageBreakBefore/><w:spacing w:after="240"/>',
                        rpr='<w:b/><w:bCs/><w:sz w:val="36"/><w:szCs w:val="36"/>'),
        paragraph_style("TOC1", "toc 1", custom=False, priority=39, ppr='<w:spacing w:before="120" w:after="60"/>',
                        rpr="<w:b/><w:bCs/>"),
        paragraph_style("TOC2", "toc 2", custom=False, priority=39, ppr='<w:spacing w:after="60"/><w:ind w:left="284"/>'),
        paragraph_style("TOC3", "toc 3", custom=False, priority=39, ppr='<w:spacing w:after="60"/><w:ind w:left="567"/>'),
        *box_styles(),
        # The end page: the council's contact details. The heading is a level-1 heading (in the
        # navigation pane and the contents); the box keeps brand text on the brand background.
        paragraph_style("ContactHeading", "Contact Heading", based_on="Heading1", next_style="ContactBox", priority=30),
        paragraph_style("ContactBox", "Contact Box", based_on="Box", next_style="ContactBox", priority=30,
                        ppr='<w:shd w:val="clear" w:color="auto" w:fill="FFFFFF"/><w:spacing w:after="60"/>'),
        paragraph_style("ChallengeQuestion", "Challenge Question", based_on="ChallengeBox", priority=30,
                        ppr='<w:keepNext/><w:spacing w:before="120"/>', rpr="<w:b/><w:bCs/>"),
        paragraph_style("Quote", "Quote", custom=False, priority=29, next_style="Normal",
                        ppr=f'<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="{BORDER}"/></w:pBdr>'
                            '<w:ind w:left="567" w:right="567"/>',
                        rpr="<w:i/><w:iCs/>"),
        character_style("QuoteChar", "Quote Char", "<w:i/><w:iCs/>", custom=False),
        paragraph_style("QuoteAttribution", "Quote Attribution", based_on="Quote", next_style="Normal",
                        ppr='<w:spacing w:after="240"/><w:jc w:val="right"/>', rpr='<w:i w:val="0"/><w:iCs w:val="0"/>'),
        paragraph_style("DefinitionTerm", "Definition Term", next_style="Definition",
                        ppr='<w:keepNext/><w:spacing w:after="0"/>', rpr="<w:b/><w:bCs/>"),
        paragraph_style("Definition", "Definition", next_style="DefinitionTerm", ppr='<w:ind w:left="567"/>'),
        character_style("DefinitionTermChar", "Definition Term Char", "<w:b/><w:bCs/>"),
        paragraph_style("Figure", "Figure", ppr='<w:keepNext/><w:spacing w:before="120" w:after="60"/><w:jc w:val="center"/>'),
        paragraph_style("Caption", "caption", custom=False, priority=35, next_style="Normal",
                        ppr='<w:spacing w:after="240"/>', rpr=f'<w:i/><w:iCs/>{grey_text}<w:sz w:val="20"/><w:szCs w:val="20"/>'),
        paragraph_style("FigureDescription", "Figure Description", rpr=grey_text),
        paragraph_style("DiagramLayer", "Diagram Layer",
                        ppr=f'<w:keepNext/><w:pBdr>{borders("top left bottom right", BOX_BORDER)}</w:pBdr>'
                            '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/><w:spacing w:after="0"/>'
                            '<w:ind w:left="1134" w:right="1134"/><w:jc w:val="center"/>',
                        rpr="<w:b/><w:bCs/>"),
        paragraph_style("DiagramDivider", "Diagram Divider",
                        ppr='<w:keepNext/><w:spacing w:before="60" w:after="60"/><w:jc w:val="center"/>',
                        rpr=f'<w:i/><w:iCs/>{grey_text}<w:sz w:val="20"/><w:szCs w:val="20"/>'),
        paragraph_style("Video", "Video",
                        ppr=f'<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="{BORDER}"/></w:pBdr>'
                            '<w:ind w:left="284"/>'),
        paragraph_style("TableHeading", "Table Heading", ppr='<w:keepNext/><w:spacing w:after="0"/>',
                        rpr="<w:b/><w:bCs/>"),
        paragraph_style("TableText", "Table Text", ppr='<w:spacing w:after="0"/>'),
        paragraph_style("QuizTick", "Quiz Tick", ppr='<w:spacing w:after="0"/><w:jc w:val="center"/>',
                        rpr='<w:sz w:val="28"/><w:szCs w:val="28"/>'),
        paragraph_style("QuizAnswer", "Quiz Answer", ppr='<w:spacing w:after="160"/>'),
        paragraph_style("AnswerSpaceLabel", "Answer Space Label", ppr='<w:keepNext/><w:spacing w:after="0"/>',
                        rpr='<w:b/><w:bCs/><w:sz w:val="20"/><w:szCs w:val="20"/>'),
        paragraph_style("AnswerSpaceText", "Answer Space Text", ppr='<w:spacing w:after="120"/>'),
        character_style("Hyperlink", "Hyperlink", '<w:color w:val="1D4F91"/><w:u w:val="single"/>', custom=False),
        character_style("PlaceholderText", "Placeholder Text", '<w:color w:val="595959"/>', custom=False),
        table_style("QuizTable", "Quiz Table", borders("top left bottom right insideH insideV",
                                                       f'w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"'),
                    "EEF7DC"),
        *table_and_step_styles(),
        table_style("AnswerSpace", "Answer Space",
                    borders("top left bottom right", 'w:val="single" w:sz="12" w:space="0" w:color="595959"')
                    + borders("insideH", f'w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"'),
                    "EEF7DC"),
    ]


def table_and_step_styles() -> list[str]:
    """The workbook's own tables and the paragraphs that continue a numbered step (issue 12)."""
    grid = borders("top left bottom right insideH insideV", f'w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"')
    workbook_table = table_style("WorkbookTable", "Workbook Table", grid, "E7ECF4")
    # Row headers (the first column, when tblLook asks for it) are bold like the head row.
    workbook_table = workbook_table.replace(
        "</w:style>", '<w:tblStylePr w:type="firstCol"><w:rPr><w:b/><w:bCs/></w:rPr></w:tblStylePr></w:style>')
    # A step's later paragraphs are in "List Continue" (1-3), which the python-docx template already
    # defines with the numbering's indents (360, 720, 1080 twips: numbering.py), so they are kept as they are.
    # The title page's authors, identifiers and rights line.
    detail = paragraph_style("PublicationDetail", "Publication Detail", ppr='<w:spacing w:after="60"/>',
                             rpr='<w:color w:val="404040"/><w:sz w:val="20"/><w:szCs w:val="20"/>')
    return [workbook_table, detail]


def install_styles(document) -> None:
    """Add every style above, replacing the python-docx template's style of the same id."""
    styles = document.styles.element
    for xml in style_definitions():
        element = parse_xml(xml)
        style_id = element.get(qn("w:styleId"))
        for old in styles.findall(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']"):
            styles.remove(old)
        styles.append(element)
    # Theme fonts would override the brand font in Word: name the fonts outright.
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_property(rpr, "rFonts", RPR_ORDER, {"ascii": "Arial", "hAnsi": "Arial", "cs": "Arial", "eastAsia": "Arial"})


def page_setup(document) -> None:
    """A4 with 2 cm side margins: the paper of the workbooks' readers."""
    section = document.sections[0]
    section.page_width, section.page_height = Twips(11906), Twips(16838)
    section.left_margin = section.right_margin = Twips(1134)
    section.top_margin = section.bottom_margin = Twips(1247)
    section.header_distance = section.footer_distance = Twips(567)


# Parts of python-docx's template that a reference document does not need: a Word 2010 copy of the
# styles, an empty bibliography store, and a thumbnail of a blank page.
UNWANTED_PARTS = (RT.THUMBNAIL, RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")
# Word's gallery of table designs, none of which the renderer uses; Word still offers them from its own list.
UNWANTED_STYLE_PREFIXES = ("LightShading", "LightList", "LightGrid", "MediumShading", "MediumList", "MediumGrid",
                           "DarkList", "ColorfulShading", "ColorfulList", "ColorfulGrid")


def drop_template_leftovers(document) -> None:
    """Remove what python-docx's template carries that a reference document does not need."""
    for owner in (document.part.package, document.part):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype in UNWANTED_PARTS:
                owner.rels.pop(rel_id)
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")).startswith(UNWANTED_STYLE_PREFIXES):
            styles.remove(style)
    settings = document.settings.element
    for preview in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(preview)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def make_reference(out: Path = DEFAULT_REFERENCE) -> Path:
    document = docx.Document()
    drop_template_leftovers(document)
    install_styles(document)
    page_setup(document)
    brand, problems = load_brand(ROOT / "brands" / "default")
    if brand is None:
        raise SystemExit("\n".join(str(p) for p in problems))
    check_styles(document, out)
    apply_brand(document, brand)
    set_language(document, "en-GB")
    props = document.core_properties
    props.title = "Workbook reference document"
    props.subject = "Styles for the Word edition of training workbooks"
    props.author = props.last_modified_by = "workbook-pipeline"
    props.comments = "Generated by templates/docx/make_reference.py; every style the Word renderer uses."
    props.language = "en-GB"
    props.keywords = ""
    props.revision = 1
    props.created = props.modified = TIMESTAMP.replace(tzinfo=None)
    document.add_paragraph(
        "This is the reference document of the Word renderer. Its styles are the look of every Word workbook: "
        f"{', '.join(REQUIRED_STYLES)}.", style="Normal")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files.pop("docProps/thumbnail.jpeg", None)
    files["docProps/app.xml"] = APP_XML.format(company="").encode("utf-8")
    return write_zip(out, files, TIMESTAMP, first=("[Content_Types].xml", "_rels/.rels"))


if __name__ == "__main__":
    print(make_reference())
