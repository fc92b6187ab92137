"""Settings files in JSON (brand.json, publish.json): read one against its JSON Schema, every problem at its file:line:col.

    settings, problems = read_json_file(path, SCHEMA_PATH, "publish")

A file that is not JSON gives one `<code>.syntax` error at the place the parser
stopped; a schema violation gives a `<code>.schema` error per violation, at the
line and column where the offending value starts, worded
"at /json/pointer: what is wrong" (an unknown key also lists the valid ones).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from . import resources
from .model import SourceLocation
from .problems import Problem, error


@dataclass(frozen=True)
class JsonFile:
    """A parsed settings file, with where each value sits in it (by JSON pointer)."""

    path: Path
    data: Any
    positions: Mapping[str, tuple[int, int]]

    def location(self, pointer: str) -> SourceLocation:
        line, column = self.positions.get(pointer, (None, None))
        return SourceLocation(str(self.path), line, column, pointer)


@lru_cache(maxsize=8)
def schema_validator(schema_path: Path):
    """The JSON Schema (draft 2020-12, formats checked) of a settings file, compiled once."""
    import jsonschema  # only when a settings file is read: a no-op build never needs it

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def describe_violation(violation) -> str:
    """jsonschema's own wording, with the valid keys named when a key is unknown."""
    message = violation.message
    if violation.validator == "additionalProperties":
        message += f"; valid keys here are: {', '.join(sorted(violation.schema.get('properties', {})))}"
    return message


def read_json_file(
    path: Path,
    schema_path: Path,
    code: str,
    describe: Callable[[Any], str | None] | None = None,
) -> tuple[JsonFile | None, list[Problem]]:
    """Parse `path` and check it against the schema: (file, problems); file is None only when it is not JSON.

    `describe(violation)` may return a better message for a violation the
    caller knows more about (None keeps the default one).
    """
    from . import jsonform

    path = Path(path)
    text = path.read_bytes().decode("utf-8", errors="replace")
    data, problems = parse_json(text, str(path), code)
    if problems:
        return None, problems
    settings = JsonFile(path, data, jsonform.source_map(text))
    passed = _passed_marker(Path(schema_path), text)
    if passed is not None and passed.exists():
        return settings, []
    problems = []
    for violation in sorted(schema_validator(Path(schema_path)).iter_errors(data), key=lambda v: list(v.absolute_path)):
        pointer = "".join(f"/{part}" for part in violation.absolute_path)
        message = (describe(violation) if describe else None) or describe_violation(violation)
        problems.append(error(settings.location(pointer), f"at {pointer or '/'}: {message}", f"{code}.schema"))
    if not problems and passed is not None:
        try:
            passed.parent.mkdir(parents=True, exist_ok=True)
            passed.touch()
        except OSError:
            pass  # a read-only checkout just checks again next time
    return settings, problems


def parse_json(text: str, name: str, code: str) -> tuple[Any, list[Problem]]:
    """Parse JSON text, refusing repeated keys: (data, []) or (None, [a `<code>.syntax` or `<code>.duplicate-key` error])."""
    repeated: list[str] = []

    def refuse_repeats(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                repeated.append(key)
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=refuse_repeats)
    except json.JSONDecodeError as exc:
        return None, [error(SourceLocation(name, exc.lineno, exc.colno), f"not well-formed JSON: {exc.msg}", f"{code}.syntax")]
    if repeated:
        # The last value would silently win: say which key, and where it is repeated.
        return None, [error(SourceLocation(name, *_line_of_repeat(text, key)), f"key '{key}' appears twice in one object; "
                            "keep one (otherwise the last would silently win)", f"{code}.duplicate-key") for key in dict.fromkeys(repeated)]
    return data, []


def _line_of_repeat(text: str, key: str) -> tuple[int | None, int | None]:
    """Line and column of the second occurrence of "key": in the text (good enough to point at it)."""
    needle = json.dumps(key) + ":"
    compact = text.replace('" :', '":')
    first = compact.find(needle)
    second = compact.find(needle, first + 1) if first >= 0 else -1
    if second < 0:
        return None, None
    line = compact.count("\n", 0, second) + 1
    return line, second - (compact.rfind("\n", 0, second) + 1) + 1


def _passed_marker(schema_path: Path, text: str) -> Path | None:
    """Where to remember that this exact text passed this exact schema.

    Importing jsonschema and checking costs ~0.1 s, a tenth of a full build,
    for files that rarely change; the marker's name is a hash of both, so an
    edit to either checks again.
    """
    try:
        digest = hashlib.sha256(schema_path.read_bytes() + b"\0" + text.encode("utf-8")).hexdigest()
    except OSError:
        return None
    return resources.cache_dir("json-schema-passed") / digest
