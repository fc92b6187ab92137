"""Read a built .docx back and check its structure against the resolved model.

Each check returns a list of problems (empty = fine), so a failing test shows
every problem at once.
"""
from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

import docx
import pypandoc
from docx.oxml.ns import qn

from pipeline import model
from pipeline.render.docx.answers import DRAWING_LABEL
from pipeline.render.docx.quiz import ANSWER_PLACEHOLDER
from pipeline.render.docx.writer import TOC_INSTRUCTION
from pipeline.render.docx.styles import ANSWER_SPACE, BOX_STYLES, CONTACT_BOX, LABEL_STYLES, LIST_STYLES, QUIZ_TABLE
from pipeline.resolve import Document

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
HEADING = re.compile(r"^Heading ([1-9])$")


class WordFile:
    """A built .docx opened with python-docx, with the lookups the checks share."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.document = docx.Document(str(path))
        self.body = self.document.element.body
        self.style_names = {style.style_id: style.name for style in self.document.styles}

    def style_of(self, p) -> str:
        ppr = p.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        return self.style_names.get(style.get(qn("w:val")), "?") if style is not None else "Normal"

    def table_style(self, tbl) -> str:
        style = tbl.find(qn("w:tblPr")).find(qn("w:tblStyle"))
        return self.style_names.get(style.get(qn("w:val")), "?") if style is not None else ""

    @staticmethod
    def text(element) -> str:
        return "".join(t.text or "" for t in element.iter(qn("w:t")))

    def paragraphs(self):
        """Every paragraph of the body, in tables and content controls too, in document order."""
        return list(self.body.iter(qn("w:p")))

    def paragraphs_in(self, style: str):
        return [p for p in self.paragraphs() if self.style_of(p) == style]

    def tables(self):
        return list(self.body.iter(qn("w:tbl")))

    def bookmarks(self) -> set[str]:
        return {b.get(qn("w:name")) for b in self.body.iter(qn("w:bookmarkStart"))}

    def anchors(self) -> list[str]:
        return [h.get(qn("w:anchor")) for h in self.body.iter(qn("w:hyperlink")) if h.get(qn("w:anchor"))]

    def external_links(self, content_only: bool = False) -> list[str]:
        """Every external address linked from the body; with content_only, not the brand's contact box."""
        rels = self.document.part.rels
        return [rels[h.get(qn("r:id"))].target_ref for h in self.body.iter(qn("w:hyperlink"))
                if h.get(qn("r:id")) and not (content_only and self.style_of(h.getparent()) == CONTACT_BOX)]


def check_headings(word: WordFile) -> list[str]:
    """No empty heading, the first is level 1 and none skips a level."""
    problems, previous = [], 0
    for p in word.paragraphs():
        match = HEADING.match(word.style_of(p))
        if not match:
            continue
        level, text = int(match.group(1)), word.text(p).strip()
        if not text:
            problems.append(f"empty Heading {level}")
        if level > previous + 1:
            problems.append(f"Heading {level} {text!r} follows Heading {previous}: a level is skipped")
        previous = level
    if previous == 0:
        problems.append("no headings at all")
    return problems


def check_images(word: WordFile) -> list[str]:
    return [f"image {pr.get('name')!r} has no alt text (docPr descr)"
            for pr in word.body.iter(f"{{{WP}}}docPr") if not (pr.get("descr") or "").strip()]


def check_properties(word: WordFile, doc: Document) -> list[str]:
    problems = []
    props = word.document.core_properties
    if props.title != doc.title:
        problems.append(f"core title is {props.title!r}, not {doc.title!r}")
    if props.language != doc.workbook.lang:
        problems.append(f"core language is {props.language!r}")
    lang = word.document.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:lang')}")
    if lang is None or lang.get(qn("w:val")) != doc.workbook.lang:
        problems.append("the document defaults do not declare the language (w:lang)")
    return problems


def check_tables(word: WordFile) -> list[str]:
    """Every table's first row is a repeating header row, written as the bare element (a workbook's
    own table without a head row has none: tests/test_tables.py counts those against the model)."""
    problems = []
    for index, tbl in enumerate(word.tables(), start=1):
        first = tbl.find(qn("w:tr"))
        header = first.find(qn("w:trPr")).find(qn("w:tblHeader")) if first.find(qn("w:trPr")) is not None else None
        if header is None and word.table_style(tbl) == "Workbook Table":
            continue
        if header is None:
            problems.append(f"table {index} ({word.table_style(tbl)}) has no header row")
        elif header.get(qn("w:val")) is not None:
            problems.append(f"table {index} marks its header with w:val={header.get(qn('w:val'))!r}")
    return problems


def expected_label(doc: Document, node: model.Box | model.Challenge) -> str:
    label = doc.block_label(node)
    title = model.plain_text(node.title).strip() if node.title else ""
    return f"{label} – {title}" if title and title.casefold() != label.casefold() else label


