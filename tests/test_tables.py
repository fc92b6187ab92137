"""Tables, numbered steps with paragraphs, untitled challenges and publication metadata (issue 12).

The kitchen-sink and the series fixture (tests/fixtures/series, modelled on the LGA
councillor workbooks) in every format: the markup each format gives the new kinds,
axe at 1280 and 320 px, the Word header row and the contents list written out, the
EPUB and SCORM metadata; and every new rule and reworded libxml2 message by its
exact text. (vnu, EPUBCheck, Ace, LibreOffice, the Open XML SDK and the SCORM XSDs
run on both fixtures in test_html, test_epub, test_docx and test_scorm, which build
every workbook in tests/sources_support.SOURCES.)
"""
from __future__ import annotations

import subprocess
import sys
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from docx_support import WordFile
from pipeline import dump, jsonform, model
from pipeline.formats import render_into
from pipeline.load import load_source
from tests.html_support import parse_page
from tests.sources_support import AXE_TAGS, KITCHEN_SINK, MINIMAL_BODY, ROOT, SERIES, problems_in, xml_source
from tests.validators import libreoffice

NEW_KINDS = ("kitchen-sink", "scrutiny-skills")
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def tables_in(doc) -> list[model.Table]:
    return [node for node in doc.nodes if isinstance(node, model.Table)]


@pytest.fixture(scope="module")
def sites(documents, brand, tmp_path_factory):
    out = tmp_path_factory.mktemp("tables-html")
    return {name: render_into("html", documents[name], brand, out / name) for name in NEW_KINDS}


@pytest.fixture(scope="module")
def word(documents, brand, tmp_path_factory):
    out = tmp_path_factory.mktemp("tables-docx")
    return {name: render_into("docx", documents[name], brand, out) for name in NEW_KINDS}


# --- the source: loading, the round trip, the rules ---------------------------------------


def test_the_series_fixture_loads_every_new_kind():
    workbook = load_source(SERIES).workbook
    meta = workbook.meta
    assert meta.authors == ("Jo Example", "Sam Sample")
    assert meta.publisher_in_text == "the Local Government Association"
    assert meta.isbn == "9781402894626"
    assert [identifier.scheme for identifier in meta.identifiers] == ["isbn", "reference"]
    table = next(node for node in model.walk(workbook) if isinstance(node, model.Table))
    assert [cell.header for cell in table.rows[0].cells] == [True, False, False]
    assert model.plain_text(table.head.cells[0].content) == "Role"
    steps = next(node for node in model.walk(workbook) if isinstance(node, model.ListBlock) and node.ordered)
    assert all(item.blocks and not item.content for item in steps.items)
    assert [type(block).__name__ for block in steps.items[1].blocks] == ["Paragraph", "Paragraph", "ListBlock"]
    untitled = next(node for node in model.walk(workbook) if isinstance(node, model.Challenge))
    assert untitled.title is None


@pytest.mark.parametrize("source", [KITCHEN_SINK, SERIES], ids=["kitchen-sink", "series"])
def test_xml_to_json_to_xml_is_lossless(source, tmp_path):
    workbook = load_source(source).workbook
    (tmp_path / "workbook.json").write_text(jsonform.dumps(workbook), encoding="utf-8")
    from_json = load_source(tmp_path / "workbook.json")
    assert from_json.problems == [] and from_json.workbook == workbook
    (tmp_path / "again.xml").write_bytes(dump.to_xml(from_json.workbook))
    again = load_source(tmp_path / "again.xml")
    assert again.problems == [] and again.workbook == workbook


def test_the_json_schema_is_generated_from_the_tool():
    from tools.make_json_schema import render

    assert (ROOT / "schema" / "workbook.schema.json").read_text(encoding="utf-8") == render()


def _meta(extra: str) -> str:
    return f'<meta><title>T</title>{extra}</meta><section id="s"><title>S</title><p>x</p></section>'


