"""Small readers of pandoc's JSON AST: attributes, styles, source lines, inline content."""
from __future__ import annotations

import re
from typing import Iterable

from .. import model
from ..load import normalise_inlines

QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
# Character styles whose runs are plain text in the model (the role shows elsewhere).
EMPHASIS_STYLES = {"Emphasis", "Quote Char", "Caption Char"}
STRONG_STYLES = {"Strong"}


def attr_pairs(attr) -> dict[str, str]:
    return dict(attr[2])


def style_of(block: dict) -> str | None:
    """The Word style pandoc recorded on a Div or Table (docx+styles), if any."""
    if block["t"] in ("Div", "Table"):
        return attr_pairs(block["c"][0]).get("custom-style")
    return None


def line_of(attr) -> int | None:
    """The first line of a node from CommonMark's sourcepos (data-pos="3:1-4:1", or "file@3:1-4:1" when pandoc names the file)."""
    position = attr_pairs(attr).get("data-pos")
    if position:
        match = re.search(r"(?:^|@)(\d+):", position)
        if match:
            return int(match.group(1))
    return None


def unwrap_blocks(blocks: Iterable[dict], line: int | None = None) -> list[dict]:
    """Remove sourcepos wrapper Divs, keeping each block's line as `_line` and unwrapping its inlines."""
    out: list[dict] = []
    for block in blocks:
        kind = block["t"]
        if kind == "Div" and attr_pairs(block["c"][0]).get("wrapper") == "1":
            out.extend(unwrap_blocks(block["c"][1], line_of(block["c"][0]) or line))
            continue
        block = dict(block)
        own = line_of(block["c"][0]) if kind in ("Div", "Table", "CodeBlock") else None
        if kind == "Header":
            own = line_of(block["c"][1])
        block["_line"] = own or line
        if kind == "Div":
            block["c"] = [block["c"][0], unwrap_blocks(block["c"][1], block["_line"])]
        elif kind in ("BulletList",):
            block["c"] = [unwrap_blocks(item, block["_line"]) for item in block["c"]]
        elif kind == "OrderedList":
            block["c"] = [block["c"][0], [unwrap_blocks(item, block["_line"]) for item in block["c"][1]]]
        elif kind == "BlockQuote":
            block["c"] = unwrap_blocks(block["c"], block["_line"])
        elif kind in ("Para", "Plain"):
            block["c"] = unwrap_inlines(block["c"])
        elif kind == "Header":
            block["c"] = [block["c"][0], block["c"][1], unwrap_inlines(block["c"][2])]
        elif kind == "DefinitionList":
            block["c"] = [[unwrap_inlines(term), [unwrap_blocks(d, block["_line"]) for d in defs]] for term, defs in block["c"]]
        out.append(block)
    return out


def unwrap_inlines(inlines: list) -> list:
    out = []
    for node in inlines:
        kind = node["t"]
        if kind == "Span" and attr_pairs(node["c"][0]).get("wrapper") == "1":
            out.extend(unwrap_inlines(node["c"][1]))
            continue
        if kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
            node = {"t": kind, "c": unwrap_inlines(node["c"])}
        elif kind in ("Span", "Link"):
            node = {"t": kind, "c": [node["c"][0], unwrap_inlines(node["c"][1]), *node["c"][2:]]}
        elif kind == "Quoted":
            node = {"t": kind, "c": [node["c"][0], unwrap_inlines(node["c"][1])]}
        out.append(node)
    return out


def text(inlines) -> str:
    """The plain text of pandoc inlines (or of a list of blocks)."""
    parts: list[str] = []

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        kind = node["t"]
        if kind == "Str":
            parts.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math"):
            parts.append(node["c"][1])
        elif kind == "Quoted":
            opening, closing = QUOTES.get(node["c"][0]["t"], ("“", "”"))
            parts.append(opening)
            visit(node["c"][1])
            parts.append(closing)
        elif kind in ("Span", "Link", "Image"):
            visit(node["c"][1])
        elif kind in ("Note", "RawInline", "RawBlock"):
            return
        elif kind in ("Header",):
            visit(node["c"][2])
        elif kind in ("Cite",):
            visit(node["c"][1])
        else:
            visit(node.get("c"))

    visit(inlines)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def para_inlines(block: dict) -> list | None:
    """The inlines of a Para/Plain (or a styled Div holding one), else None."""
    if block["t"] in ("Para", "Plain"):
        return block["c"]
    if block["t"] == "Div" and len(block["c"][1]) == 1:
        return para_inlines(block["c"][1][0])
    if block["t"] == "BlockQuote" and len(block["c"]) == 1:
        return para_inlines(block["c"][0])
    return None


