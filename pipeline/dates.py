"""The one reader of workbook dates: what the schemas accept is exactly what this parses.

Both schemas narrow a date to `YYYY-MM-DD` (no time zone, no extra year
digits, no sign), so a date every check passed is always one that
`datetime.date` can hold and the outputs can record.
"""
from __future__ import annotations

import re
from datetime import date

DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATE = re.compile(DATE_PATTERN, re.ASCII)


def parse_date(text: str) -> date | None:
    """The calendar date written as YYYY-MM-DD, or None when `text` is anything else (2026-02-30, 2026-01-01Z, ' 2026-01-01')."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return None
