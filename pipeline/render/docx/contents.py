"""The contents list written out at build time, inside the TOC field (issue 12).

A TOC field shows its last result until fields are updated, so the result is
written here: one paragraph per heading (levels 1-3, as the field's \\o "1-3"
switch collects), in the reference document's "toc 1"-"toc 3" styles, each a
link to a bookmark on its heading. The field stays a field: Word (which is asked
to update fields on opening) and LibreOffice replace the result with their own,
page numbers included, whenever the reader updates it.
"""
from __future__ import annotations

from docx.oxml.ns import qn

from .ooxml import PPR_ORDER, set_property
from .styles import TOC_STYLES

TOC_LEVELS = 3


def write_contents(writer) -> None:
    """Replace the placeholder result of `writer.contents_field` with an entry per heading written after it."""
    field = writer.contents_field
    entries = [(level, text, paragraph) for level, text, paragraph in _headings(writer, field) if text]
    if not entries:
        return  # the placeholder stays: it says how to fill the contents in
    runs = field.findall(qn("w:r"))
    separate = next(index for index, r in enumerate(runs) if _fld_char(r) == "separate")
    for r in runs[separate + 1:]:  # the placeholder text and the field's end
        field.remove(r)
    end = runs[-1]
    previous = field
    for number, (level, text, heading) in enumerate(entries):
        key = f"toc:{number}"  # a colon is never in a model id, so this never takes an author's name
        anchor = _bookmark_of(heading)
        if anchor is None:
            writer.bookmark(heading, key)
            anchor = writer.bookmarks.name(key)
        p = field if number == 0 else field.makeelement(qn("w:p"), {})
        set_property(p.get_or_add_pPr(), "pStyle", PPR_ORDER, {"val": writer.style_id(TOC_STYLES[level])})
        writer.run(_link(p, anchor), text)
        if p is not field:
            previous.addnext(p)
            previous = p
    previous.append(end)


def _link(p, anchor: str):
    hyperlink = p.makeelement(qn("w:hyperlink"), {qn("w:anchor"): anchor, qn("w:history"): "1"})
    p.append(hyperlink)
    return hyperlink


def _fld_char(r) -> str | None:
    found = r.find(qn("w:fldChar"))
    return None if found is None else found.get(qn("w:fldCharType"))


def _bookmark_of(p) -> str | None:
    found = p.find(qn("w:bookmarkStart"))
    return None if found is None else found.get(qn("w:name"))


def _headings(writer, after):
    """(level 0-2, text, paragraph) of every heading paragraph in the body after `after`, in order."""
    levels = _outline_levels(writer.document)
    body = writer.document.element.body
    seen = False
    for p in body.iter(qn("w:p")):
        if p is after:
            seen = True
            continue
        if not seen:
            continue
        ppr = p.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        level = levels.get(style.get(qn("w:val"))) if style is not None else None
        if level is not None and level < TOC_LEVELS:
            text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
            yield level, text, p


def _outline_levels(document) -> dict[str, int]:
    """The outline level (0-8) of every paragraph style that has one, itself or through its basedOn chain."""
    styles = {s.get(qn("w:styleId")): s for s in document.styles.element.findall(qn("w:style"))}

    def level_of(style_id: str, depth: int = 0) -> int | None:
        style = styles.get(style_id)
        if style is None or depth > 20:
            return None
        ppr = style.find(qn("w:pPr"))
        outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if outline is not None:
            value = int(outline.get(qn("w:val")))
            return value if value < 9 else None
        based = style.find(qn("w:basedOn"))
        return None if based is None else level_of(based.get(qn("w:val")), depth + 1)

    return {style_id: level for style_id in styles if (level := level_of(style_id)) is not None}
