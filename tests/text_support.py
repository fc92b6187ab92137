"""The reading text of a resolved workbook, as every format presents it (a test aid, not a format).

Used to check that each format keeps the source's words (the Word and EPUB
tests compare against it) and that the source keeps the original's sentences.
"""
from __future__ import annotations

from pipeline import model
from pipeline.resolve import Document


def document_text(doc: Document) -> str:
    """Return the workbook's text in reading order, one block per line, with block labels."""
    lines: list[str] = [model.plain_text(doc.workbook.meta.title)]
    for extra in (doc.workbook.meta.subtitle, doc.workbook.meta.summary):
        if extra:
            lines.append(model.plain_text(extra))
    for section in doc.workbook.sections:
        _section(doc, section, lines)
    return "\n".join(line for line in lines if line)


def _section(doc: Document, section: model.Section, lines: list[str]) -> None:
    lines.append(model.plain_text(section.title))
    for child in section.content:
        if isinstance(child, model.Section):
            _section(doc, child, lines)
        else:
            _block(doc, child, lines)


def _labelled(label: str, title: model.Inlines | None) -> str:
    return f"{label} – {model.plain_text(title)}" if title else label


def _block(doc: Document, node, lines: list[str]) -> None:
    text = model.plain_text
    if isinstance(node, (model.Paragraph, model.Video)):
        lines.append(text(node.content))
    elif isinstance(node, model.ListBlock):
        for item in node.items:
            if item.content or not item.blocks:
                lines.append(text(item.content))
            for sublist in item.sublists:
                _block(doc, sublist, lines)
            for block in item.blocks:
                _block(doc, block, lines)
    elif isinstance(node, model.Table):
        lines.append(text(node.caption))
        for row in ([node.head] if node.head else []) + list(node.rows):
            for cell in row.cells:
                if cell.blocks:
                    for block in cell.blocks:
                        _block(doc, block, lines)
                elif cell.content:
                    lines.append(text(cell.content))
    elif isinstance(node, model.Quote):
        lines += [text(p.content) for p in node.paragraphs]
        if node.attribution:
            lines.append(text(node.attribution))
    elif isinstance(node, model.Definitions):
        for entry in node.entries:
            lines.append(f"{text(entry.term)} – {text(entry.definition)}")
    elif isinstance(node, model.Figure):
        lines += [text(node.caption), node.alt or ""]
        if node.diagram:
            lines += [part.label for part in node.diagram.parts]
    elif isinstance(node, model.Subsection):
        lines.append(text(node.title))
        for block in node.blocks:
            _block(doc, block, lines)
    elif isinstance(node, model.Box):
        lines.append(_labelled(doc.block_label(node), node.title))
        for block in node.blocks:
            _block(doc, block, lines)
    elif isinstance(node, model.Challenge):
        lines.append(_labelled(doc.block_label(node), node.title))
        for block in node.intro:
            _block(doc, block, lines)
        for item in node.items:
            if isinstance(item, model.Question):
                lines.append(text(item.content))
                for sublist in item.sublists:
                    _block(doc, sublist, lines)
            else:
                _block(doc, item, lines)
    elif isinstance(node, model.Quiz):
        lines.append(text(node.prompt))
        lines += [text(statement.content) for statement in node.statements]
    elif isinstance(node, model.QuizAnswers):
        quiz = doc.quizzes[node.quiz]
        for statement in quiz.statements:
            answer = doc.answer_for(statement)
            verdict = "TRUE" if answer.value else "FALSE"
            if answer.qualifier:
                verdict += f" ({answer.qualifier})"
            lines.append(text(statement.content))
            lines.append(f"{verdict} – {text(answer.explanation)}")
    else:
        raise TypeError(f"no text for {type(node).__name__}")
