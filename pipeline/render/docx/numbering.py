"""Real Word numbering for the lists: abstract definitions and one numbering instance per list."""
from __future__ import annotations

from docx.document import Document as WordDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from .ooxml import PPR_ORDER, set_property
from .styles import BOX_INDENT

LIST_INDENT_STEP = 360
BULLETS = ("•", "–", "◦")
NUMBER_FORMATS = ("decimal", "lowerLetter", "lowerRoman")


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
