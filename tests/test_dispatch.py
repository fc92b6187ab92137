"""Every block and inline kind of the model is handled by every dispatcher, and an unknown kind is an error.

The kinds come from the model's own Union types (typing.get_args), so a kind
added to pipeline/model.py fails here, once per dispatcher that lacks it,
until each one handles it. Each dispatcher is exercised with a real instance
of the kind from the kitchen-sink workbook (which uses every kind) and must
produce something for it; then with a kind it cannot know, and must raise
rather than drop it silently.
"""
from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import docx
import pytest
from lxml import etree

from pipeline import dump, jsonform, load, model, validate
from pipeline.bench import markdown
from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND, PROJECT_ROOT, load_document
from pipeline.render import docx as word, pages
from tests import text_support

KITCHEN_SINK = PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"
BLOCK_KINDS = typing.get_args(model.Block)
INLINE_KINDS = typing.get_args(model.Inline)
KINDS = BLOCK_KINDS + INLINE_KINDS


@dataclasses.dataclass(frozen=True)
class UnknownKind:
    """A node kind no dispatcher has heard of."""

    content: tuple = ()
    id: str | None = None
    loc: model.SourceLocation | None = None


@pytest.fixture(scope="module")
def doc():
    return load_document(KITCHEN_SINK)[0]


@pytest.fixture(scope="module")
def examples(doc) -> dict[type, object]:
    """The first instance of each kind in the kitchen sink."""
    found: dict[type, object] = {}
    for node in model.walk(doc.workbook):
        found.setdefault(type(node), node)
    return found


@pytest.fixture(scope="module")
def brand():
    loaded, problems = load_brand(DEFAULT_BRAND)
    assert loaded is not None, problems
    return loaded


def test_the_model_has_kinds_and_the_kitchen_sink_uses_every_one(examples):
    assert len(BLOCK_KINDS) >= 10 and len(INLINE_KINDS) >= 5
    assert [kind.__name__ for kind in KINDS if kind not in examples] == []


# --- each dispatcher, given one node: what it made of it -----------------------------


def _xml_dump(doc, brand, node) -> bool:
    parent = etree.Element("section")
    if isinstance(node, INLINE_KINDS):
        dump._inlines(parent, (node,))
        return bool(len(parent) or parent.text)
    dump._block(parent, node)
    return len(parent) == 1


def _xml_load(doc, brand, node) -> bool:
    # The kitchen sink, written as XML and read back, has the kind again.
    return type(node) in _round_trip_kinds(doc)


_ROUND_TRIPS: dict[int, set[type]] = {}


def _round_trip_kinds(doc) -> set[type]:
    if id(doc) not in _ROUND_TRIPS:
        source = Path(doc.workbook.loc.file).parent / "round-trip.xml"
        workbook, problems = load._load_xml(dump.to_xml(doc.workbook), str(source))
        assert workbook is not None, problems
        _ROUND_TRIPS[id(doc)] = {type(node) for node in model.walk(workbook)}
    return _ROUND_TRIPS[id(doc)]


def _json_form(doc, brand, node) -> bool:
    written = jsonform._node_to_json(node)
    return isinstance(written, str) if isinstance(node, model.Text) else written["type"] == jsonform.TYPE_NAMES[type(node)]


def _validate(doc, brand, node) -> bool:
    return type(node) in validate._NODE_RULES


def _pages(doc, brand, node) -> bool:
    environment = pages.page_environment(brand, pages.SITE)
    if isinstance(node, INLINE_KINDS):
        links = pages.PageLinks(doc, pages.SITE, {}, current=None)
        macro = environment.from_string('{% from "partials/inline.html.j2" import inlines %}{{ inlines(nodes, links) }}')
        return bool(macro.render(nodes=(node,), links=links).strip())
    return (pages.TEMPLATES_DIR / pages.block_template(node)).is_file()


