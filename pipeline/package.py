"""The one deterministic zip writer, shared by EPUB and both SCORM packages.

Entries are written in a fixed order with a fixed timestamp and fixed
permissions, so the same files always make the same bytes. For EPUB,
`mimetype` goes first and is stored uncompressed, as the OCF spec requires.
"""
from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Mapping

# Zip timestamps cannot be earlier than 1980.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_zip(path: Path, files: Mapping[str, bytes], timestamp: datetime, first: tuple[str, ...] = (), stored: tuple[str, ...] = ()) -> Path:
    """Write `files` (archive name -> bytes) to `path`: `first` in that order, then the rest sorted."""
    date_time = max(_ZIP_EPOCH, timestamp.timetuple()[:6])
    names = [name for name in first if name in files] + sorted(name for name in files if name not in first)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(info, files[name], compresslevel=9 if name not in stored else None)
    return path


def read_tree(folder: Path) -> dict[str, bytes]:
    """Read every file under `folder` into {posix relative path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