def check_block_styles(word: WordFile, doc: Document) -> list[str]:
    """Every typed block has its label in its label style, and its content in its box style."""
    problems = []
    labels = Counter((word.style_of(p), word.text(p)) for p in word.paragraphs())
    used = Counter(word.style_of(p) for p in word.paragraphs())
    nodes = list(model.walk(doc.workbook))
    for node in nodes:
        if isinstance(node, (model.Box, model.Challenge)):
            kind = "challenge" if isinstance(node, model.Challenge) else node.kind
            if not labels[(LABEL_STYLES[kind], expected_label(doc, node))]:
                problems.append(f"no {LABEL_STYLES[kind]!r} paragraph reading {expected_label(doc, node)!r}")
            if not used[BOX_STYLES[kind]] and not (kind == "challenge" and used["Challenge Question"]):
                problems.append(f"style {BOX_STYLES[kind]!r} is never used")
    in_box = {id(inner) for node in nodes if isinstance(node, (model.Box, model.Challenge)) for inner in model.walk(node)}
    expectations = [
        (model.Quote, "Quote"), (model.Quote, "Quote Attribution"), (model.Definitions, "Definition Term"),
        (model.Definitions, "Definition"), (model.QuizAnswers, "Quiz Answer"), (model.Video, "Video"),
        (model.Question, "Challenge Question"), (model.Section, "Heading 1"),
    ]
    for node_type, style in expectations:
        outside = [n for n in nodes if isinstance(n, node_type) and id(n) not in in_box]
        if style == "Quote Attribution":
            outside = [n for n in outside if n.attribution]
        if node_type is model.Question:
            outside = [n for n in nodes if isinstance(n, model.Question)]
        if outside and not used[style]:
            problems.append(f"the document has a {node_type.__name__} but style {style!r} is never used")
    lists_outside = [n for n in nodes if isinstance(n, model.ListBlock) and id(n) not in in_box]
    list_styles = set(LIST_STYLES[False] + LIST_STYLES[True])
    if lists_outside and not any(used[s] for s in list_styles):
        problems.append("no paragraph uses a List Bullet / List Number style")
    for p in word.paragraphs():
        if word.style_of(p) in list_styles and p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is None:
            problems.append(f"list paragraph {word.text(p)!r} has no numbering")
    return problems


def check_answer_spaces(word: WordFile, doc: Document) -> list[str]:
    """Every question is followed by an Answer Space table holding a content control tagged with its id."""
    problems = []
    spaces = {}
    for tbl in word.tables():
        if word.table_style(tbl) != ANSWER_SPACE:
            continue
        for sdt in tbl.iter(qn("w:sdt")):
            tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
            spaces[tag.get(qn("w:val"))] = sdt
    drawing_boxes = [tbl for tbl in word.tables() if word.table_style(tbl) == ANSWER_SPACE
                     and word.text(tbl.find(qn("w:tr"))) == DRAWING_LABEL and tbl.find(f".//{qn('w:sdt')}") is None]
    drawings = [question for question in doc.all_questions() if question.space == "drawing"]
    if len(drawing_boxes) != len(drawings):
        problems.append(f"{len(drawing_boxes)} empty drawing boxes for {len(drawings)} drawing questions")
    for question in doc.all_questions():
        if question.space == "drawing":
            continue
        sdt = spaces.get(question.id)
        if sdt is None:
            problems.append(f"question {question.id!r} has no answer space")
        elif ANSWER_PLACEHOLDER not in word.text(sdt):
            problems.append(f"the answer space of {question.id!r} lacks the placeholder text")
    return problems


def check_quizzes(word: WordFile, doc: Document) -> list[str]:
    """Each quiz is a Statement | True | False table of tick boxes, cross-linked with its answers."""
    problems = []
    # Choices, checklists and scales are Quiz Table tables too (check_answer_kinds); these are the true/false ones.
    quiz_tables = [tbl for tbl in word.tables() if word.table_style(tbl) == QUIZ_TABLE
                   and word.text(tbl.find(qn("w:tr"))) == "StatementTrueFalse"]
    quizzes = [quiz for quiz in doc.quizzes.values() if quiz.statements]
    if len(quiz_tables) != len(quizzes):
        problems.append(f"{len(quiz_tables)} quiz tables for {len(quizzes)} quizzes")
    for tbl, quiz in zip(quiz_tables, quizzes):
        rows = tbl.findall(qn("w:tr"))
        header = [word.text(tc) for tc in rows[0].findall(qn("w:tc"))]
        if header != ["Statement", "True", "False"]:
            problems.append(f"quiz {quiz.id!r} header is {header}")
        for row, statement in zip(rows[1:], quiz.statements):
            boxes = list(row.iter(f"{{{W14}}}checkbox"))
            if len(boxes) != 2:
                problems.append(f"statement {statement.id!r} has {len(boxes)} tick boxes, not 2")
        if len(rows) - 1 != len(quiz.statements):
            problems.append(f"quiz {quiz.id!r} has {len(rows) - 1} rows for {len(quiz.statements)} statements")
    # Each statement row bookmarks the statement and links to an answer paragraph, which links back.
    answers = {}
    for p in word.paragraphs_in("Quiz Answer"):
        for b in p.iter(qn("w:bookmarkStart")):
            answers[b.get(qn("w:name"))] = p
    for tbl, quiz in zip(quiz_tables, quizzes):
        for row, statement in zip(tbl.findall(qn("w:tr"))[1:], quiz.statements):
            cell = row.find(qn("w:tc"))
            marks = [b.get(qn("w:name")) for b in cell.iter(qn("w:bookmarkStart"))]
            links = [h.get(qn("w:anchor")) for h in cell.iter(qn("w:hyperlink"))]
            if not marks:
                problems.append(f"statement {statement.id!r} has no bookmark")
                continue
            if statement.id not in doc.answers:
                continue
            target = next((answers[a] for a in links if a in answers), None)
            if target is None:
                problems.append(f"statement {statement.id!r} does not link to its answer")
            elif marks[0] not in [h.get(qn("w:anchor")) for h in target.iter(qn("w:hyperlink"))]:
                problems.append(f"the answer to {statement.id!r} does not link back to the statement")
            elif answer_value(word, target) != ("True" if doc.answers[statement.id].value else "False"):
                problems.append(f"the answer to {statement.id!r} shows the wrong value")
    return problems