ROW = "<row><cell>a</cell><cell>b</cell></row>"
# (content, the exact messages validate gives)
BAD = {
    "uneven-against-the-head": (xml_source(MINIMAL_BODY.format(
        '<table id="t"><caption>C</caption><head><cell>A</cell><cell>B</cell></head>\n<row><cell>a</cell></row></table>')), [
        "workbook.xml:3: error: row 1 of table 't' has 1 cell, but its head row has 2; give every row 2 <cell>s "
        "(an empty <cell/> keeps a place) [table.uneven]",
    ]),
    "uneven-against-the-first-row": (xml_source(MINIMAL_BODY.format(
        f'<table><caption>Costs</caption>{ROW}\n<row><cell>a</cell><cell>b</cell><cell>c</cell></row></table>')), [
        "workbook.xml:3: error: row 2 of table “Costs” has 3 cells, but its first row has 2; give every row 2 <cell>s "
        "(an empty <cell/> keeps a place) [table.uneven]",
    ]),
    "no-rows": (xml_source(MINIMAL_BODY.format('<table id="t"><caption>C</caption><head><cell>A</cell></head></table>')), [
        "workbook.xml:2: error: table 't' has no rows; add at least one <row> of <cell>s after the <caption> and <head> [table.no-rows]",
    ]),
    "empty-caption": (xml_source(MINIMAL_BODY.format(f'<table><caption> </caption>{ROW}</table>')), [
        "workbook.xml:2: error: a table has an empty caption; write in <caption> what the table shows (it names the table "
        "for screen readers and in the contents of every format) [table.empty-caption]",
    ]),
    "table-where-not-allowed": (xml_source(MINIMAL_BODY.format(f'<quote><p>q</p>\n<table><caption>C</caption>{ROW}</table></quote>')), [
        "workbook.xml:3: error: <table> is not allowed inside <quote>; a table may stand in a <section>, a <subsection>, "
        "a typed box (<guidance>, <case-study>, <tip>, <useful-links>), a challenge's <intro> or a list <item>: "
        "move it there [table.not-allowed]",
    ]),
    "bad-isbn-check-digit": (xml_source(_meta('\n<identifier scheme="isbn">978-1-4028-9462-5</identifier>')), [
        "workbook.xml:3: error: ISBN '978-1-4028-9462-5' is not valid: its check digit is 5, but the first 12 digits give 6: "
        "a digit is mistyped; copy it again from the publication's imprint page [meta.isbn-invalid]",
    ]),
    "bad-isbn-length": (xml_source(_meta('<identifier scheme="isbn">1-4028-9462-7</identifier>')), [
        "workbook.xml:2: error: ISBN '1-4028-9462-7' is not valid: it has 10 digits, and an ISBN-13 has 13 (an old 10-digit "
        "ISBN is written with 978 in front and a new check digit); copy it again from the publication's imprint page "
        "[meta.isbn-invalid]",
    ]),
    "block-mixed-with-loose-text-in-an-item": (xml_source(MINIMAL_BODY.format(
        '<list type="number">\n<item>\nRead the papers\n<p>Early.</p></item></list>')), [
        "workbook.xml:4: error: a list item mixes loose text (“Read the papers”) with blocks (<p>, <list>, <table>); "
        "put that text in a <p> of its own, or write the item as text only [item.mixed-content]",
    ]),
    "block-mixed-with-loose-text-in-a-cell": (xml_source(MINIMAL_BODY.format(
        '<table><caption>C</caption><row><cell><p>One.</p>\nand two</cell></row></table>')), [
        "workbook.xml:3: error: a table cell mixes loose text (“and two”) with blocks (<p>, <list>); put that text in a <p> "
        "of its own, or write the cell as text only [cell.mixed-content]",
    ]),
    "bare-ampersand": (xml_source(MINIMAL_BODY.format("<p>Terms & conditions</p>")), [
        "workbook.xml:2:102: error: not well-formed XML: a bare & must be written &amp; (write “Terms &amp; conditions”) [xml.syntax]",
    ]),
    "text-outside-a-paragraph": (xml_source(MINIMAL_BODY.format("\n\nLoose words\n<p>x</p>")), [
        "workbook.xml:4: error: text must be inside a <p>: <section> holds only elements, but “Loose words” stands loose in it; "
        "wrap it in <p>…</p> [schema.loose-text]",
    ]),
    "element-after-the-questions": (xml_source(MINIMAL_BODY.format(
        '<challenge id="c"><question>Q?</question>\n<p>After.</p></challenge>')), [
        "workbook.xml:3: error: <p> is not allowed inside <challenge> at this point; <challenge> holds <title>, then <intro> "
        "(paragraphs, lists, tables …), then <question>s and <quiz>zes [schema.element]",
    ]),
}


@pytest.mark.parametrize("case", BAD)
def test_each_problem_has_its_place_and_exact_message(tmp_path, case):
    content, expected = BAD[case]
    assert problems_in(tmp_path, content) == expected


def test_a_challenge_without_a_title_is_valid(tmp_path):
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format('<challenge id="c"><question>Q?</question></challenge>'))) == []


def test_a_valid_isbn_with_hyphens_or_spaces_passes(tmp_path):
    assert problems_in(tmp_path, xml_source(_meta('<identifier scheme="isbn">978 0 306 40615 7</identifier>'))) == []


