"""PDF: tagged PDF/UA-1 (read back with pikepdf and poppler), fillable, in source order, reproducible, for every brand.

No PDF/UA validator (veraPDF, PAC) installs here, so each requirement is read
from the file itself: the catalog, the XMP, the structure tree, the outline,
the form fields, pdffonts and pdftotext (tests/validators/pdf.py).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from pipeline import model
from pipeline.brand import load_brand
from pipeline.build import PROJECT_ROOT, load_document
from tests.sources_support import ANSWERS, ROOT, SERIES, xml_source
from pipeline.render import pages
from pipeline.render.pdf import PDF, render_pdf
from tests.validators import pdf as pdf_reader

SOURCES = {
    "commissioning": PROJECT_ROOT / "source" / "commissioning-services" / "workbook.xml",
    "kitchen-sink": PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml",
    "series": SERIES,  # tables, numbered steps, an untitled challenge, full metadata (issue 12)
    "answers": ANSWERS,  # choices, checklists, rating scales, drawing spaces (issue 13)
}
BRANDS = ("default", "northshire", "westvale")
# Every brand for the two workbooks; the default brand only for the fixtures of issues 12 and 13
# (the brand changes nothing these kinds do, and each PDF costs seconds).
CASES = ([(source, brand) for source in ("commissioning", "kitchen-sink") for brand in BRANDS]
         + [("series", "default"), ("answers", "default")])
IDS = [f"{source}-{brand}" for source, brand in CASES]


class Built:
    """One PDF built from a source and brand, read back once."""

    def __init__(self, path: Path, doc, brand):
        self.path, self.doc, self.brand = path, doc, brand
        self.facts = pdf_reader.read_facts(path)
        self.pages = pdf_reader.page_texts(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    cache: dict[tuple[str, str], Built] = {}

    def get(source: str, brand_name: str) -> Built:
        if (source, brand_name) not in cache:
            doc, _ = load_document(SOURCES[source])
            brand, problems = load_brand(ROOT / "brands" / brand_name)
            assert brand is not None, problems
            path = tmp_path_factory.mktemp(f"pdf-{source}-{brand_name}") / f"{doc.workbook.id}.pdf"
            render_pdf(doc, brand, path)
            cache[source, brand_name] = Built(path, doc, brand)
        return cache[source, brand_name]

    return get


def normalised(text: str) -> str:
    """NFKC (ligatures such as "ﬁ" back to letters) and single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


# --- what PDF/UA-1 asks of the document ---------------------------------------------


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_pdf_is_tagged_pdf_ua_with_language_and_title(built, source, brand):
    result = built(source, brand)
    facts = result.facts
    assert facts.marked, "/MarkInfo /Marked is not true"
    assert facts.has_struct_tree, "no /StructTreeRoot"
    assert facts.lang == result.doc.workbook.lang
    assert facts.display_doc_title, "/ViewerPreferences /DisplayDocTitle is not true"
    assert facts.pdfua_part == "1"
    assert facts.dc_title == result.doc.title
    roles = {element.role for element in facts.elements}
    assert {"/Document", "/H1", "/P", "/Form"} <= roles


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_every_figure_has_alt_text_and_decorative_icons_are_not_figures(built, source, brand):
    result = built(source, brand)
    figures = [element for element in result.facts.elements if element.role == "/Figure"]
    assert [figure for figure in figures if not figure.alt] == []
    # The figures are the logo and the workbook's images and diagrams, nothing else:
    # the box icons (several on every page) are CSS backgrounds, written as artifacts.
    expected = sum(1 for node in model.walk(result.doc.workbook)
                   if isinstance(node, model.Figure) and (node.image is not None or node.diagram is not None))
    expected += 1 if result.brand.logo is not None else 0
    assert len(figures) == expected
    if result.brand.logo is not None:
        assert result.brand.logo.alt in [figure.alt for figure in figures]


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_all_content_is_in_the_structure_tree_or_an_artifact(built, source, brand):
    # WeasyPrint 70 leaves the running header and footer outside the tree; render_pdf makes them artifacts.
    assert pdf_reader.marked_content_outside_tree(built(source, brand).path) == []


