"""The format table and the brand step: one row per format, and the brand applied once, before any renderer."""
from __future__ import annotations

import inspect
import zipfile

import pytest

from pipeline import build, formats, model
from pipeline.brand import load_brand
from pipeline.branding import brand_document
from pipeline.build import PROJECT_ROOT, load_document
from pipeline.render import pages
from pipeline.resolve import BRAND_LINKS_ID

KITCHEN_SINK = PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"


@pytest.fixture(scope="module")
def doc():
    return load_document(KITCHEN_SINK)[0]


@pytest.fixture(scope="module")
def council():
    """A brand with links of its own."""
    brand, problems = load_brand(PROJECT_ROOT / "brands" / "northshire")
    assert brand is not None and brand.links, problems
    return brand


def test_the_build_reads_its_formats_from_the_one_table():
    assert build.FORMATS == tuple(fmt.name for fmt in formats.FORMATS) == ("html", "docx", "epub", "scorm12", "scorm2004", "pdf")
    assert [build.output_name("wb", name) for name in build.FORMATS] == ["html", "wb.docx", "wb.epub", "wb-scorm12.zip", "wb-scorm2004.zip",
                                                                    "wb.pdf"]


@pytest.mark.parametrize("fmt", formats.FORMATS, ids=lambda fmt: fmt.name)
def test_every_row_names_a_renderer_taking_an_output_path_and_a_preflight_or_none(fmt, doc):
    assert list(inspect.signature(fmt.renderer()).parameters) == ["doc", "brand", "output"]
    assert isinstance(fmt.check(doc), list)
    assert fmt.preflight is None or callable(formats._function(fmt.preflight))


def _has_council_box(document) -> bool:
    return any(isinstance(node, model.Box) and node.id == BRAND_LINKS_ID for node in model.walk(document.workbook))


def test_branding_twice_is_branding_once(doc, council):
    branded = brand_document(doc, council)
    assert _has_council_box(branded) and not _has_council_box(doc)
    assert brand_document(branded, council) is branded


def test_the_page_renderer_shows_the_document_it_is_given_and_does_not_brand_it_again(doc, council):
    def box_count(document) -> int:
        files = pages.render_pages(document, council, pages.SITE)
        return sum(data.count(f'id="{BRAND_LINKS_ID}"'.encode()) for name, data in files.items() if name != "print.html")

    assert box_count(doc) == 0
    assert box_count(brand_document(doc, council)) == 1


def test_render_into_brands_and_writes_the_rows_output_name(tmp_path, doc, council):
    path = formats.render_into("epub", doc, council, tmp_path)
    assert path == tmp_path / "kitchen-sink.epub"
    with zipfile.ZipFile(path) as archive:
        assert any(f'id="{BRAND_LINKS_ID}"'.encode() in archive.read(name) for name in archive.namelist() if name.endswith(".xhtml"))