def table_caption(table: dict) -> list:
    """The inlines of a Table's caption (its long caption's paragraphs, run together)."""
    out: list = []
    for block in table["c"][1][1]:
        inlines = para_inlines(block)
        if inlines:
            if out:
                out.append({"t": "Space"})
            out.extend(inlines)
    return out


def table_rows(table: dict) -> tuple[list, list]:
    """(head rows, body rows) of a Table, each row a list of cells, each cell its list of blocks."""
    head, body, _ = table_parts(table)
    return head, body


def table_parts(table: dict) -> tuple[list, list, list[int]]:
    """Head rows, body rows, and for each body row how many of its first cells are row headers (HTML's <th>)."""
    def cells(row) -> list:
        return [cell[4] for cell in row[1]]

    head = [cells(row) for row in table["c"][3][1]]
    body, row_heads = [], []
    for section in table["c"][4]:
        for row in (*section[2], *section[3]):
            body.append(cells(row))
            row_heads.append(section[1])
    return head, body, row_heads


def anchors(inlines) -> list[str]:
    """Bookmark names at a paragraph (pandoc keeps the ones a link points to)."""
    found = []
    for node in inlines or ():
        if node["t"] == "Span" and "anchor" in node["c"][0][1] and node["c"][0][0]:
            found.append(node["c"][0][0])
    return found


def bookmark_id(name: str) -> str | None:
    """Our Word output names bookmarks after model ids, '-' written as '_': take the id back."""
    candidate = name.replace("_", "-")
    if re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", candidate):
        return candidate
    return None


def only_styled(inlines, styles: set[str], tags: tuple[str, ...] = ()) -> bool:
    """Whether every visible inline is inside a Span of one of `styles` (or an Emph/Strong in `tags`)."""
    seen = False
    for node in inlines or ():
        kind = node["t"]
        if kind == "Span" and "anchor" in node["c"][0][1]:
            continue
        if kind in ("Space", "SoftBreak"):
            continue
        if kind == "Span" and attr_pairs(node["c"][0]).get("custom-style") in styles:
            seen = True
            continue
        if kind in tags:
            seen = True
            continue
        return False
    return seen


class InlineReader:
    """pandoc inlines -> model inlines; notes what it had to drop, for the warnings."""

    def __init__(self) -> None:
        self.dropped: list[str] = []
        self.images: list[tuple[str, str, str]] = []  # (src, alt, title) of images met inline

    def read(self, inlines) -> model.Inlines:
        return normalise_inlines(self._read(inlines or ()))

    def _read(self, inlines) -> list[model.Inline]:
        out: list[model.Inline] = []
        for node in inlines:
            kind = node["t"]
            content = node.get("c")
            if kind == "Str":
                out.append(model.Text(content))
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(model.Text(" "))
            elif kind == "Emph":
                out.append(model.Emphasis(tuple(self._read(content))))
            elif kind == "Strong":
                out.append(model.Strong(tuple(self._read(content))))
            elif kind == "Span":
                style = attr_pairs(content[0]).get("custom-style")
                inner = self._read(content[1])
                if style in EMPHASIS_STYLES or "emphasis" in content[0][1]:
                    out.append(model.Emphasis(tuple(inner)))
                elif style in STRONG_STYLES or "strong" in content[0][1]:
                    out.append(model.Strong(tuple(inner)))
                else:
                    out.extend(inner)
            elif kind == "Link":
                inner = tuple(self._read(content[1]))
                href = content[2][0]
                if href.startswith("#"):
                    target = bookmark_id(href[1:])
                    if target:
                        out.append(model.Ref(target, inner))
                    else:
                        out.extend(inner)
                elif href and not re.match(r"(?i)(https?|mailto):", href):
                    # A workbook links only to web and mail addresses: a file or page link keeps its words.
                    self.dropped.append(f"the address {href} of a link (not a web address; its words are kept)")
                    out.extend(inner)
                else:
                    out.append(model.Link(href or None, inner))
            elif kind == "Quoted":
                opening, closing = QUOTES.get(content[0]["t"], ("“", "”"))
                out.extend((model.Text(opening), *self._read(content[1]), model.Text(closing)))
            elif kind in ("Code",):
                out.append(model.Text(content[1]))
            elif kind == "Math":
                out.append(model.Text(content[1]))
            elif kind in ("Underline", "SmallCaps", "Superscript", "Subscript", "Strikeout"):
                out.extend(self._read(content))
            elif kind == "Cite":
                out.extend(self._read(content[1]))
            elif kind == "Image":
                self.images.append((content[2][0], text(content[1]), content[2][1].removeprefix("fig:")))
            elif kind == "Note":
                self.dropped.append("a footnote")
            elif kind == "RawInline":
                self.dropped.append(f"raw {content[0]}")
            else:
                self.dropped.append(kind)
        return out
