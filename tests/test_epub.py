"""EPUB 3: valid (EPUBCheck), accessible (Ace by DAISY), reproducible, and honest in its accessibility metadata."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from lxml import etree

from pipeline import model
from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND, PROJECT_ROOT
from pipeline.reproducible import build_time
from pipeline.render import epub
from pipeline.formats import render_into
from tests.sources_support import SOURCES
from tests.validators import ace, epubcheck, format_findings

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "svg": "http://www.w3.org/2000/svg",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
# An SVG logo, so that the kitchen-sink build also checks how brand assets are packaged.
LOGO_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="120" height="120">'
            b'<rect width="10" height="10" fill="#1d4f91"/></svg>\n')


def _logo_brand(folder: Path):
    folder.mkdir()
    (folder / "logo.svg").write_bytes(LOGO_SVG)
    data = json.loads((DEFAULT_BRAND / "brand.json").read_text(encoding="utf-8"))
    data.pop("$schema", None)
    data["council"] = {"name": "Example Borough Council"}
    data["logo"] = {"file": "logo.svg", "alt": "Example Borough Council logo"}
    (folder / "brand.json").write_text(json.dumps(data), encoding="utf-8")
    brand, problems = load_brand(folder)
    assert brand is not None, problems
    return brand


class Built:
    """One built EPUB, opened once: the zip, its parsed package document and its files."""

    def __init__(self, name: str, path: Path, doc, brand):
        self.name, self.path, self.doc, self.brand = name, path, doc, brand
        with zipfile.ZipFile(path) as archive:
            self.infos = archive.infolist()
            self.files = {info.filename: archive.read(info) for info in self.infos}
        container = etree.fromstring(self.files["META-INF/container.xml"])
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.base = self.opf_path.rpartition("/")[0]
        self.opf = etree.fromstring(self.files[self.opf_path])

    def resource(self, href: str) -> bytes:
        return self.files[f"{self.base}/{href}" if self.base else href]

    def xml(self, href: str):
        return etree.fromstring(self.resource(href))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("href"): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def content_documents(self) -> dict[str, etree._Element]:
        return {href: self.xml(href) for href, item in self.manifest().items()
                if item.get("media-type") == "application/xhtml+xml"}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def built(request, tmp_path_factory, documents, brand) -> Built:
    name = request.param
    doc = documents[name]
    if name == "kitchen-sink":
        brand = _logo_brand(tmp_path_factory.mktemp("brand") / "example")
    path = render_into("epub", doc, brand, tmp_path_factory.mktemp(f"epub-{name}"))
    assert path.name == f"{doc.workbook.id}.epub"
    return Built(name, path, doc, brand)


# --- the real validators, once per EPUB -------------------------------------------------


@pytest.mark.slow
def test_epubcheck_finds_nothing(built):
    findings = epubcheck.check_epub(built.path, usage=True)
    assert findings == [], format_findings(findings)


@pytest.mark.slow
def test_ace_finds_no_violations(built, tmp_path):
    report = ace.check_epub(built.path, tmp_path / "ace")
    assert report["violations"] == [], ace.format_violations(report)
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert not report["a11y-metadata"]["empty"]
    # Ace lists only the certification properties as missing, which are left out on purpose.
    assert set(report["a11y-metadata"]["missing"]) <= {"a11y:certifiedBy", "a11y:certifierCredential", "a11y:certifierReport"}


# --- container and reproducibility ------------------------------------------------------


def test_mimetype_is_first_and_stored(built):
    first = built.infos[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert built.files["mimetype"] == b"application/epub+zip"
    assert not first.extra


_BUILD_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from pipeline.brand import load_brand
from pipeline.build import load_document
from pipeline.formats import render_into
brand, _ = load_brand(sys.argv[2])
doc, _ = load_document(Path(sys.argv[1]))
render_into("epub", doc, brand, Path(sys.argv[3]))
"""


