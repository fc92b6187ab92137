"""Validation: the schema and the rules that keep a bad source from reaching the renderers, each
problem with its place and exact message, all of them at once; and validate's exit codes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import jsonform
from pipeline.load import load_source
from tests.sources_support import KITCHEN_SINK, MINIMAL_BODY, ROOT, problems_in, xml_source

QUIZ = '<quiz id="q"><statement id="a">A.</statement><statement id="b">B.</statement></quiz>\n'
QUIZ_ANSWERS_WRONG = (
    '<quiz-answers quiz="q">\n<answer statement="a" value="true">Yes.</answer>\n'
    '<answer statement="a" value="false">No.</answer>\n<answer statement="zz" value="true">?</answer>\n</quiz-answers>'
)
QUIZ_ANSWER_UNEXPLAINED = (
    '<quiz-answers quiz="q"><answer statement="a" value="true"/><answer statement="b" value="false">B is false.</answer></quiz-answers>'
)


# --- the schema and the rules: one exact message each --------------------------------

# (file name, its content, the exact messages validate gives, in order)
BAD_SOURCES = {
    "wrong-root-element": ("workbook.xml", "<book/>", [
        "workbook.xml:1: error: the root element is <book>, but a workbook source must start with <workbook> [xml.root]",
    ]),
    "unknown-element": ("workbook.xml", xml_source(MINIMAL_BODY.format("<para>x</para>")), [
        "workbook.xml:2: error: <para>: this element is not allowed here; expected one of: guidance, case-study, tip, "
        "useful-links, challenge, quiz, quiz-answers, p, list, quote, … [schema.element]",
    ]),
    "unknown-attribute": ("workbook.xml", xml_source(MINIMAL_BODY.format('<p colour="red">x</p>')), [
        "workbook.xml:2: error: <p> attribute 'colour': the attribute 'colour' is not allowed. [schema.attribute]",
    ]),
    "missing-required-parts": (
        "workbook.xml", xml_source('<meta><title>T</title></meta><section id="s"></section>', root_attributes='id="w"'), [
            "workbook.xml:2: error: <section>: a required child element is missing; expected: <title> [schema.element]",
            "workbook.xml:2: error: <workbook>: the attribute 'version' is required but missing. [schema.missing-attribute]",
        ]),
    "duplicate-ids": ("workbook.xml", xml_source(MINIMAL_BODY.format('<p id="same">a</p>\n<p id="same">b</p>')), [
        "workbook.xml:3: error: duplicate id 'same' (first used at line 2); ids must be unique in a workbook: rename one [id.duplicate]",
    ]),
    "challenge-without-a-question": (
        "workbook.xml", xml_source(MINIMAL_BODY.format('\n<challenge id="outcomes-for-communities"><title>Outcomes</title></challenge>')), [
            "workbook.xml:3: error: challenge 'outcomes-for-communities' has no question; add a <question> (or a <quiz>) "
            "for the learner to answer [challenge.no-question]",
        ]),
    "case-study-without-title-or-body": ("workbook.xml", xml_source(MINIMAL_BODY.format('<case-study id="c"/>')), [
        "workbook.xml:2: error: case study 'c' has no body; add paragraphs or subsections [case-study.no-body]",
        "workbook.xml:2: error: case study 'c' has no title; add a <title> [case-study.no-title]",
    ]),
    "quiz-statements-need-exactly-one-answer": ("workbook.xml", xml_source(MINIMAL_BODY.format(QUIZ + QUIZ_ANSWERS_WRONG)), [
        "workbook.xml:2: error: quiz statement 'b' has no answer; add <answer statement=\"b\" value=\"true|false\">explanation</answer> "
        "to a <quiz-answers quiz=\"q\"> [quiz.no-answer]",
        "workbook.xml:5: error: quiz statement 'a' has more than one answer (first at line 4); keep exactly one [quiz.duplicate-answer]",
        "workbook.xml:6: error: answer for statement 'zz', which is not in quiz 'q'; its statements are: a, b [quiz.unknown-statement]",
    ]),
    "quiz-answer-without-explanation": ("workbook.xml", xml_source(MINIMAL_BODY.format(QUIZ + QUIZ_ANSWER_UNEXPLAINED)), [
        "workbook.xml:3: error: answer to statement 'a' has no explanation; write why it is true [quiz.no-explanation]",
    ]),
    "figure-without-alt-text": (
        "workbook.xml",
        xml_source(MINIMAL_BODY.format('<figure id="f"><caption>C</caption><diagram layout="cycle"><node>A</node></diagram></figure>')), [
            "workbook.xml:2: error: figure 'f' has no text alternative; add <alt> describing what it shows [figure.no-alt]",
        ]),
    "unresolved-reference": (
        "workbook.xml", xml_source(MINIMAL_BODY.format('<p>See <ref target="sectoin"/>.</p>').replace('id="s"', 'id="section"')), [
            "workbook.xml:2: error: reference to 'sectoin' does not match any id; did you mean 'section'? [ref.unresolved]",
        ]),
    "script-address": ("workbook.xml", xml_source(MINIMAL_BODY.format('<p><link href="javascript:alert(1)">click</link></p>')), [
        "workbook.xml:2: error: link 'click' has address 'javascript:alert(1)', which is not allowed: addresses must start "
        "with http:, https:, mailto: (script and relative links are refused) [link.unsafe-address]",
    ]),
    "reserved-ids": (
        "workbook.xml", xml_source(MINIMAL_BODY.format('<p id="main-content">a</p>\n<p id="facts-true">b</p>\n<p id="answer-to-facts">c</p>')), [
            "workbook.xml:2: error: id 'main-content' is reserved (the pages use it for their own structure); choose another id [id.reserved]",
            "workbook.xml:3: error: id 'facts-true' is reserved (ids ending in '-true' are made by the pages from other ids); "
            "choose another id [id.reserved]",
            "workbook.xml:4: error: id 'answer-to-facts' is reserved (ids starting with 'answer-to-' are made by the pages from other ids); "
            "choose another id [id.reserved]",
        ]),
    "id-with-capitals-and-accents": ("workbook.xml", xml_source(MINIMAL_BODY.format("<p>x</p>").replace('id="s"', 'id="Bäsics Page"')), [
        "workbook.xml:2: error: 'Bäsics Page' is not a valid id: use lower-case letters a–z, digits and single hyphens, starting "
        "with a letter (for example 'basics-page') [schema.id]",
    ]),
    "date-zip-files-cannot-record": (
        "workbook.xml",
        xml_source(MINIMAL_BODY.format("<p>x</p>").replace("<title>T</title></meta>", "<title>T</title><date>2206-01-01</date></meta>")), [
            "workbook.xml:2: error: date 2206-01-01 is outside 1980–2107, the years the output files can record; check the year [meta.date-range]",
        ]),
    "empty-section": ("workbook.xml", xml_source(MINIMAL_BODY.format('<p>x</p><section id="empty"><title>Empty</title></section>')), [
        "workbook.xml:2: warning: section 'empty' is empty; add its content or remove it [section.empty]",
    ]),
    "reference-without-text-to-an-untitled-target": (
        "workbook.xml",
        xml_source(MINIMAL_BODY.format('<p id="here">x</p><p>See <ref target="here"/> and <ref target="here">that paragraph</ref>.</p>')), [
            "workbook.xml:2: error: reference to 'here' has no text, and its target (a paragraph) has no title to show instead; "
            "write the link text inside the <ref> [ref.no-text]",
        ]),
    "address-with-spaces": ("workbook.xml", xml_source(MINIMAL_BODY.format('<p><link href="https://exa mple.com/a b">x</link></p>')), [
        "workbook.xml:2: error: link 'x' has address 'https://exa mple.com/a b', which contains a space; write spaces as %20 "
        "[link.invalid-address]",
    ]),
}


@pytest.mark.parametrize("case", BAD_SOURCES)
def test_bad_source_gives_its_exact_messages(tmp_path, no_network, case):
    name, content, expected = BAD_SOURCES[case]
    assert problems_in(tmp_path, content, name=name) == expected


# --- rules checked on whole workbooks, JSON sources and figure images -------------------


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


def test_all_problems_are_reported_at_once(tmp_path):
    body = MINIMAL_BODY.format(
        '<challenge id="c1"><title>A</title></challenge><p id="c1">x</p><figure id="f"/><p><ref target="nowhere"/></p>'
    )
    codes = [p.rsplit("[", 1)[1].rstrip("]") for p in problems_in(tmp_path, xml_source(body))]
    assert sorted(codes) == sorted(["challenge.no-question", "id.duplicate", "figure.no-alt", "figure.missing-image", "ref.unresolved"])


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


# --- the command line: validate's exit codes; bad input writes nothing --------------------


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
    result = run_cli("build", "--format", "rtf")
    assert result.returncode == 2
    assert "invalid choice: 'rtf'" in result.stderr


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
