"""Word output: opens in a word processor, is valid Open XML, uses real styles, keeps every word, is reproducible."""
from __future__ import annotations

import shutil
import typing
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from docx_support import (
    WordFile, expected_label, model_words, pandoc_text, structure_problems, word_coverage,
)
from pipeline import model
from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND
from pipeline.problems import UserError
from pipeline.formats import render_into
from pipeline.render.docx.writer import WordWriter
from pipeline.render.docx.styles import DEFAULT_REFERENCE, LABEL_STYLES, REQUIRED_STYLES
from pipeline.reproducible import build_time
from tests.sources_support import ROOT, SOURCES as WORKBOOKS
from tests.validators import format_findings, libreoffice, ooxml

@pytest.fixture(scope="module")
def built(documents, brand, tmp_path_factory):
    """Each workbook rendered once for the whole module."""
    out = tmp_path_factory.mktemp("docx")
    return {name: render_into("docx", doc, brand, out) for name, doc in documents.items()}


names = pytest.mark.parametrize("name", list(WORKBOOKS))


@names
def test_output_is_named_after_the_workbook(built, name):
    assert built[name].name == f"{name}.docx"
    assert built[name].stat().st_size > 0


@pytest.mark.slow
@names
def test_libreoffice_converts_it_to_pdf(built, name, tmp_path):
    pdf = libreoffice.convert_to_pdf(built[name], tmp_path)
    assert pdf.stat().st_size > 0
    assert libreoffice.pdf_page_count(pdf) >= 3  # title page, contents, content


@pytest.mark.slow
@names
def test_open_xml_sdk_finds_no_errors(built, name):
    findings = ooxml.validate_docx(built[name])
    assert not findings, format_findings(findings)


@names
def test_structure(built, documents, name):
    problems = structure_problems(built[name], documents[name])
    assert not problems, "\n".join(problems)


@names
def test_pandoc_reads_back_the_models_words(built, documents, name):
    coverage, missing = word_coverage(model_words(documents[name]), pandoc_text(built[name]))
    assert coverage >= 0.98, f"{coverage:.1%} of the model's words; missing: {dict(missing.most_common(20))}"


@names
def test_two_builds_are_byte_identical(built, documents, brand, name, tmp_path):
    again = render_into("docx", documents[name], brand, tmp_path)
    assert again.read_bytes() == built[name].read_bytes()


def test_properties_and_timestamps(built, documents, brand):
    doc = documents["kitchen-sink"]
    props = docx.Document(str(built["kitchen-sink"])).core_properties
    when = build_time(doc.workbook)
    # The workbook's authors when it names them (issue 12), else the council.
    author = "; ".join(doc.workbook.meta.authors) or brand.council_name
    assert (props.title, props.author, props.language) == ("Kitchen sink workbook", author, "en-GB")
    assert props.subject == "Every block kind, once"
    assert (props.created, props.modified, props.revision, props.last_printed) == (when, when, 1, None)


def test_labels_name_the_block_and_its_title(built, documents):
    word = WordFile(built["commissioning-services"])
    labels = {word.text(p) for style in LABEL_STYLES.values() for p in word.paragraphs_in(style)}
    assert "Guidance – Definitions of commissioning" in labels
    assert "Challenge 1 – What do you know about commissioning?" in labels
    doc = documents["commissioning-services"]
    challenges = [n for n in model.walk(doc.workbook) if isinstance(n, model.Challenge)]
    assert {expected_label(doc, c) for c in challenges} <= labels


def test_links_without_an_address_stay_plain_text(built):
    word = WordFile(built["kitchen-sink"])
    assert word.external_links(content_only=True) == ["https://www.local.gov.uk/", "https://www.local.gov.uk/"]
    first = next(p for p in word.paragraphs() if "link without one" in word.text(p))
    linked = "".join(word.text(h) for h in first.iter(qn("w:hyperlink")))
    assert "link without one" not in linked
    assert "link with an address" in linked and "Challenge 2 – Reflect on your role" in linked