def _print_page_headings(doc, brand) -> list[str]:
    page = pages.render_pages(doc, brand, PDF)[pages.page_filename(pages.print_slug(doc), PDF)]
    tree = lxml.html.fromstring(page)
    return [normalised(heading.text_content()) for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_outline_has_an_entry_per_heading_in_order(built, source, brand):
    result = built(source, brand)
    headings = _print_page_headings(result.doc, result.brand)
    assert [normalised(title) for title, _ in result.facts.outline] == headings
    assert all(page >= 1 for _, page in result.facts.outline)


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_every_font_is_embedded(built, source, brand):
    fonts = pdf_reader.fonts(built(source, brand).path)
    assert fonts, "pdffonts lists no font"
    assert [font["name"] for font in fonts if not font["embedded"]] == []


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_brand_font_is_the_one_embedded(built, source, brand):
    result = built(source, brand)
    names = " ".join(font["name"] for font in pdf_reader.fonts(result.path))
    assert bool(result.brand.font_files) == (brand == "westvale")  # the one brand with a font of its own
    for font in result.brand.font_files:
        assert font.family.replace(" ", "-") in names


# --- fillable --------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_every_answer_box_and_tick_box_is_a_named_form_field(built, source, brand):
    result = built(source, brand)
    fields = {field.name: field for field in result.facts.fields}
    assert len(fields) == len(result.facts.fields), "two form fields with one name"
    assert [field.name for field in result.facts.fields if not field.accessible_name] == []
    for question in result.doc.all_questions():
        field = fields.pop(question.id, None)
        if question.space == "drawing":
            assert field is None, f"drawing question {question.id} has a text field: it is drawn on paper"
            continue
        assert field is not None, f"no form field for question {question.id}"
        assert field.kind == "/Tx"
        assert field.accessible_name == normalised(model.plain_text(question.content))
    for quiz in _quizzes(result.doc):
        for number, statement in enumerate(quiz.statements, start=1):
            for value, text in (("true", "True"), ("false", "False")):
                field = fields.pop(f"{statement.id}-{value}", None)
                assert field is not None, f"no tick box {value} for statement {statement.id}"
                assert field.kind == "/Btn"
                assert field.accessible_name == f"Statement {number}: {normalised(model.plain_text(statement.content))} – {text}"
        for number, choice in enumerate(quiz.choices, start=len(quiz.statements) + 1):
            prompt = f"Question {number}: {normalised(model.plain_text(choice.prompt))}"
            options = [f"{prompt} – {normalised(model.plain_text(option.content))}" for option in choice.options]
            if choice.select == "one":
                group = fields.pop(choice.id, None)
                assert group is not None, f"no radio group for choice {choice.id}"
                assert (group.kind, group.radio, group.accessible_name) == ("/Btn", True, prompt)
                assert list(group.buttons) == options
            else:
                for option, name in zip(choice.options, options):
                    field = fields.pop(option.id, None)
                    assert field is not None, f"no tick box for option {option.id}"
                    assert (field.kind, field.radio, field.accessible_name) == ("/Btn", False, name)
    for checklist in _of_kind(result.doc, model.Checklist):
        prompt = normalised(model.plain_text(checklist.prompt)) if checklist.prompt else "Tick each one you have done"
        for check in checklist.checks:
            field = fields.pop(f"check-{check.id}", None)
            assert field is not None, f"no tick box for check {check.id}"
            assert (field.kind, field.radio) == ("/Btn", False)
            assert field.accessible_name == f"{prompt} – {normalised(model.plain_text(check.content))}"
    for scale in _of_kind(result.doc, model.RatingScale):
        prompt = normalised(model.plain_text(scale.prompt)) if scale.prompt else "Rate each statement"
        prompt += " " if prompt[-1] in ".?!:" else ": "
        for statement in scale.statements:
            text = normalised(model.plain_text(statement.content))
            group = fields.pop(f"rating-{statement.id}", None)
            assert group is not None, f"no radio group for rated statement {statement.id}"
            assert (group.kind, group.radio, group.accessible_name) == ("/Btn", True, prompt + text)
            assert list(group.buttons) == [f"{text} – {level.label}" for level in scale.levels]
    assert fields == {}, "form fields that answer nothing"


def _of_kind(doc, kind):
    return [node for node in model.walk(doc.workbook) if isinstance(node, kind)]


def _quizzes(doc):
    return _of_kind(doc, model.Quiz)


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_lines_size_the_answer_box(built, source, brand):
    result = built(source, brand)
    heights = {field.name: field.height * 25.4 / 72 for field in result.facts.fields if field.kind == "/Tx"}
    typed = [question for question in result.doc.all_questions() if question.space != "drawing"]
    assert typed and set(heights) >= {question.id for question in typed}
    for question in typed:
        # 6 mm a line and 2 mm more, less the box's border and padding.
        assert abs(heights[question.id] - ((question.lines or 6) * 6 + 2)) < 3, (question.id, heights[question.id])


def _word_boxes(path: Path) -> list[tuple[int, float, float, str]]:
    """(page, top, bottom, word) of every word pdftotext finds, in reading order."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    tree = lxml.html.fromstring(out.encode("utf-8"))
    words = []
    for number, page in enumerate(tree.iter("page"), start=1):
        for word in page.iter("word"):
            words.append((number, float(word.get("ymin")), float(word.get("ymax")), word.text_content()))
    return words


def test_a_drawing_question_has_a_blank_box_sized_by_its_lines(built):
    result = built("answers", "default")
    words = _word_boxes(result.path)
    text = [word for _, _, _, word in words]
    drawing = next(question for question in result.doc.all_questions() if question.space == "drawing")
    after = result.doc.all_questions()[result.doc.all_questions().index(drawing) + 1]
    # The last word of the drawing question, then the first word after its box: the next question's.
    question = model.plain_text(drawing.content).split()
    start = next(index for index in range(len(text)) if text[index:index + len(question)] == question)
    last = start + len(question) - 1
    page, _, bottom, _ = words[last]
    next_page, top, _, word = words[last + 1]
    assert word == model.plain_text(after.content).split()[0]
    assert next_page == page, "the drawing box runs over a page"
    gap_mm = (top - bottom) * 25.4 / 72
    assert gap_mm >= drawing.lines * 7, f"the drawing box is {gap_mm:.0f} mm high for {drawing.lines} lines"


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_every_table_is_tagged_with_its_caption_rows_and_cells(built, source, brand):
    result = built(source, brand)
    tables = [element for element in result.facts.elements if element.role == "/Table"]
    # The workbook's tables, a table per true/false quiz, and a table per rating scale.
    expected = (len(_of_kind(result.doc, model.Table)) + len([quiz for quiz in _quizzes(result.doc) if quiz.statements])
                + len(_of_kind(result.doc, model.RatingScale)))
    assert len(tables) == expected
    for table in tables:
        assert table.kids[0] == "/Caption", table.kids
        assert {"/TBody", "/TR"} <= table.descendants and table.descendants & {"/TD", "/TH"}, sorted(table.descendants)
    # A head row is a /THead of /TH: the workbook's tables with one, every quiz and every scale.
    headed = expected - len([table for table in _of_kind(result.doc, model.Table) if table.head is None])
    assert len([table for table in tables if {"/THead", "/TH"} <= table.descendants]) == headed


def test_a_long_table_repeats_its_head_row_on_each_page(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    rows = "".join(f"<row><cell header=\"true\">Meeting {number}</cell><cell>Papers out a week before.</cell></row>"
                   for number in range(1, 61))
    body = ("<meta><title>Long table</title></meta><section id=\"s\"><title>Dates</title>"
            f"<table id=\"t\"><caption>Every meeting</caption><head><cell>Meeting</cell><cell>Papers</cell></head>{rows}</table>"
            "</section>")
    source = tmp_path / "workbook.xml"
    source.write_text(xml_source(body), encoding="utf-8")
    doc, problems = load_document(source)
    assert doc is not None, problems
    brand, _ = load_brand(ROOT / "brands" / "default")
    output = tmp_path / "long.pdf"
    render_pdf(doc, brand, output)
    table_pages = [text for text in pdf_reader.page_texts(output) if re.search(r"^Meeting \d+$", text, re.MULTILINE)]
    assert len(table_pages) >= 2, "the table fits on one page: the test needs a longer one"
    for text in table_pages:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        first = next(index for index, line in enumerate(lines) if re.fullmatch(r"Meeting( \d+)?", line))
        assert lines[first:first + 2] == ["Meeting", "Papers"], f"no head row at the top of the table: {lines[first:first + 4]!r}"


@pytest.mark.parametrize("source", ["series", "kitchen-sink"])
def test_numbered_steps_are_numbered_with_their_paragraphs(built, source):
    result = built(source, "default")
    text = _body_text(result)
    steps = [node for node in _of_kind(result.doc, model.ListBlock) if node.ordered]
    assert steps and any(item.blocks for step in steps for item in step.items)
    for step in steps:
        for number, item in enumerate(step.items, start=1):
            paragraphs = [block for block in item.blocks if isinstance(block, model.Paragraph)]
            first = _words(item.content or paragraphs[0].content, result.doc)
            found = re.search(rf"\b{number}\.\s*" + _sentence_pattern(_sentences(first)[0]).pattern, text)
            assert found is not None, f"step {number} is not numbered: {first!r}"
            for paragraph in paragraphs[1:]:
                assert _sentence_pattern(_sentences(_words(paragraph.content, result.doc))[0]).search(text, found.end())
    # Tagged as a list: a step is a /LI with its number (/Lbl) and its paragraphs in its body (/LBody).
    items = [element for element in result.facts.elements if element.role == "/LI"]
    assert any(element.kids == ("/Lbl", "/LBody") and "/P" in element.descendants for element in items)


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_lists_hold_items_and_items_a_label_and_a_body(built, source, brand):
    # ISO 32000-1 14.8.4.3.3; WeasyPrint 70 puts a step's paragraphs, and a list inside a
    # step, elsewhere: render_pdf moves them (_list_items_in_bodies).
    elements = built(source, brand).facts.elements
    assert [element.kids for element in elements if element.role == "/L" and set(element.kids) != {"/LI"}] == []
    assert [element.kids for element in elements
            if element.role == "/LI" and element.kids not in (("/Lbl", "/LBody"), ("/LBody",))] == []


def test_the_series_metadata_names_its_authors_rights_and_isbn(built):
    result = built("series", "default")
    meta = result.doc.workbook.meta
    assert result.facts.dc_creator == meta.authors == ("Jo Example", "Sam Sample")
    assert result.facts.info_author == "Jo Example, Sam Sample"
    assert result.facts.dc_rights == meta.rights
    assert result.facts.dc_identifier == "urn:isbn:9781402894626"
    cover = normalised(result.pages[0])
    assert "By Jo Example and Sam Sample" in cover
    assert "Published by the Local Government Association, 2026-02-01." in cover
    assert "ISBN 978-1-4028-9462-6 · Reference L26-001" in cover
    assert meta.rights in cover


def test_without_authors_the_publisher_is_the_author_and_no_rights_are_claimed(built):
    result = built("answers", "default")
    assert result.facts.dc_creator == ("Workbook toolkit test suite",)
    assert result.facts.info_author == "Workbook toolkit test suite"
    assert (result.facts.dc_rights, result.facts.dc_identifier) == (None, None)


# --- text: every sentence in order; contents page numbers ---------------------------


def _body_text(result: Built) -> str:
    """Every page's text without the running header and footer, as one normalised string."""
    running = {result.doc.title, result.brand.council_name}
    kept = []
    for text in result.pages:
        lines = [line for line in text.splitlines()
                 if line.strip() not in running and not re.fullmatch(r"Page \d+ of \d+", line.strip())]
        kept.append("\n".join(lines))
    return normalised("\n".join(kept))


def _reading_order(node):
    """The model's nodes as a reader meets them: model.walk, but a challenge's intro before its questions.

    (model.children follows the dataclass fields, and Challenge declares `items` before `intro`.)
    """
    yield node
    kids = tuple(model.children(node))
    if isinstance(node, model.Challenge):
        kids = tuple(node.intro) + tuple(kid for kid in kids if kid not in node.intro)
    for kid in kids:
        yield from _reading_order(kid)


def _words(content, doc) -> str:
    """Inline content as printed: a reference without words of its own shows its target's title."""
    parts = []
    for node in content or ():
        if isinstance(node, model.Text):
            parts.append(node.text)
        elif isinstance(node, model.Ref) and not node.content:
            parts.append(doc.target_title(node.target))
        else:
            parts.append(_words(node.content, doc))
    return "".join(parts)


def _node_texts(node, doc) -> list[str]:
    """The words a node itself prints (not its children's)."""
    if isinstance(node, model.Section):
        return [_words(node.title, doc)]
    if isinstance(node, (model.Paragraph, model.ListItem, model.Question, model.Statement, model.Option,
                         model.Check, model.RatedStatement, model.TableCell)):
        return [_words(node.content, doc)]
    if isinstance(node, (model.Quiz, model.Choice, model.Checklist)):
        return [_words(node.prompt, doc)]
    if isinstance(node, model.RatingScale):
        return [_words(node.prompt, doc), *(level.label for level in node.levels)]
    return []


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.?!])\s+", normalised(text)) if part]


