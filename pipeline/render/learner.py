"""What workbook.js needs to know about a workbook: its storage key, the answers download's name, the question texts."""
from __future__ import annotations

import hashlib
import json

from .. import model
from ..brand import Brand
from ..i18n import SOURCE_LANGUAGE, language_for
from ..resolve import Document
from .script_messages import script_messages

# The brand whose name answers downloads leave out (pipeline.build.DEFAULT_BRAND's folder).
DEFAULT_BRAND_NAME = "default"


def storage_key(doc: Document, brand: Brand) -> str:
    """The localStorage key of a learner's state: "workbook-state:<brand>:<workbook id>:<edition hash>".

    The brand keeps two councils' sites on one origin from sharing answers; the
    hash of the version and the question and statement ids gives a changed
    edition a fresh state rather than stale answers under ids that mean
    something else now.
    """
    fields = {
        "version": doc.workbook.version,
        "questions": [question.id for question in doc.all_questions()],
        "statements": [statement.id for statement in doc.all_statements()],
    }
    # Only when there are any, so that a workbook without them keeps the key it had.
    fields.update({name: ids for name, ids in answer_kind_ids(doc).items() if ids})
    edition = json.dumps(fields, sort_keys=True)
    digest = hashlib.sha256(edition.encode("utf-8")).hexdigest()[:12]
    return f"workbook-state:{brand.name}:{doc.workbook.id}:{digest}"


def answer_kind_ids(doc: Document) -> dict[str, list[str]]:
    """The ids under which the learner state keeps choices, checks and ratings."""
    return {
        "choices": [choice.id for choice in doc.all_choices()],
        "checks": [check.id for checklist in doc.all_checklists() for check in checklist.checks],
        "ratings": [statement.id for scale in doc.all_rating_scales() for statement in scale.statements],
    }


def answers_filename(doc: Document, brand: Brand) -> str:
    """The answers download's file name: "<workbook id>-my-answers.txt", with the brand's name unless it is the default.

    "my-answers" is in the workbook's language ("fy-atebion" in Welsh).
    """
    # TRANSLATORS: part of the answers download's file name: letters, digits and hyphens only.
    mine = doc.gettext("my-answers")
    if brand.name == DEFAULT_BRAND_NAME:
        return f"{doc.workbook.id}-{mine}.txt"
    # A folder name may hold spaces or other characters a download name should not.
    name = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "-" for ch in brand.name)
    return f"{doc.workbook.id}-{name}-{mine}.txt"


def learner_data(doc: Document, brand: Brand) -> dict:
    """Question and statement texts for the answers download, keyed by the ids the state uses."""
    questions = []
    statements = []
    for node in model.walk(doc.workbook):
        if isinstance(node, model.Challenge):
            heading = doc.target_title(node.id)
            for item in node.items:
                if isinstance(item, model.Question):
                    questions.append({"id": item.id, "challenge": heading, "text": _question_text(item)})
        if isinstance(node, model.Quiz):
            for statement in node.statements:
                answer = doc.answers.get(statement.id)
                statements.append({
                    "id": statement.id,
                    "text": model.plain_text(statement.content),
                    "expected": None if answer is None else answer.value,
                })
    return {
        "workbook": doc.workbook.id,
        "title": doc.title,
        "storageKey": storage_key(doc, brand),
        "answersFile": answers_filename(doc, brand),
        "questions": questions,
        "statements": statements,
        **answer_kinds_data(doc),
        "messages": script_messages(doc.language or language_for(SOURCE_LANGUAGE)),
    }


def answer_kinds_data(doc: Document) -> dict:
    """Choices, checklists and rating scales for the download (added only when the workbook has them)."""
    data: dict = {}
    choices = [{
        "id": choice.id,
        "text": model.plain_text(choice.prompt).strip(),
        "options": [[option.id, model.plain_text(option.content).strip()] for option in choice.options],
    } for choice in doc.all_choices()]
    lists = []
    scales = []
    for node in doc.nodes:
        if isinstance(node, model.Challenge):
            heading = doc.target_title(node.id)
            for item in node.items:
                if isinstance(item, model.Checklist):
                    lists.append({
                        "id": item.id, "challenge": heading, "text": model.plain_text(item.prompt).strip(),
                        "checks": [[check.id, model.plain_text(check.content).strip()] for check in item.checks],
                    })
                elif isinstance(item, model.RatingScale):
                    scales.append({
                        "id": item.id, "challenge": heading, "text": model.plain_text(item.prompt).strip(),
                        "levels": [level.label for level in item.levels],
                        "statements": [[statement.id, model.plain_text(statement.content).strip()] for statement in item.statements],
                    })
    if choices:
        data["choices"] = choices
    if lists:
        data["checklists"] = lists
    if scales:
        data["scales"] = scales
    return data


def _question_text(question: model.Question) -> str:
    lines = [model.plain_text(question.content).strip()]

    def add_list(block: model.ListBlock, depth: int) -> None:
        for item in block.items:
            lines.append(f"{'  ' * depth}- {model.plain_text(item.content).strip()}")
            for sublist in item.sublists:
                add_list(sublist, depth + 1)

    for sublist in question.sublists:
        add_list(sublist, 1)
    return "\n".join(lines)
