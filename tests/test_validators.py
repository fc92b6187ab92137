"""The validator wrappers in tests/validators run the real tools, and each one
can both pass a good input and fail a bad one (so a green test elsewhere
means something)."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.validators import (
    Finding,
    ValidatorFailed,
    ace,
    axe,
    epubcheck,
    errors,
    format_findings,
    libreoffice,
    ooxml,
    scorm_player,
    scorm_xsd,
    vnu,
)

ROOT = Path(__file__).resolve().parent.parent
TINY_SCO = ROOT / "tests" / "fixtures" / "tiny-sco"


# --- vnu: one JVM for all the pages ----------------------------------------------------

GOOD_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Fine</title></head>
<body><main><h1>Fine</h1><p id="a">One.</p><p id="b">Two.</p></main></body></html>
"""
BAD_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"></head>
<body><main><p id="a">One.</p><p id="a">Two.</p></main></body></html>
"""
GOOD_XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
<head><meta charset="utf-8"/><title>Fine</title></head><body><p>Fine.</p></body></html>
"""
BAD_XHTML = GOOD_XHTML.replace("<p>Fine.</p>", "<p>Unclosed</body>")


@pytest.fixture(scope="module")
def vnu_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vnu")
    pages = {"good.html": GOOD_HTML, "bad.html": BAD_HTML,
             "good.xhtml": GOOD_XHTML, "bad.xhtml": BAD_XHTML}
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    findings = vnu.check_html(folder / name for name in pages)
    by_file: dict[str, list[Finding]] = {name: [] for name in pages}
    for f in findings:
        by_file[Path(f.file).name].append(f)
    return by_file


@pytest.mark.slow
def test_vnu_passes_valid_html_and_xhtml(vnu_run):
    assert vnu_run["good.html"] == [], format_findings(vnu_run["good.html"])
    assert vnu_run["good.xhtml"] == [], format_findings(vnu_run["good.xhtml"])


@pytest.mark.slow
def test_vnu_flags_duplicate_id_and_missing_title(vnu_run):
    messages = [f.message for f in errors(vnu_run["bad.html"])]
    assert any("Duplicate ID" in m for m in messages), messages
    assert any("title" in m for m in messages), messages
    assert all(f.line for f in vnu_run["bad.html"])
    # the "first occurrence was here" note is kept, as a warning
    assert any(f.severity == "warning" for f in vnu_run["bad.html"])


@pytest.mark.slow
def test_vnu_parses_xhtml_as_xml(vnu_run):
    assert any(f.severity == "fatal" for f in vnu_run["bad.xhtml"]), format_findings(vnu_run["bad.xhtml"])


def test_vnu_refuses_files_it_would_silently_skip(tmp_path):
    (tmp_path / "page.txt").write_text(GOOD_HTML)
    with pytest.raises(ValueError, match="skip"):
        vnu.check_html([tmp_path / "page.txt"])
    with pytest.raises(FileNotFoundError):
        vnu.check_html([tmp_path / "absent.html"])


# --- axe-core in Chromium ---------------------------------------------------------------


@pytest.mark.slow
def test_axe_flags_image_without_alt_and_passes_clean_page(chromium_browser, tmp_path):
    clean = tmp_path / "clean.html"
    clean.write_text(GOOD_HTML, encoding="utf-8")
    noalt = tmp_path / "noalt.html"
    noalt.write_text(GOOD_HTML.replace("<p id=\"b\">Two.</p>", '<img src="x.png">'), encoding="utf-8")
    results = axe.check_pages([clean, noalt], browser=chromium_browser)
    assert results[str(clean)] == [], axe.format_violations(results)
    ids = [v["id"] for v in results[str(noalt)]]
    assert ids == ["image-alt"], axe.format_violations(results)
    assert results[str(noalt)][0]["nodes"][0]["target"] == ["img"]


def test_axe_is_the_pinned_npm_version():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["axe-core"]
    assert axe.version() == pinned
    assert pinned.startswith("4.")


@pytest.mark.slow
def test_axe_sees_through_content_security_policy(chromium_browser, tmp_path):
    page = tmp_path / "csp.html"
    page.write_text(GOOD_HTML.replace(
        "<title>", "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\"><title>"
    ).replace("<p id=\"a\">One.</p>", '<img src="x.png">'), encoding="utf-8")
    results = axe.check_pages([page], browser=chromium_browser)
    assert [v["id"] for v in results[str(page)]] == ["image-alt"]


# --- EPUBCheck and Ace on a minimal EPUB 3 built here -----------------------------------

A11Y_METADATA = """
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">A short text-only test publication.</meta>"""


