"""The workbooks every format's tests build: the real Commissioning workbook and the
kitchen-sink fixture that uses every block kind, keyed by workbook id.

Kept out of conftest.py so that test modules can import the table (for parametrize)
without importing conftest a second time under another name.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMISSIONING = ROOT / "source" / "commissioning-services" / "workbook.xml"
KITCHEN_SINK = ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"
# A second workbook modelled on the LGA series: tables, numbered steps, an untitled challenge, full metadata.
SERIES = ROOT / "tests" / "fixtures" / "series" / "workbook.xml"
# Every way a learner answers (issue 13): choices, checklists, rating scales, drawing spaces.
ANSWERS = ROOT / "tests" / "fixtures" / "answers" / "workbook.xml"
SOURCES = {
    "commissioning-services": COMMISSIONING,
    "kitchen-sink": KITCHEN_SINK,
    "scrutiny-skills": SERIES,
    "answers": ANSWERS,
}
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Small inline sources for the error cases: a workbook with one section whose content is `{}`.
MINIMAL_BODY = '<meta><title>T</title></meta><section id="s"><title>S</title>{}</section>'


def xml_source(body: str, root_attributes: str = 'id="w" version="1.0"') -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {root_attributes}>{body}</workbook>\n'


def problems_in(tmp_path: Path, content: str | bytes, name: str = "workbook.xml") -> list[str]:
    """What `validate` says of `content` saved as `name` in tmp_path, one message a line."""
    from pipeline.validate import validate_file

    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    _, problems = validate_file(path, display_name=name)
    return [str(problem) for problem in problems]
