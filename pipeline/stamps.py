"""What an output was made from: fingerprints of a pair's inputs, and the stamps that record them.

A build reads these before anything else, and a rebuild with nothing to do reads
nothing but these: so this module imports only the standard library modules the
`build` command has loaded already (no model, no schemas, no renderer).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import formats as _formats
from . import resources

if TYPE_CHECKING:
    from typing import Iterable

STAMP_FOLDER = ".stamps"
# pipeline.publish.PUBLISH_FILE (a test keeps them equal): importing that module
# loads dataclasses, which a rebuild with nothing to do cannot spare.
PUBLISH_FILE = "publish.json"


CHUNK = 1 << 20  # fingerprints read files 1 MiB at a time: a large image never sits in memory whole


def _hash_file(digest, path: Path, name: str) -> None:
    """Add one file's name and content hash; a file that cannot be read, or is not a regular file, adds a marker instead.

    Opened without blocking and checked with fstat before reading, so a FIFO
    or a device named by a source cannot hang or flood the fingerprint; the
    build's own reading then reports it properly.
    """
    digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        digest.update(f"unreadable:{getattr(exc, 'errno', None)}\0".encode())
        return
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            digest.update(b"not-a-file\0")
            return
        content = hashlib.sha256()
        while chunk := os.read(descriptor, CHUNK):
            content.update(chunk)
        digest.update(content.digest())
    except OSError as exc:
        digest.update(f"unreadable:{exc.errno}\0".encode())
    finally:
        os.close(descriptor)


def _hash_files(digest, files: Iterable[Path], root: Path) -> None:
    for path in sorted(files):
        if "__pycache__" not in path.parts and path.is_file():
            _hash_file(digest, path, path.relative_to(root).as_posix())


@lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """A hash of the toolkit itself: its code, templates and schemas."""
    digest = hashlib.sha256()
    for folder, root in resources.code_folders():
        _hash_files(digest, folder.rglob("*"), root)
    return digest.hexdigest()


# Image references, found without parsing the source: <image src="..."> in the
# XML form, "src": "..." in the JSON form. Anything else matched (a video's
# address, say) names no file in the source folder and adds only a marker.
_XML_SRC = re.compile(rb"""\bsrc\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_JSON_SRC = re.compile(rb'"src"\s*:\s*"((?:[^"\\]|\\.)*)"')


def referenced_files(source: Path, data: bytes) -> list[str]:
    """The image paths a source's text refers to, as written (relative to its folder), sorted and without repeats."""
    found = set()
    if source.suffix == ".json":
        for match in _JSON_SRC.finditer(data):
            try:
                found.add(json.loads(b'"' + match.group(1) + b'"'))
            except ValueError:
                continue
    else:
        for match in _XML_SRC.finditer(data):
            raw = (match.group(1) if match.group(1) is not None else match.group(2)).decode("utf-8", "replace")
            if "&" in raw:  # an entity or character reference; html.entities is large, so only then
                import html

                raw = html.unescape(raw)
            found.add(raw)
    return sorted(found)


# <translation workbook="ID"/> (either attribute order) and its JSON form: the other-language
# editions, whose titles and pages this workbook's outputs name and link to.
_XML_TRANSLATION = re.compile(rb"""<translation\b[^>]*?\bworkbook\s*=\s*["']([a-z][a-z0-9-]{0,79})["']""")
_JSON_TRANSLATION = re.compile(
    rb'"type"\s*:\s*"translation"[^{}]*?"workbook"\s*:\s*"([a-z][a-z0-9-]{0,79})"'
    rb'|"workbook"\s*:\s*"([a-z][a-z0-9-]{0,79})"[^{}]*?"type"\s*:\s*"translation"')


def translation_ids(source: Path, data: bytes) -> list[str]:
    """The workbook ids a source names as its translations, sorted and without repeats."""
    if source.suffix == ".json":
        return sorted({(match.group(1) or match.group(2)).decode() for match in _JSON_TRANSLATION.finditer(data)})
    return sorted({match.group(1).decode() for match in _XML_TRANSLATION.finditer(data)})


