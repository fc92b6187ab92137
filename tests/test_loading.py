"""Sources load into one trusted model: the real workbook and the kitchen-sink fixture, and
sources that cannot be read safely (not XML or JSON, entities, DTDs, encodings, sizes)
refused with one exact message each."""
from __future__ import annotations

import re

import pytest

from pipeline import model
from pipeline.load import load_source
from pipeline.resolve import resolve
from tests.text_support import document_text
from pipeline.validate import validate_file
from tests.sources_support import COMMISSIONING as WORKBOOK, KITCHEN_SINK, MINIMAL_BODY, ROOT, problems_in, xml_source

SEED_TEXT = ROOT / "tests" / "fixtures" / "commissioning-services-workbook.txt"
BOTH = pytest.mark.parametrize("source", [WORKBOOK, KITCHEN_SINK], ids=["commissioning", "kitchen-sink"])
REFUSED_DTD = ("a workbook must not load DTDs: remove the <!DOCTYPE> line (the schema is given by "
               "xsi:noNamespaceSchemaLocation) [xml.external-dtd]")


# --- the real workbook and the fixture -----------------------------------------


@BOTH
def test_sources_are_valid_with_only_expected_warnings(source):
    _, problems = validate_file(source)
    assert [p for p in problems if p.severity == "error"] == []
    assert {p.code for p in problems} <= {"link.no-address", "video.no-address", "figure.missing-image"}


def test_workbook_warns_about_links_and_images_it_does_not_have():
    _, problems = validate_file(WORKBOOK)
    codes = [p.code for p in problems]
    assert codes.count("link.no-address") == 14
    assert codes.count("video.no-address") == 3
    assert codes.count("figure.missing-image") == 2


def _normalise(text: str) -> str:
    text = text.lower().replace("\u00a0", " ")
    text = re.sub(r"[‘’`']", "'", text)
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[–—-]", "-", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .;:,")


ICON_DESCRIPTION = re.compile(r"(circular graphic|^Challenges icon$)")


def seed_sentences() -> list[str]:
    sentences = []
    for line in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        line = line.strip().lstrip("•").strip()
        if not line or ICON_DESCRIPTION.search(line):
            continue
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", line) if s.strip(" –-")]
    return sentences


def test_source_holds_the_seed_text():
    text = _normalise(document_text(resolve(load_source(WORKBOOK).workbook)))
    sentences = seed_sentences()
    missing = [s for s in sentences if _normalise(s) not in text]
    assert len(sentences) > 400
    coverage = 1 - len(missing) / len(sentences)
    assert coverage >= 0.98, f"{coverage:.1%} of the seed's sentences are in the source; missing: {missing[:10]}"


def test_challenges_are_numbered_in_reading_order():
    doc = resolve(load_source(WORKBOOK).workbook)
    assert list(doc.challenge_numbers.values()) == list(range(1, 9))
    assert doc.challenge_numbers["outcomes-for-communities"] == 3
    challenge = doc.targets["outcomes-for-communities"]
    assert doc.block_label(challenge) == "Challenge 3"


def test_quiz_statements_are_joined_to_their_answers():
    doc = resolve(load_source(WORKBOOK).workbook)
    statements = doc.all_statements()
    assert len(statements) == 8
    first = doc.answer_for(statements[0])
    assert (first.value, first.qualifier) == (True, "sort of!")
    assert model.plain_text(first.explanation).startswith("Commissioning helps you to make evidence-based decisions")


def test_every_block_kind_is_in_the_kitchen_sink():
    workbook = load_source(KITCHEN_SINK).workbook
    kinds = {type(node) for node in model.walk(workbook)}
    # A <translation> names another workbook, which would have to be built with it: the
    # bilingual pair in tests/fixtures/welsh/ carries it (tests/test_languages.py).
    assert kinds == set(model.NODE_TYPES) - {model.Translation}
    boxes = {node.kind for node in model.walk(workbook) if isinstance(node, model.Box)}
    assert boxes == set(model.BOX_KINDS)


def test_model_is_frozen_and_keeps_locations():
    workbook = load_source(KITCHEN_SINK).workbook
    with pytest.raises(AttributeError):
        workbook.id = "changed"  # type: ignore[misc]
    challenge = next(node for node in model.walk(workbook) if isinstance(node, model.Challenge))
    expected_line = KITCHEN_SINK.read_text(encoding="utf-8").splitlines().index('    <challenge id="warm-up">') + 1
    assert challenge.loc.file.endswith("workbook.xml") and challenge.loc.line == expected_line


