"""Hostile input: every string through one gate, no recursion on untrusted depth, bounded reads, and the rules for accepted-but-wrong input.

Each test names the class of issue 18 it covers. Messages are checked word for
word: they are what a user sees.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest

from pipeline.__main__ import main
from pipeline.brand import load_brand
from pipeline.dates import parse_date
from pipeline.load import load_source
from pipeline.publish import load_publish_config
from pipeline.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent
KITCHEN_SINK = ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"
DEFAULT_BRAND = ROOT / "brands" / "default"

BODY = '<meta><title>T</title>{meta}</meta><section id="s"><title>S</title>{content}</section>'


def xml(content: str = "<p>x</p>", meta: str = "", attributes: str = 'id="w" version="1.0"') -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {attributes}>{BODY.format(meta=meta, content=content)}</workbook>\n'


def minimal_json(**workbook) -> dict:
    data = {
        "formatVersion": "1.0",
        "workbook": {
            "type": "workbook", "id": "w", "version": "1.0", "meta": {"type": "meta", "title": ["T"]},
            "sections": [{"type": "section", "id": "s", "title": ["S"], "content": [{"type": "paragraph", "content": ["x"]}]}],
        },
    }
    data["workbook"].update(workbook)
    return data


def problems_in(tmp_path: Path, content: str | bytes, name: str = "workbook.xml") -> list[str]:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    _, problems = validate_file(path, display_name=name)
    return [str(problem) for problem in problems if problem.severity == "error"]


def brand_copy(tmp_path: Path, **changes) -> Path:
    folder = tmp_path / "brand"
    shutil.copytree(DEFAULT_BRAND, folder)
    data = json.loads((folder / "brand.json").read_text(encoding="utf-8"))
    for pointer, value in changes.items():
        *parents, key = pointer.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[key] = value
    (folder / "brand.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return folder


def brand_errors(folder: Path) -> list[str]:
    _, problems = load_brand(folder)
    return [str(problem).replace(str(folder), "brand") for problem in problems if problem.severity == "error"]


# --- 1. one gate: characters, anchored patterns, formats, numbers, dates ------------------


def test_a_lone_surrogate_in_a_json_image_path_is_refused_before_any_rule(tmp_path):
    data = minimal_json()
    data["workbook"]["sections"][0]["content"].append(
        {"type": "figure", "id": "f", "alt": "A", "image": {"type": "image", "src": "images/\ud800.png"}})
    text = json.dumps(data, indent=1)  # ensure_ascii: written as the escape \ud800
    line, column = next((n, row.index('"images') + 1) for n, row in enumerate(text.splitlines(), 1) if "\\ud800" in row)
    assert problems_in(tmp_path, text, "w.json") == [
        f"w.json:{line}:{column}: error: text contains the character U+D800, which XML and the output formats cannot carry; "
        "remove it (it is usually a stray control character) [text.invalid-character]"
    ]


def test_a_nul_in_a_json_image_path_is_refused(tmp_path):
    data = minimal_json()
    data["workbook"]["sections"][0]["content"].append(
        {"type": "figure", "id": "f", "alt": "A", "image": {"type": "image", "src": "a\u0000.png"}})
    assert [p.split(": error: ")[1] for p in problems_in(tmp_path, json.dumps(data), "w.json")] == [
        "text contains the character U+0000, which XML and the output formats cannot carry; "
        "remove it (it is usually a stray control character) [text.invalid-character]"
    ]


@pytest.mark.parametrize("character", ["\ud83d", "\u0007"])
def test_brand_text_with_a_character_xml_cannot_carry_is_refused(tmp_path, character):
    folder = brand_copy(tmp_path, footer=f"Published{character}")
    text = (folder / "brand.json").read_text(encoding="utf-8")
    line, column = next((n, row.index('"Published') + 1) for n, row in enumerate(text.splitlines(), 1) if '"footer"' in row)
    assert brand_errors(folder) == [
        f"brand/brand.json:{line}:{column}: error: text contains the character U+{ord(character):04X}, which XML and the output "
        "formats cannot carry; remove it (it is usually a stray control character) [text.invalid-character]"
    ]


def test_a_trailing_newline_in_a_brand_colour_is_refused_with_a_clear_message(tmp_path):
    folder = brand_copy(tmp_path, colours__primary="#1d4f91\n")
    assert [p.split(": error: ")[1] for p in brand_errors(folder)] == [
        "at /colours/primary: '#1d4f91\\n' has a line break or space at its start or end; remove it [brand.schema]"
    ]


def test_a_trailing_newline_in_a_json_workbook_id_is_refused(tmp_path):
    assert [p.split(": error: ")[1] for p in problems_in(tmp_path, json.dumps(minimal_json(id="w\n")), "w.json")] == [
        "at /workbook/id: 'w\\n' has a line break or space at its start or end; remove it [schema.invalid]"
    ]


def test_json_dates_are_checked_as_dates(tmp_path):
    text = json.dumps(minimal_json(meta={"type": "meta", "title": ["T"], "date": "2026-13-01"}))
    assert [p.split(": error: ")[1] for p in problems_in(tmp_path, text, "w.json")] == [
        "at /workbook/meta/date: '2026-13-01' is not a 'date' [schema.invalid]"
    ]


def test_an_empty_json_lang_is_refused(tmp_path):
    assert [p.split(": error: ")[1] for p in problems_in(tmp_path, json.dumps(minimal_json(lang="")), "w.json")] == [
        "at /workbook/lang: '' does not match '^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$' [schema.invalid]"
    ]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_in_publish_json_are_refused_where_they_are(tmp_path, number):
    (tmp_path / "publish.json").write_text('{\n  "scorm": {"passingScore": ' + number + "}\n}\n", encoding="utf-8")
    config, problems = load_publish_config(tmp_path / "workbook.xml")
    assert config is None
    assert [str(p).replace(str(tmp_path), "x") for p in problems] == [
        f"x/publish.json:2:29: error: {number} is not a finite number; JSON settings and sources take ordinary numbers only [publish.number]"
    ]


def test_an_xsd_date_with_a_time_zone_is_refused_by_the_schema(tmp_path):
    assert problems_in(tmp_path, xml(meta="<date>2026-01-01Z</date>")) == [
        "workbook.xml:2: error: <date> '2026-01-01Z' is not a date written YYYY-MM-DD (no time zone), such as 2026-03-31 [schema.date]"
    ]


def test_a_newline_in_an_xml_id_is_refused_on_one_line(tmp_path):
    assert problems_in(tmp_path, xml(attributes='id="w&#10;" version="1.0"')) == [
        "workbook.xml:2: error: id 'w\\n' has a line break or space at its start or end; remove it [schema.id]"
    ]


def test_a_problem_quoting_a_control_character_stays_on_one_line():
    from pipeline.model import SourceLocation
    from pipeline.problems import error

    assert str(error(SourceLocation("f.xml", 3), "value 'a\nb\x07' is wrong", "x.y")) == "f.xml:3: error: value 'a\\nb\\x07' is wrong [x.y]"


def test_a_date_split_by_a_comment_is_read_whole(tmp_path):
    path = tmp_path / "workbook.xml"
    path.write_text(xml(meta="<date>2026-<!-- month -->03-31</date>"), encoding="utf-8")
    result = load_source(path)
    assert result.problems == [] and result.workbook.meta.date == "2026-03-31"


@pytest.mark.parametrize("text, expected", [
    ("2026-03-31", (2026, 3, 31)), ("2026-02-30", None), ("2026-01-01Z", None), (" 2026-01-01", None),
    ("2026-01-01\n", None), ("+2026-01-01", None), ("20260101", None), ("٢٠٢٦-01-01", None),
])
def test_one_date_reader_accepts_only_what_the_schemas_accept(text, expected):
    parsed = parse_date(text)
    assert (None if parsed is None else (parsed.year, parsed.month, parsed.day)) == expected


# --- 2. no recursion on untrusted depth ------------------------------------------------


def test_a_deeply_nested_json_array_is_refused_without_recursion(tmp_path):
    text = '{"formatVersion": "1.0", "workbook": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert problems_in(tmp_path, text, "w.json") == [
        "w.json:1:173: error: arrays and objects are nested more than 136 deep here; no workbook or settings file "
        "needs that many levels: flatten the structure [source.too-deep]"
    ]


def test_a_deeply_nested_brand_json_is_refused(tmp_path):
    folder = brand_copy(tmp_path)
    (folder / "brand.json").write_text('{"footer": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    assert brand_errors(folder) == [
        "brand/brand.json:1:147: error: arrays and objects are nested more than 136 deep here; no workbook or settings file "
        "needs that many levels: flatten the structure [brand.too-deep]"
    ]


def nested(depth: int, tag: str = "em") -> str:
    return f"<{tag}>" * depth + "x" + f"</{tag}>" * depth


def test_200_nested_inline_elements_in_xml_are_refused(tmp_path):
    assert problems_in(tmp_path, xml(f"<p>{nested(200)}</p>")) == [
        "workbook.xml:2: error: inline elements (em, strong, link, ref) are nested more than 32 deep here, past the "
        "limit the toolkit can render safely; nest fewer of them [source.too-deep]"
    ]


def test_deeply_nested_elements_in_xml_are_refused(tmp_path):
    assert problems_in(tmp_path, xml(nested(100, "section"))) == [
        "workbook.xml:2: error: elements are nested more than 64 deep here, past the limit the toolkit can read and "
        "render safely; flatten the structure [source.too-deep]"
    ]


def inline_chain(depth: int) -> list:
    content: list = ["x"]
    for _ in range(depth):
        content = [{"type": "strong", "content": content}]
    return content


def test_55_nested_inlines_in_the_json_form_are_refused_not_a_recursion_error(tmp_path):
    data = minimal_json()
    data["workbook"]["sections"][0]["content"][0]["content"] = inline_chain(55)
    problems = problems_in(tmp_path, json.dumps(data, indent=1), "w.json")
    assert [p.split(": error: ")[1] for p in problems] == [
        "inline elements (em, strong, link, ref) are nested more than 32 deep here, past the "
        "limit the toolkit can render safely; nest fewer of them [source.too-deep]"
    ]


def test_the_deepest_inline_nesting_allowed_builds_and_converts_both_ways(tmp_path, capsys):
    source = tmp_path / "workbook.xml"
    source.write_text(xml(f"<p>{nested(32)}</p>"), encoding="utf-8")
    assert main(["convert", str(source), "--to", "json", "-o", str(tmp_path / "w.json")]) == 0
    assert main(["convert", str(tmp_path / "w.json"), "--to", "xml", "-o", str(tmp_path / "back.xml")]) == 0
    assert load_source(tmp_path / "back.xml").workbook == load_source(source).workbook
    assert main(["build", str(source), "--format", "html", "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert "x</em>" in (tmp_path / "out" / "w" / "default" / "html" / "s.html").read_text(encoding="utf-8")


def test_convert_to_json_of_the_kitchen_sink_reads_back(tmp_path):
    assert main(["convert", str(KITCHEN_SINK), "--to", "json", "-o", str(tmp_path / "w.json")]) == 0
    assert load_source(tmp_path / "w.json").problems == []


# --- 3. bounded resources ----------------------------------------------------------------


def run_with_timeout(function, seconds: float = 10):
    result: list = []
    worker = threading.Thread(target=lambda: result.append(function()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"still running after {seconds} s: it hangs"
    return result[0]


def test_a_source_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "workbook.xml")
    assert run_with_timeout(lambda: problems_in_place(tmp_path / "workbook.xml")) == [
        "workbook.xml: error: is not a regular file (a named pipe); an input workbook source must be a plain file [source.not-a-file]"
    ]


def problems_in_place(path: Path) -> list[str]:
    _, problems = validate_file(path, display_name=path.name)
    return [str(problem) for problem in problems]


def test_a_source_linked_to_dev_zero_is_refused_without_reading_it(tmp_path):
    (tmp_path / "workbook.xml").symlink_to("/dev/zero")
    assert run_with_timeout(lambda: problems_in_place(tmp_path / "workbook.xml")) == [
        "workbook.xml: error: is not a regular file (a device); an input workbook source must be a plain file [source.not-a-file]"
    ]


def test_a_source_that_is_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "workbook.xml").symlink_to(tmp_path / "workbook.xml")
    assert problems_in_place(tmp_path / "workbook.xml") == [
        "workbook.xml: error: is a symbolic link that leads back to itself (a link loop); point it at a real file [source.not-a-file]"
    ]


def test_the_size_cap_does_not_trust_stat(monkeypatch, tmp_path):
    from pipeline import safe_read

    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 5000)
    real_fstat = os.fstat

    def lying_fstat(descriptor):  # what /proc files and some devices do: report size 0
        found = real_fstat(descriptor)
        return os.stat_result((found.st_mode, *found[1:6], 0, *found[7:]))

    monkeypatch.setattr(safe_read.os, "fstat", lying_fstat)
    with pytest.raises(safe_read.InputError) as raised:
        safe_read.read_input(path, 4096, "workbook source")
    assert (raised.value.kind, raised.value.message) == (
        "too-large", "file is more than the 4,096-byte limit for a workbook source; check that this is the right file")


def test_a_brand_json_that_is_a_fifo_is_refused(tmp_path):
    folder = brand_copy(tmp_path)
    (folder / "brand.json").unlink()
    os.mkfifo(folder / "brand.json")
    assert run_with_timeout(lambda: brand_errors(folder)) == [
        "brand/brand.json: error: is not a regular file (a named pipe); an input brand.json settings file must be a plain file [brand.not-a-file]"
    ]


def test_a_publish_json_that_is_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "publish.json").symlink_to(tmp_path / "publish.json")
    config, problems = load_publish_config(tmp_path / "workbook.xml")
    assert config is None and [str(p).replace(str(tmp_path), "x") for p in problems] == [
        "x/publish.json: error: is a symbolic link that leads back to itself (a link loop); point it at a real file [publish.not-a-file]"
    ]


def test_a_huge_publish_json_is_refused_by_size(tmp_path):
    (tmp_path / "publish.json").write_text('{"scorm": {}, "x": "' + "a" * (2 * 1024 * 1024) + '"}', encoding="utf-8")
    config, problems = load_publish_config(tmp_path / "workbook.xml")
    assert [p.code for p in problems] == ["publish.too-large"]


def test_an_image_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    (tmp_path / "images").mkdir()
    os.mkfifo(tmp_path / "images" / "a.png")
    source = xml('<figure id="f"><alt>A</alt><image src="images/a.png"/></figure>')
    assert run_with_timeout(lambda: problems_in(tmp_path, source)) == [
        "workbook.xml:2: error: image 'images/a.png' of figure 'f' is not a regular file (a named pipe); an input image file "
        "must be a plain file [figure.image-unreadable]"
    ]


# --- 5. accepted but wrong: rules with codes ---------------------------------------------


def test_a_whitespace_only_paragraph_is_an_error(tmp_path):
    assert problems_in(tmp_path, xml("<p>x</p><p>  \n </p>")) == [
        "workbook.xml:2: error: paragraph is empty (or only white space), which would be written as an empty <p></p> in "
        "every format; write its text or remove it [paragraph.empty]"
    ]


def test_a_whitespace_only_alt_in_the_json_form_is_refused_like_in_xml(tmp_path):
    data = minimal_json()
    data["workbook"]["sections"][0]["content"].append({"type": "figure", "id": "f", "alt": "  \t"})
    assert [p.split(": error: ")[1] for p in problems_in(tmp_path, json.dumps(data), "w.json")] == [
        "figure 'f' has no text alternative; add <alt> describing what it shows [figure.no-alt]"
    ]


def test_convert_output_honours_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        assert main(["convert", str(KITCHEN_SINK), "--to", "json", "-o", str(tmp_path / "w.json")]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "w.json").stat().st_mode) == 0o644


def test_a_brand_logo_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    folder = brand_copy(tmp_path, logo={"file": "logo.png", "alt": "Logo"})
    os.mkfifo(folder / "logo.png")
    assert run_with_timeout(lambda: brand_errors(folder))[0].split(": error: ")[1] == (
        "logo file 'logo.png' is not a regular file (a named pipe); an input logo file must be a plain file [brand.file-unreadable]")


def test_a_brand_font_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    folder = brand_copy(tmp_path, fonts={"body": "Brand", "files": [{"family": "Brand", "file": "brand.woff2"}]})
    os.mkfifo(folder / "brand.woff2")
    assert run_with_timeout(lambda: brand_errors(folder))[0].split(": error: ")[1] == (
        "font file 'brand.woff2' is not a regular file (a named pipe); an input font file must be a plain file [brand.file-unreadable]")
