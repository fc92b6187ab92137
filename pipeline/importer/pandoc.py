"""Read a Word, ODT, Markdown or HTML file into pandoc's JSON AST, within bounds.

pandoc does the reading (through pypandoc's bundled binary); this module decides
what pandoc is allowed to see. Word and ODT files are zip packages, so before
pandoc opens one we check it ourselves: its size unpacked and its compression
ratio (a zip bomb), macros (vbaProject.bin), relationships that point at files
on the reader's machine, and DTDs in its XML (external entities). Markdown and
HTML must be UTF-8. pandoc then runs in its sandbox (it may read no other file
and fetch nothing), with a time limit and a heap limit, so a hostile file costs
bounded time and memory and is refused with a message, never a traceback.
"""
from __future__ import annotations

import io
import json
import lzma
import re
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..model import SourceLocation
from ..problems import UserError, error

# What each file name ending is read as. docx+styles keeps every paragraph's named style;
# CommonMark with pandoc's extensions has fenced divs and gives each block its line.
READERS = {
    ".docx": "docx+styles",
    ".odt": "odt",
    ".md": "commonmark_x+sourcepos",
    ".markdown": "commonmark_x+sourcepos",
    ".html": "html",
    ".htm": "html",
}
PACKAGES = (".docx", ".odt")

MAX_PACKAGE_BYTES = 30 * 1024 * 1024  # a Word file as it sits on disk
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all its parts unpacked
MAX_RATIO = 100  # unpacked / packed, for any part over MAX_SMALL_PART
MAX_SMALL_PART = 1024 * 1024
MAX_PARTS = 10_000
MAX_TEXT_BYTES = 10 * 1024 * 1024  # Markdown or HTML, as the source loader allows
PANDOC_TIMEOUT_SECONDS = 60
PANDOC_HEAP = "1g"


@dataclass(frozen=True)
class PandocDocument:
    """pandoc's reading of a file: the AST (a JSON object) and the folder its images were extracted to."""

    path: Path
    reader: str
    ast: dict
    media_dir: Path
    parts: dict = None  # the checked bytes of the package parts word_parts.py reads (docx only)

    @property
    def is_markdown(self) -> bool:
        return self.reader.startswith("commonmark")

    @property
    def is_styled_word(self) -> bool:
        return self.reader == "docx+styles"


def _refuse(path: Path, message: str, code: str) -> UserError:
    return UserError(error(SourceLocation(str(path)), message, code))


def reader_for(path: Path) -> str:
    try:
        return READERS[path.suffix.lower()]
    except KeyError:
        raise _refuse(path, f"cannot import a '{path.suffix or 'file without an ending'}' file; "
                      f"import one of: {', '.join(sorted(READERS))}", "import.unknown-format") from None


def read(path: Path, media_dir: Path) -> PandocDocument:
    """Check `path`, then have pandoc read it, extracting its images under `media_dir`."""
    path = Path(path)
    reader = reader_for(path)
    data = _read_bounded(path)
    if path.suffix.lower() in PACKAGES:
        check_package(path, data)
    else:
        check_text(path, data)
    # pandoc reads the very bytes that were checked (from its standard input), not the file again:
    # a file swapped after the checks cannot reach it.
    parts = package_parts(data, WORD_PARTS) if path.suffix.lower() == ".docx" else {}
    return PandocDocument(path, reader, run_pandoc(path, reader, media_dir, data), media_dir, parts)


# What the Word renderer keeps where pandoc does not look: the core and custom document
# properties, and the document itself (content controls, row heights).
WORD_PARTS = ("docProps/core.xml", "docProps/custom.xml", "word/document.xml")


def package_parts(data: bytes, names: tuple[str, ...]) -> dict[str, bytes]:
    """The named parts of a package already through check_package (so within its bounds, without DTDs)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        present = set(archive.namelist())
        return {name: archive.read(name) for name in names if name in present}


def _read_bounded(path: Path) -> bytes:
    """The file's bytes through safe_read: a regular file only (no FIFO, device or link loop), at most the size limit."""
    from ..safe_read import InputError, read_input

    package = path.suffix.lower() in PACKAGES
    limit = MAX_PACKAGE_BYTES if package else MAX_TEXT_BYTES
    try:
        return read_input(path, limit, "file to import")
    except InputError as exc:
        if exc.kind == "not-found":
            raise _refuse(path, "no such file", "import.not-found") from None
        if exc.kind == "too-large":
            size = f"{exc.size / 1024 / 1024:.1f} MB" if exc.size else f"more than {limit // 1024 // 1024} MB"
            what = "a document to import" if package else "a Markdown or HTML file to import"
            raise _refuse(path, f"is {size}; {what} may be at most {limit // 1024 // 1024} MB", "import.too-large") from None
        code = "import.not-a-file" if exc.kind == "not-a-file" else "import.unreadable"
        raise _refuse(path, exc.message, code) from None


