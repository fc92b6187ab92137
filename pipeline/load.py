"""Read a workbook source (XML or JSON) safely into the document model.

Reading never trusts the file: size and encoding are checked first, XML is
parsed with entities, DTDs and network access switched off, and every problem
becomes a `Problem` with a location instead of an exception.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import jsonform, model
from .model import SourceLocation
from .problems import Problem, error
from .safe_read import InputError, read_input
# The XML side lives in two modules of its own (the safe parse and schema step,
# the element reader); their names stay importable from here.
from .xml_reader import XmlReader, normalise_inlines, normalise_space, whole_text  # noqa: F401
from .xml_source import SCHEMA_DIR, _load_xml, xml_schema  # noqa: F401

MAX_SOURCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class LoadResult:
    """The model (None when the source could not be trusted) and every problem found reading it."""

    workbook: model.Workbook | None
    problems: list[Problem]
    source_dir: Path


def source_format(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "xml"


def load_source(path: Path | str, display_name: str | None = None) -> LoadResult:
    """Read, decode, parse and schema-check one source file; build the model if it is sound."""
    path = Path(path)
    name = display_name or str(path)
    try:
        source_dir = path.resolve().parent
    except (OSError, RuntimeError):  # a symlink loop: the reader below says so
        source_dir = path.absolute().parent
    whole_file = SourceLocation(name)
    try:
        data = read_input(path, MAX_SOURCE_BYTES, "workbook source")
    except InputError as exc:
        message = _FOLDER_MESSAGE if exc.message.startswith("is a folder") else _SOURCE_READ_MESSAGES.get(exc.kind, exc.message)
        if exc.kind == "unreadable":  # named as the user named it, as `build` does for a source that vanishes later
            message = f"cannot read {name}: {exc.reason}"
        if exc.kind == "too-large":
            shown = f"{exc.size:,} bytes, " if exc.size else ""
            message = (f"file is {shown}more than the {MAX_SOURCE_BYTES:,}-byte limit for a workbook source; "
                       "split the workbook or check that this is the right file")
        return LoadResult(None, [error(whole_file, message, f"source.{exc.kind}")], source_dir)

    problem = _check_text(data, name)
    if problem:
        return LoadResult(None, [problem], source_dir)
    if source_format(path) == "json":
        workbook, problems = _load_json(data.decode("utf-8-sig"), name)
    else:
        workbook, problems = _load_xml(data, name)
    return LoadResult(workbook, problems, source_dir)


_SOURCE_READ_MESSAGES = {"not-found": "no such file; check the path (workbooks live under source/<id>/workbook.xml)"}
_FOLDER_MESSAGE = "is a folder, not a workbook source; name the workbook.xml or .json file inside it"


def _check_text(data: bytes, name: str) -> Problem | None:
    if not data.strip():
        return error(SourceLocation(name, 1, 1), "file is empty; a workbook source starts with <workbook ...> (XML) or { (JSON)", "source.empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return error(
            SourceLocation(name, line, column),
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be decoded); save it as UTF-8",
            "source.encoding",
        )
    return None


# --- JSON --------------------------------------------------------------------


def _load_json(text: str, name: str) -> tuple[model.Workbook | None, list[Problem]]:
    from .jsonfile import parse_json

    data, problems = parse_json(text, name, "json", too_deep_code="source.too-deep")
    if problems:
        return None, problems
    too_deep = jsonform.depth_problem(data, name, text)
    if too_deep:
        return None, [too_deep]
    positions = jsonform.source_map(text)
    problems = jsonform.schema_problems(data, name, positions)
    if problems:
        return None, problems
    return jsonform.from_json(data, name, positions), []
