"""The foundation: sources load into one trusted model, every bad input gets its own clear message."""
from __future__ import annotations

import json
import shutil
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import dump, jsonform, model
from pipeline.__main__ import main
from pipeline.load import load_source
from pipeline.resolve import resolve
from tests.text_support import document_text
from pipeline.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "source" / "commissioning-services" / "workbook.xml"
KITCHEN_SINK = ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"
SEED_TEXT = ROOT / "tests" / "fixtures" / "commissioning-services-workbook.txt"
BOTH = pytest.mark.parametrize("source", [WORKBOOK, KITCHEN_SINK], ids=["commissioning", "kitchen-sink"])

MINIMAL_BODY = '<meta><title>T</title></meta><section id="s"><title>S</title>{}</section>'


def xml_source(body: str, root_attributes: str = 'id="w" version="1.0"') -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {root_attributes}>{body}</workbook>\n'


def problems_in(tmp_path: Path, content: str | bytes, name: str = "workbook.xml") -> list[str]:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    _, problems = validate_file(path, display_name=name)
    return [str(problem) for problem in problems]


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
    assert kinds == set(model.NODE_TYPES)
    boxes = {node.kind for node in model.walk(workbook) if isinstance(node, model.Box)}
    assert boxes == set(model.BOX_KINDS)


def test_model_is_frozen_and_keeps_locations():
    workbook = load_source(KITCHEN_SINK).workbook
    with pytest.raises(AttributeError):
        workbook.id = "changed"  # type: ignore[misc]
    challenge = next(node for node in model.walk(workbook) if isinstance(node, model.Challenge))
    expected_line = KITCHEN_SINK.read_text(encoding="utf-8").splitlines().index('    <challenge id="warm-up">') + 1
    assert challenge.loc.file.endswith("workbook.xml") and challenge.loc.line == expected_line


# --- the lossless round trip ---------------------------------------------------


@BOTH
def test_xml_json_xml_round_trip_gives_an_equal_model(source, tmp_path):
    original = load_source(source).workbook
    as_json = tmp_path / "workbook.json"
    as_json.write_text(jsonform.dumps(original), encoding="utf-8")
    from_json = load_source(as_json)
    assert from_json.problems == []
    assert from_json.workbook == original
    as_xml = tmp_path / "again.xml"
    as_xml.write_bytes(dump.to_xml(from_json.workbook))
    from_xml = load_source(as_xml)
    assert from_xml.problems == []
    assert from_xml.workbook == original
    # And the second trip is stable to the byte.
    assert dump.to_xml(from_xml.workbook) == as_xml.read_bytes()


def test_json_form_carries_its_format_version():
    data = jsonform.to_json(load_source(KITCHEN_SINK).workbook)
    assert data["formatVersion"] == model.FORMAT_VERSION


def test_convert_command_round_trips(tmp_path, capsys):
    shutil.copytree(KITCHEN_SINK.parent / "images", tmp_path / "images")  # the figure's image travels with the source
    out_json = tmp_path / "w.json"
    out_xml = tmp_path / "w.xml"
    assert main(["convert", str(KITCHEN_SINK), "--to", "json", "-o", str(out_json)]) == 0
    assert main(["convert", str(out_json), "--to", "xml", "-o", str(out_xml)]) == 0
    assert load_source(out_xml).workbook == load_source(KITCHEN_SINK).workbook


def test_json_schema_file_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_json_schema
    finally:
        sys.path.pop(0)
    assert (ROOT / "schema" / "workbook.schema.json").read_text(encoding="utf-8") == make_json_schema.render(), \
        "schema/workbook.schema.json is stale: run python tools/make_json_schema.py"


def test_sources_associate_their_schema_for_editors():
    text = WORKBOOK.read_text(encoding="utf-8")
    assert 'xsi:noNamespaceSchemaLocation="../../schema/workbook.xsd"' in text
    assert (WORKBOOK.parent / "../../schema/workbook.xsd").resolve().is_file()


# --- bad input: one clear message each -------------------------------------------


def test_malformed_xml(tmp_path):
    assert problems_in(tmp_path, '<workbook id="w"><meta>') == [
        "workbook.xml:1:24: error: not well-formed XML: Premature end of data in tag meta line 1 [xml.syntax]"
    ]


def test_wrong_root_element(tmp_path):
    assert problems_in(tmp_path, "<book/>") == [
        "workbook.xml:1: error: the root element is <book>, but a workbook source must start with <workbook> [xml.root]"
    ]


def test_unknown_element(tmp_path):
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format("<para>x</para>"))) == [
        "workbook.xml:2: error: <para>: this element is not allowed here; expected one of: guidance, case-study, tip, "
        "useful-links, challenge, quiz, quiz-answers, p, list, quote, … [schema.element]"
    ]


