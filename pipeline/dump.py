"""Write the model back out as a workbook XML source (the other half of the lossless round trip)."""
from __future__ import annotations

from lxml import etree

from . import model

SCHEMA_LOCATION = "../../schema/workbook.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def to_xml(workbook: model.Workbook, schema_location: str = SCHEMA_LOCATION) -> bytes:
    """Return the XML source of a workbook, indented, with its schema associated for editors."""
    root = etree.Element("workbook", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", schema_location)
    root.set("id", workbook.id)
    root.set("version", workbook.version)
    root.set("lang", workbook.lang)
    root.set("format-version", model.FORMAT_VERSION)
    _meta(root, workbook.meta)
    for section in workbook.sections:
        _section(root, section)
    _indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _inlines(element: etree._Element, content: model.Inlines) -> etree._Element:
    last: etree._Element | None = None
    for node in content:
        if isinstance(node, model.Text):
            if last is None:
                element.text = (element.text or "") + node.text
            else:
                last.tail = (last.tail or "") + node.text
            continue
        if isinstance(node, model.Emphasis):
            last = etree.SubElement(element, "em")
        elif isinstance(node, model.Strong):
            last = etree.SubElement(element, "strong")
        elif isinstance(node, model.Link):
            last = etree.SubElement(element, "link")
            if node.href is not None:
                last.set("href", node.href)
        elif isinstance(node, model.Ref):
            last = etree.SubElement(element, "ref", target=node.target)
        else:
            raise TypeError(f"no XML writer for inline {type(node).__name__}")
        _inlines(last, node.content)
    return element


def _text_child(parent, tag: str, content: model.Inlines | None):
    if content is not None:
        _inlines(etree.SubElement(parent, tag), content)


def _set_id(element, node) -> None:
    if getattr(node, "id", None) is not None:
        element.set("id", node.id)


def _meta(root, meta: model.Meta) -> None:
    element = etree.SubElement(root, "meta")
    _text_child(element, "title", meta.title)
    _text_child(element, "subtitle", meta.subtitle)
    _text_child(element, "summary", meta.summary)
    if meta.publisher is not None:
        etree.SubElement(element, "publisher").text = meta.publisher
    if meta.date is not None:
        etree.SubElement(element, "date").text = meta.date
    _publication_metadata(element, meta)
    for translation in meta.translations:
        etree.SubElement(element, "translation", {"lang": translation.lang, "workbook": translation.workbook})


def _publication_metadata(element, meta: model.Meta) -> None:
    publisher = element.find("publisher")
    if meta.publisher_article is not None and publisher is not None:  # the JSON Schema asks for a publisher with it
        publisher.set("article", meta.publisher_article)
    for author in meta.authors:
        etree.SubElement(element, "author").text = author
    if meta.rights is not None:
        etree.SubElement(element, "rights").text = meta.rights
    for identifier in meta.identifiers:
        etree.SubElement(element, "identifier", scheme=identifier.scheme).text = identifier.value


def _table(parent, node: model.Table) -> None:
    element = etree.SubElement(parent, "table")
    _set_id(element, node)
    _text_child(element, "caption", node.caption)
    for tag, row in ([("head", node.head)] if node.head is not None else []) + [("row", row) for row in node.rows]:
        row_element = etree.SubElement(element, tag)
        for cell in row.cells:
            cell_element = etree.SubElement(row_element, "cell")
            if cell.header:
                cell_element.set("header", "true")
            _inlines(cell_element, cell.content)
            for block in cell.blocks:
                _block(cell_element, block)


def _section(parent, section: model.Section) -> None:
    element = etree.SubElement(parent, "section", id=section.id)
    _text_child(element, "title", section.title)
    for child in section.content:
        if isinstance(child, model.Section):
            _section(element, child)
        else:
            _block(element, child)


def _item(element, node) -> None:
    _set_id(element, node)
    _inlines(element, node.content)
    for sublist in node.sublists:
        _block(element, sublist)
    for block in getattr(node, "blocks", ()):
        _block(element, block)


def _question(element, node: model.Question) -> None:
    _item(element, node)
    if node.space != "text":
        element.set("space", node.space)
    if node.lines is not None:
        element.set("lines", str(node.lines))


def _answer_kind(parent, node) -> None:
    """A choice, checklist or rating scale (issue 13)."""
    if isinstance(node, model.Choice):
        element = etree.SubElement(parent, "choice", id=node.id)
        if node.select != "one":
            element.set("select", node.select)
        _text_child(element, "prompt", node.prompt)
        for option in node.options:
            option_element = etree.SubElement(element, "option", id=option.id)
            if option.correct:
                option_element.set("correct", "true")
            _inlines(option_element, option.content)
    elif isinstance(node, model.Checklist):
        element = etree.SubElement(parent, "checklist", id=node.id)
        _text_child(element, "prompt", node.prompt)
        for check in node.checks:
            _inlines(etree.SubElement(element, "check", id=check.id), check.content)
    elif isinstance(node, model.RatingScale):
        element = etree.SubElement(parent, "rating-scale", id=node.id)
        _text_child(element, "prompt", node.prompt)
        for level in node.levels:
            etree.SubElement(element, "level").text = level.label
        for statement in node.statements:
            _inlines(etree.SubElement(element, "statement", id=statement.id), statement.content)
    else:
        raise TypeError(f"no XML writer for {type(node).__name__}")


def _block(parent, node) -> None:
    if isinstance(node, model.Paragraph):
        element = etree.SubElement(parent, "p")
        _set_id(element, node)
        _inlines(element, node.content)
    elif isinstance(node, model.ListBlock):
        element = etree.SubElement(parent, "list")
        _set_id(element, node)
        if node.ordered:
            element.set("type", "number")
        for item in node.items:
            _item(etree.SubElement(element, "item"), item)
    elif isinstance(node, model.Quote):
        element = etree.SubElement(parent, "quote")
        _set_id(element, node)
        for paragraph in node.paragraphs:
            _block(element, paragraph)
        _text_child(element, "attribution", node.attribution)
    elif isinstance(node, model.Definitions):
        element = etree.SubElement(parent, "definitions")
        _set_id(element, node)
        for entry in node.entries:
            entry_element = etree.SubElement(element, "entry")
            _set_id(entry_element, entry)
            if entry.icon:
                entry_element.set("icon", entry.icon)
            _text_child(entry_element, "term", entry.term)
            _text_child(entry_element, "definition", entry.definition)
    elif isinstance(node, model.Figure):
        element = etree.SubElement(parent, "figure", id=node.id)
        _text_child(element, "caption", node.caption)
        if node.alt is not None:
            etree.SubElement(element, "alt").text = node.alt
        if node.image is not None:
            etree.SubElement(element, "image", src=node.image.src)
        if node.diagram is not None:
            diagram = etree.SubElement(element, "diagram", layout=node.diagram.layout)
            for part in node.diagram.parts:
                etree.SubElement(diagram, part.kind).text = part.label
    elif isinstance(node, model.Video):
        element = etree.SubElement(parent, "video", id=node.id)
        if node.href is not None:
            element.set("href", node.href)
        _inlines(element, node.content)
    elif isinstance(node, model.Subsection):
        element = etree.SubElement(parent, "subsection")
        _set_id(element, node)
        _text_child(element, "title", node.title)
        for block in node.blocks:
            _block(element, block)
    elif isinstance(node, model.Box):
        element = etree.SubElement(parent, node.kind)
        _set_id(element, node)
        _text_child(element, "title", node.title)
        for block in node.blocks:
            _block(element, block)
    elif isinstance(node, model.Challenge):
        element = etree.SubElement(parent, "challenge", id=node.id)
        _text_child(element, "title", node.title)
        if node.intro:
            intro = etree.SubElement(element, "intro")
            for block in node.intro:
                _block(intro, block)
        for item in node.items:
            if isinstance(item, model.Question):
                _question(etree.SubElement(element, "question"), item)
            elif isinstance(item, (model.Checklist, model.RatingScale)):
                _answer_kind(element, item)
            else:
                _block(element, item)
    elif isinstance(node, model.Quiz):
        element = etree.SubElement(parent, "quiz", id=node.id)
        _text_child(element, "prompt", node.prompt)
        for statement in node.statements:
            _inlines(etree.SubElement(element, "statement", id=statement.id), statement.content)
        for choice in node.choices:
            _answer_kind(element, choice)
    elif isinstance(node, model.QuizAnswers):
        element = etree.SubElement(parent, "quiz-answers", quiz=node.quiz)
        _set_id(element, node)
        for answer in node.answers:
            if isinstance(answer, model.ChoiceAnswer):
                _inlines(etree.SubElement(element, "answer", choice=answer.choice), answer.explanation)
                continue
            answer_element = etree.SubElement(
                element, "answer", statement=answer.statement, value="true" if answer.value else "false"
            )
            if answer.qualifier is not None:
                answer_element.set("qualifier", answer.qualifier)
            _inlines(answer_element, answer.explanation)
    elif isinstance(node, model.Table):
        _table(parent, node)
    else:
        raise TypeError(f"no XML writer for {type(node).__name__}")


_STRUCTURAL = {
    "workbook", "meta", "section", "list", "quote", "definitions", "entry", "figure", "diagram", "subsection",
    "guidance", "case-study", "tip", "useful-links", "challenge", "intro", "quiz", "quiz-answers",
    "table", "head", "row",
    "choice", "checklist", "rating-scale",
}


def _indent(element, level: int = 0) -> None:
    # Indent only elements whose children are all elements: inline content
    # keeps its exact text, so indenting cannot change the model.
    if element.tag not in _STRUCTURAL or (element.text and element.text.strip()):
        return
    if element.tag in ("list",) or len(element):
        pad = "\n" + "  " * (level + 1)
        element.text = pad
        for child in element:
            _indent(child, level + 1)
            child.tail = pad
        if len(element):
            element[-1].tail = "\n" + "  " * level
