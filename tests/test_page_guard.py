"""The page guard and the SVG logo check, complete: nothing a brand adds may load from another host or run code.

Each hostile override is built for real (HTML, EPUB and SCORM share the page
renderer) and must be refused with the template's file and line, exit 2 and
nothing written. The base templates themselves must still pass.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.__main__ import main
from pipeline.css_check import css_loads, package_relative
from pipeline.render.page_guard import page_problems
from pipeline.svg import unsafe_svg_reason

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ('<?xml version="1.0" encoding="UTF-8"?>\n<workbook id="w" version="1.0"><meta><title>T</title></meta>'
          '<section id="s"><title>S</title><p>Text.</p></section></workbook>\n')


@pytest.fixture
def council(tmp_path):
    folder = tmp_path / "council"
    shutil.copytree(ROOT / "brands" / "default", folder)
    (folder / "templates").mkdir()
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "workbook.xml").write_text(SOURCE, encoding="utf-8")
    return folder


def override(folder: Path, markup: str) -> Path:
    """A layout whose footer holds `markup` on line 3."""
    path = folder / "templates" / "layout.html.j2"
    path.write_text('{% extends "base.html.j2" %}\n{% block footer %}\n' + markup + "\n{% endblock %}\n", encoding="utf-8")
    return path


def build(folder: Path, fmt: str, capsys) -> tuple[int, list[str], Path]:
    out = folder.parent / "out"
    status = main(["build", str(folder.parent / "w" / "workbook.xml"), "--brand", str(folder), "--out", str(out),
                   "--format", fmt, "--jobs", "1"])
    return status, capsys.readouterr().err.splitlines(), out


HOSTILE = {
    "srcset": ('<img src="assets/x.png" srcset="assets/x.png 1x, https://cdn.example/x.png 2x" alt="">',
               "<img> srcset loads https://cdn.example/x.png from another host; pages must work offline, so ship the file "
               "in the brand folder"),
    "svg image": ('<svg width="1" height="1" aria-hidden="true"><image href="//cdn.example/x.png" width="1" height="1"/></svg>',
                  "<image> loads //cdn.example/x.png from another host; pages must work offline, so ship the file in the brand folder"),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example/">',
                     '<meta http-equiv="refresh" content="0;url=https://evil.example/"> reloads or leaves the page; '
                     "brand templates may not redirect"),
    "css escape": ('<p style="background: u\\72l(https://evil.example/t.png)">Contact</p>',
                   "<p> style loads url(https://evil.example/t.png); pages must work offline and load nothing from other hosts"),
    "css escape in a style sheet": ('<style>footer { background: \\75rl( "https://evil.example/t.png" ) }</style>',
                                    '<style> style loads url("https://evil.example/t.png"); pages must work offline and load '
                                    "nothing from other hosts"),
    "svg animate href": ('<svg width="1" height="1" aria-hidden="true"><a href="#x"><animate attributeName="href" '
                         'values="javascript:alert(1)"/><text>x</text></a></svg>',
                         "<animate> changes the attribute 'href', which can make a link run code; brand templates may not "
                         "animate links or event handlers"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_html_override_is_refused_at_the_templates_line(council, capsys, case):
    markup, expected = HOSTILE[case]
    template = override(council, markup)
    status, errors, out = build(council, "html", capsys)
    assert status == 2 and not out.exists()
    assert errors[0].startswith(f"{template}:3: error: {expected} (on index.html and ")
    assert errors[0].endswith(" [brand.template-unsafe]")
    assert errors[-1].endswith("[brand.template-accessibility]")
    assert not any("Traceback" in line for line in errors)


@pytest.mark.parametrize("fmt", ["epub", "scorm12", "scorm2004"])
@pytest.mark.parametrize("case", ["srcset", "svg image", "css escape", "meta refresh"])
def test_hostile_packaged_override_is_refused_too(council, capsys, fmt, case):
    markup, expected = HOSTILE[case]
    template = override(council, markup.replace('alt="">', 'alt=""/>').replace('/">', '/"/>'))
    status, errors, out = build(council, fmt, capsys)
    assert status == 2 and not out.exists()
    assert errors[0].startswith(f"{template}:3: error: {expected} (on ") and errors[0].endswith("[brand.template-unsafe]")


def test_a_link_not_closed_in_xhtml_is_a_user_error_not_a_traceback(council, capsys):
    template = override(council, '<link rel="stylesheet" href="assets/x.css">')
    status, errors, out = build(council, "epub", capsys)
    assert status == 2 and not out.exists()
    # Named at the template line that wrote the element (tests/test_template_budget.py has the whole text).
    assert errors[0].startswith(f"{template}:3: error: the brand's templates make the EPUB page ")
    assert "ill-formed XHTML" in errors[0] and errors[0].endswith("[brand.template-error]")


def test_the_base_templates_and_a_harmless_override_pass(council, capsys):
    override(council, '<footer><p style="background: url(assets/brand.css#x)">Contact: <a href="https://example.org/">us</a></p>'
                      '<img src="assets/a.png" srcset="assets/a.png 1x, assets/b.png 2x" alt=""></footer>')
    status, errors, out = build(council, "html", capsys)
    assert status == 0 and not [line for line in errors if ": error: " in line or ": warning: " in line]
    assert (out / "w" / "council" / "html" / "index.html").is_file()


@pytest.mark.parametrize("url, relative", [
    ("assets/a.png", True), ("a.png#x", True), ("#x", True), ("", True),
    ("https://x/a.png", False), ("//x/a.png", False), ("/a.png", False), ("\\\\x\\a.png", False),
    ("data:image/png;base64,AA", False), ("file:///etc/passwd", False), ("java\tscript:alert(1)", False),
    (" \x01https://x/", False), ("a\\..\\..\\b", False),
])
def test_only_package_relative_urls_count_as_package_files(url, relative):
    assert package_relative(url) is relative


def test_css_is_tokenised_escapes_and_comments_included():
    css = '@import "x.css"; a { b: u\\72l(//h/1); c: url/**/("//h/2"); d: image-set("//h/3" 1x); e: \\55RL(//h/4) }'
    assert [(load.what, load.url) for load in css_loads(css, inline=False)] == [
        ("@import", "x.css"), ("url(//h/1)", "//h/1"), ("image-set(\"//h/3\")", "//h/3"), ("url(//h/4)", "//h/4"),
    ]


def test_page_guard_reads_presentation_attributes_as_css():
    page = (b'<!DOCTYPE html><html lang="en"><body><main><h1>T</h1><svg><rect fill="u\\72l(https://h/x.svg#p)"/>'
            b'<rect fill="url(#local)"/></svg></main></body></html>')
    assert page_problems("p.html", page, False, frozenset()) == [
        "p.html: <rect> fill loads url(https://h/x.svg#p); pages must work offline and load nothing from other hosts"
    ]


def test_prefixed_attributes_from_the_html_parser_are_checked_not_a_crash():
    page = (b'<!DOCTYPE html><html lang="en"><body><main><h1>T</h1><svg><image xlink:href="https://h/x.png"/>'
            b'<g xml:base="https://h/"><svg:script>x</svg:script></g></svg></main></body></html>')
    assert page_problems("p.html", page, False, frozenset()) == [
        "p.html: <image> loads https://h/x.png from another host; pages must work offline, so ship the file in the brand folder",
        "p.html: <g> has xml:base, which changes where every address on the page points; brand templates may not add it",
    ]


# --- SVG logos: an allow-list sanitiser ------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{}</svg>'


@pytest.mark.parametrize("body, reason", [
    ('<use href="#x"><animate attributeName="href" values="javascript:alert(1)"/></use>',
     "it has an <animate> that changes 'href' (line 1), which can make a link run code"),
    ('<set attributeName="xlink:href" to="https://evil.example/"/>',
     "it has a <set> that changes 'xlink:href' (line 1), which can make a link run code"),
    ('<rect fill="u\\72l(https://evil.example/p.svg#p)"/>',
     "it refers to an external resource in 'fill': url(https://evil.example/p.svg#p) (line 1)"),
    ('<style>rect { fill: \\75rl("//evil.example/p.svg#p") }</style>',
     "its style sheet loads url(\"//evil.example/p.svg#p\") (line 1)"),
    ('<image href="data:image/svg+xml;base64,PHN2Zz4=" width="1" height="1"/>', "it refers to 'data:image/svg+xml;base64,PHN2Zz4=' outside the file (line 1)"),
    ('<script>alert(1)</script>', "it contains a <script> element (line 1)"),
    ('<rect onload="alert(1)"/>', "it has an event handler attribute 'onload' (line 1)"),
    ('<use xlink:href="https://evil.example/x.svg#a"/>', "it refers to 'https://evil.example/x.svg#a' outside the file (line 1)"),
    ('<g xml:base="https://evil.example/"><use href="#a"/></g>', "it has an attribute 'xml:base' (line 1), which a logo may not have"),
])
def test_unsafe_svg_logos_are_refused(body, reason):
    assert unsafe_svg_reason(SVG.format(body).encode()) == reason


def test_the_brands_svg_logos_and_icons_are_safe():
    files = [ROOT / "brands" / "westvale" / "logo.svg", *sorted((ROOT / "templates" / "html" / "icons").glob("*.svg"))]
    files += sorted((ROOT / "tests" / "fixtures").rglob("*.svg"))
    assert {path.name: unsafe_svg_reason(path.read_bytes()) for path in files} == {path.name: None for path in files}
