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
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from . import resources
from .characters import bad_character
from .model import SourceLocation
from .problems import Problem, error

MAX_SETTINGS_BYTES = 1024 * 1024
# Brackets nested deeper than this are refused before parsing: json.loads and
# the JSON Schema check recurse, and no real file comes near it (a workbook's
# JSON form nests two brackets per element, and elements stop at 64 deep).
MAX_JSON_NESTING = 136


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
    return strict_validator_class()(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def strict_validator_class():
    """Draft 2020-12 with each `pattern`'s final `$` meaning the very end of the text.

    The schemas write patterns ^...$ for editors, where (in ECMA-262) `$` is
    the end; in Python's re it also matches before a final newline, so
    "#ffffff\n" would pass as a colour and "intro\n" as an id.
    """
    import jsonschema

    def pattern(validator, value, instance, schema):
        if validator.is_type(instance, "string") and not _whole_value_pattern(value).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {value!r}")

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern})


@lru_cache(maxsize=64)
def _whole_value_pattern(pattern: str) -> re.Pattern:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def describe_violation(violation) -> str:
    """jsonschema's own wording, with the valid keys named when a key is unknown."""
    message = violation.message
    if violation.validator == "additionalProperties":
        message += f"; valid keys here are: {', '.join(sorted(violation.schema.get('properties', {})))}"
    return pattern_hint(violation) or message


def pattern_hint(violation) -> str | None:
    """Say so when a value is refused only for white space at its end or start (a pasted line break)."""
    instance = violation.instance
    if violation.validator == "pattern" and isinstance(instance, str) and instance != instance.strip() and instance.strip() \
            and _whole_value_pattern(violation.validator_value).search(instance.strip()):
        return f"{instance!r} has a line break or space at its start or end; remove it"
    return None


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

    from .safe_read import InputError, read_input

    path = Path(path)
    try:
        raw = read_input(path, MAX_SETTINGS_BYTES, f"{path.name} settings file")
    except InputError as exc:
        return None, [error(SourceLocation(str(path)), exc.message, f"{code}.{exc.kind}")]
    text, problem = decode_utf8(raw, str(path), f"{code}.encoding")
    if problem:
        return None, [problem]
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


def decode_utf8(data: bytes, name: str, code: str) -> tuple[str, Problem | None]:
    """The text of a UTF-8 file (a leading BOM dropped), or a problem at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        return "", error(SourceLocation(name, line, column),
                         f"file is not UTF-8 (byte 0x{data[start]:02x} cannot be decoded); save it as UTF-8", code)


def parse_json(text: str, name: str, code: str, too_deep_code: str | None = None) -> tuple[Any, list[Problem]]:
    """Parse JSON text strictly: (data, []) or (None, [errors with their line]).

    Refused, each with its own code: text that is not JSON (`<code>.syntax`),
    nesting past MAX_JSON_NESTING (`too_deep_code`), NaN, Infinity and numbers
    too big to be finite (`<code>.number`), repeated keys (`<code>.duplicate-key`)
    and strings with characters XML cannot carry (`text.invalid-character`, as for every source).
    """
    too_deep = _nesting_problem(text, name, too_deep_code or f"{code}.too-deep")
    if too_deep:
        return None, [too_deep]
    repeated: list[str] = []
    not_finite: list[str] = []

    def refuse_constant(constant: str):
        not_finite.append(constant)
        return None

    def finite_float(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            not_finite.append(literal)
        return value

    def refuse_repeats(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                repeated.append(key)
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=refuse_repeats, parse_constant=refuse_constant, parse_float=finite_float)
    except json.JSONDecodeError as exc:
        return None, [error(SourceLocation(name, exc.lineno, exc.colno), f"not well-formed JSON: {exc.msg}", f"{code}.syntax")]
    except ValueError as exc:  # an integer of more than 4300 digits
        return None, [error(SourceLocation(name), f"not usable JSON: {exc}", f"{code}.number")]
    if not_finite:
        line, column = _line_of_literal(text, not_finite[0])
        return None, [error(SourceLocation(name, line, column), f"{not_finite[0][:40]} is not a finite number; JSON settings and sources "
                            "take ordinary numbers only", f"{code}.number")]
    if repeated:
        # The last value would silently win: say which key, and where it is repeated.
        return None, [error(SourceLocation(name, *_line_of_repeat(text, key)), f"key '{key}' appears twice in one object; "
                            "keep one (otherwise the last would silently win)", f"{code}.duplicate-key") for key in dict.fromkeys(repeated)]
    character = _bad_string(data, text, name, code)
    if character:
        return None, [character]
    return data, []


_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _nesting_problem(text: str, name: str, code: str) -> Problem | None:
    """Refuse brackets nested past MAX_JSON_NESTING before a recursive parser sees them."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_NESTING:
                start = match.start()
                line = text.count("\n", 0, start) + 1
                return error(SourceLocation(name, line, start - (text.rfind("\n", 0, start) + 1) + 1),
                             f"arrays and objects are nested more than {MAX_JSON_NESTING} deep here; no workbook or settings file "
                             "needs that many levels: flatten the structure", code)
        elif bracket in "]}":
            depth -= 1
    return None


_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:NaN|Infinity)|-?[0-9][0-9.eE+-]*')


def _line_of_literal(text: str, literal: str) -> tuple[int | None, int | None]:
    """Where a literal first appears outside a string (NaN, Infinity or a number such as 1e999)."""
    for match in _LITERAL.finditer(text):
        if match.group() == literal:
            start = match.start()
            return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return None, None


def _bad_string(data: Any, text: str, name: str, code: str) -> Problem | None:
    """The first key or string holding a character XML cannot carry, at its line (walked without recursion)."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        pointer, value = pending.pop()
        found = None
        if isinstance(value, str):
            found = bad_character(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                escaped = key.replace("~", "~0").replace("/", "~1")
                found = found or bad_character(key)
                pending.append((f"{pointer}/{escaped}", item))
        elif isinstance(value, list):
            pending.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))
        if found:
            from .jsonform import source_map

            line, column = source_map(text).get(pointer, (None, None))
            return error(SourceLocation(name, line, column, pointer or None), f"text contains the character {found}, which XML and the "
                         "output formats cannot carry; remove it (it is usually a stray control character)", "text.invalid-character")
    return None


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
        digest = hashlib.sha256(_CHECKER_VERSION + schema_path.read_bytes() + b"\0" + text.encode("utf-8", "surrogatepass")).hexdigest()
    except OSError:
        return None
    return resources.cache_dir("json-schema-passed") / digest


# Changes when the checking itself changes (whole-value patterns, formats), so a
# file passed by a more lenient check before is checked again.
_CHECKER_VERSION = b"whole-value-patterns+formats/1\0"