def test_two_builds_are_byte_identical(built, tmp_path):
    # Each build runs in its own interpreter with its own hash seed, so that set or
    # dict order that depends on string hashing would show up here.
    paths = []
    for seed in ("1", "2"):
        out = tmp_path / f"build-{seed}"
        subprocess.run([sys.executable, "-c", _BUILD_IN_A_FRESH_PROCESS, str(SOURCES[built.name]),
                        str(built.brand.folder), str(out)],
                       check=True, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONHASHSEED": seed})
        paths.append(out / built.path.name)
    first, second = (zipfile.ZipFile(path) for path in paths)
    with first, second:
        differing = [name for name in first.namelist() if first.read(name) != second.read(name)]
        assert first.namelist() == second.namelist() and not differing, differing
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_source_date_epoch_sets_the_modified_date(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    with zipfile.ZipFile(render_into("epub", built.doc, built.brand, tmp_path)) as archive:
        opf = etree.fromstring(archive.read(built.opf_path))
    modified = opf.find("opf:metadata/opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2026-01-01T00:00:00Z"


def test_identifier_language_and_modified_come_from_the_workbook(built):
    wb = built.doc.workbook
    identifier_id = built.opf.get("unique-identifier")
    identifier = built.opf.find(f"opf:metadata/dc:identifier[@id='{identifier_id}']", NS).text
    assert identifier == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{wb.id}@{wb.version}#{built.brand.name}')}"
    assert built.opf.find("opf:metadata/dc:language", NS).text == wb.lang
    assert built.opf.get("version") == "3.0"
    assert built.meta("dcterms:modified") == [build_time(wb).strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_each_councils_edition_has_its_own_identifier_and_the_same_modified_date(built, tmp_path):
    wb = built.doc.workbook
    other_dir = tmp_path / "other-council"
    shutil.copytree(DEFAULT_BRAND, other_dir)
    other, problems = load_brand(other_dir)
    assert other is not None, problems
    ids = {epub.publication_id(wb, brand) for brand in (built.brand, other)}
    assert len(ids) == 2 and epub.publication_id(wb, built.brand) == epub.publication_id(wb, built.brand)
    newer = dataclasses.replace(wb, version=wb.version + ".1")
    assert epub.publication_id(newer, built.brand) != epub.publication_id(wb, built.brand)
    with zipfile.ZipFile(render_into("epub", built.doc, other, tmp_path)) as archive:
        opf = etree.fromstring(archive.read(built.opf_path))
    assert opf.find("opf:metadata/dc:identifier", NS).text == epub.publication_id(wb, other) != built.opf.find("opf:metadata/dc:identifier", NS).text
    modified = opf.find("opf:metadata/opf:meta[@property='dcterms:modified']", NS).text
    assert [modified] == built.meta("dcterms:modified")


# --- manifest, spine, navigation ------------------------------------------------------


def test_manifest_lists_every_file_with_its_media_type(built):
    manifest = built.manifest()
    packaged = {name.removeprefix(f"{built.base}/") for name in built.files
                if name not in ("mimetype", "META-INF/container.xml", built.opf_path)}
    assert set(manifest) == packaged
    for href, item in manifest.items():
        data = built.resource(href)
        expected = epub.MEDIA_TYPES[Path(href).suffix.lower()]
        assert item.get("media-type") == expected, href
        if expected == "image/png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), href
        elif expected == "image/jpeg":
            assert data.startswith(b"\xff\xd8\xff"), href
        elif expected in ("image/svg+xml", "application/xhtml+xml"):
            etree.fromstring(data)  # well-formed XML
        elif expected.startswith("font/"):
            assert data[:4] in (b"wOF2", b"wOFF", b"\x00\x01\x00\x00", b"OTTO", b"true"), href


def test_brand_logo_is_packaged_and_shown_with_its_alt(built):
    if built.brand.logo is None:
        # A brand without a logo gets no stand-in image either.
        assert not [href for href in built.manifest() if href.startswith("assets/logo")]
        return
    logo = built.brand.logo.path.read_bytes()
    hrefs = [href for href in built.manifest() if built.resource(href) == logo]
    assert hrefs, "the logo is not in the manifest"
    assert built.manifest()[hrefs[0]].get("media-type") == built.brand.logo.media_type
    cover = built.xml("cover.xhtml")
    alts = [img.get("alt") for img in cover.iterfind(".//x:img", NS) if img.get("src") in hrefs]
    assert alts == [built.brand.logo.alt]


def test_spine_is_the_cover_then_the_pages_in_source_order(built):
    by_id = {item.get("id"): item.get("href") for item in built.manifest().values()}
    spine = [by_id[ref.get("idref")] for ref in built.opf.iterfind("opf:spine/opf:itemref", NS)]
    assert spine == ["cover.xhtml"] + [f"{page.slug}.xhtml" for page in built.doc.pages]


def _toc(ol) -> list:
    return [(li.find("x:a", NS).get("href"), _toc(li.find("x:ol", NS)) if li.find("x:ol", NS) is not None else [])
            for li in ol.iterfind("x:li", NS)]


def _expected_toc(section: model.Section, page: str) -> tuple:
    return (f"{page}.xhtml#{section.id}", [_expected_toc(child, page) for child in section.subsections])


def test_nav_toc_nests_sections_and_subsections_in_source_order(built):
    navs = [href for href, item in built.manifest().items() if "nav" in (item.get("properties") or "").split()]
    assert navs == ["nav.xhtml"]
    nav = built.xml("nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    expected = [_expected_toc(section, section.id) for section in built.doc.workbook.sections]
    assert _toc(toc.find("x:ol", NS)) == expected


def test_every_link_in_the_nav_reaches_an_element(built):
    links = [urldefrag(a.get("href")) for a in built.xml("nav.xhtml").iterfind(".//x:a", NS)]
    assert any(fragment for _, fragment in links), "the nav has no links into a page to check"
    for href, fragment in links:
        target = built.xml(href)
        if fragment:
            assert target.find(f".//*[@id='{fragment}']") is not None, f"{href}#{fragment}"


def test_landmarks_name_the_cover_the_contents_and_the_body(built):
    nav = built.xml("nav.xhtml")
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    types = {a.get(f"{{{NS['epub']}}}type"): a.get("href") for a in landmarks.iterfind(".//x:a", NS)}
    first_section = built.doc.workbook.sections[0].id
    assert types == {"cover": "cover.xhtml", "toc": "index.xhtml", "bodymatter": f"{first_section}.xhtml"}


def test_cover_shows_title_and_council_and_an_image_with_alt(built):
    manifest = built.manifest()
    covers = [href for href, item in manifest.items() if "cover-image" in (item.get("properties") or "").split()]
    assert len(covers) == 1
    cover = built.xml("cover.xhtml")
    text = " ".join(cover.find("x:body", NS).itertext())
    assert built.doc.title in text and built.brand.council_name in text
    assert text_of(cover.find(".//x:h1", NS)) == built.doc.title
    # The picture shows the title and council the page already has as text: it is decorative there.
    image = cover.find(f".//x:img[@src='{covers[0]}']", NS)
    assert image is not None and image.get("alt") == "" and image.get("role") == "presentation"
    # The cover image on its own (a library's shelf) still has its text alternative.
    svg = built.xml(covers[0])
    assert built.doc.title in svg.findtext("svg:title", namespaces=NS)


def test_chapters_have_no_skip_link_or_site_navigation_but_name_the_council(built):
    assert built.doc.pages
    for page in built.doc.pages:
        root = built.xml(f"{page.slug}.xhtml")
        assert not root.xpath("//x:a[@href='#main-content'] | //x:*[contains(@class, 'skip-link')]", namespaces=NS), page.slug
        [header] = root.iterfind(".//x:header", NS)
        assert header.find(".//x:nav", NS) is None and header.find(".//x:a", NS) is None, page.slug
        council = [img.get("alt") for img in header.iterfind(".//x:img", NS)] + [text_of(header)]
        assert any(built.brand.council_name in text for text in council if text), page.slug
        assert not [text_of(a) for a in root.iterfind(".//x:a", NS) if text_of(a) == "Contents"], page.slug


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- content without script ----------------------------------------------------------


def test_no_content_document_has_a_script(built):
    documents = built.content_documents()
    assert len(documents) > len(built.doc.pages), "expected every page plus the cover and nav"
    for href, root in documents.items():
        assert root.find(".//x:script", NS) is None and root.find(".//x:noscript", NS) is None, href
        assert not [a for e in root.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("on")], href
        assert "scripted" not in (built.manifest()[href].get("properties") or "")


def _links_from(element, page: str) -> set[tuple[str, str]]:
    """Every (page, fragment) that links inside `element` point to."""
    found = set()
    for a in element.iter(f"{{{NS['x']}}}a"):
        href, fragment = urldefrag(a.get("href") or "")
        found.add((href or page, fragment))
    return found


def test_every_quiz_statement_links_to_its_answer_and_back(built):
    statements = built.doc.all_statements()
    assert statements, "both workbooks have a quiz"
    for statement in statements:
        page = f"{built.doc.page_of[statement.id]}.xhtml"
        element = built.xml(page).find(f".//*[@id='{statement.id}']")
        assert element is not None, f"{page} has no element with id {statement.id}"
        ids_of_statement = {e.get("id") for e in element.iter() if isinstance(e.tag, str) and e.get("id")}
        ids_of_statement |= {e.get("id") for e in element.iterancestors() if e.get("id")}
        reached_back = False
        for target_page, fragment in _links_from(element, page):
            if not fragment or target_page not in built.manifest():
                continue
            answer = built.xml(target_page).find(f".//*[@id='{fragment}']")
            if answer is None:
                continue
            back = {(p, f) for p, f in _links_from(answer, target_page) if p == page}
            if any(f in ids_of_statement for _, f in back):
                reached_back = True
        assert reached_back, f"statement {statement.id} does not link to an answer that links back"


# --- the accessibility metadata is true of the content --------------------------------


def _images(built) -> list[tuple[str, etree._Element]]:
    found = []
    for href, root in built.content_documents().items():
        found += [(href, e) for e in root.iter(f"{{{NS['x']}}}img")]
        found += [(href, e) for e in root.iter(f"{{{NS['svg']}}}svg") if e.get("aria-hidden") != "true"]
    return found


def _has_text_alternative(element) -> bool:
    if element.tag == f"{{{NS['x']}}}img":
        return element.get("alt") is not None
    return bool(element.get("aria-label") or element.get("aria-labelledby")
                or (element.findtext("svg:title", namespaces=NS) or "").strip())


def test_accessibility_metadata_matches_the_content(built):
    images = _images(built)
    features = set(built.meta("schema:accessibilityFeature"))
    modes = set(built.meta("schema:accessMode"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= features
    assert modes == ({"textual", "visual"} if images else {"textual"})
    without_alt = [(href, etree.tostring(e)[:120]) for href, e in images if not _has_text_alternative(e)]
    if "alternativeText" in features:
        assert images and not without_alt, without_alt
    assert built.meta("schema:accessModeSufficient") == ["textual"]
    assert not without_alt, "textual is claimed sufficient, but these images have no text alternative"
    # structuralNavigation: every page has a top-level heading.
    for page in built.doc.pages:
        assert built.xml(f"{page.slug}.xhtml").find(".//x:h1", NS) is not None, page.slug
    # ARIA is claimed exactly when the content uses roles or aria-* attributes.
    uses_aria = any(a == "role" or a.startswith("aria-")
                    for root in built.content_documents().values()
                    for e in root.iter() if isinstance(e.tag, str) for a in e.attrib)
    assert ("ARIA" in features) == uses_aria


def test_no_hazards_is_true(built):
    assert built.meta("schema:accessibilityHazard") == ["none"]
    for href, root in built.content_documents().items():
        for name in ("audio", "video", "iframe", "embed", "object"):
            assert root.find(f".//x:{name}", NS) is None, f"{href} has <{name}>"
        assert root.find(".//svg:animate", NS) is None and root.find(".//svg:animateTransform", NS) is None, href
    for href in built.manifest():
        if href.endswith(".css"):
            assert b"@keyframes" not in built.resource(href), href


def test_conformance_is_claimed_but_not_certified(built):
    assert built.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert built.meta("a11y:certifiedBy") == []
    summary = built.meta("schema:accessibilitySummary")
    assert len(summary) == 1 and "not been certified" in summary[0]
    if not built.doc.quizzes:
        assert "quiz" not in summary[0]


def test_every_content_document_has_the_workbook_language(built):
    lang = built.doc.workbook.lang
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    documents = built.content_documents()
    assert len(documents) > len(built.doc.pages), "expected every page plus the cover and nav"
    for href, root in documents.items():
        assert root.get("lang") == lang and root.get(xml_lang) == lang, href
        assert (root.findtext("x:head/x:title", namespaces=NS) or "").strip(), href
