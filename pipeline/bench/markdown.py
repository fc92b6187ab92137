"""Write a workbook as pandoc Markdown: the input of the benchmark's plain-pandoc baseline.

This is what a team that picked plain pandoc would keep as its source: the
same text, headings, lists, quotes and definitions, with the typed blocks as
fenced divs and the quiz as a list.
"""
from __future__ import annotations

from ..model import (
    Box, Challenge, Checklist, Definitions, Emphasis, Figure, Link, ListBlock, Paragraph, Question, Quiz, QuizAnswers,
    Quote, RatingScale, Ref, Section, Strong, Subsection, Table, Text, Video, plain_text,
)
from ..resolve import Document


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_[]<>#" else ch for ch in text)


def inlines(content) -> str:
    out = []
    for node in content or ():
        if isinstance(node, Text):
            out.append(_escape(node.text))
        elif isinstance(node, Emphasis):
            out.append(f"*{inlines(node.content)}*")
        elif isinstance(node, Strong):
            out.append(f"**{inlines(node.content)}**")
        elif isinstance(node, Link):
            text = inlines(node.content)
            out.append(f"[{text}]({node.href})" if node.href else text)
        elif isinstance(node, Ref):
            out.append(f"[{inlines(node.content) or node.target}](#{node.target})")
        else:
            raise TypeError(f"no Markdown for inline {type(node).__name__}")  # never drop content silently
    return "".join(out)


def to_markdown(doc: Document) -> str:
    meta = doc.workbook.meta
    lines = ["---", f"title: \"{plain_text(meta.title)}\"", f"lang: {doc.workbook.lang}", "---", ""]
    for section in doc.workbook.sections:
        _section(doc, section, 1, lines)
    return "\n".join(lines) + "\n"


def _section(doc, section: Section, level: int, lines: list[str]) -> None:
    lines += [f"{'#' * level} {inlines(section.title)} {{#{section.id}}}", ""]
    for child in section.content:
        if isinstance(child, Section):
            _section(doc, child, level + 1, lines)
        else:
            _block(doc, child, level, lines)


def _list(node: ListBlock, lines: list[str], indent: str = "") -> None:
    for number, item in enumerate(node.items, start=1):
        marker = f"{number}." if node.ordered else "-"
        lines.append(f"{indent}{marker} {inlines(item.content)}")
        for sublist in item.sublists:
            _list(sublist, lines, indent + "    ")
        if item.blocks:  # a step: its blocks indented under the marker (the first on the marker's line)
            inner: list[str] = []
            for block in item.blocks:
                _block(None, block, 1, inner)
            lines[-1] = f"{indent}{marker} {inner[0] if inner else ''}"
            lines += [f"{indent}    {line}" if line else "" for line in inner[1:]]
    lines.append("")


def _table(node: Table, lines: list[str]) -> None:
    """A pipe table: pandoc's table with a caption; blocks in a cell become their text."""
    def cell_text(cell) -> str:
        text = inlines(cell.content) if not cell.blocks else " ".join(plain_text(getattr(b, "content", ())) for b in cell.blocks)
        return text.replace("|", "\\|")

    rows = ([node.head] if node.head else []) + list(node.rows)
    width = max(len(row.cells) for row in rows) if rows else 1
    head = node.head.cells if node.head else ()
    lines.append("| " + " | ".join(cell_text(cell) for cell in head) + " |" if head else "|" + " |" * width)
    lines.append("|" + "---|" * width)
    lines += ["| " + " | ".join(cell_text(cell) for cell in row.cells) + " |" for row in node.rows]
    lines += ["", f": {inlines(node.caption)}", ""]


def _block(doc, node, level: int, lines: list[str]) -> None:
    if isinstance(node, (Paragraph, Video)):
        lines += [inlines(node.content), ""]
    elif isinstance(node, ListBlock):
        _list(node, lines)
    elif isinstance(node, Quote):
        for paragraph in node.paragraphs:
            lines += [f"> {inlines(paragraph.content)}", ">"]
        if node.attribution:
            lines.append(f"> — {inlines(node.attribution)}")
        lines.append("")
    elif isinstance(node, Definitions):
        for entry in node.entries:
            lines += [inlines(entry.term), f":   {inlines(entry.definition)}", ""]
    elif isinstance(node, Figure):
        lines += [f"*{inlines(node.caption)}* — {node.alt or ''}", ""]
    elif isinstance(node, Subsection):
        lines += [f"{'#' * min(level + 2, 6)} {inlines(node.title)}", ""]
        for block in node.blocks:
            _block(doc, block, level + 1, lines)
    elif isinstance(node, (Box, Challenge)):
        label = doc.block_label(node)
        title = f"{label} – {inlines(node.title)}" if node.title else label
        lines += [f"::: {{.{getattr(node, 'kind', 'challenge')}}}", f"{'#' * min(level + 1, 6)} {title}", ""]
        for block in (node.blocks if isinstance(node, Box) else node.intro):
            _block(doc, block, level + 1, lines)
        if isinstance(node, Challenge):
            for item in node.items:
                if isinstance(item, Question):
                    lines += [f"**{inlines(item.content)}**", ""]
                    for sublist in item.sublists:
                        _list(sublist, lines)
                elif isinstance(item, Checklist):
                    lines += [inlines(item.prompt), ""] if item.prompt else []
                    lines += [f"- [ ] {inlines(check.content)}" for check in item.checks] + [""]
                elif isinstance(item, RatingScale):
                    lines += [inlines(item.prompt), ""] if item.prompt else []
                    lines += ["| | " + " | ".join(level.label for level in item.levels) + " |",
                              "|---|" + "---|" * len(item.levels)]
                    lines += [f"| {inlines(statement.content)} |" + " |" * len(item.levels) for statement in item.statements] + [""]
                else:
                    _block(doc, item, level + 1, lines)
        lines += [":::", ""]
    elif isinstance(node, Quiz):
        lines += [inlines(node.prompt), ""]
        lines += [f"- {inlines(statement.content)} (true / false)" for statement in node.statements]
        for choice in node.choices:
            lines += [f"- {inlines(choice.prompt)}", *[f"    - [ ] {inlines(option.content)}" for option in choice.options]]
        lines.append("")
    elif isinstance(node, QuizAnswers):
        for statement in doc.quizzes[node.quiz].statements:
            answer = doc.answer_for(statement)
            verdict = ("TRUE" if answer.value else "FALSE") + (f" ({answer.qualifier})" if answer.qualifier else "")
            lines += [f"**{inlines(statement.content)}**", "", f"{verdict} – {inlines(answer.explanation)}", ""]
        for choice in doc.quizzes[node.quiz].choices:
            correct = "; ".join(inlines(option.content) for option in choice.options if option.correct)
            explained = doc.choice_answers.get(choice.id)
            lines += [f"**{inlines(choice.prompt)}**", "", correct + (f" – {inlines(explained.explanation)}" if explained else ""), ""]
    elif isinstance(node, Table):
        _table(node, lines)
    else:
        raise TypeError(f"no Markdown for {type(node).__name__}")  # never drop content silently
