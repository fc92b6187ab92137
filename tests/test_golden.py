"""Golden outputs: every format of the kitchen-sink and Commissioning workbooks, compared part by part.

Each output is opened into its parts (the site's files; the members of the
EPUB, SCORM and Word zips; the PDF's text, page by page). XML and HTML parts are compared as parsed,
canonicalised, whitespace-normalised, pretty-printed text, so that a template
refactor that only moves whitespace or attribute order passes and any change a
reader could see fails with a short diff naming the part. Other parts (CSS,
JavaScript, fonts, images) are compared by SHA-256, kept in one MANIFEST.json
per format so the golden tree holds no binary copies.

`UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites tests/golden/ from the
current code: review the diff before committing it.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import subprocess
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND, FORMATS, PROJECT_ROOT, build_workbook

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EPOCH = "1767225600"  # 2026-01-01, so the goldens do not depend on the sources' own dates

WORKBOOKS = {
    "kitchen-sink": PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml",
    "commissioning-services": PROJECT_ROOT / "source" / "commissioning-services" / "workbook.xml",
    "scrutiny-skills": PROJECT_ROOT / "tests" / "fixtures" / "series" / "workbook.xml",
}

# The XML Schemas SCORM packages carry are copied files: compared by hash.
XML_SUFFIXES = (".xml", ".xhtml", ".opf", ".ncx", ".svg", ".rels")
HTML_SUFFIXES = (".html", ".htm")
_SPACE = re.compile(r"\s+")


def _tidy(root) -> None:
    """Drop whitespace-only text between elements and collapse runs of whitespace elsewhere."""
    for element in root.iter():
        for attribute in ("text", "tail"):
            value = getattr(element, attribute)
            if value is not None:
                setattr(element, attribute, None if not value.strip() else _SPACE.sub(" ", value))


def normalise(name: str, data: bytes) -> str | None:
    """The comparable text of an XML or HTML part, or None for a part compared by hash."""
    if name.endswith(XML_SUFFIXES):
        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(data, parser)
    elif name.endswith(HTML_SUFFIXES):
        try:
            root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            root = lxml_html.document_fromstring(data)
    elif name.endswith(".txt"):
        return data.decode("utf-8")
    else:
        return None
    _tidy(root)
    canonical = etree.tostring(root, method="c14n")
    pretty = etree.tostring(etree.fromstring(canonical), pretty_print=True, encoding="unicode")
    return pretty


def parts(fmt: str, output: Path) -> dict[str, bytes]:
    """An output's parts by name: a folder's files, a zip's members, or a PDF's text page by page (pdftotext)."""
    if output.suffix == ".pdf":
        # The PDF's own bytes are checked for reproducibility in tests/test_pdf.py; what a
        # reader sees, page by page, is what a golden can show as a diff.
        text = subprocess.run(["pdftotext", "-layout", str(output), "-"], check=True, capture_output=True).stdout
        pages = text.decode("utf-8").rstrip("\f").split("\f")
        return {f"page-{number:03}.txt": "\n".join(line.rstrip() for line in page.splitlines()).encode("utf-8") + b"\n"
                for number, page in enumerate(pages, start=1)}
    if output.is_dir():
        return {path.relative_to(output).as_posix(): path.read_bytes() for path in sorted(output.rglob("*")) if path.is_file()}
    with zipfile.ZipFile(output) as archive:
        return {name: archive.read(name) for name in sorted(archive.namelist()) if not name.endswith("/")}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Every format of every golden workbook, built once with the default brand."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        brand, problems = load_brand(DEFAULT_BRAND)
        assert brand is not None, problems
        built = {}
        for workbook, source in WORKBOOKS.items():
            result = build_workbook(source, brand, FORMATS, tmp_path_factory.mktemp(workbook), force=True)
            built[workbook] = dict(result.outputs)
        return built
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _write_golden(folder: Path, found: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    manifest = {}
    for name, data in found.items():
        text = normalise(name, data)
        if text is None:
            manifest[name] = "sha256:" + hashlib.sha256(data).hexdigest()
        else:
            manifest[name] = "text"
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    (folder / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _differences(folder: Path, found: dict[str, bytes]) -> list[str]:
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    problems = []
    for name in sorted(set(manifest) - set(found)):
        problems.append(f"{name}: missing from the output")
    for name in sorted(set(found) - set(manifest)):
        problems.append(f"{name}: not in the golden output")
    for name in sorted(set(manifest) & set(found)):
        text = normalise(name, found[name])
        if manifest[name] == "text" and text is not None:
            expected = (folder / name).read_text(encoding="utf-8")
            if text != expected:
                diff = difflib.unified_diff(expected.splitlines(), text.splitlines(), f"golden/{name}", f"output/{name}", lineterm="", n=2)
                problems.append(f"{name}: differs\n" + "\n".join(list(diff)[:40]))
        elif manifest[name] != "sha256:" + hashlib.sha256(found[name]).hexdigest():
            problems.append(f"{name}: differs (sha256)")
    return problems


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("workbook", sorted(WORKBOOKS))
def test_output_matches_its_golden(outputs, workbook, fmt):
    folder = GOLDEN / workbook / fmt
    found = parts(fmt, outputs[workbook][fmt])
    assert found, f"{workbook} {fmt}: the output has no parts"
    if UPDATE:
        _write_golden(folder, found)
    assert (folder / "MANIFEST.json").exists(), f"no golden for {workbook} {fmt}: run with UPDATE_GOLDEN=1"
    problems = _differences(folder, found)
    assert not problems, f"{workbook} {fmt} differs from tests/golden/{workbook}/{fmt}:\n" + "\n".join(problems)


def test_normalise_sees_a_changed_word_but_not_moved_whitespace_or_attribute_order():
    golden = normalise("page.html", b'<html><body><p class="a" id="b">One  two</p>\n</body></html>')
    assert normalise("page.html", b'<html>\n  <body>\n<p id="b" class="a">One two</p></body></html>') == golden
    assert normalise("page.html", b'<html><body><p class="a" id="b">One three</p></body></html>') != golden