def check_text(path: Path, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UserError(error(SourceLocation(str(path), line, column),
                              f"is not UTF-8 (byte 0x{data[exc.start]:02x} here); save it as UTF-8 and import it again",
                              "import.not-utf8")) from None
    if not data.strip():
        raise _refuse(path, "is empty; there is nothing to import", "import.empty")


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Relationship targets on the reader's own machine or network: file: URLs, UNC and absolute paths.
_LOCAL_TARGET = re.compile(r"^(?:file:|\\\\|//|/|[A-Za-z]:[\\/])", re.IGNORECASE)


def check_package(path: Path, data: bytes) -> None:
    """Refuse a DOCX/ODT (its bytes, already read within the size limit) that is a zip bomb, has macros, links to local files, or declares a DTD."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(path, f"is not a {path.suffix.lower().lstrip('.').upper()} document (it is not a zip package); "
                      "open it in Word or LibreOffice and save it again", "import.unreadable") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _refuse(path, f"has {len(parts)} parts (at most {MAX_PARTS}); it is not an ordinary document",
                          "import.zip-bomb")
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse(path, f"unpacks to {unpacked / 1024 / 1024:.0f} MB (at most "
                          f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB); it looks like a zip bomb, not a document",
                          "import.zip-bomb")
        for part in parts:
            if part.file_size > MAX_SMALL_PART and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                raise _refuse(path, f"its part {part.filename} unpacks {part.file_size // max(part.compress_size, 1)} "
                              f"times its packed size (at most {MAX_RATIO}); it looks like a zip bomb, not a document",
                              "import.zip-bomb")
        for part in parts:
            name = part.filename
            if name.lower().endswith(("vbaproject.bin", "vbadata.xml")) or name.lower().startswith(("basic/", "scripts/")):
                raise _refuse(path, f"contains macros ({name}); save it without macros (as .docx, not .docm) "
                              "and import it again", "import.macros")
        for part in parts:
            name = part.filename
            if not name.lower().endswith((".xml", ".rels")):
                continue
            data = _read_part(archive, part, path)
            if _DTD.search(data):
                raise _refuse(path, f"its part {name} declares a DTD or entities, which Word never writes; "
                              "refusing it (external entities can read files on this machine)", "import.xml-entity")
            if name.lower().endswith(".rels"):
                _check_relationships(path, name, data)


def _read_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, path: Path) -> bytes:
    try:
        return archive.read(part)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, ValueError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise _refuse(path, f"its part {part.filename} cannot be unpacked ({exc}); save the document again",
                      "import.unreadable") from None


def _check_relationships(path: Path, name: str, data: bytes) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(path, f"its part {name} is not well-formed XML ({exc}); save the document again",
                      "import.unreadable") from None
    for relationship in root:
        target = relationship.get("Target") or ""
        if relationship.get("TargetMode") == "External" and _LOCAL_TARGET.match(target.strip()):
            raise _refuse(path, f"links to a file on this machine or network ({target}, in {name}); "
                          "remove the link, or make it a web address, and import it again", "import.local-link")


def run_pandoc(path: Path, reader: str, media_dir: Path, data: bytes) -> dict:
    """pandoc's JSON AST of `data` (the checked bytes of `path`), given on its standard input."""
    import pypandoc

    command = [
        pypandoc.get_pandoc_path(), "--sandbox", "-f", reader, "-t", "json",
        f"--extract-media={media_dir}", "-",
        "+RTS", f"-M{PANDOC_HEAP}", "-RTS",
    ]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=PANDOC_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise _refuse(path, f"pandoc could not read it within {PANDOC_TIMEOUT_SECONDS} s; "
                      "split the document or simplify it", "import.timeout") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        if "heap" in reason.lower():
            reason = f"it needs more than {PANDOC_HEAP}B of memory"
        raise _refuse(path, f"pandoc cannot read it: {reason}", "import.unreadable")
    return json.loads(done.stdout)