def _source_sentences(doc) -> list[list[str]]:
    """The source's sentences in reading order, in groups that may be read in any order among themselves.

    A group is one sentence, or a table's cells: pdftotext reads a table by the lines
    on the page, not by rows (a short cell beside a cell of two paragraphs comes out
    between them, a row header before a head row whose first cell is empty). The
    order inside a table is the structure tree's, which WeasyPrint takes from the page.
    """
    groups: list[list[str]] = []
    nodes = _reading_order(doc.workbook)
    for node in nodes:
        if isinstance(node, model.Table):
            inside = list(_reading_order(node))[1:]
            groups += [[sentence] for sentence in _sentences(_words(node.caption, doc))]
            groups.append([sentence for inner in inside for text in _node_texts(inner, doc) for sentence in _sentences(text)])
            for _ in inside:
                next(nodes)  # the table's own nodes, read above
            continue
        groups += [[sentence] for text in _node_texts(node, doc) for sentence in _sentences(text)]
    return [group for group in groups if group]


def _sentence_pattern(sentence: str) -> re.Pattern:
    # Tokens may be separated by line breaks, and a link's printed address "(https://...)"
    # may follow any word: the PDF adds it where the link's words do not show it. A hyphen
    # may be missing: pdftotext joins "in-" at a line's end and "depth" into "indepth".
    tokens = re.findall(r"\w+|[^\w\s]", sentence)
    gap = r"\s*(?:\((?:https?://|[^)\s]*@)[^)]*\)\s*)?"
    return re.compile(gap.join("-?" if token == "-" else re.escape(token) for token in tokens))


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_text_holds_every_sentence_of_the_source_in_order(built, source, brand):
    result = built(source, brand)
    text = _body_text(result)
    groups = _source_sentences(result.doc)
    assert sum(len(group) for group in groups) > 20
    position = 0
    for group in groups:
        starts = []
        for sentence in group:
            found = _sentence_pattern(sentence).search(text, position)
            assert found is not None, f"not found after position {position}: {sentence!r}; text there: {text[position:position + 200]!r}"
            starts.append(found.start())
        position = max(starts)