def test_a_json_item_with_text_and_blocks_gets_the_same_rule(tmp_path):
    workbook = load_source(SERIES).workbook
    data = jsonform.to_json(workbook)
    steps = data["workbook"]["sections"][1]["content"][1]
    assert steps["type"] == "list"
    steps["items"][0]["content"] = ["Loose"]
    import json

    problems = problems_in(tmp_path, json.dumps(data, indent=1), name="workbook.json")
    assert len(problems) == 1 and problems[0].endswith("[item.mixed-content]"), problems
    assert "mixes loose text (“Loose”)" in problems[0]


def test_json_only_shapes_the_xml_form_could_not_hold_are_refused(tmp_path):
    import json

    data = jsonform.to_json(load_source(SERIES).workbook)
    steps = data["workbook"]["sections"][1]["content"][1]
    steps["items"][0]["blocks"] = [steps["items"][1]["blocks"][2]]  # a nested list alone
    del data["workbook"]["meta"]["publisher"]
    problems = problems_in(tmp_path, json.dumps(data, indent=1), name="workbook.json")
    assert [problem.split(": error: ")[1] for problem in problems] == [
        "the publisher's article 'the' is given without a publisher; add the publisher's name, or remove the article "
        "[meta.article-without-publisher]",
        "a list item's blocks are only lists; give the item a paragraph first, or write its text as \"content\" and its "
        "lists as \"sublists\" [item.lists-only]",
    ]


def test_build_of_a_bad_table_exits_2_and_writes_nothing(tmp_path):
    source = tmp_path / "bad" / "workbook.xml"
    source.parent.mkdir()
    source.write_text(xml_source(MINIMAL_BODY.format('<table><caption>C</caption></table>')), encoding="utf-8")
    out = tmp_path / "build"
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", str(source), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2, run.stderr
    assert "[table.no-rows]" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists() or not any(path.is_file() for path in out.rglob("*") if ".stamps" not in path.parts)


# --- HTML (and the pages EPUB and SCORM share) ----------------------------------------------


@pytest.mark.parametrize("name", NEW_KINDS)
def test_tables_have_a_caption_header_scopes_and_a_labelled_focusable_region(sites, documents, name):
    doc = documents[name]
    pages = {path.name: parse_page(path) for path in sites[name].glob("*.html") if path.name != "print.html"}
    found = {region.get("id"): region for tree in pages.values() for region in tree.iter("div")
             if "table-region" in (region.get("class") or "")}
    assert sorted(found) == sorted(table.id for table in tables_in(doc))
    for table in tables_in(doc):
        region = found[table.id]
        assert (region.get("role"), region.get("tabindex")) == ("region", "0")
        caption = region.find(".//caption")
        assert caption is not None and caption.get("id") == region.get("aria-labelledby") == f"{table.id}-caption"
        assert caption.text_content().strip() == model.plain_text(table.caption)
        column_headers = region.findall(".//thead/tr/th")
        assert len(column_headers) == (len([c for c in table.head.cells if c.content or c.blocks]) if table.head else 0)
        assert all(th.get("scope") == "col" for th in column_headers)
        row_headers = region.findall(".//tbody/tr/th")
        assert len(row_headers) == sum(cell.header for row in table.rows for cell in row.cells)
        assert all(th.get("scope") == "row" for th in row_headers)
        assert len(region.findall(".//tbody/tr")) == len(table.rows)


def test_steps_are_an_ordered_list_with_paragraphs_in_the_items(sites):
    tree = parse_page(sites["scrutiny-skills"] / "preparing.html")
    steps = tree.xpath("//main//ol[li/p]")[0]
    items = steps.findall("li")
    assert len(items) == 3
    assert [len(item.findall("p")) for item in items] == [2, 2, 2]
    assert items[1].find("ul") is not None


def test_an_untitled_challenge_is_its_number_alone(sites, documents):
    tree = parse_page(sites["scrutiny-skills"] / "preparing.html")
    heading = tree.get_element_by_id("your-last-meeting-heading")
    assert heading.text_content().strip() == "Challenge 1"
    assert documents["scrutiny-skills"].target_title("your-last-meeting") == "Challenge 1"


def test_the_cover_and_head_carry_the_publication_metadata(sites):
    tree = parse_page(sites["scrutiny-skills"] / "index.html")
    assert tree.xpath("//meta[@name='author']/@content") == ["Jo Example, Sam Sample"]
    cover = {p.get("class"): p.text_content().strip() for p in tree.xpath("//div[@class='cover']/p")}
    assert cover["cover-authors"] == "By Jo Example and Sam Sample"
    assert cover["cover-publisher"] == "Published by the Local Government Association, 2026-02-01. Version 1.0."
    assert cover["cover-identifiers"] == "ISBN 978-1-4028-9462-6 · Reference L26-001"
    assert cover["cover-rights"].startswith("© Local Government Association 2026.")


