"""Settings files in JSON (brand.json, publish.json): read one against its JSON Schema, every problem at its file:line:col.

    settings, problems = read_json_file(path, SCHEMA_PATH, "publish")

A file that is not JSON gives one `<code>.syntax` error at the place the parser
stopped; a schema violation gives a `<code>.schema` error per violation, at the
line and column where the offending value starts, worded
"at /json/pointer: what is wrong" (an unknown key also lists the valid ones).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [error(SourceLocation(str(path), exc.lineno, exc.colno), f"not well-formed JSON: {exc.msg}", f"{code}.syntax")]
    settings = JsonFile(path, data, jsonform.source_map(text))
    problems = []
    for violation in sorted(schema_validator(Path(schema_path)).iter_errors(data), key=lambda v: list(v.absolute_path)):
        pointer = "".join(f"/{part}" for part in violation.absolute_path)
        message = (describe(violation) if describe else None) or describe_violation(violation)
        problems.append(error(settings.location(pointer), f"at {pointer or '/'}: {message}", f"{code}.schema"))
    return settings, problems
