"""Write schema/workbook.schema.json, the JSON Schema of the workbook's JSON form.

The schema is generated so that it mirrors schema/workbook.xsd rule for rule and
stays readable; run `python tools/make_json_schema.py` after changing the model
and commit the result (tests/test_round_trip.py checks that it is current).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ID = {"$ref": "#/$defs/id"}
INLINES = {"$ref": "#/$defs/inlines"}
TEXT = {"type": "string"}
# Patterns are written ^...$ for editors (ECMA-262); the toolkit matches them
# whole (pipeline/jsonfile.py), so a trailing newline never slips through.
DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
LANGUAGE = "^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$"
BLOCK_KIND = {"enum": ["guidance", "challenge", "case-study", "tip", "useful-links"]}


def node(type_name: str, required: dict, optional: dict | None = None, description: str | None = None) -> dict:
    properties = {"type": {"const": type_name}, **required, **(optional or {})}
    schema = {
        "type": "object",
        "required": ["type", *required],
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def array_of(ref: str, min_items: int = 0) -> dict:
    schema = {"type": "array", "items": {"$ref": f"#/$defs/{ref}"}}
    if min_items:
        schema["minItems"] = min_items
    return schema


def dispatch(name: str, choices: list[str]) -> dict:
    """A node that is one of several types, chosen by its "type" (clear errors, unlike oneOf)."""
    return {
        "description": f"A {name}: one of {', '.join(choices)}.",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": choices}},
        "allOf": [
            {"if": {"properties": {"type": {"const": choice}}}, "then": {"$ref": f"#/$defs/{choice}"}}
            for choice in choices
        ],
    }


SIMPLE_BLOCKS = ["paragraph", "list", "quote", "definitions", "figure", "video", "table"]
BOX_BLOCKS = SIMPLE_BLOCKS + ["subsection"]
BLOCKS = SIMPLE_BLOCKS + ["box", "challenge", "quiz", "quiz-answers"]


# Publication metadata (issue 12), beside the XML form's <author>, <rights>, <identifier> and publisher article.
PUBLICATION_METADATA = {
    "publisher_article": {"enum": ["the"], "description": "\"the\" when the publisher's name takes it in running text."},
    "authors": {"type": "array", "items": TEXT},
    "rights": TEXT,
    "identifiers": array_of("identifier"),
}


def table_defs() -> dict:
    """Tables (issue 12) and the blocks a list item or a cell may hold."""
    return {
        "item-block": dispatch("list item's block", ["paragraph", "list", "table"]),
        "cell-block": dispatch("cell's block", ["paragraph", "list"]),
        "cell": node("cell", {}, {"content": INLINES, "blocks": array_of("cell-block"), "header": {"type": "boolean"}},
                     description="A table cell: inline content, or paragraphs and lists (not both); header true for a row header."),
        "row": node("row", {"cells": array_of("cell", 1)}),
        "table": node("table", {"caption": INLINES}, {"head": {"$ref": "#/$defs/row"}, "rows": array_of("row"), "id": ID},
                      description="A table: a caption, an optional head row and rows of cells."),
    }


def schema() -> dict:
    defs = {
        "id": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
            "maxLength": 80,
            "description": "A lower-case slug: letters, digits and hyphens, starting with a letter.",
        },
        "inlines": {"type": "array", "items": {"$ref": "#/$defs/inline"}},
        "inline": {
            "description": "Inline content: a string of text, or emphasis, strong emphasis, a link or a reference.",
            "anyOf": [TEXT, dispatch("inline element", ["em", "strong", "link", "ref"])],
        },
        "em": node("em", {"content": INLINES}),
        "strong": node("strong", {"content": INLINES}),
        "link": node("link", {"href": {"type": ["string", "null"], "format": "uri-reference"}, "content": INLINES},
                     description="A link to another site; href null when the address is not known (reported as a warning)."),
        "ref": node("ref", {"target": ID}, {"content": INLINES}),
        "block": dispatch("block", BLOCKS),
        "simple-block": dispatch("block", SIMPLE_BLOCKS),
        "box-block": dispatch("block", BOX_BLOCKS),
        "section-content": dispatch("section's content", BLOCKS + ["section"]),
        "paragraph": node("paragraph", {"content": INLINES}, {"id": ID}),
        "item": node("item", {"content": INLINES}, {"sublists": array_of("list"), "blocks": array_of("item-block"), "id": ID},
                     description="A list item: inline content (and nested lists), or blocks (numbered steps with paragraphs); not both."),
        **table_defs(),
        "list": node("list", {"items": array_of("item", 1)}, {"ordered": {"type": "boolean"}, "id": ID}),
        "quote": node("quote", {"paragraphs": array_of("paragraph", 1)}, {"attribution": INLINES, "id": ID}),
        "entry": node("entry", {"term": INLINES, "definition": INLINES}, {"icon": BLOCK_KIND, "id": ID}),
        "definitions": node("definitions", {"entries": array_of("entry", 1)}, {"id": ID}),
        "image": node("image", {"src": TEXT}),
        "diagram-part": node("diagram-part", {"kind": {"enum": ["node", "divider"]}, "label": TEXT}),
        "diagram": node("diagram", {"layout": {"enum": ["cycle", "layers", "sequence"]}, "parts": array_of("diagram-part", 1)}),
        "figure": node("figure", {"id": ID}, {
            "caption": INLINES, "alt": TEXT, "image": {"$ref": "#/$defs/image"}, "diagram": {"$ref": "#/$defs/diagram"},
        }),
        "video": node("video", {"id": ID, "content": INLINES}, {"href": {"type": "string", "format": "uri-reference"}}),
        "subsection": node("subsection", {"title": INLINES, "blocks": array_of("simple-block")}, {"id": ID}),
        "box": node("box", {"kind": {"enum": ["guidance", "case-study", "tip", "useful-links"]}, "blocks": array_of("box-block")},
                    {"title": INLINES, "id": ID}, description="A typed block: guidance, case study, hints and tips, or useful links."),
        "question": node("question", {"content": INLINES}, {
            "sublists": array_of("list"), "id": ID, "space": {"enum": ["text", "drawing"]},
            "lines": {"type": "integer", "minimum": 1, "maximum": 60},
        }),
        "statement": node("statement", {"id": ID, "content": INLINES}),
        "quiz": node("quiz", {"id": ID, "statements": array_of("statement")}, {"prompt": INLINES, "choices": array_of("choice")}),
        "answer": node("answer", {"statement": ID, "value": {"type": "boolean"}, "explanation": INLINES}, {"qualifier": TEXT}),
        "choice-answer": node("choice-answer", {"choice": ID, "explanation": INLINES},
                              description="The explanation of a choice's answer (its correct options are marked on the options)."),
        "quiz-answer": dispatch("quiz answer", ["answer", "choice-answer"]),
        "quiz-answers": node("quiz-answers", {"quiz": ID, "answers": array_of("quiz-answer")}, {"id": ID}),
        "option": node("option", {"id": ID, "content": INLINES}, {"correct": {"type": "boolean"}}),
        "choice": node("choice", {"id": ID, "prompt": INLINES, "options": array_of("option", 2)},
                       {"select": {"enum": ["one", "many"]}},
                       description="A quiz question answered by picking one option or several; scored like a statement."),
        "check": node("check", {"id": ID, "content": INLINES}),
        "checklist": node("checklist", {"id": ID, "checks": array_of("check", 1)}, {"prompt": INLINES},
                          description="Tick boxes for the learner's own record; nothing is right or wrong."),
        "level": node("level", {"label": TEXT}),
        "rated-statement": node("rated-statement", {"id": ID, "content": INLINES}),
        "rating-scale": node("rating-scale", {"id": ID, "levels": array_of("level", 1), "statements": array_of("rated-statement", 1)},
                             {"prompt": INLINES}, description="A self-assessment: each statement rated on the levels, in order; never graded."),
        "challenge-item": dispatch("challenge item", ["question", "quiz", "checklist", "rating-scale"]),
        "challenge": node("challenge", {"id": ID, "items": array_of("challenge-item")}, {"title": INLINES, "intro": array_of("simple-block")},
                          description="Reflection questions (or a quiz); numbered by the pipeline, never by hand."),
        "section": node("section", {"id": ID, "title": INLINES, "content": array_of("section-content")}),
        "translation": node("translation", {"lang": TEXT, "workbook": ID},
                            description="The same workbook in another language: its lang and its workbook id; it must name this one back."),
        "meta": node("meta", {"title": INLINES}, {
            "subtitle": INLINES, "summary": INLINES, "publisher": TEXT, "date": {"type": "string", "format": "date", "pattern": DATE,
                     "description": "YYYY-MM-DD, as in the XML form (no time zone)."},
            **PUBLICATION_METADATA,
            "translations": array_of("translation"),
        }),
        "identifier": node("identifier", {"scheme": {"enum": ["isbn", "reference"]}, "value": TEXT},
                           description="An ISBN-13 (check digit checked) or the publisher's reference code."),
        "workbook": node("workbook", {
            "id": ID, "version": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+){0,2}$"},
            "meta": {"$ref": "#/$defs/meta"}, "sections": array_of("section", 1),
        }, {"lang": {"type": "string", "pattern": LANGUAGE, "description": "A language tag such as en-GB or cy (xs:language in the XML form)."}}),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://workbook-toolkit.invalid/schema/workbook.schema.json",
        "title": "Workbook source (JSON form)",
        "description": "The JSON form of a workbook source; a lossless mirror of the XML form (schema/workbook.xsd).",
        "type": "object",
        "required": ["formatVersion", "workbook"],
        "properties": {
            "$schema": {"type": "string"},
            "formatVersion": {"const": "1.0", "description": "The version of this source format."},
            "workbook": {"$ref": "#/$defs/workbook"},
        },
        "additionalProperties": False,
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "schema" / "workbook.schema.json"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