def _word(doc, brand, node) -> bool:
    writer = word.WordWriter(doc, brand, docx.Document(str(word.DEFAULT_REFERENCE)))
    if isinstance(node, INLINE_KINDS):
        paragraph = writer.document.add_paragraph()._p
        writer.inlines(paragraph, (node,))
        return len(paragraph) > 0
    return type(node) in writer.handlers


def _markdown(doc, brand, node) -> bool:
    if isinstance(node, INLINE_KINDS):
        return bool(markdown.inlines((node,)))
    lines: list[str] = []
    markdown._block(doc, node, 1, lines)
    return any(line.strip() for line in lines)


def _text(doc, brand, node) -> bool:
    lines: list[str] = []
    text_support._block(doc, node, lines)
    return any(line.strip() for line in lines)


DISPATCHERS = {
    "load": _xml_load,
    "dump": _xml_dump,
    "json form": _json_form,
    "validate": _validate,
    "pages": _pages,
    "docx": _word,
    "bench markdown": _markdown,
    # The tests' reading text (tests/text_support.py) reads inlines with model.plain_text, which has no per-kind dispatch.
    "text": _text,
}
CASES = [(name, kind) for name in DISPATCHERS for kind in KINDS if not (name == "text" and kind in INLINE_KINDS)]


@pytest.mark.parametrize("dispatcher, kind", CASES, ids=[f"{name}-{kind.__name__}" for name, kind in CASES])
def test_every_kind_has_a_handler_in_every_dispatcher(doc, brand, examples, dispatcher, kind):
    assert kind in examples, f"the kitchen sink has no {kind.__name__}"
    assert DISPATCHERS[dispatcher](doc, brand, examples[kind]), f"{dispatcher} does nothing with a {kind.__name__}"


# --- and an unknown kind is an error, never a silent drop ----------------------------


def _unknown_block(doc, brand, dispatcher: str) -> None:
    node = UnknownKind()
    if dispatcher == "dump":
        dump._block(etree.Element("section"), node)
    elif dispatcher == "json form":
        jsonform._node_to_json(node)
    elif dispatcher == "pages":
        pages.block_template(node)
    elif dispatcher == "docx":
        writer = word.WordWriter(doc, brand, docx.Document(str(word.DEFAULT_REFERENCE)))
        writer.block(node, None)
    elif dispatcher == "bench markdown":
        markdown._block(doc, node, 1, [])
    elif dispatcher == "text":
        text_support._block(doc, node, [])


def _unknown_inline(doc, brand, dispatcher: str) -> None:
    nodes = (UnknownKind(),)
    if dispatcher == "dump":
        dump._inlines(etree.Element("p"), nodes)
    elif dispatcher == "json form":
        jsonform._node_to_json(nodes[0])
    elif dispatcher == "pages":
        pages.inline_kind(nodes[0])
    elif dispatcher == "docx":
        writer = word.WordWriter(doc, brand, docx.Document(str(word.DEFAULT_REFERENCE)))
        writer.inlines(writer.document.add_paragraph()._p, nodes)
    elif dispatcher == "bench markdown":
        markdown.inlines(nodes)


# load reads XML the schema has already checked (an unknown element never
# reaches it); validate looks up every node kind in its table (see above).
REFUSERS = ("dump", "json form", "pages", "docx", "bench markdown", "text")


@pytest.mark.parametrize("dispatcher", REFUSERS)
def test_an_unknown_block_kind_is_an_error(doc, brand, dispatcher):
    with pytest.raises((TypeError, KeyError)):
        _unknown_block(doc, brand, dispatcher)


@pytest.mark.parametrize("dispatcher", [name for name in REFUSERS if name != "text"])
def test_an_unknown_inline_kind_is_an_error(doc, brand, dispatcher):
    with pytest.raises((TypeError, KeyError)):
        _unknown_inline(doc, brand, dispatcher)


def test_validate_refuses_a_node_kind_it_has_no_entry_for(monkeypatch, doc):
    monkeypatch.delitem(validate._NODE_RULES, model.Quote)
    with pytest.raises(KeyError):
        validate.check_rules(doc.workbook)