def _read_source_bytes(source: Path) -> bytes | None:
    """The source's bytes for finding its images (None if it cannot be read as a regular file; validation says why)."""
    try:
        descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        chunks = []
        while chunk := os.read(descriptor, CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def input_fingerprint(source: Path, brand_folder: Path, out_root: Path | None = None) -> str:
    """A hash of everything a workbook/brand pair's outputs are made from.

    For the source that is exactly what a build reads: the source file, the
    images it refers to and its publish.json; never the other files beside
    it (a source in /tmp must not hash /tmp, and an unrelated 1 GB or
    unreadable file must cost nothing). `out_root` is kept for callers; an
    output folder beside the source is no longer read at all.
    """
    digest = hashlib.sha256(toolkit_fingerprint().encode())
    folder = Path(os.path.realpath(source.parent))
    data = _read_source_bytes(source)
    digest.update(hashlib.sha256(data).digest() if data is not None else b"unreadable-source")
    for name in referenced_files(source, data or b""):
        digest.update(b"\0image\0")
        try:
            path = Path(os.path.realpath(folder / name))
        except (OSError, ValueError):
            digest.update(b"bad-path")
            continue
        if not path.is_relative_to(folder):
            digest.update(b"outside")  # refused by validation; never read
            continue
        _hash_file(digest, path, name)
    digest.update(b"\0publish\0")
    _hash_file(digest, folder / PUBLISH_FILE, PUBLISH_FILE)
    # The other-language editions beside this one (source/<id>/): their titles and pages are in these outputs.
    digest.update(b"\0editions\0")
    for workbook_id in translation_ids(source, data or b""):
        for name in ("workbook.xml", "workbook.json"):
            _hash_file(digest, folder.parent / workbook_id / name, f"{workbook_id}/{name}")
    digest.update(b"\0brand\0")
    brand_root = brand_folder.resolve()
    _hash_files(digest, brand_root.rglob("*"), brand_root)
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def _stamp_path(out_root: Path, source: Path, brand_folder: Path) -> Path:
    """Where a pair's stamp says which output folder it last built."""
    key = hashlib.sha256(f"{source.resolve()}\0{brand_folder.resolve()}".encode()).hexdigest()[:20]
    return out_root / STAMP_FOLDER / f"{key}.json"


def _record_path(out_root: Path, workbook_id: str, brand_name: str) -> Path:
    """Where an output folder records which source and brand made its files, and from what."""
    return out_root / STAMP_FOLDER / "outputs" / workbook_id / f"{brand_name}.json"


def _read_stamp(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def up_to_date_formats(out_root: Path, source: Path, brand_folder: Path, formats: tuple[str, ...], fingerprint: str) -> tuple[str, ...]:
    """The formats whose output is current: made by this very source and brand, from the same inputs.

    The output folder's own record is what counts: another source with the same
    workbook id (or another brand folder of the same name) may have written
    there since.
    """
    stamp = _read_stamp(_stamp_path(out_root, source, brand_folder))
    if "workbook_id" not in stamp or "brand" not in stamp:
        return ()
    record = _read_stamp(_record_path(out_root, stamp["workbook_id"], stamp["brand"]))
    if record.get("source") != str(source.resolve()) or record.get("brand_folder") != str(brand_folder.resolve()):
        return ()
    target = out_root / stamp["workbook_id"] / stamp["brand"]
    return tuple(
        fmt for fmt in formats
        if record.get("formats", {}).get(fmt) == fingerprint
        and (target / _formats.BY_NAME[fmt].output_name(stamp["workbook_id"])).exists()
    )


def _write_stamp(out_root: Path, source: Path, brand_folder: Path, workbook_id: str, brand_name: str, formats: Iterable[str], fingerprint: str) -> None:
    owner = {"source": str(source.resolve()), "brand_folder": str(brand_folder.resolve())}
    write_atomically(_stamp_path(out_root, source, brand_folder),
                     (json.dumps({"workbook_id": workbook_id, "brand": brand_name, **owner}, indent=2, sort_keys=True) + "\n").encode())
    record_path = _record_path(out_root, workbook_id, brand_name)
    record = _read_stamp(record_path)
    if {key: record.get(key) for key in owner} != owner:
        record = dict(owner)  # a new owner: nothing the old one built counts as current
    record.setdefault("formats", {}).update({fmt: fingerprint for fmt in formats})
    write_atomically(record_path, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