@pytest.mark.parametrize(("source", "brand"), CASES, ids=IDS)
def test_contents_page_numbers_match_the_pages_of_the_headings(built, source, brand):
    result = built(source, brand)
    titles = [normalised(model.plain_text(node.title)) for node in model.walk(result.doc.workbook)
              if isinstance(node, model.Section)]
    contents = [index for index, text in enumerate(result.pages) if "Contents" in text.splitlines()[:4]]
    assert contents, "no contents page"
    start = contents[0]
    listing = normalised(" ".join(result.pages[start:start + 4]))
    position = 0
    for title in titles:
        found = re.compile(re.escape(title) + r"[ .]*(\d+)").search(listing, position)
        assert found is not None, f"contents entry {title!r} with a page number not found"
        position = found.end()
        page = int(found.group(1))
        assert page > start + 1, f"{title!r} is listed on page {page}, within the contents"
        on_page = normalised(result.pages[page - 1])
        assert title in on_page, f"contents say {title!r} is on page {page}, which reads: {on_page[:300]!r}"


def test_links_show_their_address_where_their_words_do_not(built):
    text = _body_text(built("kitchen-sink", "default"))
    # The address may wrap at any character, so pdftotext may put spaces in it.
    printed = re.findall(r"link with an address \(([^)]*)\)", text)
    assert [address.replace(" ", "") for address in printed] == ["https://www.local.gov.uk/"]
    assert "link without one (" not in text