def test_unknown_attribute(tmp_path):
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format('<p colour="red">x</p>'))) == [
        "workbook.xml:2: error: <p> attribute 'colour': the attribute 'colour' is not allowed. [schema.attribute]"
    ]


def test_missing_required_parts(tmp_path):
    source = xml_source('<meta><title>T</title></meta><section id="s"></section>', root_attributes='id="w"')
    assert problems_in(tmp_path, source) == [
        "workbook.xml:2: error: <section>: a required child element is missing; expected: <title> [schema.element]",
        "workbook.xml:2: error: <workbook>: the attribute 'version' is required but missing. [schema.missing-attribute]",
    ]


def test_duplicate_ids(tmp_path):
    body = MINIMAL_BODY.format('<p id="same">a</p>\n<p id="same">b</p>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:3: error: duplicate id 'same' (first used at line 2); ids must be unique in a workbook: rename one [id.duplicate]"
    ]


def test_challenge_without_a_question(tmp_path):
    body = MINIMAL_BODY.format('\n<challenge id="outcomes-for-communities"><title>Outcomes</title></challenge>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:3: error: challenge 'outcomes-for-communities' has no question; add a <question> (or a <quiz>) "
        "for the learner to answer [challenge.no-question]"
    ]


def test_case_study_needs_a_title_and_a_body(tmp_path):
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format('<case-study id="c"/>'))) == [
        "workbook.xml:2: error: case study 'c' has no body; add paragraphs or subsections [case-study.no-body]",
        "workbook.xml:2: error: case study 'c' has no title; add a <title> [case-study.no-title]",
    ]


QUIZ = '<quiz id="q"><statement id="a">A.</statement><statement id="b">B.</statement></quiz>\n'


def test_quiz_statements_need_exactly_one_answer_with_an_explanation(tmp_path):
    answers = (
        '<quiz-answers quiz="q">\n<answer statement="a" value="true">Yes.</answer>\n'
        '<answer statement="a" value="false">No.</answer>\n<answer statement="zz" value="true">?</answer>\n</quiz-answers>'
    )
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format(QUIZ + answers))) == [
        "workbook.xml:2: error: quiz statement 'b' has no answer; add <answer statement=\"b\" value=\"true|false\">explanation</answer> "
        "to a <quiz-answers quiz=\"q\"> [quiz.no-answer]",
        "workbook.xml:5: error: quiz statement 'a' has more than one answer (first at line 4); keep exactly one [quiz.duplicate-answer]",
        "workbook.xml:6: error: answer for statement 'zz', which is not in quiz 'q'; its statements are: a, b [quiz.unknown-statement]",
    ]


def test_quiz_answer_without_explanation(tmp_path):
    answers = '<quiz-answers quiz="q"><answer statement="a" value="true"/><answer statement="b" value="false">B is false.</answer></quiz-answers>'
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format(QUIZ + answers))) == [
        "workbook.xml:3: error: answer to statement 'a' has no explanation; write why it is true [quiz.no-explanation]"
    ]


def test_figure_needs_alt_text(tmp_path):
    figure = '<figure id="f"><caption>C</caption><diagram layout="cycle"><node>A</node></diagram></figure>'
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format(figure))) == [
        "workbook.xml:2: error: figure 'f' has no text alternative; add <alt> describing what it shows [figure.no-alt]"
    ]


def test_references_must_resolve(tmp_path):
    body = MINIMAL_BODY.format('<p>See <ref target="sectoin"/>.</p>').replace('id="s"', 'id="section"')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: error: reference to 'sectoin' does not match any id; did you mean 'section'? [ref.unresolved]"
    ]


def test_script_addresses_are_refused(tmp_path):
    body = MINIMAL_BODY.format('<p><link href="javascript:alert(1)">click</link></p>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: error: link 'click' has address 'javascript:alert(1)', which is not allowed: addresses must start "
        "with http:, https:, mailto: (script and relative links are refused) [link.unsafe-address]"
    ]


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