def build_epub(path: Path, *, broken: bool = False, accessible: bool = True) -> Path:
    """A minimal EPUB 3: mimetype first and stored, container, OPF, nav, one chapter.

    broken: mimetype is not the first entry, and the spine names an item that does not exist.
    accessible=False: no accessibility metadata and no language on the chapter.
    """
    lang = ' lang="en" xml:lang="en"' if accessible else ""
    spine = '<itemref idref="c1"/>' + ('<itemref idref="missing"/>' if broken else "")
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:12345678-1234-4234-8234-123456789abc</dc:identifier>
    <dc:title>Minimal</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>{A11Y_METADATA if accessible else ""}
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine>{spine}</spine>
</package>"""
    container = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
    nav = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><title>Contents</title></head>
<body><nav epub:type="toc" role="doc-toc" id="toc"><h1>Contents</h1>
<ol><li><a href="c1.xhtml">Chapter 1</a></li></ol></nav></body>
</html>"""
    chapter = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"{lang}>
<head><title>Chapter 1</title></head>
<body><section><h1>Chapter 1</h1><p>Hello.</p></section></body>
</html>"""
    with zipfile.ZipFile(path, "w") as z:
        if not broken:
            z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, text in [("META-INF/container.xml", container), ("EPUB/package.opf", opf),
                           ("EPUB/nav.xhtml", nav), ("EPUB/c1.xhtml", chapter)]:
            z.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
        if broken:
            z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
    return path


@pytest.fixture(scope="module")
def minimal_epub(tmp_path_factory):
    return build_epub(tmp_path_factory.mktemp("epub") / "minimal.epub")


@pytest.mark.slow
def test_epubcheck_passes_a_minimal_epub3(minimal_epub):
    findings = epubcheck.check_epub(minimal_epub, usage=True)
    assert findings == [], format_findings(findings)


@pytest.mark.slow
def test_epubcheck_flags_a_broken_epub(tmp_path):
    findings = epubcheck.check_epub(build_epub(tmp_path / "broken.epub", broken=True))
    codes = {f.code for f in errors(findings)}
    assert "PKG-006" in codes, format_findings(findings)  # mimetype not first
    assert {"OPF-049", "RSC-005"} & codes, format_findings(findings)  # spine idref unresolved
    assert all(f.tool == "epubcheck" for f in findings)


@pytest.mark.slow
def test_ace_passes_a_minimal_accessible_epub(minimal_epub, tmp_path):
    report = ace.check_epub(minimal_epub, tmp_path / "ace")
    assert report["violations"] == [], ace.format_violations(report)
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert report["earl:assertedBy"]["doap:release"]["doap:revision"] == ace.version() == "1.4.6"
    assert (tmp_path / "ace" / "report.html").is_file()


@pytest.mark.slow
def test_ace_flags_missing_language_and_metadata(tmp_path):
    path = build_epub(tmp_path / "inaccessible.epub", accessible=False)
    report = ace.check_epub(path, tmp_path / "ace")
    rules = {v["rule"] for v in report["violations"]}
    assert "html-has-lang" in rules, ace.format_violations(report)
    assert any(r.startswith("metadata-") for r in rules), ace.format_violations(report)
    assert report["earl:result"]["earl:outcome"] == "fail"


# --- Word: LibreOffice opens it; the Open XML SDK validates it ---------------------------


def make_docx(path: Path, *, bad_table_header: bool = False) -> Path:
    document = docx.Document()
    document.add_heading("Hello workbook", level=1)
    document.add_paragraph("A paragraph of text.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Head"
    if bad_table_header:
        # python-docx and LibreOffice accept w:val="true" here; the Open XML SDK's
        # schema for w:tblHeader does not (found by TOOLING.md's survey).
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header)
    document.save(path)
    return path


@pytest.mark.slow
def test_libreoffice_converts_a_docx_to_pdf(tmp_path):
    pdf = libreoffice.convert_to_pdf(make_docx(tmp_path / "ok.docx"), tmp_path / "out")
    assert pdf == tmp_path / "out" / "ok.pdf"
    assert libreoffice.pdf_page_count(pdf) == 1
    assert "Hello workbook" in libreoffice.pdf_text(pdf)
    pages = libreoffice.render_pages(pdf, tmp_path / "png", dpi=30)
    assert len(pages) == 1 and pages[0].read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip" * 20, b"plain text, not Word\n"])
def test_libreoffice_fails_clearly_on_a_non_docx(tmp_path, content):
    bad = tmp_path / "garbage.docx"
    bad.write_bytes(content)
    with pytest.raises(libreoffice.ConversionFailed, match="could not convert .*garbage.docx") as exc:
        libreoffice.convert_to_pdf(bad, tmp_path / "out")
    assert "could not be loaded" in str(exc.value)  # LibreOffice's own words
    assert isinstance(exc.value, ValidatorFailed)
    assert not (tmp_path / "out" / "garbage.pdf").exists()


@pytest.mark.slow
def test_ooxml_passes_a_python_docx_document(tmp_path):
    findings = ooxml.validate_docx(make_docx(tmp_path / "ok.docx"))
    assert findings == [], format_findings(findings)


@pytest.mark.slow
def test_ooxml_flags_a_schema_error(tmp_path):
    findings = ooxml.validate_docx(make_docx(tmp_path / "bad.docx", bad_table_header=True))
    assert len(findings) == 1, format_findings(findings)
    assert findings[0].severity == "error"
    assert findings[0].file == "/word/document.xml"
    assert "tblHeader" in findings[0].message


@pytest.mark.slow
def test_ooxml_flags_a_corrupt_file(tmp_path):
    bad = tmp_path / "corrupt.docx"
    bad.write_bytes(b"not a zip")
    findings = ooxml.validate_docx(bad)
    assert findings and all(f.severity == "fatal" for f in findings), format_findings(findings)


# --- SCORM manifests against the IMS/ADL XSDs -------------------------------------------

MANIFEST_12 = (TINY_SCO / "imsmanifest-1.2.xml").read_bytes()
MANIFEST_2004 = (TINY_SCO / "imsmanifest-2004.xml").read_bytes()


@pytest.mark.parametrize("version, manifest", [("1.2", MANIFEST_12), ("2004", MANIFEST_2004)])
def test_scorm_xsd_accepts_valid_manifests(version, manifest, tmp_path):
    assert scorm_xsd.validate_manifest(manifest, version) == []
    path = tmp_path / "imsmanifest.xml"
    path.write_bytes(manifest)
    assert scorm_xsd.validate_manifest(path, version) == []


@pytest.mark.parametrize("version, manifest, old, new, expected", [
    ("1.2", MANIFEST_12, b'scormtype="sco"', b'scormtype="lesson"', "'lesson' is not an element of the set"),
    ("1.2", MANIFEST_12, b'<resource identifier="res1"', b"<resource", "'identifier' is required"),
    ("1.2", MANIFEST_12, b">80<", b">150<", "masteryscore '150' is not a number 0-100"),
    ("1.2", MANIFEST_12, b">80<", b">eighty<", "masteryscore 'eighty'"),
    ("1.2", MANIFEST_12, b'identifierref="res1"', b'identifierref="nope"', "names no resource"),
    ("1.2", MANIFEST_12, b"<schemaversion>1.2<", b"<schemaversion>1.3<", "schemaversion"),
    ("2004", MANIFEST_2004, b'completionSetByContent="true"', b'completionSetByContent="yes"',
     "not a valid value of the atomic type 'xs:boolean'"),
    ("2004", MANIFEST_2004, b'scormType="sco"', b'scormType="SCO"', "not an element of the set"),
    ("2004", MANIFEST_2004, b'default="org"', b'default="other"', "names no organization"),
    ("2004", MANIFEST_12, b"", b"", "No matching global declaration"),  # a 1.2 manifest is not 2004
    ("1.2", MANIFEST_12, b"</manifest>", b"", "not well-formed"),
])
def test_scorm_xsd_rejects_invalid_manifests(version, manifest, old, new, expected):
    problems = scorm_xsd.validate_manifest(manifest.replace(old, new) if old else manifest, version)
    assert any(expected in p for p in problems), problems


def test_scorm_xsd_loads_only_local_schemas():
    # A schemaLocation outside the schema set is refused rather than fetched.
    resolver = scorm_xsd._LocalSchemas(scorm_xsd.SCHEMA_ROOT / "scorm12edition")
    with pytest.raises(OSError, match="no network"):
        resolver.resolve("http://www.imsglobal.org/xsd/elsewhere.xsd", None, None)
    assert scorm_xsd.schema("1.2") is scorm_xsd.schema("1.2")  # compiled once


def tiny_package(path: Path, version: str, *, leave_out: str | None = None,
                 sco_html: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", (TINY_SCO / f"imsmanifest-{version}.xml").read_bytes())
        for name in ("sco.html", "sco.js"):
            if name != leave_out:
                data = sco_html if (name == "sco.html" and sco_html) else (TINY_SCO / name).read_text()
                z.writestr(name, data)
    return path


def test_scorm_validate_package_checks_files(tmp_path):
    assert scorm_xsd.validate_package(tiny_package(tmp_path / "ok.zip", "1.2"), "1.2") == []
    problems = scorm_xsd.validate_package(tiny_package(tmp_path / "bad.zip", "1.2", leave_out="sco.js"), "1.2")
    assert problems == ["resource 'res1' lists 'sco.js', not in the package"]


# --- the SCORM player: scorm-again as the LMS --------------------------------------------

STATUS = {"1.2": ("core", "lesson_status"), "2004": (None, "completion_status")}


def _status(cmi: dict, version: str) -> str:
    group, key = STATUS[version]
    return (cmi[group] if group else cmi)[key]


def complete(page, frame):
    frame.get_by_role("button", name="Mark complete").click()


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_scorm_player_records_completion(chromium_browser, tmp_path, version):
    result = scorm_player.play(tiny_package(tmp_path / "tiny.zip", version), version, complete,
                               browser=chromium_browser)
    assert result["launch"] == "sco.html"
    assert _status(result["cmi"], version) == "completed"
    assert result["initialized"] and result["terminated"] and not result["finished_by_player"]
    methods = [c["method"] for c in result["calls"]]
    if version == "1.2":
        assert methods[0] == "LMSInitialize" and methods[-1] == "LMSFinish"
        assert {"method": "LMSSetValue", "args": ["cmi.core.lesson_status", "completed"]}.items() <= \
            next(c for c in result["calls"] if c["args"][-1:] == ["completed"]).items()
        assert "LMSCommit" in methods
        assert result["cmi"]["student_data"]["mastery_score"] == "80"  # from the manifest
        assert result["cmi"]["core"]["entry"] == "ab-initio"
        assert result["flat"]["cmi.core.exit"] == "suspend"
    else:
        assert methods[0] == "Initialize" and methods[-1] == "Terminate"
        assert "Commit" in methods
        assert result["cmi"]["entry"] == "ab-initio"
    assert all(c["error"] == "0" for c in result["calls"] if c["method"].endswith("SetValue"))
    # the commit log: the SCO's LMSCommit, then the terminate commit (sendBeacon)
    assert [c["terminate"] for c in result["commits"]] == [False, True]
    final = result["commits"][-1]["data"]["cmi"]
    assert _status(final, version) == "completed"
    assert (final["core"]["total_time"] if version == "1.2" else final["total_time"]) in ("00:01:30", "PT1M30S")
    assert result["missing"] == [] and result["console"] == []


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_scorm_player_resumes_from_saved_cmi(chromium_browser, tmp_path, version):
    package = tiny_package(tmp_path / "tiny.zip", version)
    first = scorm_player.play(package, version, None, browser=chromium_browser)
    assert _status(first["cmi"], version) == "incomplete"  # the learner did nothing
    second = scorm_player.play(package, version, complete, saved_cmi=first["cmi"],
                               browser=chromium_browser)
    entry = second["cmi"]["core"]["entry"] if version == "1.2" else second["cmi"]["entry"]
    assert entry == "resume"
    assert second["cmi"]["suspend_data"] == "visits=2"
    assert _status(second["cmi"], version) == "completed"


@pytest.mark.slow
def test_scorm_player_reports_a_sco_that_never_talks_to_the_lms(chromium_browser, tmp_path):
    package = tiny_package(tmp_path / "silent.zip", "1.2", leave_out="sco.js")
    result = scorm_player.play(package, "1.2", browser=chromium_browser)
    assert result["missing"] == ["/content/sco.js"]
    assert not result["initialized"] and not result["terminated"]
    assert result["calls"] == [] and result["commits"] == []
    assert result["cmi"]["core"]["lesson_status"] == "not attempted"


@pytest.mark.slow
def test_scorm_player_can_finish_for_a_sco_that_forgets(chromium_browser, tmp_path):
    forgetful = (TINY_SCO / "sco.html").read_text().replace(
        '<script src="sco.js"></script>',
        "<script>parent.API.LMSInitialize('');"
        "parent.API.LMSSetValue('cmi.core.lesson_status','completed');</script>")
    package = tiny_package(tmp_path / "forgetful.zip", "1.2", sco_html=forgetful)
    result = scorm_player.play(package, "1.2", finish_if_needed=True, browser=chromium_browser)
    assert result["initialized"] and not result["terminated"] and result["finished_by_player"]
    assert [c["method"] for c in result["calls"]] == ["LMSInitialize", "LMSSetValue"]
    assert result["commits"][-1]["terminate"]
    assert result["commits"][-1]["data"]["cmi"]["core"]["lesson_status"] == "completed"