def test_the_pdf_layer_prints_no_address_for_a_link_that_shows_it():
    from pipeline.render.pages import page_environment

    brand, _ = load_brand(ROOT / "brands" / "default")
    environment = page_environment(brand, PDF)
    macro = environment.get_template("partials/inline.html.j2").module.inlines
    shown = [model.Link("https://www.local.gov.uk/", (model.Text("www.local.gov.uk"),))]
    hidden = [model.Link("https://www.local.gov.uk/", (model.Text("the LGA"),))]
    assert "link-address" not in str(macro(shown, None))
    assert '<span class="link-address"> (https://www.local.gov.uk/)</span>' in str(macro(hidden, None))


@pytest.mark.parametrize("brand", BRANDS)
def test_every_page_after_the_cover_has_the_running_header_and_footer(built, brand):
    result = built("commissioning", brand)
    total = result.facts.page_count
    assert result.doc.title not in result.pages[0].splitlines()[:1]
    for number, text in enumerate(result.pages[1:], start=2):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == result.doc.title, f"page {number} header: {lines[0]!r}"
        assert f"Page {number} of {total}" in lines[-3:], f"page {number} footer: {lines[-3:]!r}"
        assert result.brand.council_name in lines[-3:], f"page {number} footer: {lines[-3:]!r}"


