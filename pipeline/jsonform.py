"""The JSON form of a workbook: a lossless mirror of the model, checked by JSON Schema.

Every node is an object with a "type"; inline text is a plain string. Fields
that hold their default value are left out, and filled in again on reading,
so model -> JSON -> model gives back an equal model.
"""
from __future__ import annotations

import json
from dataclasses import MISSING, fields
from functools import lru_cache

import json_source_map

from . import model, resources
from .model import FORMAT_VERSION, SourceLocation
from .problems import Problem, error

SCHEMA_PATH = resources.schema("workbook.schema.json")

TYPE_NAMES: dict[type, str] = {
    model.Emphasis: "em", model.Strong: "strong", model.Link: "link", model.Ref: "ref",
    model.Paragraph: "paragraph", model.ListBlock: "list", model.ListItem: "item", model.Quote: "quote",
    model.Definitions: "definitions", model.Definition: "entry", model.Image: "image",
    model.DiagramPart: "diagram-part", model.Diagram: "diagram", model.Figure: "figure", model.Video: "video",
    model.Subsection: "subsection", model.Box: "box", model.Question: "question", model.Statement: "statement",
    model.Quiz: "quiz", model.Answer: "answer", model.QuizAnswers: "quiz-answers", model.Challenge: "challenge",
    model.Section: "section", model.Translation: "translation", model.Meta: "meta", model.Workbook: "workbook",
    model.Table: "table", model.TableRow: "row", model.TableCell: "cell", model.Identifier: "identifier",
    model.Option: "option", model.Choice: "choice", model.ChoiceAnswer: "choice-answer", model.Check: "check",
    model.Checklist: "checklist", model.Level: "level", model.RatedStatement: "rated-statement",
    model.RatingScale: "rating-scale",
}
TYPES_BY_NAME = {name: cls for cls, name in TYPE_NAMES.items()}


SCHEMA_REFERENCE = "../../schema/workbook.schema.json"


def to_json(workbook: model.Workbook, schema_reference: str = SCHEMA_REFERENCE) -> dict:
    """Return the JSON form of a workbook, with its format version.

    "$schema" names the JSON Schema relative to source/<id>/, as the XML form's
    xsi:noNamespaceSchemaLocation does, so editors check the file as you type.
    """
    return {"$schema": schema_reference, "formatVersion": FORMAT_VERSION, "workbook": _node_to_json(workbook)}


def dumps(workbook: model.Workbook, schema_reference: str = SCHEMA_REFERENCE) -> str:
    return json.dumps(to_json(workbook, schema_reference), ensure_ascii=False, indent=2) + "\n"


def _node_to_json(node):
    if isinstance(node, model.Text):
        return node.text
    out = {"type": TYPE_NAMES[type(node)]}
    for f in fields(node):
        if f.name == "loc":
            continue
        value = getattr(node, f.name)
        if f.default is not MISSING and value == f.default:
            continue
        out[f.name] = _value_to_json(value)
    return out


def _value_to_json(value):
    if isinstance(value, tuple):
        return [_value_to_json(item) for item in value]
    if isinstance(value, model.NODE_TYPES):
        return _node_to_json(value)
    return value


def from_json(data: dict, name: str = "<json>", positions: dict | None = None) -> model.Workbook:
    """Build the model from a schema-valid JSON form."""
    positions = positions or {}
    return _node_from_json(data["workbook"], "/workbook", name, positions)


def _node_from_json(data, pointer: str, name: str, positions: dict):
    loc = SourceLocation(name, *positions.get(pointer, (None, None)), pointer=pointer)
    if isinstance(data, str):
        return model.Text(data, loc=loc)
    cls = TYPES_BY_NAME[data["type"]]
    kwargs = {}
    for key, value in data.items():
        if key == "type":
            continue
        if key in _string_lists(cls):  # plain strings (Meta.authors), not inline text
            kwargs[key] = tuple(value)
            continue
        kwargs[key] = _value_from_json(value, f"{pointer}/{key}", name, positions)
    return cls(**kwargs, loc=loc)


@lru_cache(maxsize=None)
def _string_lists(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls) if f.type == "tuple[str, ...]")


