"""Property elements in the order the WordprocessingML schema gives their children.

Word (and the Open XML SDK validator) reject a w:pPr or w:rPr whose children are
out of schema order, so every property the renderer writes goes through
set_property, which puts it where the schema expects it.
"""
from __future__ import annotations

from docx.oxml.ns import qn

# Schema order of the children of w:pPr and w:rPr.
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
