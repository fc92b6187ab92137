"""The one timestamp every output carries, so that the same inputs give byte-identical files."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from . import model
from .problems import UserError

# Used when neither SOURCE_DATE_EPOCH nor the source's <date> gives a time.
FALLBACK = datetime(2000, 1, 1, tzinfo=timezone.utc)


def build_time(workbook: model.Workbook | None = None) -> datetime:
    """SOURCE_DATE_EPOCH if set, else the workbook's own date, else a fixed date; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            moment = None
        # Zip files (Word, EPUB, SCORM) can only record 1980 to 2107.
        if moment is None or not 1980 <= moment.year <= 2107:
            raise UserError(f"SOURCE_DATE_EPOCH: error: must be a whole number of seconds since 1970 for a date from 1980 to 2107 "
                            f"(got {epoch!r}); unset it or fix it [build.source-date-epoch]")
        return moment
    if workbook is not None and workbook.meta.date:
        return datetime.fromisoformat(workbook.meta.date).replace(tzinfo=timezone.utc)
    return FALLBACK