# --- reproducible ----------------------------------------------------------------------


@pytest.mark.parametrize(("source", "brand"), [*(("commissioning", brand) for brand in BRANDS),
                                               ("series", "default"), ("answers", "default")])
def test_two_builds_are_byte_identical(built, tmp_path, source, brand):
    # The series and answers workbooks: the XMP they add to and the radio groups render_pdf renames.
    first = built(source, brand)
    again = tmp_path / "again.pdf"
    render_pdf(first.doc, first.brand, again)
    assert again.read_bytes() == first.path.read_bytes()


def test_dates_come_from_source_date_epoch(built, tmp_path, monkeypatch):
    import pikepdf

    first = built("kitchen-sink", "default")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    later = tmp_path / "later.pdf"
    render_pdf(first.doc, first.brand, later)
    with pikepdf.open(later) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20231114221320Z"
        assert str(pdf.docinfo["/ModDate"]) == "D:20231114221320Z"


# --- a brand file WeasyPrint cannot use ---------------------------------------------------


def _broken_brand(tmp_path: Path, what: str) -> Path:
    folder = tmp_path / "brokenbrand"
    shutil.copytree(ROOT / "brands" / "westvale", folder)
    if what == "font":
        # A TrueType signature (brand.py checks the content's type) and then nothing usable.
        (folder / "fonts" / "DejaVuSerif.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 60)
    else:
        data = json.loads((folder / "brand.json").read_text(encoding="utf-8"))
        data["logo"] = {"file": "logo.png", "alt": "Westvale Borough Council"}
        (folder / "brand.json").write_text(json.dumps(data), encoding="utf-8")
        (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 60)
    return folder


@pytest.mark.parametrize(("what", "expected"), [
    ("font", "brokenbrand/fonts/DejaVuSerif.ttf: error: the PDF cannot use this font file for 'DejaVu Serif' "
             "(WeasyPrint could not load it); replace it with a working TrueType, OpenType, WOFF or WOFF2 file, "
             "or remove it from brand.json [pdf.font-unusable]"),
    ("logo", "brokenbrand/logo.png: error: the PDF cannot use this image (WeasyPrint could not read it); "
             "replace it with a working PNG, JPEG or SVG file [pdf.image-unusable]"),
])
def test_a_brand_file_weasyprint_cannot_use_stops_the_build(tmp_path, what, expected):
    folder = _broken_brand(tmp_path, what)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(SOURCES["kitchen-sink"]), "--brand", str(folder),
         "--format", "pdf", "--out", str(out), "--jobs", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert not list(out.rglob("*.pdf"))