def check_answer_kinds(word: WordFile, doc: Document) -> list[str]:
    """Every option, check and level of a scale is a content-control check box tagged with its ids."""
    tags = Counter(tag.get(qn("w:val")) for sdt in word.body.iter(qn("w:sdt"))
                   if sdt.find(f"{qn('w:sdtPr')}/{{{W14}}}checkbox") is not None
                   for tag in sdt.iterfind(f"{qn('w:sdtPr')}/{qn('w:tag')}"))
    expected = [f"{choice.id}:{option.id}" for choice in doc.all_choices() for option in choice.options]
    expected += [check.id for checklist in doc.all_checklists() for check in checklist.checks]
    expected += [f"{statement.id}:{number}" for scale in doc.all_rating_scales() for statement in scale.statements
                 for number in range(1, len(scale.levels) + 1)]
    return [f"no single check box tagged {tag!r}" for tag in expected if tags[tag] != 1]


def answer_value(word: WordFile, p) -> str:
    """The text of the first bold run (styled Strong) of an answer paragraph."""
    strong = next(sid for sid, name in word.style_names.items() if name == "Strong")
    for r in p.iter(qn("w:r")):
        style = r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        if style is not None and style.get(qn("w:val")) == strong:
            return word.text(r)
    return ""


def check_links(word: WordFile, doc: Document) -> list[str]:
    """Every internal link lands on a bookmark; external links are exactly the model's addresses."""
    problems = []
    bookmarks = word.bookmarks()
    problems += [f"internal link to missing bookmark {a!r}" for a in word.anchors() if a not in bookmarks]
    expected = sorted(n.href for n in model.walk(doc.workbook) if isinstance(n, (model.Link, model.Video)) and n.href)
    actual = sorted(word.external_links(content_only=True))
    if actual != expected:
        problems.append(f"external links {actual} differ from the model's {expected}")
    return problems


def check_contents_field(word: WordFile) -> list[str]:
    instructions = "".join(t.text or "" for t in word.body.iter(qn("w:instrText")))
    return [] if TOC_INSTRUCTION.strip() in instructions else ["no TOC field"]


def structure_problems(path: Path, doc: Document) -> list[str]:
    word = WordFile(path)
    return (check_headings(word) + check_images(word) + check_properties(word, doc) + check_tables(word)
            + check_block_styles(word, doc) + check_answer_spaces(word, doc) + check_quizzes(word, doc)
            + check_links(word, doc) + check_contents_field(word) + check_answer_kinds(word, doc))


# --- words -----------------------------------------------------------------------

WORD = re.compile(r"\w+")


def model_words(doc: Document) -> Counter:
    """The words a reader should find: every text node, diagram label and the title-page metadata."""
    parts = []
    for node in model.walk(doc.workbook):
        if isinstance(node, model.Text):
            parts.append(node.text)
        elif isinstance(node, model.DiagramPart):
            parts.append(node.label)
        elif isinstance(node, model.Meta) and node.publisher:
            parts.append(node.publisher)
    return Counter(WORD.findall(" ".join(parts).casefold()))


# Pandoc reads the Title and Subtitle styles as metadata, and its default plain template drops the subtitle.
PLAIN_TEMPLATE = "$if(title)$$title$\n$endif$$if(subtitle)$$subtitle$\n$endif$\n$body$\n"


def pandoc_text(path: Path) -> str:
    """The document as plain text, read by pandoc's docx reader."""
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "plain.template"
        template.write_text(PLAIN_TEMPLATE, encoding="utf-8")
        return pypandoc.convert_file(str(path), "plain", format="docx",
                                     extra_args=["--wrap=none", "--standalone", f"--template={template}"])


def word_coverage(expected: Counter, text: str) -> tuple[float, Counter]:
    """The share of the model's words (with repeats) found in `text`, and the missing ones."""
    found = Counter(WORD.findall(text.casefold()))
    missing = expected - found
    total = sum(expected.values())
    return (total - sum(missing.values())) / total, missing