def _value_from_json(value, pointer: str, name: str, positions: dict):
    if isinstance(value, list):
        return tuple(_node_from_json(item, f"{pointer}/{index}", name, positions) for index, item in enumerate(value))
    if isinstance(value, dict):
        return _node_from_json(value, pointer, name, positions)
    return value


def source_map(text: str) -> dict[str, tuple[int, int]]:
    """Map each JSON pointer in `text` to the 1-based (line, column) where its value starts."""
    try:
        entries = json_source_map.calculate(text)
    except Exception:  # the source map is a convenience; never fail a load over it
        return {}
    return {pointer: (entry.value_start.line + 1, entry.value_start.column + 1) for pointer, entry in entries.items()}


@lru_cache(maxsize=1)
def _validator():
    # jsonschema takes ~100 ms to import: only JSON sources pay for it.
    import jsonschema

    from .jsonfile import strict_validator_class

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = strict_validator_class()
    cls.check_schema(schema)
    return cls(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


# How deep a workbook may nest, in the XML and the JSON form alike. Readers,
# the schema check and the templates recurse once per level; every real
# workbook stays far inside these (the Commissioning workbook: 7 and 1).
MAX_ELEMENT_DEPTH = 64
MAX_INLINE_DEPTH = 32
INLINE_TYPES = frozenset({"em", "strong", "link", "ref"})


def depth_problem(data, name: str, text: str) -> Problem | None:
    """Refuse a JSON form nested past the limits before the (recursive) schema check sees it."""
    pending = [(data.get("workbook") if isinstance(data, dict) else None, "/workbook", 1, 0)]
    while pending:
        node, pointer, depth, inlines = pending.pop()
        if isinstance(node, dict):
            kind = node.get("type")
            inlines += isinstance(kind, str) and kind in INLINE_TYPES
            if depth > MAX_ELEMENT_DEPTH or inlines > MAX_INLINE_DEPTH:
                line, column = source_map(text).get(pointer, (None, None))
                return error(SourceLocation(name, line, column, pointer), too_deep_message(depth > MAX_ELEMENT_DEPTH), "source.too-deep")
            pending.extend((value, f"{pointer}/{key}", depth + 1, inlines) for key, value in node.items())
        elif isinstance(node, list):
            pending.extend((value, f"{pointer}/{index}", depth, inlines) for index, value in enumerate(node))
    return None


def too_deep_message(elements: bool) -> str:
    if elements:
        return (f"elements are nested more than {MAX_ELEMENT_DEPTH} deep here, past the limit the toolkit can read and "
                "render safely; flatten the structure")
    return (f"inline elements (em, strong, link, ref) are nested more than {MAX_INLINE_DEPTH} deep here, past the "
            "limit the toolkit can render safely; nest fewer of them")


def schema_problems(data, name: str, positions: dict) -> list[Problem]:
    """Check the JSON form against schema/workbook.schema.json; one problem per violation."""
    problems = []
    for violation in _deepest_errors(_validator().iter_errors(data)):
        pointer = "".join(f"/{part}" for part in violation.absolute_path)
        line, column = positions.get(pointer, (None, None))
        where = pointer or "/"
        problems.append(error(SourceLocation(name, line, column, pointer=pointer), f"at {where}: {_describe(violation)}", "schema.invalid"))
    return sorted(problems, key=lambda problem: problem.sort_key)


def _deepest_errors(violations):
    import jsonschema

    # A node that matches none of the alternatives of a oneOf reports the whole
    # list; the alternative that got furthest is the one that tells the user
    # what to fix.
    for violation in violations:
        if violation.context:
            best = jsonschema.exceptions.best_match(violation.context)
            yield best
        else:
            yield violation


def _describe(violation) -> str:
    if violation.validator == "additionalProperties":
        allowed = sorted(violation.schema.get("properties", {}))
        return f"{violation.message}; allowed keys are: {', '.join(allowed)}"
    if violation.validator == "enum":
        return f"{violation.instance!r} is not one of: {', '.join(map(str, violation.validator_value))}"
    from .jsonfile import pattern_hint

    return pattern_hint(violation) or violation.message