def test_the_commissioning_cover_names_the_publisher_with_its_article(documents, brand, tmp_path):
    site = render_into("html", documents["commissioning-services"], brand, tmp_path)
    text = parse_page(site / "index.html").xpath("string(//p[@class='cover-publisher'])")
    assert text.startswith("Published by the Local Government Association")


def _table_pages(sites) -> list:
    return [sites[name] / page for name, page in (
        ("scrutiny-skills", "introduction.html"), ("scrutiny-skills", "preparing.html"),
        ("scrutiny-skills", "self-assessment.html"), ("kitchen-sink", "tables-and-steps.html"),
        ("kitchen-sink", "index.html"))]


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_nothing_on_the_table_pages(sites, chromium_browser, width):
    from tests.validators import axe

    pages = _table_pages(sites)
    results = axe.check_pages(pages, AXE_TAGS, browser=chromium_browser, viewport={"width": width, "height": 800})
    assert set(results) == {str(page) for page in pages}
    assert not any(results.values()), f"axe-core {axe.version()} at {width}px:\n" + axe.format_violations(results)


@pytest.mark.slow
def test_at_320_px_a_wide_table_scrolls_in_its_region_not_the_page(sites, chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto((sites["scrutiny-skills"] / "introduction.html").as_uri())
        page_width = page.evaluate("document.documentElement.scrollWidth")
        region = page.evaluate("(() => { const r = document.getElementById('roles');"
                               " return [r.scrollWidth, r.clientWidth, getComputedStyle(r).overflowX]; })()")
        assert page_width <= 320
        assert region[0] > region[1] and region[2] == "auto", region  # the table is wider than the screen: it scrolls
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('#roles thead')).display") == "table-header-group"
    finally:
        context.close()


# --- EPUB and SCORM metadata -------------------------------------------------------------------


def test_epub_metadata_has_creators_rights_and_the_isbn_beside_the_unique_identifier(documents, brand, tmp_path):
    path = render_into("epub", documents["scrutiny-skills"], brand, tmp_path)
    with zipfile.ZipFile(path) as archive:
        opf = etree.fromstring(archive.read(next(n for n in archive.namelist() if n.endswith(".opf"))))
    metadata = opf.find("opf:metadata", OPF)
    assert metadata.xpath("dc:creator/text()", namespaces=OPF) == ["Jo Example", "Sam Sample"]
    assert metadata.xpath("dc:rights/text()", namespaces=OPF)[0].startswith("© Local Government Association 2026.")
    identifiers = {element.get("id"): element.text for element in metadata.findall("dc:identifier", OPF)}
    assert identifiers["isbn"] == "urn:isbn:9781402894626"
    assert opf.get("unique-identifier") == "pub-id" and identifiers["pub-id"].startswith("urn:uuid:")


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_scorm_manifests_carry_title_description_and_rights(documents, brand, tmp_path, version):
    from tests.validators import scorm_xsd

    path = render_into(version, documents["scrutiny-skills"], brand, tmp_path)
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("imsmanifest.xml")
    assert scorm_xsd.validate_manifest(manifest, "1.2" if version == "scorm12" else "2004") == []
    tree = etree.fromstring(manifest)
    texts = [element.text for element in tree.iter() if isinstance(element.tag, str) and element.text]
    assert "Scrutiny skills" in texts
    assert any(text.startswith("How overview and scrutiny works") for text in texts)
    rights = [element for element in tree.iter() if isinstance(element.tag, str) and etree.QName(element).localname == "rights"]
    assert len(rights) == 1
    assert "© Local Government Association 2026." in "".join(rights[0].itertext())