def test_dtd_that_loads_a_url_is_refused_without_network(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    source = '<?xml version="1.0"?>\n<!DOCTYPE workbook SYSTEM "http://example.invalid/workbook.dtd">\n<workbook/>'
    assert problems_in(tmp_path, source) == [
        "workbook.xml:2: error: the DOCTYPE loads 'http://example.invalid/workbook.dtd'; a workbook must not load DTDs: "
        "remove the <!DOCTYPE> line (the schema is given by xsi:noNamespaceSchemaLocation) [xml.external-dtd]"
    ]


def test_dtd_that_loads_a_file_is_refused(tmp_path):
    source = '<?xml version="1.0"?>\n<!DOCTYPE workbook SYSTEM "/etc/passwd">\n<workbook/>'
    assert problems_in(tmp_path, source) == [
        "workbook.xml:2: error: the DOCTYPE loads '/etc/passwd'; a workbook must not load DTDs: remove the <!DOCTYPE> line "
        "(the schema is given by xsi:noNamespaceSchemaLocation) [xml.external-dtd]"
    ]


def test_file_that_is_not_utf8(tmp_path):
    source = xml_source(MINIMAL_BODY.format("<p>café</p>")).encode("latin-1")
    assert problems_in(tmp_path, source) == [
        "workbook.xml:2:99: error: file is not UTF-8 (byte 0xe9 cannot be decoded); save it as UTF-8 [source.encoding]"
    ]


def test_empty_file(tmp_path):
    assert problems_in(tmp_path, "  \n") == [
        "workbook.xml:1:1: error: file is empty; a workbook source starts with <workbook ...> (XML) or { (JSON) [source.empty]"
    ]


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


def test_malformed_json(tmp_path):
    assert problems_in(tmp_path, '{"formatVersion": "1.0",,}', name="w.json") == [
        "w.json:1:25: error: not well-formed JSON: Expecting property name enclosed in double quotes [json.syntax]"
    ]


def test_json_schema_errors_point_at_the_place(tmp_path):
    data = jsonform.to_json(load_source(KITCHEN_SINK).workbook)
    data["workbook"]["sections"][0]["content"][0]["colour"] = "red"
    data["workbook"]["sections"][1]["content"][0]["type"] = "puzzle"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    problems = problems_in(tmp_path, text, name="w.json")
    line_of_colour = next(n for n, line in enumerate(text.splitlines(), 1) if '"colour": "red"' in line)
    assert problems[0].startswith("w.json:")
    assert "at /workbook/sections/0/content/0: Additional properties are not allowed ('colour' was unexpected); " \
        "allowed keys are: content, id, type [schema.invalid]" in problems[0]
    assert "at /workbook/sections/1/content/0/type: 'puzzle' is not one of: paragraph, list," in problems[1]
    assert len(problems) == 2
    # The line named is where the offending object starts, before the bad key.
    assert int(problems[0].split(":")[1]) < line_of_colour


def test_json_duplicate_keys(tmp_path):
    assert problems_in(tmp_path, '{"formatVersion": "1.0", "formatVersion": "2.0"}', name="w.json") == [
        "w.json:1:26: error: key 'formatVersion' appears twice in one object; keep one (otherwise the last would silently win) "
        "[json.duplicate-key]"
    ]


def test_all_problems_are_reported_at_once(tmp_path):
    body = MINIMAL_BODY.format(
        '<challenge id="c1"><title>A</title></challenge><p id="c1">x</p><figure id="f"/><p><ref target="nowhere"/></p>'
    )
    codes = [p.rsplit("[", 1)[1].rstrip("]") for p in problems_in(tmp_path, xml_source(body))]
    assert sorted(codes) == sorted(["challenge.no-question", "id.duplicate", "figure.no-alt", "figure.missing-image", "ref.unresolved"])


# --- the command line -------------------------------------------------------------


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_validate_exit_codes(tmp_path):
    clean = run_cli("validate", str(KITCHEN_SINK))
    assert clean.returncode == 0, clean.stderr
    strict = run_cli("validate", "--strict", str(KITCHEN_SINK))
    assert strict.returncode == 2
    bad = tmp_path / "bad.xml"
    bad.write_text("<workbook", encoding="utf-8")
    result = run_cli("validate", str(bad), str(KITCHEN_SINK))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:1:10: error: not well-formed XML" in result.stderr
    # Both files are reported, not just the first bad one.
    assert "kitchen-sink/workbook.xml: 0 error(s), 4 warning(s)" in result.stderr


def test_bad_option_is_a_user_error():
    result = run_cli("build", "--format", "pdf")
    assert result.returncode == 2
    assert "invalid choice: 'pdf'" in result.stderr


def test_bad_source_leaves_build_folder_as_it_was(tmp_path):
    out = tmp_path / "build"
    marker = out / "w" / "default" / "w.docx"
    marker.parent.mkdir(parents=True)
    marker.write_bytes(b"previous output")
    bad = tmp_path / "source" / "w" / "workbook.xml"
    bad.parent.mkdir(parents=True)
    bad.write_text(xml_source(MINIMAL_BODY.format('<challenge id="c"><title>T</title></challenge>')), encoding="utf-8")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    result = run_cli("build", str(bad), "--out", str(out), "--format", "html")
    assert result.returncode == 2
    assert "has no question" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert marker.read_bytes() == b"previous output"


def test_bad_brand_is_a_user_error(tmp_path):
    result = run_cli("build", str(KITCHEN_SINK), "--brand", str(tmp_path / "missing"), "--out", str(tmp_path / "build"))
    assert result.returncode == 2
    assert "brand folder does not exist" in result.stderr
    assert not (tmp_path / "build").exists()


# --- what a review found: each rule that keeps a bad source from reaching the renderers ---


def test_ids_the_pages_make_for_themselves_are_reserved(tmp_path):
    body = MINIMAL_BODY.format('<p id="main-content">a</p>\n<p id="facts-true">b</p>\n<p id="answer-to-facts">c</p>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: error: id 'main-content' is reserved (the pages use it for their own structure); choose another id [id.reserved]",
        "workbook.xml:3: error: id 'facts-true' is reserved (ids ending in '-true' are made by the pages from other ids); choose another id [id.reserved]",
        "workbook.xml:4: error: id 'answer-to-facts' is reserved (ids starting with 'answer-to-' are made by the pages from other ids); "
        "choose another id [id.reserved]",
    ]


def test_an_id_with_capitals_or_accents_gets_a_suggestion(tmp_path):
    body = MINIMAL_BODY.format("<p>x</p>").replace('id="s"', 'id="Bäsics Page"')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: error: 'Bäsics Page' is not a valid id: use lower-case letters a–z, digits and single hyphens, starting "
        "with a letter (for example 'basics-page') [schema.id]"
    ]