def test_images_carry_their_alt_text(built):
    word = WordFile(built["kitchen-sink"])
    descriptions = [pr.get("descr") for pr in word.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert descriptions == ["A bar chart with two bars, the second taller than the first."]


def test_every_block_kind_has_a_handler(documents, brand):
    writer = WordWriter(documents["kitchen-sink"], brand, docx.Document(str(DEFAULT_REFERENCE)))
    block_kinds = set(typing.get_args(model.Block)) | {model.Section}
    assert block_kinds <= set(writer.handlers)


def test_reference_document_is_up_to_date(tmp_path):
    """templates/docx/reference.docx is exactly what make_reference.py makes (rebuild it if this fails)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_reference", ROOT / "templates" / "docx" / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.make_reference(tmp_path / "reference.docx")
    assert fresh.read_bytes() == DEFAULT_REFERENCE.read_bytes(), "run templates/docx/make_reference.py"


def brand_with_reference(tmp_path: Path, change) -> Path:
    """A copy of the default brand whose reference.docx is the default one after `change(styles element)`."""
    folder = tmp_path / "council"
    folder.mkdir()
    shutil.copy(DEFAULT_BRAND / "brand.json", folder / "brand.json")
    reference = docx.Document(str(DEFAULT_REFERENCE))
    change(reference.styles.element)
    reference.save(str(folder / "reference.docx"))
    return folder


def find_style(styles, style_id: str):
    return styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")


def test_a_brand_reference_document_supplies_the_styles(documents, tmp_path):
    def repaint(styles):
        find_style(styles, "GuidanceBox").find(qn("w:pPr")).find(qn("w:shd")).set(qn("w:fill"), "ABCDEF")

    brand, _ = load_brand(brand_with_reference(tmp_path, repaint))
    out = render_into("docx", documents["kitchen-sink"], brand, tmp_path)
    styles = docx.Document(str(out)).styles.element
    assert find_style(styles, "GuidanceBox").find(qn("w:pPr")).find(qn("w:shd")).get(qn("w:fill")) == "ABCDEF"


def test_a_brand_reference_document_missing_styles_is_refused_by_name(documents, tmp_path):
    def remove(styles):
        for style_id in ("GuidanceBox", "AnswerSpace"):
            styles.remove(find_style(styles, style_id))

    folder = brand_with_reference(tmp_path, remove)
    brand, _ = load_brand(folder)
    with pytest.raises(UserError) as caught:
        render_into("docx", documents["kitchen-sink"], brand, tmp_path)
    assert str(caught.value) == (
        f"{folder.resolve() / 'reference.docx'}: error: the reference document lacks 2 style(s) the Word output "
        "needs: Guidance Box, Answer Space; add them (templates/docx/make_reference.py shows how each is "
        "defined), or delete this reference.docx to use the default one [docx.missing-style]"
    )
    assert not (tmp_path / "kitchen-sink.docx").exists()


def test_required_styles_are_all_in_the_default_reference():
    names = {style.name for style in docx.Document(str(DEFAULT_REFERENCE)).styles}
    assert set(REQUIRED_STYLES) <= names


def test_the_title_page_shows_the_brand_logo_with_its_alt_text(documents, tmp_path):
    import json

    folder = tmp_path / "council"
    folder.mkdir()
    data = json.loads((DEFAULT_BRAND / "brand.json").read_text(encoding="utf-8"))
    data["logo"] = {"file": "logo.png", "alt": "Example Council logo"}
    (folder / "brand.json").write_text(json.dumps(data), encoding="utf-8")
    shutil.copy(ROOT / "tests" / "fixtures" / "kitchen-sink" / "images" / "bar-chart.png", folder / "logo.png")
    brand, problems = load_brand(folder)
    assert brand is not None, problems
    word = WordFile(render_into("docx", documents["commissioning-services"], brand, tmp_path))
    first = word.paragraphs()[0]
    descriptions = [pr.get("descr") for pr in first.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert descriptions == ["Example Council logo"]
