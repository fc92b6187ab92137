"""The rules a schema cannot express, checked on the model; every problem is collected, none raised.

Each rule has a stable code (shown in brackets) that tests, editors and CI
filters can rely on.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from urllib.parse import urlsplit

from . import model
from .characters import NOT_XML as _NOT_XML
from .editions import translation_rules
from .load import LoadResult, load_source
from .model import SourceLocation
from .problems import Problem, error, warning

SAFE_LINK_SCHEMES = ("http", "https", "mailto")
MAX_HEADING_LEVEL = 6  # h1 is the workbook title; sections start at h2


def validate_file(path: Path | str, display_name: str | None = None) -> tuple[LoadResult, list[Problem]]:
    """Load a source and return it with all its problems: reading, schema and rules."""
    result = load_source(path, display_name)
    problems = list(result.problems)
    if result.workbook is not None:
        problems += check_rules(result.workbook, result.source_dir)
    return result, sorted(problems, key=lambda problem: problem.sort_key)


def check_rules(workbook: model.Workbook, source_dir: Path | None = None) -> list[Problem]:
    problems: list[Problem] = []
    _check_characters(workbook, problems)
    _check_date(workbook.meta, problems)
    ids = _check_unique_ids(workbook, problems)
    _check_headings(workbook, problems)
    for node in model.walk(workbook):
        checker = _NODE_RULES[type(node)]
        if checker:
            checker(node, problems, ids=ids, source_dir=source_dir)
    _check_quiz_answers(workbook, problems)
    problems += translation_rules(workbook)
    return problems


def _where(node) -> SourceLocation:
    return node.loc or SourceLocation("<model>")


def _label(node) -> str:
    return getattr(node, "id", None) or model.plain_text(getattr(node, "title", None) or ())[:40] or type(node).__name__


# Ids the pages give their own elements, fixed or made from a block's id. An
# author's id that matched one would make two elements share an id in the
# output: the skip link or a quiz label would point at the wrong place.
RESERVED_IDS = frozenset({"main-content", "contents-heading", "workbook-data", "your-answers-heading"})
GENERATED_SUFFIXES = ("-heading", "-prompt", "-score", "-answer", "-details", "-feedback", "-true", "-false",
                      "-arrowhead", "-diagram-title", "-diagram-desc", "-caption", "-drawing")
GENERATED_PREFIXES = ("answer-to-", "rating-")


def _reserved_reason(node_id: str) -> str | None:
    if node_id in RESERVED_IDS:
        return "the pages use it for their own structure"
    for suffix in GENERATED_SUFFIXES:
        if node_id.endswith(suffix):
            return f"ids ending in '{suffix}' are made by the pages from other ids"
    for prefix in GENERATED_PREFIXES:
        if node_id.startswith(prefix):
            return f"ids starting with '{prefix}' are made by the pages from other ids"
    return None


def _check_unique_ids(workbook, problems) -> dict[str, object]:
    first_use: dict[str, object] = {}
    # An option id repeated inside one choice has its own message (_check_choice).
    repeated_options = {id(option) for node in model.walk(workbook) if isinstance(node, model.Choice)
                        for option in _repeated_options(node)}
    for node in model.walk(workbook):
        node_id = getattr(node, "id", None)
        if node_id is None or isinstance(node, model.Workbook):
            continue
        reason = _reserved_reason(node_id)
        if reason:
            problems.append(error(_where(node), f"id '{node_id}' is reserved ({reason}); choose another id", "id.reserved"))
        if node_id in first_use and id(node) in repeated_options:
            continue
        if node_id in first_use:
            first = first_use[node_id].loc
            where = f" (first used at line {first.line})" if first and first.line else ""
            problems.append(error(_where(node), f"duplicate id '{node_id}'{where}; ids must be unique in a workbook: rename one", "id.duplicate"))
        else:
            first_use[node_id] = node
    return first_use


def _check_characters(workbook, problems) -> None:
    # The readers refuse these first (pipeline/characters.py); checked again
    # here for a model built in code.
    for node in model.walk(workbook):
        for name in node.__dataclass_fields__:
            value = getattr(node, name)
            if isinstance(value, str):
                found = _NOT_XML.search(value)
                if found:
                    problems.append(error(
                        _where(node), f"text contains the character U+{ord(found.group()):04X}, which XML and the output formats "
                        "cannot carry; remove it (it is usually a stray control character)", "text.invalid-character"))


# Zip files (Word, EPUB, SCORM) can only record dates from 1980 to 2107.
EARLIEST_YEAR, LATEST_YEAR = 1980, 2107


def _check_date(meta: model.Meta, problems) -> None:
    from .dates import parse_date

    if meta.date is None:
        return
    parsed = parse_date(meta.date)
    if parsed is None:  # the schemas allow only YYYY-MM-DD; a model built in code may not have been through them
        problems.append(error(_where(meta), f"date {meta.date!r} is not a calendar date written YYYY-MM-DD, such as 2026-03-31",
                              "meta.date-invalid"))
    elif not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        problems.append(error(_where(meta), f"date {meta.date} is outside {EARLIEST_YEAR}–{LATEST_YEAR}, the years the output "
                              "files can record; check the year", "meta.date-range"))


def _check_headings(workbook, problems) -> None:
    def visit(section: model.Section, level: int) -> None:
        if not model.plain_text(section.title).strip():
            problems.append(error(_where(section), f"section '{section.id}' has an empty title; give it a heading", "heading.empty"))
        if not section.content:
            problems.append(warning(_where(section), f"section '{section.id}' is empty; add its content or remove it", "section.empty"))
        if level > MAX_HEADING_LEVEL:
            problems.append(error(_where(section), f"section '{section.id}' is nested {level - 1} deep, which needs heading level {level}; headings stop at level {MAX_HEADING_LEVEL}: move it up a level", "heading.too-deep"))
        for child in section.subsections:
            visit(child, level + 1)

    for section in workbook.sections:
        visit(section, 2)


def _check_challenge(node: model.Challenge, problems, **_) -> None:
    if not node.items:
        problems.append(error(_where(node), f"challenge '{node.id}' has no question; add a <question> (or a <quiz>) for the learner to answer", "challenge.no-question"))
    for question in node.questions:
        if not model.plain_text(question.content).strip():
            problems.append(error(_where(question), f"a question in challenge '{node.id}' is empty; write the question or remove it", "challenge.empty-question"))


def _check_box(node: model.Box, problems, **_) -> None:
    if node.kind == "case-study":
        if not node.title or not model.plain_text(node.title).strip():
            problems.append(error(_where(node), f"case study '{_label(node)}' has no title; add a <title>", "case-study.no-title"))
        if not node.blocks:
            problems.append(error(_where(node), f"case study '{_label(node)}' has no body; add paragraphs or subsections", "case-study.no-body"))
    elif not node.blocks:
        problems.append(error(_where(node), f"{node.kind} block '{_label(node)}' is empty; add its content or remove it", "block.empty"))


def _check_paragraph(node: model.Paragraph, problems, **_) -> None:
    if not model.plain_text(node.content).strip() and not any(isinstance(inline, model.Ref) for inline in model.walk(node)):
        problems.append(error(_where(node), "paragraph is empty (or only white space), which would be written as an empty "
                              "<p></p> in every format; write its text or remove it", "paragraph.empty"))


def _check_figure(node: model.Figure, problems, source_dir=None, **_) -> None:
    if not (node.alt or "").strip():
        problems.append(error(_where(node), f"figure '{node.id}' has no text alternative; add <alt> describing what it shows", "figure.no-alt"))
    if node.image is None and node.diagram is None:
        problems.append(warning(_where(node), f"figure '{node.id}' is missing its image; add <image src=\"...\"/> or describe it as a <diagram>", "figure.missing-image"))
    if node.image is not None and source_dir is not None:
        src = node.image.src
        where = _where(node.image)
        try:
            target = (source_dir / src).resolve()
        except (OSError, RuntimeError):  # a symlink loop, or a name the system refuses
            problems.append(error(where, f"image '{src}' of figure '{node.id}' cannot be read: the path cannot be followed "
                                  "(a link loop?); name the image file itself", "figure.image-unreadable"))
            return
        if Path(src).is_absolute() or "://" in src or not target.is_relative_to(source_dir):
            problems.append(error(where, f"image '{src}' of figure '{node.id}' is outside the workbook's folder; put the image beside the source and use a relative path", "figure.image-outside"))
        elif not target.exists() or target.is_dir():
            what = "is a folder, not an image file" if target.is_dir() else "does not exist"
            problems.append(error(where, f"image '{src}' of figure '{node.id}' {what} (looked for {target})", "figure.image-not-found"))
        else:
            problems += _image_problems(node, target)


MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _image_problems(node: model.Figure, path: Path) -> list[Problem]:
    """An image must be what its bytes say: PNG, JPEG or a safe SVG, within a size limit."""
    from .safe_read import InputError, read_input
    from .svg import unsafe_svg_reason

    where = _where(node.image)
    src = node.image.src
    try:
        data = read_input(path, MAX_IMAGE_BYTES, "image file")
    except InputError as exc:
        if exc.kind == "too-large":
            return [error(where, f"image '{src}' is more than the {MAX_IMAGE_BYTES:,}-byte limit: export a smaller image", "figure.image-too-large")]
        separator = " " if exc.kind == "not-a-file" else ": "
        return [error(where, f"image '{src}' of figure '{node.id}'{separator}{exc.message}", "figure.image-unreadable")]
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        return []
    if b"<svg" in data[:2048]:
        reason = unsafe_svg_reason(data)
        if reason:
            return [error(where, f"SVG image '{src}' is not safe: {reason}; remove it and try again", "figure.image-unsafe")]
        return []
    return [error(where, f"image '{src}' is not a PNG, JPEG or SVG image (checked by its content, not its name)", "figure.image-format")]


def _check_link(node: model.Link, problems, **_) -> None:
    text = model.plain_text(node.content).strip()
    if node.href is None:
        problems.append(warning(_where(node), f"link '{text}' has no address; add href=\"...\" when it is known (it is shown as plain text until then)", "link.no-address"))
        return
    _check_address(node, node.href, f"link '{text}'", problems)
    if not text:
        problems.append(error(_where(node), f"link to '{node.href}' has no text; write the words a reader will see", "link.empty"))


def _check_video(node: model.Video, problems, **_) -> None:
    if node.href is None:
        problems.append(warning(_where(node), f"video '{node.id}' has no address; add href=\"...\" when it is known", "video.no-address"))
    else:
        _check_address(node, node.href, f"video '{node.id}'", problems)


def _check_address(node, href: str, what: str, problems) -> None:
    if re.search(r"\s", href):
        problems.append(error(_where(node), f"{what} has address '{href}', which contains a space; write spaces as %20", "link.invalid-address"))
        return
    scheme = urlsplit(href).scheme.lower()
    if scheme not in SAFE_LINK_SCHEMES:
        allowed = ", ".join(f"{name}:" for name in SAFE_LINK_SCHEMES)
        problems.append(error(_where(node), f"{what} has address '{href}', which is not allowed: addresses must start with {allowed} (script and relative links are refused)", "link.unsafe-address"))


def _check_ref(node: model.Ref, problems, ids=None, **_) -> None:
    if ids is not None and node.target not in ids:
        close = difflib.get_close_matches(node.target, list(ids), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; use the id of a section, block or figure"
        problems.append(error(_where(node), f"reference to '{node.target}' does not match any id{hint}", "ref.unresolved"))
    elif ids is not None and not node.content:
        target = ids[node.target]
        titled = getattr(target, "title", None) or getattr(target, "caption", None) or isinstance(target, model.Challenge)
        if not titled:
            kind = type(target).__name__.lower()
            problems.append(error(_where(node), f"reference to '{node.target}' has no text, and its target (a {kind}) has no title to "
                                  "show instead; write the link text inside the <ref>", "ref.no-text"))


def _repeated_options(choice: model.Choice) -> list[model.Option]:
    seen: set[str] = set()
    repeated = []
    for option in choice.options:
        if option.id in seen:
            repeated.append(option)
        seen.add(option.id)
    return repeated


def _empty(content) -> bool:
    return not model.plain_text(content).strip()


MAX_OPTIONS = 36


def _check_choice(node: model.Choice, problems, **_) -> None:
    if _empty(node.prompt):
        problems.append(error(_where(node), f"choice '{node.id}' has an empty <prompt>; write the question the learner answers", "choice.empty-prompt"))
    for option in node.options:
        if _empty(option.content):
            problems.append(error(_where(option), f"option '{option.id}' of choice '{node.id}' has no text; write what the learner picks", "choice.empty-option"))
    for option in _repeated_options(node):
        problems.append(error(_where(option), f"option id '{option.id}' is used more than once in choice '{node.id}'; give each option its own id", "choice.duplicate-option"))
    if len(node.options) > MAX_OPTIONS:
        problems.append(error(_where(node), f"choice '{node.id}' has {len(node.options)} options; a choice can have at most "
                              f"{MAX_OPTIONS} (the learner state keeps each as one base-36 digit): split it", "choice.too-many-options"))
    correct = node.correct_ids
    if not correct:
        problems.append(error(_where(node), f"choice '{node.id}' has no correct option; mark at least one with <option correct=\"true\">", "choice.no-correct"))
    elif node.select == "one" and len(correct) > 1:
        listed = ", ".join(f"'{option_id}'" for option_id in correct)
        problems.append(error(_where(node), f"choice '{node.id}' has select=\"one\" but {len(correct)} correct options ({listed}); "
                              "mark exactly one correct, or write select=\"many\"", "choice.several-correct"))


def _check_checklist(node: model.Checklist, problems, **_) -> None:
    for check in node.checks:
        if _empty(check.content):
            problems.append(error(_where(check), f"check '{check.id}' of checklist '{node.id}' has no text; write what the learner ticks", "checklist.empty-check"))


MIN_LEVELS, MAX_LEVELS = 2, 10


def _check_rating_scale(node: model.RatingScale, problems, **_) -> None:
    if len(node.levels) < MIN_LEVELS:
        problems.append(error(_where(node), f"rating scale '{node.id}' has {len(node.levels)} level{'' if len(node.levels) == 1 else 's'}; give it {MIN_LEVELS} to "
                              f"{MAX_LEVELS} <level>s, lowest first", "scale.too-few-levels"))
    elif len(node.levels) > MAX_LEVELS:
        problems.append(error(_where(node), f"rating scale '{node.id}' has {len(node.levels)} levels; give it {MIN_LEVELS} to "
                              f"{MAX_LEVELS} <level>s, lowest first", "scale.too-many-levels"))
    for number, level in enumerate(node.levels, start=1):
        if not level.label.strip():
            problems.append(error(_where(level), f"level {number} of rating scale '{node.id}' has no label; write its label, such as \"Very confident\"", "scale.empty-level"))
    for statement in node.statements:
        if _empty(statement.content):
            problems.append(error(_where(statement), f"statement '{statement.id}' of rating scale '{node.id}' has no text; write what the learner rates", "scale.empty-statement"))


def _check_quiz(node: model.Quiz, problems, **_) -> None:
    if not node.statements and not node.choices:
        problems.append(error(_where(node), f"quiz '{node.id}' has no statement and no choice; add a <statement> or a <choice>", "quiz.empty"))


def _check_choice_answer(answer: model.ChoiceAnswer, quiz: model.Quiz, answers_by_choice: dict, problems) -> None:
    choice_ids = [choice.id for choice in quiz.choices]
    if answer.choice not in choice_ids:
        known = f"its choices are: {', '.join(sorted(choice_ids))}" if choice_ids else "it has no <choice>"
        problems.append(error(_where(answer), f"answer for choice '{answer.choice}', which is not in quiz '{quiz.id}'; {known}", "quiz.unknown-choice"))
        return
    if answer.choice in answers_by_choice:
        first = answers_by_choice[answer.choice].loc
        problems.append(error(_where(answer), f"choice '{answer.choice}' has more than one answer (first at line {first.line if first else '?'}); keep exactly one", "quiz.duplicate-answer"))
    answers_by_choice.setdefault(answer.choice, answer)
    if _empty(answer.explanation):
        problems.append(error(_where(answer), f"answer to choice '{answer.choice}' has no explanation; write why the correct options are right", "quiz.no-explanation"))


def _check_quiz_answers(workbook, problems) -> None:
    quizzes = {node.id: node for node in model.walk(workbook) if isinstance(node, model.Quiz)}
    answers_by_statement: dict[str, list[model.Answer]] = {}
    answers_by_choice: dict[str, model.ChoiceAnswer] = {}
    for block in model.walk(workbook):
        if not isinstance(block, model.QuizAnswers):
            continue
        quiz = quizzes.get(block.quiz)
        if quiz is None:
            close = difflib.get_close_matches(block.quiz, list(quizzes), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(error(_where(block), f"answers for quiz '{block.quiz}', but there is no quiz with that id{hint}", "quiz.unknown-quiz"))
            continue
        statement_ids = {statement.id for statement in quiz.statements}
        for answer in block.answers:
            if isinstance(answer, model.ChoiceAnswer):
                _check_choice_answer(answer, quiz, answers_by_choice, problems)
                continue
            if answer.statement is None:
                problems.append(error(_where(answer), "answer names neither a statement nor a choice; write statement=\"ID\" value=\"true|false\" "
                                      "or choice=\"ID\"", "quiz.answer-target"))
                continue
            if answer.value is None:
                problems.append(error(_where(answer), f"answer to statement '{answer.statement}' has no value; write value=\"true\" or value=\"false\"", "quiz.no-value"))
                continue
            if answer.statement not in statement_ids:
                problems.append(error(_where(answer), f"answer for statement '{answer.statement}', which is not in quiz '{quiz.id}'; its statements are: {', '.join(sorted(statement_ids))}", "quiz.unknown-statement"))
                continue
            answers_by_statement.setdefault(answer.statement, []).append(answer)
            if not model.plain_text(answer.explanation).strip():
                problems.append(error(_where(answer), f"answer to statement '{answer.statement}' has no explanation; write why it is {'true' if answer.value else 'false'}", "quiz.no-explanation"))
    for quiz in quizzes.values():
        for statement in quiz.statements:
            found = answers_by_statement.get(statement.id, [])
            if not found:
                problems.append(error(_where(statement), f"quiz statement '{statement.id}' has no answer; add <answer statement=\"{statement.id}\" value=\"true|false\">explanation</answer> to a <quiz-answers quiz=\"{quiz.id}\">", "quiz.no-answer"))
            for extra in found[1:]:
                problems.append(error(_where(extra), f"quiz statement '{statement.id}' has more than one answer (first at line {found[0].loc.line if found[0].loc else '?'}); keep exactly one", "quiz.duplicate-answer"))


# --- tables, block content in items and cells, publication metadata (issue 12) ---


def _table_name(node: model.Table) -> str:
    if node.id:
        return f"table '{node.id}'"
    caption = model.plain_text(node.caption).strip()
    return f"table “{caption[:40]}”" if caption else "a table"


def _check_table(node: model.Table, problems, **_) -> None:
    name = _table_name(node)
    if not model.plain_text(node.caption).strip():
        problems.append(error(_where(node), f"{name} has an empty caption; write in <caption> what the table shows "
                              "(it names the table for screen readers and in the contents of every format)", "table.empty-caption"))
    if not node.rows:
        problems.append(error(_where(node), f"{name} has no rows; add at least one <row> of <cell>s after the "
                              "<caption>" + (" and <head>" if node.head else ""), "table.no-rows"))
        return
    expected, against = (len(node.head.cells), "its head row") if node.head else (len(node.rows[0].cells), "its first row")
    for number, row in enumerate(node.rows, start=1):
        if len(row.cells) != expected:
            problems.append(error(
                _where(row), f"row {number} of {name} has {len(row.cells)} cell{'s' if len(row.cells) != 1 else ''}, but "
                f"{against} has {expected}; give every row {expected} <cell>s (an empty <cell/> keeps a place)", "table.uneven"))


def _loose_text(content: model.Inlines) -> str:
    text = model.plain_text(content).strip()
    return text if len(text) <= 30 else text[:29] + "…"


def _check_list_item(node: model.ListItem, problems, **_) -> None:
    if node.blocks and (node.content or node.sublists):
        where = node.content[0].loc if node.content and node.content[0].loc else _where(node)
        problems.append(error(where, f"a list item mixes loose text (“{_loose_text(node.content)}”) with blocks (<p>, <list>, "
                              "<table>); put that text in a <p> of its own, or write the item as text only", "item.mixed-content"))
    elif node.blocks and not any(isinstance(block, (model.Paragraph, model.Table)) for block in node.blocks):
        # Only the JSON form can say this; the XML form would read it back as a nested list.
        problems.append(error(_where(node), "a list item's blocks are only lists; give the item a paragraph first, or write its "
                              "text as \"content\" and its lists as \"sublists\"", "item.lists-only"))


def _check_table_cell(node: model.TableCell, problems, **_) -> None:
    if node.blocks and node.content:
        where = node.content[0].loc or _where(node)
        problems.append(error(where, f"a table cell mixes loose text (“{_loose_text(node.content)}”) with blocks (<p>, <list>); "
                              "put that text in a <p> of its own, or write the cell as text only", "cell.mixed-content"))


def isbn_problem(value: str) -> str | None:
    """Why `value` is not a valid ISBN-13 (hyphens and spaces allowed), or None."""
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isdigit():
        return "an ISBN-13 is 13 digits (hyphens and spaces allowed), with nothing else"
    if len(digits) != 13:
        return f"it has {len(digits)} digits, and an ISBN-13 has 13 (an old 10-digit ISBN is written with 978 in front and a new check digit)"
    if not digits.startswith(("978", "979")):
        return "an ISBN-13 starts with 978 or 979"
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12])) % 10) % 10
    if int(digits[12]) != check:
        return f"its check digit is {digits[12]}, but the first 12 digits give {check}: a digit is mistyped"
    return None


def _check_meta(node: model.Meta, problems, **_) -> None:
    if node.publisher_article and node.publisher is None:
        problems.append(error(_where(node), f"the publisher's article '{node.publisher_article}' is given without a publisher; "
                              "add the publisher's name, or remove the article", "meta.article-without-publisher"))


def _check_identifier(node: model.Identifier, problems, **_) -> None:
    if not node.value.strip():
        problems.append(error(_where(node), f"<identifier scheme=\"{node.scheme}\"> is empty; write the {node.scheme} or remove it",
                              "meta.identifier-empty"))
    elif node.scheme == "isbn":
        reason = isbn_problem(node.value)
        if reason:
            problems.append(error(_where(node), f"ISBN '{node.value}' is not valid: {reason}; copy it again from the "
                                  "publication's imprint page", "meta.isbn-invalid"))


_NODE_RULES = {
    # Every rule for these is in the schemas. Listed first, so that a kind also given a
    # rule below keeps it (the later key wins); listed so that a new kind has to be
    # placed here or below: tests/test_dispatch.py checks every kind is.
    **dict.fromkeys((
        model.Text, model.Emphasis, model.Strong, model.ListBlock, model.Quote, model.TableRow,
        model.Definition, model.Definitions, model.Image, model.DiagramPart, model.Diagram, model.Subsection,
        model.Question, model.Statement, model.Answer, model.QuizAnswers, model.Section,
        model.Workbook, model.Option, model.ChoiceAnswer, model.Check, model.Level, model.RatedStatement,
        model.Translation,  # checked with the workbook's other translations: editions.translation_rules
    )),
    model.Table: _check_table,
    model.ListItem: _check_list_item,
    model.TableCell: _check_table_cell,
    model.Identifier: _check_identifier,
    model.Meta: _check_meta,
    model.Quiz: _check_quiz,
    model.Choice: _check_choice,
    model.Checklist: _check_checklist,
    model.RatingScale: _check_rating_scale,
    model.Paragraph: _check_paragraph,
    model.Challenge: _check_challenge,
    model.Box: _check_box,
    model.Figure: _check_figure,
    model.Link: _check_link,
    model.Video: _check_video,
    model.Ref: _check_ref,
}
