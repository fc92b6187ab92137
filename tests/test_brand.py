"""Brand folders: the examples load, and every way a brand could break accessibility or security is refused."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.brand import contrast_ratio, load_brand

ROOT = Path(__file__).resolve().parent.parent
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


def test_text_on_primary_contrast_is_checked(brand_folder):
    edit(brand_folder, lambda data: data["colours"].update(onPrimary="#00a08a"))
    [message] = messages(brand_folder)
    assert "colour pair onPrimary #00a08a on primary #005a4e has contrast" in message
    assert message.endswith("[brand.contrast]")


def test_wrong_colour_format(brand_folder):
    edit(brand_folder, lambda data: data["colours"].update(primary="teal"))
    [message] = messages(brand_folder)
    assert message.startswith(f"BRAND/brand.json:{line_of(brand_folder, 'teal')}:")
    assert "at /colours/primary: 'teal' does not match '^#[0-9a-fA-F]{6}$' [brand.schema]" in message


def test_missing_logo(brand_folder):
    (brand_folder / "logo.svg").unlink()
    assert messages(brand_folder) == [
        f"BRAND/brand.json:{line_of(brand_folder, 'logo.svg')}:20: error: file 'logo.svg' does not exist in the brand folder [brand.file-missing]"
    ]


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "fonts/../../outside.svg"])
def test_logo_outside_the_folder(brand_folder, path):
    (brand_folder.parent / "outside.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    edit(brand_folder, lambda data: data["logo"].update(file=path))
    [message] = messages(brand_folder)
    assert f"path '{path}' leaves the brand folder; put the file inside BRAND" in message
    assert message.endswith("[brand.path-outside]")


def test_logo_through_a_symlink_outside_the_folder(brand_folder):
    (brand_folder / "logo.svg").unlink()
    (brand_folder.parent / "elsewhere.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (brand_folder / "logo.svg").symlink_to(brand_folder.parent / "elsewhere.svg")
    [message] = messages(brand_folder)
    assert message.endswith("[brand.path-outside]")


@pytest.mark.parametrize("svg, reason", [
    ("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "it contains a <script> element (line 1)"),
    ("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "it has an event handler attribute 'onload' (line 1)"),
    ("<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'><image xlink:href='https://tracker.example/x.png'/></svg>",
     "it refers to 'https://tracker.example/x.png' outside the file (line 1)"),
    ("<svg xmlns='http://www.w3.org/2000/svg'><foreignObject><p>hi</p></foreignObject></svg>", "it contains a <foreignObject> element (line 1)"),
    ("<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg xmlns='http://www.w3.org/2000/svg'>&x;</svg>",
     "it has a DOCTYPE (which can declare entities)"),
])
def test_unsafe_svg_logo(brand_folder, svg, reason):
    (brand_folder / "logo.svg").write_text(svg, encoding="utf-8")
    [message] = messages(brand_folder)
    assert f"SVG logo is not safe: {reason}; remove it and try again [brand.logo-unsafe]" in message


def test_logo_is_sniffed_not_trusted_by_extension(brand_folder):
    (brand_folder / "logo.svg").write_bytes(b"MZ\x90\x00 this is not an image")
    [message] = messages(brand_folder)
    assert message.endswith("logo is not a PNG, JPEG or SVG image (checked by its content, not its name) [brand.logo-format]")


def test_logo_size_limit(brand_folder):
    (brand_folder / "logo.svg").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (600 * 1024))
    [message] = messages(brand_folder)
    assert "the limit is 524,288: export a smaller image [brand.logo-too-large]" in message


def test_logo_needs_alt_text(brand_folder):
    edit(brand_folder, lambda data: data["logo"].pop("alt"))
    [message] = messages(brand_folder)
    assert "at /logo: 'alt' is a required property [brand.schema]" in message


def test_unknown_key_names_the_valid_ones(brand_folder):
    edit(brand_folder, lambda data: data.update(colour={"primary": "#000000"}))
    [message] = messages(brand_folder)
    assert message.startswith("BRAND/brand.json:1:1: error: at /: Additional properties are not allowed ('colour' was unexpected); "
                              "valid keys here are: $schema, colours, contact, council, fonts, footer, language, links, logo")


def test_wrong_type(brand_folder):
    edit(brand_folder, lambda data: data.update(footer=42))
    [message] = messages(brand_folder)
    assert "at /footer: 42 is not of type 'string' [brand.schema]" in message


def test_markup_in_brand_text_is_refused(brand_folder):
    edit(brand_folder, lambda data: data.update(footer="<script>alert('x')</script>"))
    [message] = messages(brand_folder)
    assert "at /footer: \"<script>alert('x')</script>\" contains < or >: brand text is plain text, markup is not allowed [brand.schema]" in message


def test_script_address_in_brand_links_is_refused(brand_folder):
    edit(brand_folder, lambda data: data.update(links=[{"title": "x", "href": "javascript:alert(1)"}]))
    [message] = messages(brand_folder)
    assert "at /links/0/href: 'javascript:alert(1)' does not match" in message


def test_font_file_is_sniffed(brand_folder):
    (brand_folder / "fonts" / "DejaVuSerif.ttf").write_bytes(b"<html>not a font</html>")
    [message] = messages(brand_folder)
    assert message.endswith("'fonts/DejaVuSerif.ttf' is not a TrueType, OpenType, WOFF or WOFF2 font (checked by its content) [brand.font-format]")


def test_malformed_brand_json(brand_folder):
    (brand_folder / "brand.json").write_text('{"council": {"name": "X"},\n  "colours": }', encoding="utf-8")
    assert messages(brand_folder) == ["BRAND/brand.json:2:14: error: not well-formed JSON: Expecting value [brand.syntax]"]


def test_bad_brand_on_the_command_line_writes_nothing(brand_folder, tmp_path):
    edit(brand_folder, lambda data: data["colours"].update(text="#cccccc"))
    out = tmp_path / "build"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(ROOT / "tests/fixtures/kitchen-sink/workbook.xml"),
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
        [sys.executable, "-m", "pipeline", "build", str(ROOT / "tests/fixtures/kitchen-sink/workbook.xml"),
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