# --- sources that cannot be read safely: one exact message each ------------------

# (file name, its content, the exact messages validate gives, in order)
UNREADABLE_SOURCES = {
    "malformed-xml": ("workbook.xml", '<workbook id="w"><meta>', [
        "workbook.xml:1:24: error: not well-formed XML: Premature end of data in tag meta line 1 [xml.syntax]",
    ]),
    "dtd-from-a-url": (
        "workbook.xml", '<?xml version="1.0"?>\n<!DOCTYPE workbook SYSTEM "http://example.invalid/workbook.dtd">\n<workbook/>', [
            f"workbook.xml:2: error: the DOCTYPE loads 'http://example.invalid/workbook.dtd'; {REFUSED_DTD}",
        ]),
    "dtd-from-a-file": ("workbook.xml", '<?xml version="1.0"?>\n<!DOCTYPE workbook SYSTEM "/etc/passwd">\n<workbook/>', [
        f"workbook.xml:2: error: the DOCTYPE loads '/etc/passwd'; {REFUSED_DTD}",
    ]),
    "not-utf8": ("workbook.xml", xml_source(MINIMAL_BODY.format("<p>café</p>")).encode("latin-1"), [
        "workbook.xml:2:99: error: file is not UTF-8 (byte 0xe9 cannot be decoded); save it as UTF-8 [source.encoding]",
    ]),
    "empty-file": ("workbook.xml", "  \n", [
        "workbook.xml:1:1: error: file is empty; a workbook source starts with <workbook ...> (XML) or { (JSON) [source.empty]",
    ]),
    "malformed-json": ("w.json", '{"formatVersion": "1.0",,}', [
        "w.json:1:25: error: not well-formed JSON: Expecting property name enclosed in double quotes [json.syntax]",
    ]),
    "json-duplicate-keys": ("w.json", '{"formatVersion": "1.0", "formatVersion": "2.0"}', [
        "w.json:1:26: error: key 'formatVersion' appears twice in one object; keep one (otherwise the last would silently win) "
        "[json.duplicate-key]",
    ]),
}


@pytest.mark.parametrize("case", UNREADABLE_SOURCES)
def test_an_unreadable_source_gives_its_exact_messages(tmp_path, no_network, case):
    name, content, expected = UNREADABLE_SOURCES[case]
    assert problems_in(tmp_path, content, name=name) == expected


def test_markup_in_text_stays_text(tmp_path):
    body = MINIMAL_BODY.format("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    path = tmp_path / "w.xml"
    path.write_text(xml_source(body), encoding="utf-8")
    workbook = load_source(path).workbook
    paragraph = workbook.sections[0].content[0]
    assert model.plain_text(paragraph.content) == "<script>alert(1)</script>"


def test_external_entity_is_refused_without_reading_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    source = f'<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY leak SYSTEM "file://{secret}">]>\n<workbook>&leak;</workbook>'
    assert problems_in(tmp_path, source) == [
        f"workbook.xml:2: error: external entity 'leak' refers to 'file://{secret}'; external entities are not allowed "
        "(they can read files or the network): write the text itself [xml.external-entity]"
    ]


def test_entity_expansion_bomb_is_refused(tmp_path):
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    source = f'<?xml version="1.0"?>\n<!DOCTYPE workbook [{entities}]>\n<workbook id="w" version="1">&i;</workbook>'
    problems = problems_in(tmp_path, source)
    assert problems[0] == (
        "workbook.xml:2: error: entity declaration 'a' is not allowed (entities can expand into huge documents): "
        "write the text itself [xml.entity]"
    )
    assert len(problems) == 9 and all(p.endswith("[xml.entity]") for p in problems)


def test_huge_file(tmp_path):
    huge = xml_source(MINIMAL_BODY.format("<p>" + "x" * (11 * 1024 * 1024) + "</p>"))
    assert problems_in(tmp_path, huge) == [
        f"workbook.xml: error: file is {len(huge):,} bytes, more than the 10,485,760-byte limit for a workbook source; "
        "split the workbook or check that this is the right file [source.too-large]"
    ]


def test_missing_file(tmp_path):
    _, problems = validate_file(tmp_path / "nope.xml", display_name="nope.xml")
    assert [str(p) for p in problems] == [
        "nope.xml: error: no such file; check the path (workbooks live under source/<id>/workbook.xml) [source.not-found]"
    ]
