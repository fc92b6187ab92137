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
SOURCES = {
    "commissioning-services": COMMISSIONING,
    "kitchen-sink": KITCHEN_SINK,
}
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