# --- Word ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEW_KINDS)
def test_word_tables_have_the_style_a_marked_header_row_and_styled_cells(word, documents, name):
    file = WordFile(word[name])
    tables = [tbl for tbl in file.tables() if file.table_style(tbl) == "Workbook Table"]
    model_tables = tables_in(documents[name])
    assert len(tables) == len(model_tables)
    for tbl, table in zip(tables, model_tables):
        rows = tbl.findall(qn("w:tr"))
        headers = [row for row in rows if row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
        assert headers == (rows[:1] if table.head else []), table.id
        assert all(header.get(qn("w:val")) is None for row in headers for header in row.iter(qn("w:tblHeader")))
        styles = {file.style_of(p) for p in tbl.iter(qn("w:p"))}
        assert styles <= {"Table Heading", "Table Text"}, styles
        caption = tbl.getprevious()  # in a box, the box's style (the caption's role is then a character style)
        assert file.style_of(caption) == "Caption" or file.style_of(caption).endswith(" Box")
        assert file.text(caption).strip() == model.plain_text(table.caption)


@pytest.mark.parametrize("name", NEW_KINDS)
def test_the_word_contents_list_is_written_out_with_an_entry_per_heading(word, name):
    file = WordFile(word[name])
    body = list(file.body.iter(qn("w:p")))
    entries = [p for p in body if file.style_of(p) in ("toc 1", "toc 2", "toc 3")]
    headings = [p for p in body if file.style_of(p) in ("Heading 1", "Heading 2", "Heading 3", "Contact Heading")]
    assert [file.text(p).strip() for p in entries] == [file.text(p).strip() for p in headings]
    bookmarks = file.bookmarks()
    for entry, heading in zip(entries, headings):
        anchor = entry.find(qn("w:hyperlink")).get(qn("w:anchor"))
        assert anchor in bookmarks and heading.find(qn("w:bookmarkStart")).get(qn("w:name")) == anchor
    # Still a field: begin in the first entry, end in the last, so Word and LibreOffice update it.
    kinds = [c.get(qn("w:fldCharType")) for p in entries for c in p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert "TOC" in "".join(t.text for t in entries[0].iter(qn("w:instrText")))


@pytest.mark.slow
def test_libreoffice_shows_the_contents_before_any_field_update(word, tmp_path):
    pdf = libreoffice.convert_to_pdf(word["scrutiny-skills"], tmp_path)
    pages = libreoffice.pdf_text(pdf).split("\f")
    contents = next(page for page in pages if "Contents" in page.splitlines()[:3] or page.lstrip().startswith("Contents"))
    for title in ("Introduction", "Preparing for a meeting", "Self-assessment", "Contact"):
        assert title in contents, contents


@pytest.mark.slow
def test_libreoffice_reads_the_contents_as_an_index_it_can_update(word, tmp_path):
    odt = libreoffice.convert(word["scrutiny-skills"], tmp_path, "odt")
    with zipfile.ZipFile(odt) as archive:
        content = etree.fromstring(archive.read("content.xml"))
    ns = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    (index,) = content.iterfind(".//text:table-of-content", ns)
    source = index.find("text:table-of-content-source", ns)
    assert source.get(f"{{{ns['text']}}}outline-level") == "3"  # the field's \o "1-3": LibreOffice regenerates it from this
    entries = ["".join(p.itertext()).strip() for p in index.iterfind("text:index-body/text:p", ns)]
    assert entries == ["Introduction", "Preparing for a meeting", "Self-assessment", "Answers", "Contact"]


def test_word_steps_number_the_first_paragraph_and_indent_the_rest(word):
    file = WordFile(word["scrutiny-skills"])
    body = list(file.body.iter(qn("w:p")))
    first = next(i for i, p in enumerate(body) if file.text(p).strip() == "Read the papers early.")
    assert body[first].find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
    assert file.style_of(body[first]) == "List Number"
    following = body[first + 1]
    assert file.text(following).startswith("Give yourself time")
    assert file.style_of(following) == "List Continue" and following.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is None


def test_word_properties_have_the_authors_isbn_and_rights(word):
    document = docx.Document(str(word["scrutiny-skills"]))
    props = document.core_properties
    assert (props.author, props.identifier) == ("Jo Example; Sam Sample", "urn:isbn:9781402894626")
    with zipfile.ZipFile(word["scrutiny-skills"]) as archive:
        custom = etree.fromstring(archive.read("docProps/custom.xml"))
        rels = archive.read("_rels/.rels").decode()
    assert "custom-properties" in rels
    # The rights, and the publisher's article the importer reads back (Word's page shows neither).
    rights, article = custom
    assert rights.get("name") == "Rights" and rights[0].text.startswith("© Local Government Association 2026.")
    assert (article.get("name"), article[0].text) == ("Publisher article", "the")
    texts = [p.text for p in document.paragraphs[:12]]
    assert "By Jo Example and Sam Sample" in texts and "ISBN 978-1-4028-9462-6" in texts


def test_an_untitled_challenge_is_labelled_with_its_number_in_word(word):
    file = WordFile(word["scrutiny-skills"])
    labels = [file.text(p).strip() for p in file.paragraphs_in("Challenge Label")]
    assert labels == ["Challenge 1", "Challenge 2 – Rate your scrutiny skills", "Challenge 3 – True or false?"]
