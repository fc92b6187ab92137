"""Brand folders: the examples load, and every way a brand could break accessibility or security is refused."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.brand import contrast_ratio, load_brand
from tests.sources_support import KITCHEN_SINK, ROOT

BRANDS = ROOT / "brands"
EXAMPLE_BRANDS = ["default", "northshire", "westvale"]


@pytest.mark.parametrize("name", EXAMPLE_BRANDS)
def test_example_brands_load(name):
    brand, problems = load_brand(BRANDS / name)
    assert problems == []
    assert brand.name == name


def test_example_councils_look_clearly_different():
    northshire, _ = load_brand(BRANDS / "northshire")
    westvale, _ = load_brand(BRANDS / "westvale")
    default, _ = load_brand(BRANDS / "default")
    assert len({northshire.colours.primary, westvale.colours.primary, default.colours.primary}) == 3
    assert contrast_ratio(northshire.colours.primary, "#ffffff") > 12  # the dark one
    assert westvale.logo is not None and westvale.logo.media_type == "image/svg+xml"
    assert westvale.font_files and westvale.font_files[0].media_type == "font/ttf"


def test_contrast_ratio_matches_wcag_examples():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48


@pytest.fixture
def brand_folder(tmp_path):
    """A copy of the westvale brand to break."""
    folder = tmp_path / "council"
    shutil.copytree(BRANDS / "westvale", folder)
    return folder


def edit(folder: Path, change) -> None:
    path = folder / "brand.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def messages(folder: Path) -> list[str]:
    brand, problems = load_brand(folder)
    assert brand is None
    return [str(problem).replace(str(folder), "BRAND") for problem in problems]


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / "brand.json").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_low_contrast_is_refused_naming_the_pair(brand_folder):
    edit(brand_folder, lambda data: data["colours"].update(text="#999999"))
    line = line_of(brand_folder, '"text": "#999999"')
    assert messages(brand_folder) == [
        f"BRAND/brand.json:{line}:13: error: colour pair text #999999 on background #fbfaf5 has contrast 2.73:1, below the "
        "WCAG minimum of 4.5:1 for text; darken or lighten one of them [brand.contrast]",
    ] + [
        f"BRAND/brand.json:{line_of(brand_folder, kind)}:{len(kind) + 11}: error: colour pair text #999999 on blocks.{kind} {colour} has contrast {ratio}:1, "
        f"below the WCAG minimum of 4.5:1 for text; darken or lighten one of them [brand.contrast]"
        for kind, colour, ratio in [
            ("guidance", "#f3ecc8", "2.39"), ("challenge", "#dcefe9", "2.38"), ("case-study", "#efe0ea", "2.24"),
            ("tip", "#e0ebf0", "2.35"), ("useful-links", "#f4e4d6", "2.29"),
        ]
    ]


def outside_svg(folder: Path) -> None:
    """An SVG beside the brand folder, for paths that try to reach it."""
    (folder.parent / "outside.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")


def symlinked(folder: Path) -> None:
    """The logo replaced by a symbolic link to a file outside the brand folder."""
    (folder / "logo.svg").unlink()
    (folder.parent / "elsewhere.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (folder / "logo.svg").symlink_to(folder.parent / "elsewhere.svg")


SVGS = {
    "svg-with-script": "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "svg-with-event-handler": "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    "svg-loading-another-host": ("<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
                                 "<image xlink:href='https://tracker.example/x.png'/></svg>"),
    "svg-with-foreign-object": "<svg xmlns='http://www.w3.org/2000/svg'><foreignObject><p>hi</p></foreignObject></svg>",
    "svg-with-doctype": ("<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                         "<svg xmlns='http://www.w3.org/2000/svg'>&x;</svg>"),
}

# case: (how to break the westvale brand, (the line: its number or a text on it, column), the exact message after "error: ")
BROKEN_BRANDS = {
    "text-on-primary": (
        lambda f: edit(f, lambda d: d["colours"].update(onPrimary="#00a08a")),
        ('"onPrimary"', 18),
        'colour pair onPrimary #00a08a on primary #005a4e has contrast 2.49:1, below the WCAG minimum of '
        '4.5:1 for text; darken or lighten one of them [brand.contrast]'),
    "colour-format": (
        lambda f: edit(f, lambda d: d["colours"].update(primary="teal")),
        ('"teal"', 16), "at /colours/primary: 'teal' does not match '^#[0-9a-fA-F]{6}$' [brand.schema]"),
    "missing-logo": (
        lambda f: (f / "logo.svg").unlink(),
        ('"logo.svg"', 20), "file 'logo.svg' does not exist in the brand folder [brand.file-missing]"),
    "logo-up-the-tree": (
        lambda f: outside_svg(f) or edit(f, lambda d: d["logo"].update(file="../../etc/passwd")),
        ('"../../etc/passwd"', 13),
        "path '../../etc/passwd' leaves the brand folder; put the file inside BRAND and name it relative "
        'to it [brand.path-outside]'),
    "logo-absolute-path": (
        lambda f: outside_svg(f) or edit(f, lambda d: d["logo"].update(file="/etc/passwd")),
        ('"/etc/passwd"', 13),
        "path '/etc/passwd' leaves the brand folder; put the file inside BRAND and name it relative to "
        'it [brand.path-outside]'),
    "logo-through-fonts-folder": (
        lambda f: outside_svg(f) or edit(f, lambda d: d["logo"].update(file="fonts/../../outside.svg")),
        ('"fonts/../../outside.svg"', 13),
        "path 'fonts/../../outside.svg' leaves the brand folder; put the file inside BRAND and name it "
        'relative to it [brand.path-outside]'),
    "logo-symlinked-outside": (
        symlinked,
        ('"logo.svg"', 20),
        "path 'logo.svg' leaves the brand folder; put the file inside BRAND and name it relative to it "
        '[brand.path-outside]'),
    "svg-with-script": (
        lambda f: (f / "logo.svg").write_text(SVGS['svg-with-script'], encoding="utf-8"),
        ('"logo.svg"', 20),
        'SVG logo is not safe: it contains a <script> element (line 1); remove it and try again '
        '[brand.logo-unsafe]'),
    "svg-with-event-handler": (
        lambda f: (f / "logo.svg").write_text(SVGS['svg-with-event-handler'], encoding="utf-8"),
        ('"logo.svg"', 20),
        "SVG logo is not safe: it has an event handler attribute 'onload' (line 1); remove it and try "
        'again [brand.logo-unsafe]'),
    "svg-loading-another-host": (
        lambda f: (f / "logo.svg").write_text(SVGS['svg-loading-another-host'], encoding="utf-8"),
        ('"logo.svg"', 20),
        "SVG logo is not safe: it refers to 'https://tracker.example/x.png' outside the file (line 1); "
        'remove it and try again [brand.logo-unsafe]'),
    "svg-with-foreign-object": (
        lambda f: (f / "logo.svg").write_text(SVGS['svg-with-foreign-object'], encoding="utf-8"),
        ('"logo.svg"', 20),
        'SVG logo is not safe: it contains a <foreignObject> element (line 1); remove it and try again '
        '[brand.logo-unsafe]'),
    "svg-with-doctype": (
        lambda f: (f / "logo.svg").write_text(SVGS['svg-with-doctype'], encoding="utf-8"),
        ('"logo.svg"', 20),
        'SVG logo is not safe: it has a DOCTYPE (which can declare entities); remove it and try again '
        '[brand.logo-unsafe]'),
    "logo-sniffed-not-named": (
        lambda f: (f / "logo.svg").write_bytes(b"MZ\x90\x00 this is not an image"),
        ('"logo.svg"', 20), 'logo is not a PNG, JPEG or SVG image (checked by its content, not its name) [brand.logo-format]'),
    "logo-too-large": (
        lambda f: (f / "logo.svg").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (600 * 1024)),
        ('"logo.svg"', 20), 'logo is 614,408 bytes; the limit is 524,288: export a smaller image [brand.logo-too-large]'),
    "logo-without-alt-text": (
        lambda f: edit(f, lambda d: d["logo"].pop("alt")),
        ('"logo"', 11), "at /logo: 'alt' is a required property [brand.schema]"),
    "unknown-key": (
        lambda f: edit(f, lambda d: d.update(colour={"primary": "#000000"})),
        (1, 1),
        "at /: Additional properties are not allowed ('colour' was unexpected); valid keys here are: "
        '$schema, colours, contact, council, fonts, footer, language, links, logo [brand.schema]'),
    "wrong-type": (
        lambda f: edit(f, lambda d: d.update(footer=42)),
        ('"footer"', 13), "at /footer: 42 is not of type 'string' [brand.schema]"),
    "markup-in-brand-text": (
        lambda f: edit(f, lambda d: d.update(footer="<script>alert('x')</script>")),
        ('"footer"', 13),
        'at /footer: "<script>alert(\'x\')</script>" contains < or >: brand text is plain text, markup is '
        'not allowed [brand.schema]'),
    "script-address-in-links": (
        lambda f: edit(f, lambda d: d.update(links=[{"title": "x", "href": "javascript:alert(1)"}])),
        ('"javascript:', 15),
        'at /links/0/href: \'javascript:alert(1)\' does not match \'^(https?://|mailto:)[^\\\\s<>"]+$\' '
        '[brand.schema]'),
    "font-sniffed": (
        lambda f: (f / "fonts" / "DejaVuSerif.ttf").write_bytes(b"<html>not a font</html>"),
        ('"fonts/DejaVuSerif.ttf"', 50),
        "'fonts/DejaVuSerif.ttf' is not a TrueType, OpenType, WOFF or WOFF2 font (checked by its "
        'content) [brand.font-format]'),
    "malformed-json": (
        lambda f: (f / "brand.json").write_text('{"council": {"name": "X"},\n  "colours": }', encoding="utf-8"),
        (2, 14), 'not well-formed JSON: Expecting value [brand.syntax]'),
}


@pytest.mark.parametrize("case", BROKEN_BRANDS)
def test_a_broken_brand_gives_its_exact_message(brand_folder, case):
    change, (line, column), text = BROKEN_BRANDS[case]
    change(brand_folder)
    line = line if isinstance(line, int) else line_of(brand_folder, line)
    assert messages(brand_folder) == [f"BRAND/brand.json:{line}:{column}: error: {text}"]


def test_bad_brand_on_the_command_line_writes_nothing(brand_folder, tmp_path):
    edit(brand_folder, lambda data: data["colours"].update(text="#cccccc"))
    out = tmp_path / "build"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(KITCHEN_SINK),
         "--brand", str(brand_folder), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "[brand.contrast]" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_a_repeated_key_in_brand_json_is_refused(brand_folder):
    text = (brand_folder / "brand.json").read_text(encoding="utf-8")
    (brand_folder / "brand.json").write_text(text.replace('"footer":', '"footer": "First footer.",\n  "footer":', 1), encoding="utf-8")
    [message] = messages(brand_folder)
    line = next(n for n, row in enumerate((brand_folder / "brand.json").read_text(encoding="utf-8").splitlines(), 1)
                if '"footer":' in row and "First" not in row)
    assert message == (f"BRAND/brand.json:{line}:3: error: key 'footer' appears twice in one object; keep one (otherwise the last "
                       "would silently win) [brand.duplicate-key]")


@pytest.mark.parametrize("css", ["@import url(https://evil.example/x.css);", "body { background: url('//evil.example/bg.png') }"])
def test_brand_styles_that_load_from_other_hosts_are_refused(brand_folder, tmp_path, css):
    layout = brand_folder / "templates" / "layout.html.j2"
    layout.write_text(layout.read_text(encoding="utf-8").replace("<style>", "<style>\n" + css, 1), encoding="utf-8")
    out = tmp_path / "build"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(KITCHEN_SINK),
         "--brand", str(brand_folder), "--out", str(out), "--format", "html"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "style loads" in result.stderr and "pages must work offline and load nothing from other hosts" in result.stderr
    assert "[brand.template-accessibility]" in result.stderr and not out.exists()


def test_a_misspelt_template_block_is_a_warning(brand_folder):
    layout = brand_folder / "templates" / "layout.html.j2"
    layout.write_text('{% extends "base.html.j2" %}\n{% block contacts %}<p>Call us.</p>{% endblock %}\n', encoding="utf-8")
    brand, problems = load_brand(brand_folder)
    assert brand is not None
    [message] = [str(problem).replace(str(brand_folder), "BRAND") for problem in problems]
    assert message.startswith("BRAND/templates/layout.html.j2:2: warning: block 'contacts' is not a block of base.html.j2, so it "
                              "changes nothing; the blocks you can override are: ")
    assert "contact, cover, footer" in message and message.endswith("[brand.template-unknown-block]")