@pytest.mark.parametrize("character", ["\u0001", "\u0000", "\ufffe", "\ud800"])
def test_json_text_that_xml_cannot_carry_is_an_error(tmp_path, character):
    data = jsonform.to_json(load_source(KITCHEN_SINK).workbook)
    data["workbook"]["sections"][0]["title"] = [f"Ba{character}sics"]
    shutil.copytree(KITCHEN_SINK.parent / "images", tmp_path / "images")
    text = json.dumps(data, indent=2)  # escapes the character as \uXXXX, as a CMS would
    problems = problems_in(tmp_path, text, name="w.json")
    line, column = next((n, row.index('"Ba') + 1) for n, row in enumerate(text.splitlines(), 1) if '"Ba\\u' in row)
    assert [p for p in problems if "error" in p] == [
        f"w.json:{line}:{column}: error: text contains the character U+{ord(character):04X}, which XML and the output formats cannot carry; "
        "remove it (it is usually a stray control character) [text.invalid-character]"
    ]


def test_a_date_zip_files_cannot_record_is_an_error(tmp_path):
    source = xml_source(MINIMAL_BODY.format("<p>x</p>").replace("<title>T</title></meta>", "<title>T</title><date>2206-01-01</date></meta>"))
    assert problems_in(tmp_path, source) == [
        "workbook.xml:2: error: date 2206-01-01 is outside 1980–2107, the years the output files can record; check the year [meta.date-range]"
    ]


def test_an_empty_section_is_a_warning(tmp_path):
    body = MINIMAL_BODY.format('<p>x</p><section id="empty"><title>Empty</title></section>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: warning: section 'empty' is empty; add its content or remove it [section.empty]"
    ]


def test_a_reference_needs_text_when_its_target_has_no_title(tmp_path):
    body = MINIMAL_BODY.format('<p id="here">x</p><p>See <ref target="here"/> and <ref target="here">that paragraph</ref>.</p>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: error: reference to 'here' has no text, and its target (a paragraph) has no title to show instead; "
        "write the link text inside the <ref> [ref.no-text]"
    ]


def test_addresses_with_spaces_are_refused(tmp_path):
    body = MINIMAL_BODY.format('<p><link href="https://exa mple.com/a b">x</link></p>')
    assert problems_in(tmp_path, xml_source(body)) == [
        "workbook.xml:2: error: link 'x' has address 'https://exa mple.com/a b', which contains a space; write spaces as %20 [link.invalid-address]"
    ]


FIGURE = '<figure id="f"><alt>A picture.</alt><image src="{}"/></figure>'


@pytest.mark.parametrize("content, expected", [
    (b"not a png", "image 'picture.png' is not a PNG, JPEG or SVG image (checked by its content, not its name) [figure.image-format]"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
     "SVG image 'picture.png' is not safe: it has an event handler attribute 'onload' (line 1); remove it and try again [figure.image-unsafe]"),
])
def test_figure_images_are_judged_by_their_content(tmp_path, content, expected):
    (tmp_path / "picture.png").write_bytes(content)
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format(FIGURE.format("picture.png")))) == [f"workbook.xml:2: error: {expected}"]


def test_a_folder_is_not_an_image(tmp_path):
    (tmp_path / "images").mkdir()
    [problem] = problems_in(tmp_path, xml_source(MINIMAL_BODY.format(FIGURE.format("images"))))
    assert "image 'images' of figure 'f' is a folder, not an image file" in problem
