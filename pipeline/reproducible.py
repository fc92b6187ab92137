"""The one timestamp every output carries, so that the same inputs give byte-identical files."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from . import model

# Used when neither SOURCE_DATE_EPOCH nor the source's <date> gives a time.
FALLBACK = datetime(2000, 1, 1, tzinfo=timezone.utc)


def build_time(workbook: model.Workbook | None = None) -> datetime:
    """SOURCE_DATE_EPOCH if set, else the workbook's own date, else a fixed date; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {epoch!r}") from None
    if workbook is not None and workbook.meta.date:
        return datetime.fromisoformat(workbook.meta.date).replace(tzinfo=timezone.utc)
    return FALLBACK
