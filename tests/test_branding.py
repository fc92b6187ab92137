"""Council branding: one brand folder applied alike to HTML, Word, EPUB and SCORM, which cannot break accessibility.

Capabilities, in order: every format builds with each example brand and still
passes the real validators; the brand's colours, fonts, logo, name, footer,
contact details and links are in each format's output; a brand's template
overrides work, and one that tries to escape its sandbox is refused with its
file and line and nothing written; an SVG logo without a PNG copy warns.

The Commissioning workbook and the kitchen-sink fixture are built once per
module with each example brand; vnu runs once over every page.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn
from lxml import etree

from pipeline.__main__ import main
from pipeline.brand import load_brand
from pipeline.build import FORMATS, PROJECT_ROOT, build_workbook, output_name
from pipeline.render.docx import BOX_STYLES, CONTACT_BOX, LABEL_STYLES, first_font, hex_colour
from pipeline.resolve import BRAND_LINKS_ID
from tests.sources_support import AXE_TAGS, SOURCES

BRANDS = PROJECT_ROOT / "brands"
EXAMPLE_BRANDS = ("northshire", "westvale")
COMMISSIONING = "commissioning-services"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}
OPF = {"opf": "http://www.idpf.org/2007/opf"}
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


@pytest.fixture(scope="module")
def brands():
    loaded = {}
    for name in EXAMPLE_BRANDS:
        brand, problems = load_brand(BRANDS / name)
        assert brand is not None and problems == [], problems
        loaded[name] = brand
    return loaded


@pytest.fixture(scope="module")
def out_root(tmp_path_factory, brands):
    root = tmp_path_factory.mktemp("branded")
    for brand in brands.values():
        for source in SOURCES.values():
            build_workbook(source, brand, FORMATS, out_root=root)
    return root


def output(out_root: Path, workbook: str, brand: str, fmt: str) -> Path:
    return out_root / workbook / brand / output_name(workbook, fmt)


def site_pages(out_root: Path, workbook: str, brand: str) -> list[Path]:
    return sorted((output(out_root, workbook, brand, "html")).glob("*.html"))


def zip_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def text_of(tree) -> str:
    return " ".join("".join(tree.itertext()).split())


brand_names = pytest.mark.parametrize("name", EXAMPLE_BRANDS)


# --- every format builds with every example brand, and stays valid and accessible ------------


@brand_names
@pytest.mark.parametrize("workbook", SOURCES)
def test_every_format_builds_with_the_brand(out_root, name, workbook):
    assert FORMATS, "no formats to check"
    for fmt in FORMATS:
        assert output(out_root, workbook, name, fmt).exists(), fmt


@pytest.fixture(scope="module")
def vnu_findings(out_root, tmp_path_factory):
    """One vnu run over every site page and every SCORM 2004 page of both brands and both workbooks."""
    from tests.validators import vnu

    pages = [page for name in EXAMPLE_BRANDS for workbook in SOURCES for page in site_pages(out_root, workbook, name)]
    for name in EXAMPLE_BRANDS:
        unpacked = tmp_path_factory.mktemp(f"scorm-{name}")
        with zipfile.ZipFile(output(out_root, COMMISSIONING, name, "scorm2004")) as archive:
            archive.extractall(unpacked)
        pages += sorted(unpacked.glob("*.html"))
    return vnu.check_html(pages)


@pytest.mark.slow
def test_nu_html_checker_finds_nothing_on_either_brand(vnu_findings):
    from tests.validators import format_findings

    assert vnu_findings == [], format_findings(vnu_findings)


@pytest.mark.slow
def test_axe_finds_no_wcag_22_aa_violations_with_either_brand(out_root, chromium_browser):
    from tests.validators import axe

    # Every page with the brand that overrides templates; the contents, a section and the print page with the other.
    pages = site_pages(out_root, COMMISSIONING, "westvale")
    site = output(out_root, COMMISSIONING, "northshire", "html")
    pages += [site / "index.html", site / "resources.html", site / "print.html"]
    results = axe.check_pages(pages, AXE_TAGS, browser=chromium_browser)
    assert set(results) == {str(page) for page in pages}
    assert not any(results.values()), f"axe-core {axe.version()}:\n" + axe.format_violations(results)


@pytest.mark.slow
def test_pages_reflow_at_320_css_pixels_with_either_brand(out_root, chromium_browser):
    # Both brands' contact details hold long email and web addresses, which must break rather than widen the page.
    pages = [page for name in EXAMPLE_BRANDS for workbook in SOURCES for page in site_pages(out_root, workbook, name)]
    context = chromium_browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        wide = []
        for path in pages:
            page.goto(path.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                wide.append(f"{path.relative_to(out_root)} ({width}px)")
        assert not wide, f"pages that scroll sideways at 320px: {wide}"
    finally:
        context.close()


@pytest.mark.slow
def test_the_answers_download_is_named_for_the_brand(out_root, chromium_browser, tmp_path):
    context = chromium_browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto((output(out_root, "kitchen-sink", "westvale", "html") / "practice.html").as_uri())
        page.get_by_label("How does your council define commissioning?").fill("Westvale’s answer – in full")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download all my answers").first.click()
        download = download_info.value
        assert download.suggested_filename == "kitchen-sink-westvale-my-answers.txt"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        data = saved.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and "Westvale’s answer – in full\r\n".encode("utf-8") in data
    finally:
        context.close()


@pytest.mark.slow
@brand_names
def test_epubcheck_finds_nothing(out_root, name):
    from tests.validators import epubcheck, format_findings

    findings = epubcheck.check_epub(output(out_root, COMMISSIONING, name, "epub"), usage=True)
    # CSS-028 "Use of Font-face declaration" is an information message, not a warning: a brand font is meant to be used.
    findings = [finding for finding in findings if not (finding.severity == "usage" and finding.code == "CSS-028")]
    assert findings == [], format_findings(findings)


@pytest.mark.slow
@brand_names
def test_ace_finds_no_violations(out_root, name, tmp_path):
    from tests.validators import ace

    report = ace.check_epub(output(out_root, COMMISSIONING, name, "epub"), tmp_path / "ace")
    assert report["violations"] == [], ace.format_violations(report)
    assert report["earl:result"]["earl:outcome"] == "pass"


@pytest.mark.slow
@brand_names
@pytest.mark.parametrize("fmt, version", [("scorm12", "1.2"), ("scorm2004", "2004")])
def test_scorm_manifests_are_valid_against_the_xsds(out_root, name, fmt, version):
    from tests.validators import scorm_xsd

    assert scorm_xsd.validate_package(output(out_root, COMMISSIONING, name, fmt), version) == []


@pytest.mark.slow
@brand_names
def test_open_xml_sdk_finds_no_errors_in_the_word_output(out_root, name):
    from tests.validators import format_findings, ooxml

    findings = ooxml.validate_docx(output(out_root, COMMISSIONING, name, "docx"))
    assert findings == [], format_findings(findings)


# --- the brand in the web pages, the EPUB and the SCORM packages -----------------------------


def html_pages_of(out_root: Path, name: str) -> dict[str, dict[str, bytes]]:
    """The page files (and assets) of each page-based format, by format."""
    site = output(out_root, COMMISSIONING, name, "html")
    scorm = zip_files(output(out_root, COMMISSIONING, name, "scorm12"))
    epub = {href.removeprefix("EPUB/"): data for href, data in zip_files(output(out_root, COMMISSIONING, name, "epub")).items()}
    return {
        "html": {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()},
        "scorm": scorm,
        "epub": epub,
    }


def parse(data: bytes):
    """A page of any of the three formats; lxml's HTML parser reads the EPUB's XHTML too, without namespaces."""
    return lxml.html.fromstring(data)


@brand_names
@pytest.mark.parametrize("fmt", ["html", "scorm", "epub"])
def test_pages_carry_the_brand_colours_and_fonts(out_root, brands, name, fmt):
    brand = brands[name]
    files = html_pages_of(out_root, name)[fmt]
    css = files["assets/brand.css"].decode("utf-8")
    for property_name, colour in [("primary", brand.colours.primary), ("on-primary", brand.colours.on_primary),
                                  ("accent", brand.colours.accent), ("text", brand.colours.text),
                                  ("background", brand.colours.background)]:
        assert f"--wb-{property_name}: {colour};" in css
    for kind, tint in brand.colours.blocks.items():
        assert f"--wb-block-{kind}: {tint};" in css
    assert f"--wb-font-body: {brand.body_font};" in css and f"--wb-font-headings: {brand.heading_font};" in css
    for font in brand.font_files:
        href = f"assets/fonts/{font.path.name}"
        assert files[href] == font.path.read_bytes()
        assert f'font-family: "{font.family}";\n  src: url("fonts/{font.path.name}") format("truetype");' in css


@brand_names
@pytest.mark.parametrize("fmt", ["html", "scorm", "epub"])
def test_every_page_shows_the_council_its_footer_and_its_contact_details(out_root, brands, name, fmt):
    brand = brands[name]
    files = html_pages_of(out_root, name)[fmt]
    pages = {href: parse(data) for href, data in files.items()
             if href.endswith((".html", ".xhtml")) and "/" not in href and href not in ("scorm-launch.html", "nav.xhtml", "cover.xhtml")}
    assert len(pages) >= 9
    for href, tree in pages.items():
        assert brand.council_name in text_of(tree), href
        footer_notes = [text_of(p) for p in tree.xpath("//footer//p[@class='footer-note']")]
        assert footer_notes == [brand.footer], href
        assert f"mailto:{brand.contact['email']}" in tree.xpath("//footer//a/@href"), href
        if brand.logo is not None:
            [logo] = tree.xpath("//header//img")
            assert (logo.get("src"), logo.get("alt")) == ("assets/logo.svg", brand.logo.alt), href
    if brand.logo is not None:
        assert files["assets/logo.svg"] == brand.logo.path.read_bytes()


@pytest.mark.parametrize("fmt", ["html", "scorm", "epub"])
def test_the_councils_own_links_are_a_useful_links_box_after_the_workbooks(out_root, brands, fmt):
    brand = brands["northshire"]
    files = html_pages_of(out_root, "northshire")[fmt]
    page = next(href for href in files if href.startswith("resources."))
    [box] = parse(files[page]).xpath(f"//section[@id='{BRAND_LINKS_ID}']")
    # Straight after the workbook's own useful links, titled with the council's name.
    assert box.getprevious().get("id") == "useful-resources" and "block-useful-links" in box.get("class")
    assert text_of(box.find("h2")) == f"Useful links – {brand.council_name}"
    assert [(a.get("href"), text_of(a)) for a in box.iter("a")] == [(link.href, link.title) for link in brand.links]
    assert brand.links[0].description in text_of(box)


def test_a_brand_without_links_adds_no_box(out_root):
    files = html_pages_of(out_root, "westvale")["html"]
    assert not any(BRAND_LINKS_ID.encode() in data for href, data in files.items() if href.endswith(".html"))


@brand_names
def test_the_epub_packages_the_font_and_logo_with_their_media_types(out_root, brands, name):
    brand = brands[name]
    files = zip_files(output(out_root, COMMISSIONING, name, "epub"))
    manifest = {item.get("href"): item.get("media-type")
                for item in etree.fromstring(files["EPUB/package.opf"]).iterfind("opf:manifest/opf:item", OPF)}
    for font in brand.font_files:
        assert manifest[f"assets/fonts/{font.path.name}"] == "font/ttf"
    if brand.logo is not None:
        assert manifest["assets/logo.svg"] == "image/svg+xml"
        cover = etree.fromstring(files["EPUB/cover.xhtml"])
        assert brand.logo.alt in cover.xpath("//x:img/@alt", namespaces=XHTML)
    assert brand.council_name in text_of(etree.fromstring(files["EPUB/cover.xhtml"]))


@brand_names
def test_scorm_manifests_list_the_brand_files(out_root, brands, name):
    brand = brands[name]
    expected = {f"assets/fonts/{font.path.name}" for font in brand.font_files} | {"assets/brand.css"}
    expected |= {"assets/logo.svg"} if brand.logo else set()
    missing = {}
    for fmt in ("scorm12", "scorm2004"):
        files = zip_files(output(out_root, COMMISSIONING, name, fmt))
        listed = set(etree.fromstring(files["imsmanifest.xml"]).xpath("//*[local-name()='file']/@href"))
        missing[fmt] = expected - (listed & set(files))
    assert missing == {"scorm12": set(), "scorm2004": set()}


# --- the brand in Word --------------------------------------------------------------------


class Word:
    def __init__(self, path: Path):
        self.path = path
        self.document = docx.Document(str(path))
        self.body = self.document.element.body
        self.names = {style.style_id: style.name for style in self.document.styles}
        self.styles = {style.name: style.element for style in self.document.styles}

    def style_of(self, p) -> str:
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        return self.names.get(style.get(qn("w:val")), "?") if style is not None else "Normal"

    def paragraphs(self, style: str) -> list[str]:
        return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in self.body.iter(qn("w:p")) if self.style_of(p) == style]

    def style_value(self, name: str, path: str, attribute: str) -> str | None:
        element = self.styles[name].find(path)
        return None if element is None else element.get(qn(f"w:{attribute}"))

    def hyperlinks(self) -> list[tuple[str, str]]:
        rels = self.document.part.rels
        return [(rels[h.get(qn("r:id"))].target_ref, "".join(t.text or "" for t in h.iter(qn("w:t"))))
                for h in self.body.iter(qn("w:hyperlink")) if h.get(qn("r:id"))]


@pytest.fixture(scope="module")
def word(out_root):
    return {name: Word(output(out_root, COMMISSIONING, name, "docx")) for name in EXAMPLE_BRANDS}


@brand_names
def test_word_names_the_council_in_its_properties_and_title_page(word, brands, name):
    brand, document = brands[name], word[name]
    assert document.document.core_properties.author == brand.council_name  # dc:creator
    assert brand.council_name in document.paragraphs("Council Name")
    app = zip_files(document.path)["docProps/app.xml"].decode("utf-8")
    assert f"<Company>{brand.council_name}</Company>" in app


@brand_names
def test_word_footer_carries_the_brand_footer(word, brands, name):
    footer = word[name].document.sections[0].footer
    assert brands[name].footer in " ".join(p.text for p in footer.paragraphs)


@brand_names
def test_word_styles_take_the_brand_colours_and_fonts(word, brands, name):
    brand, document = brands[name], word[name]
    colours = brand.colours
    shading, colour = f"{qn('w:pPr')}/{qn('w:shd')}", f"{qn('w:rPr')}/{qn('w:color')}"
    for kind, style in BOX_STYLES.items():
        assert document.style_value(style, shading, "fill") == hex_colour(colours.blocks[kind]), style
        assert document.style_value(LABEL_STYLES[kind], shading, "fill") == hex_colour(colours.primary)
        assert document.style_value(LABEL_STYLES[kind], colour, "val") == hex_colour(colours.on_primary)
    assert document.style_value("Heading 1", colour, "val") == hex_colour(colours.accent)
    assert document.style_value("Hyperlink", colour, "val") == hex_colour(colours.accent)
    assert document.style_value(CONTACT_BOX, shading, "fill") == hex_colour(colours.background)
    defaults = document.document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert defaults.get(qn("w:ascii")) == first_font(brand.body_font)
    assert document.style_value("Heading 1", f"{qn('w:rPr')}/{qn('w:rFonts')}", "ascii") == first_font(brand.heading_font)
    # Fonts are named, not embedded: a council's licence may not allow embedding.
    assert not any(part.startswith("word/fonts/") for part in zip_files(document.path))


def test_word_shows_the_logo_from_its_png_copy_with_alt_text(word, brands):
    brand, document = brands["westvale"], word["westvale"]
    [picture] = list(document.body.iter(f"{WP}docPr"))
    assert picture.get("descr") == brand.logo.alt
    images = [part for part in document.document.part.package.parts if part.content_type == "image/png"]
    assert [image.blob for image in images] == [brand.logo.raster.read_bytes()]


@brand_names
def test_word_ends_with_the_councils_contact_details(word, brands, name):
    brand, document = brands[name], word[name]
    lines = document.paragraphs(CONTACT_BOX)
    assert document.paragraphs("Contact Heading") == ["Contact"]
    assert lines[0] == brand.contact["name"] and brand.council_name in lines
    assert f"Email: {brand.contact['email']}" in lines and f"Telephone: {brand.contact['phone']}" in lines
    assert (f"mailto:{brand.contact['email']}", brand.contact["email"]) in document.hyperlinks()


def test_word_has_the_councils_own_links_as_real_hyperlinks(word, brands):
    brand, document = brands["northshire"], word["northshire"]
    assert f"Useful links – {brand.council_name}" in document.paragraphs(LABEL_STYLES["useful-links"])
    hyperlinks = document.hyperlinks()
    for link in brand.links:
        assert (link.href, link.title) in hyperlinks


# --- template overrides, and a sandbox they cannot leave -------------------------------------


def test_westvale_overrides_the_header_and_contact_blocks_in_every_page_format(out_root, brands):
    brand = brands["westvale"]
    formats = html_pages_of(out_root, "westvale")
    assert sorted(formats) == ["epub", "html", "scorm"]
    for fmt, files in formats.items():
        page = next(href for href in files if href.startswith("resources."))
        tree = parse(files[page])
        if fmt == "epub":
            # An EPUB chapter's header is only the council (no site navigation), whatever the brand's header block says.
            assert tree.xpath("//header[@class='chapter-header']//img/@alt") == [brand.logo.alt]
            assert not tree.xpath("//header//nav") and not tree.xpath("//*[@class='westvale-header']")
        else:
            assert tree.xpath("//header[@class='westvale-header']//img[@class='westvale-logo']/@alt") == [brand.logo.alt], fmt
        [heading] = tree.xpath("//footer//h2")
        assert text_of(heading) == f"Get in touch with {brand.contact['name']}", fmt


@brand_names
def test_answers_are_stored_and_downloaded_under_the_brands_name(out_root, brands, name):
    keys = {}
    for workbook in SOURCES:
        page = output(out_root, workbook, name, "html") / "index.html"
        data = json.loads(parse(page.read_bytes()).get_element_by_id("workbook-data").text)
        assert data["answersFile"] == f"{workbook}-{name}-my-answers.txt"
        assert data["storageKey"].startswith(f"workbook-state:{name}:{workbook}:")
        keys[workbook] = data["storageKey"]
    other = next(brand for brand in EXAMPLE_BRANDS if brand != name)
    other_page = output(out_root, COMMISSIONING, other, "html") / "index.html"
    other_key = json.loads(parse(other_page.read_bytes()).get_element_by_id("workbook-data").text)["storageKey"]
    assert other_key != keys[COMMISSIONING]


def test_each_councils_epub_has_its_own_identifier(out_root):
    identifiers = set()
    for name in EXAMPLE_BRANDS:
        opf = etree.fromstring(zip_files(output(out_root, COMMISSIONING, name, "epub"))["EPUB/package.opf"])
        identifiers.add(opf.findtext("opf:metadata/{http://purl.org/dc/elements/1.1/}identifier", namespaces=OPF))
    assert len(identifiers) == len(EXAMPLE_BRANDS)


@pytest.fixture
def council(tmp_path):
    """A copy of the default brand, with an empty templates folder, to put templates in."""
    folder = tmp_path / "council"
    shutil.copytree(BRANDS / "default", folder)
    (folder / "templates").mkdir()
    return folder


def layout_with(folder: Path, body: str) -> Path:
    """Write templates/layout.html.j2 whose footer block holds `body` on line 3."""
    path = folder / "templates" / "layout.html.j2"
    path.write_text('{% extends "base.html.j2" %}\n{% block footer %}\n' + body + "\n{% endblock %}\n", encoding="utf-8")
    return path


def build_command(folder: Path, out: Path, *extra: str) -> list[str]:
    return ["build", str(SOURCES["kitchen-sink"]), "--brand", str(folder), "--out", str(out), "--format", "html", *extra]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


ESCAPES = {
    "python internals": ("{{ ''.__class__.__mro__ }}", "template reaches for '__class__', a Python internal; brand templates may "
                         "only use the values they are given (brand, doc, workbook, page, links ...) [brand.template-unsafe]"),
    "globals of a helper": ("{{ cycler.__init__.__globals__ }}", "template reaches for '__init__', a Python internal"),
    "a file up the tree": ("{% include '../../../etc/passwd' %}", "template loads '../../../etc/passwd', which is outside the "
                           "template folders; name a template in the brand's templates/ folder or a base one, such as "
                           "\"partials/contact.html.j2\" [brand.template-unsafe]"),
    "an absolute path": ("{% include '/etc/passwd' %}", "template loads '/etc/passwd', which is outside the template folders"),
}


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_escape_is_refused_before_anything_is_written(council, tmp_path, capsys, escape):
    body, message = ESCAPES[escape]
    template = layout_with(council, body)
    out = tmp_path / "build"
    assert main(build_command(council, out)) == 2
    stderr = capsys.readouterr().err
    assert f"{template}:3: error: {message}" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_a_template_escape_at_run_time_stops_the_build_and_leaves_the_last_one(council, tmp_path, capsys):
    # brand.folder is a Path, which could read any file: the sandbox refuses it while the template runs.
    out = tmp_path / "build"
    layout_with(council, "<p>first</p>")
    assert main(build_command(council, out)) == 0
    before = snapshot(out)
    template = layout_with(council, "{{ brand.folder.joinpath('brand.json').read_text() }}")
    assert main(build_command(council, out)) == 2
    stderr = capsys.readouterr().err
    assert (f"{template.resolve()}:3: error: template is not allowed to do this: access to attribute 'folder' of 'Brand' "
            "object is unsafe; brand templates may only use the values they are given (brand, doc, workbook, page, "
            "links ...) [brand.template-unsafe]") in stderr
    assert "Traceback" not in stderr
    assert snapshot(out) == before


def test_a_template_syntax_error_names_the_file_and_line(council, tmp_path, capsys):
    template = layout_with(council, "{% if brand.footer %}\n<p>unclosed</p>")
    assert main(build_command(council, tmp_path / "build")) == 2
    stderr = capsys.readouterr().err
    assert (f"{template}:5: error: template syntax error: Encountered unknown tag 'endblock'. You probably made a nesting "
            "mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost "
            "block that needs to be closed is 'if'. [brand.template-error]") in stderr
    assert not (tmp_path / "build").exists()


def test_a_template_linked_to_a_file_outside_the_brand_is_refused(council, tmp_path):
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    link = council / "templates" / "partials" / "contact.html.j2"
    link.parent.mkdir()
    link.symlink_to(tmp_path / "secret.txt")
    brand, problems = load_brand(council)
    assert brand is None
    assert [str(problem) for problem in problems] == [
        f"{link}: error: this template is a link to a file outside the brand folder; put the template itself in the "
        "brand folder [brand.path-outside]"
    ]


def test_the_real_command_line_reports_an_escape_as_a_user_error(council, tmp_path):
    template = layout_with(council, "{{ ''.__class__.__mro__ }}")
    out = tmp_path / "build"
    result = subprocess.run([sys.executable, "-m", "pipeline", *build_command(council, out)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert f"{template}:3: error: template reaches for '__class__'" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


BROKEN_MARKUP = {
    "a script": ("<script>fetch('https://tracker.example/')</script>",
                 "index.html: it contains a <script> the toolkit did not put there; brand templates may not add scripts"),
    "an event handler": ('<p onclick="alert(1)">Contact us</p>',
                         "index.html: <p> has an event handler attribute 'onclick'; brand templates may not add scripts"),
    "an image without alt text": ('<img src="assets/logo.png">',
                                  "index.html: an <img> (assets/logo.png) has no alt attribute; describe it, or alt=\"\" if it is decoration"),
    "a second h1": ("<h1>Our council</h1>", "index.html: it has 2 <h1> headings; a page needs exactly one"),
    "a skipped heading level": ("<h5>Contact</h5>", "index.html: heading <h5> 'Contact' skips a level after h"),
    "a resource from another host": ('<img src="https://cdn.example/logo.png" alt="Logo">',
                                     "index.html: <img> loads https://cdn.example/logo.png from another host; pages must work offline"),
    "a script link": ('<a href="javascript:alert(1)">Contact</a>', "index.html: <a> href=\"javascript:alert(1)\" runs or embeds code"),
}


@pytest.mark.parametrize("breakage", BROKEN_MARKUP)
def test_templates_that_break_accessibility_or_safety_are_refused(council, tmp_path, capsys, breakage):
    markup, expected = BROKEN_MARKUP[breakage]
    layout_with(council, markup)
    out = tmp_path / "build"
    assert main(build_command(council, out)) == 2
    stderr = capsys.readouterr().err
    assert f"{council / 'templates'}: error: the brand's templates make the site pages inaccessible or unsafe: " in stderr
    assert expected in stderr and stderr.rstrip().endswith("[brand.template-accessibility]")
    assert "Traceback" not in stderr and not out.exists()


def test_a_template_that_drops_the_main_landmark_is_refused(council, tmp_path, capsys):
    path = council / "templates" / "layout.html.j2"
    path.write_text('{% extends "base.html.j2" %}\n{% block cover %}</div></main><div>{% endblock %}\n', encoding="utf-8")
    assert main(build_command(council, tmp_path / "build")) == 2
    assert "[brand.template-accessibility]" in capsys.readouterr().err


def test_brand_text_is_escaped_in_pages(council, tmp_path):
    # The schema refuses < and >; an ampersand or quote is allowed and must come out escaped.
    data = json.loads((council / "brand.json").read_text(encoding="utf-8"))
    data["footer"] = 'Smith & Jones "quoted"'
    (council / "brand.json").write_text(json.dumps(data), encoding="utf-8")
    shutil.rmtree(council / "templates")
    brand, _ = load_brand(council)
    build_workbook(SOURCES["kitchen-sink"], brand, ("html",), out_root=tmp_path / "build")
    page = (tmp_path / "build" / "kitchen-sink" / "council" / "html" / "index.html").read_text(encoding="utf-8")
    assert "Smith &amp; Jones &#34;quoted&#34;" in page


# --- a logo Word cannot show -----------------------------------------------------------------


@pytest.fixture
def svg_only(tmp_path):
    """Westvale without the PNG copy of its SVG logo."""
    folder = tmp_path / "westvale"
    shutil.copytree(BRANDS / "westvale", folder)
    data = json.loads((folder / "brand.json").read_text(encoding="utf-8"))
    del data["logo"]["raster"]
    (folder / "brand.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (folder / "logo.png").unlink()
    return folder


def test_an_svg_logo_without_a_png_copy_warns_and_word_shows_the_name(svg_only, tmp_path, capsys):
    out = tmp_path / "build"
    line = next(n for n, text in enumerate((svg_only / "brand.json").read_text(encoding="utf-8").splitlines(), 1) if "logo.svg" in text)
    assert main(["build", str(SOURCES["kitchen-sink"]), "--brand", str(svg_only), "--out", str(out), "--format", "docx"]) == 0
    stderr = capsys.readouterr().err
    assert (f"{svg_only}/brand.json:{line}:13: warning: the logo 'logo.svg' is SVG, which Word documents cannot show, and "
            "has no PNG copy: the Word output shows the council's name instead; export the logo as PNG into the brand "
            'folder and add "raster": "logo.png" to "logo" [brand.logo-no-raster]') in stderr
    document = Word(out / "kitchen-sink" / "westvale" / "kitchen-sink.docx")
    assert [pr.get("descr") for pr in document.body.iter(f"{WP}docPr")] == ["A bar chart with two bars, the second taller than the first."]
    assert "Westvale Borough Council" in document.paragraphs("Council Name")


def test_the_missing_png_copy_is_an_error_with_strict(svg_only, tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", str(SOURCES["kitchen-sink"]), "--brand", str(svg_only), "--out", str(out), "--format", "docx", "--strict"]) == 2
    assert "[brand.logo-no-raster]" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("raster, message", [
    ("logo.svg", "'logo.svg' is not a PNG or JPEG image (checked by its content); the raster copy of a logo is for Word, "
                 "which needs one of those [brand.logo-raster-format]"),
    ("../outside.png", "path '../outside.png' leaves the brand folder; put the file inside"),
    ("missing.png", "file 'missing.png' does not exist in the brand folder [brand.file-missing]"),
])
def test_the_png_copy_is_checked_like_the_logo(tmp_path, raster, message):
    folder = tmp_path / "westvale"
    shutil.copytree(BRANDS / "westvale", folder)
    shutil.copy(folder / "logo.png", tmp_path / "outside.png")
    data = json.loads((folder / "brand.json").read_text(encoding="utf-8"))
    data["logo"]["raster"] = raster
    (folder / "brand.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    brand, problems = load_brand(folder)
    assert brand is None
    [problem] = problems
    assert message in str(problem) and problem.location.pointer == "/logo/raster"
