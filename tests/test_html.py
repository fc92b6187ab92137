"""The accessible HTML site: structure, links, the shared page profiles, then the real
validators (Nu HTML Checker, axe-core in Chromium) and keyboard, reload and download
behaviour in a real browser.

Both the Commissioning workbook and the kitchen-sink fixture are built once per module;
vnu runs once over every page; the browser tests share conftest's one Chromium.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError
from lxml import etree

from pipeline import model
from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND, build_workbook
from pipeline.problems import UserError
from pipeline.render import pages
from tests.html_support import (
    RECORD_EVENTS,
    heading_levels,
    is_other_host,
    parse_page,
    references,
    serve_folder,
    tab_until,
    text_of,
)
from tests.sources_support import AXE_TAGS, SOURCES

@pytest.fixture(scope="module")
def out_root(tmp_path_factory, brand):
    root = tmp_path_factory.mktemp("html-build")
    for source in SOURCES.values():
        build_workbook(source, brand, formats=("html",), out_root=root)
    return root


@pytest.fixture(scope="module")
def sites(out_root, brand) -> dict[str, Path]:
    return {name: out_root / name / brand.name / "html" for name in SOURCES}


@pytest.fixture(scope="module")
def all_pages(sites) -> list[Path]:
    return sorted(page for site in sites.values() for page in site.glob("*.html"))


@pytest.fixture(scope="module")
def web(out_root, brand):
    """Base URL of each site, served from 127.0.0.1 (the site must work from a web server)."""
    with serve_folder(out_root) as base:
        yield {name: f"{base}{name}/{brand.name}/html/" for name in SOURCES}


@pytest.fixture()
def browser_context(chromium_browser, web):
    """A fresh browser profile (empty localStorage) that records every request it makes."""
    context = chromium_browser.new_context(accept_downloads=True, viewport={"width": 1024, "height": 800})
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    context.add_init_script(RECORD_EVENTS)
    yield context
    context.close()
    allowed = tuple(web.values()) + ("blob:", "file:", "data:")
    strays = [url for url in context.requests if not url.startswith(allowed)]
    assert not strays, f"the pages asked other hosts for: {strays}"


# --- what the build writes ----------------------------------------------------


@pytest.mark.parametrize("name", SOURCES)
def test_build_writes_a_page_per_section_a_print_page_and_assets(name, sites, documents):
    site = sites[name]
    expected = {f"{page.slug}.html" for page in documents[name].pages} | {"print.html"}
    assert {path.name for path in site.glob("*.html")} == expected
    for asset in ("assets/workbook.css", "assets/workbook-state.js", "assets/workbook.js", "assets/brand.css"):
        assert (site / asset).is_file(), asset


def test_rendering_is_deterministic(documents, brand):
    assert documents
    for document in documents.values():
        for profile in (pages.SITE, pages.EPUB, pages.SCORM):
            assert pages.render_pages(document, brand, profile) == pages.render_pages(document, brand, profile)


def test_brand_colours_and_fonts_become_custom_properties(sites, brand):
    css = (sites["kitchen-sink"] / "assets" / "brand.css").read_text(encoding="utf-8")
    assert f"--wb-primary: {brand.colours.primary};" in css
    assert f"--wb-font-body: {brand.body_font};" in css
    for kind, tint in brand.colours.blocks.items():
        assert f"--wb-block-{kind}: {tint};" in css


# --- page structure -------------------------------------------------------------


def test_every_page_has_one_h1_and_no_skipped_heading_levels(all_pages):
    assert all_pages
    for path in all_pages:
        levels = heading_levels(parse_page(path))
        assert levels.count(1) == 1 and levels[0] == 1, f"{path.name}: headings {levels}"
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{path.name}: h{before} is followed by h{after}"


def test_every_page_has_lang_landmarks_and_a_skip_link(all_pages, documents):
    assert all_pages
    for path in all_pages:
        tree = parse_page(path)
        assert tree.get("lang") == "en-GB"
        for landmark in ("header", "nav", "main", "footer"):
            assert tree.find(f".//{landmark}") is not None, f"{path.name} has no <{landmark}>"
        skip = tree.xpath("//body/a[1]")[0]
        assert skip.get("href") == "#main-content" and tree.get_element_by_id("main-content").tag == "main"


def test_section_pages_have_previous_next_links_and_a_breadcrumb(sites, documents):
    document = documents["commissioning-services"]
    assert len(document.pages) > 2, "needs section pages with both a previous and a next page"
    for page in document.pages[1:]:
        tree = parse_page(sites["commissioning-services"] / f"{page.slug}.html")
        crumbs = [text_of(item) for item in tree.xpath('//nav[@aria-label="Breadcrumb"]//li')]
        assert crumbs == ["Contents", page.title]
        pager = tree.xpath('//nav[@aria-label="Previous and next pages"]')[0]
        assert [link.get("href") for link in pager.xpath('.//a[@rel="prev"]')] == [f"{page.previous}.html"]
        assert [link.get("href") for link in pager.xpath('.//a[@rel="next"]')] == ([f"{page.next}.html"] if page.next else [])


def test_every_block_kind_is_a_labelled_region_with_a_decorative_icon(sites, documents):
    document = documents["kitchen-sink"]
    tree = parse_page(sites["kitchen-sink"] / "print.html")
    typed = [node for node in model.walk(document.workbook) if isinstance(node, (model.Box, model.Challenge))]
    assert {pages.block_kind(node) for node in typed} == set(model.BLOCK_KINDS)
    for node in typed:
        region = tree.get_element_by_id(node.id)
        assert region.tag == "section" and f"block-{pages.block_kind(node)}" in region.get("class")
        heading = tree.get_element_by_id(region.get("aria-labelledby"))
        expected = document.block_label(node)
        if node.title:
            expected += " – " + model.plain_text(node.title)
        assert text_of(heading) == expected
        icon = heading.find(".//svg")
        assert icon.get("aria-hidden") == "true" and icon.get("focusable") == "false"
        assert f"icon-{pages.block_kind(node)}" in icon.get("class")
    assert text_of(tree.get_element_by_id("warm-up-heading")) == "Challenge 1 – What do you know?"


def test_block_kinds_differ_in_border_style_not_only_colour(sites):
    css = (sites["kitchen-sink"] / "assets" / "workbook.css").read_text(encoding="utf-8")
    styles = {kind: re.search(rf"\.block-{kind} \{{[^}}]*border-style: (\w+)", css).group(1) for kind in model.BLOCK_KINDS}
    # useful-links shares "solid" with guidance but has a top bar instead of a thick left border.
    assert len(set(styles.values())) >= 4, styles


def test_links_and_videos_without_an_address_are_plain_text(sites):
    tree = parse_page(sites["kitchen-sink"] / "basics.html")
    spans = [text_of(span) for span in tree.xpath('//span[@class="link-without-address"]')]
    assert spans == ["link without one"]
    assert not [a for a in tree.xpath("//a") if text_of(a) == "link without one"]
    video = parse_page(sites["kitchen-sink"] / "practice.html").get_element_by_id("intro-video")
    assert video.find(".//a") is None and "Watch our video on the approach." in text_of(video)


def test_figures_have_text_alternatives_and_no_broken_images(sites, documents):
    site = sites["kitchen-sink"]
    tree = parse_page(site / "practice.html")
    figures = [node for node in model.walk(documents["kitchen-sink"].workbook) if isinstance(node, model.Figure)]
    # The kitchen sink has each kind of figure: a diagram, an image, and one with neither.
    assert [bool(f.diagram) for f in figures].count(True) and [bool(f.image) for f in figures].count(True)
    assert any(not f.diagram and not f.image for f in figures)
    for figure in figures:
        element = tree.get_element_by_id(figure.id)
        if figure.diagram:
            svg = element.find(".//svg")
            assert svg.get("role") == "img"
            title = tree.get_element_by_id(svg.get("aria-labelledby"))
            desc = tree.get_element_by_id(svg.get("aria-describedby"))
            assert (title.tag, desc.tag) == ("title", "desc") and text_of(desc) == figure.alt
            assert len(svg.xpath('.//*[local-name()="rect"][@class="diagram-node"]')) == len(figure.diagram.nodes)
        elif figure.image:
            image = element.find(".//img")
            assert image.get("alt") == figure.alt and (site / image.get("src")).is_file()
        else:
            assert element.find(".//img") is None and element.find(".//svg") is None
            assert figure.alt in text_of(element) and model.plain_text(figure.caption) in text_of(element)


@pytest.mark.parametrize("layout", ["cycle", "layers", "sequence"])
def test_described_diagrams_fit_their_drawing_and_connect_their_nodes(layout):
    labels = ["Understanding the rationale for the commissioning process", "Plan", "Do", "Review the results together"]
    parts = [model.DiagramPart("node", label) for label in labels]
    if layout == "layers":
        parts.insert(1, model.DiagramPart("divider", "The front line"))
    drawing = pages.diagram_drawing(model.Diagram(layout, tuple(parts)))
    nodes = [box for box in drawing.boxes if box.kind == "node"]
    assert [" ".join(box.lines) for box in nodes] == labels
    for box in drawing.boxes:
        assert 0 <= box.x and box.right <= drawing.width and 0 <= box.y and box.y + box.height <= drawing.height
        assert max(len(line) for line in box.lines) * pages.CHARACTER_WIDTH <= box.width
    expected_arrows = {"cycle": len(nodes), "layers": 0, "sequence": len(nodes) - 1}[layout]
    assert len(drawing.arrows) == expected_arrows
    for first, second in itertools.combinations(nodes, 2):  # no two boxes overlap
        assert not (first.x < second.right and second.x < first.right and first.y < second.y + second.height and second.y < first.y + first.height)


def test_quiz_statements_and_answers_link_to_each_other(sites, documents):
    site = sites["commissioning-services"]
    document = documents["commissioning-services"]
    assert document.all_statements()
    for statement in document.all_statements():
        quiz_page = parse_page(site / f"{document.page_of[statement.id]}.html")
        fieldset = quiz_page.get_element_by_id(statement.id)
        assert fieldset.tag == "fieldset" and text_of(fieldset.find("legend")).endswith(model.plain_text(statement.content))
        to_answer = fieldset.xpath(".//details//a/@href")[0]
        answers_file, anchor = to_answer.split("#")
        answer = parse_page(site / answers_file).get_element_by_id(anchor)
        expected = document.answer_for(statement)
        assert ("True" if expected.value else "False") in text_of(answer)
        assert answer.xpath(".//a/@href")[0] == f"{document.page_of[statement.id]}.html#{statement.id}"


def test_answer_boxes_are_labelled_by_their_question_and_never_limited(sites, documents):
    tree = parse_page(sites["commissioning-services"] / "print.html")
    questions = documents["commissioning-services"].all_questions()
    boxes = tree.xpath("//textarea")
    assert len(boxes) == len(questions)
    for question, box in zip(questions, boxes):
        label = tree.xpath(f'//label[@for="{box.get("id")}"]')[0]
        assert text_of(label) == " ".join(model.plain_text(question.content).split())
        assert box.get("maxlength") is None and box.get("data-question") == question.id


def test_every_answers_kept_note_has_a_storage_warning_and_a_no_script_note(all_pages):
    challenges = 0
    for path in all_pages:
        tree = parse_page(path)
        for challenge in tree.xpath('//section[contains(@class, "block-challenge")][.//textarea]'):
            challenges += 1
            [kept] = challenge.xpath('.//p[@data-answers-kept]')
            [warning] = challenge.xpath('.//p[@data-storage-warning]')
            assert kept.get("hidden") is not None and warning.get("hidden") is not None, path.name
            assert warning.getprevious() is kept, f"{path.name}: the warning is not beside the note"
            assert "not saving your answers" in text_of(warning) and warning.xpath(".//button[@data-download-answers]")
            [noscript] = challenge.xpath(".//noscript")
            # lxml reads a <noscript>'s content as markup: its text is the note.
            assert text_of(noscript) == ("Your answers are not saved without JavaScript: use the Word workbook, "
                                         "or print this page and write on it."), path.name
        if tree.xpath("//textarea"):
            assert tree.xpath("//*[@data-storage-warning]"), f"{path.name} has answer boxes but no storage warning"
    assert challenges, "no page has a challenge with an answer box"


def test_the_storage_key_names_the_brand_and_the_edition(documents, brand, tmp_path):
    document = documents["kitchen-sink"]
    key = pages.storage_key(document, brand)
    assert re.fullmatch(r"workbook-state:default:kitchen-sink:[0-9a-f]{12}", key)
    assert pages.storage_key(document, brand) == key  # stable from build to build

    council_dir = tmp_path / "council"
    shutil.copytree(DEFAULT_BRAND, council_dir)
    council, problems = load_brand(council_dir)
    assert council is not None, problems
    assert pages.storage_key(document, council).startswith("workbook-state:council:kitchen-sink:")
    assert pages.storage_key(document, council).rpartition(":")[2] == key.rpartition(":")[2]

    workbook = document.workbook
    new_version = dataclasses.replace(document, workbook=dataclasses.replace(workbook, version=workbook.version + ".1"))
    assert pages.storage_key(new_version, brand) != key
    fewer_questions = dataclasses.replace(document, nodes=tuple(node for node in document.nodes
                                                                if not (isinstance(node, model.Question) and node.id == "reflect-q2")))
    assert pages.storage_key(fewer_questions, brand) != key
    fewer_statements = dataclasses.replace(document, nodes=tuple(node for node in document.nodes
                                                                 if not (isinstance(node, model.Statement) and node.id == "sky-is-blue")))
    assert pages.storage_key(fewer_statements, brand) != key


def test_pages_give_workbook_js_the_storage_key_and_the_download_name(sites, documents, brand):
    assert sites
    for name, site in sites.items():
        data = json.loads(parse_page(site / "index.html").get_element_by_id("workbook-data").text)
        assert data["storageKey"] == pages.storage_key(documents[name], brand)
        # The default brand's download keeps the plain name; other brands add theirs (tests/test_branding.py).
        assert data["answersFile"] == f"{documents[name].workbook.id}-my-answers.txt"


def test_internal_links_reach_an_existing_page_and_id(sites):
    checked = 0
    for site in sites.values():
        ids = {path.name: set(parse_page(path).xpath("//@id")) for path in site.glob("*.html")}
        for path in site.glob("*.html"):
            for tag, attribute, value in references(parse_page(path)):
                if is_other_host(value):
                    continue
                checked += 1
                target, _, fragment = value.partition("#")
                if not target or target.endswith(".html"):
                    name = target or path.name
                    assert name in ids, f"{path.name}: {value} names a missing page"
                    assert not fragment or fragment in ids[name], f"{path.name}: {value} names a missing id"
                else:
                    assert (site / target).is_file(), f"{path.name}: {attribute}={value} is not in the site"
    assert checked > len(sites), "too few internal links were checked"


def test_no_page_refers_to_another_host_except_the_contents_own_links(sites, documents, brand):
    allowed = {node.href for document in documents.values() for node in model.walk(document.workbook)
               if isinstance(node, (model.Link, model.Video)) and node.href}
    allowed |= {brand.council_website, brand.contact.get("website")} | {link.href for link in brand.links}
    allowed |= {f"mailto:{brand.contact['email']}"} if "email" in brand.contact else set()
    assert sites
    for site in sites.values():
        assert list(site.glob("*.html")) and list(site.glob("assets/*")), f"{site} has no pages or no assets"
        for path in site.glob("*.html"):
            for tag, attribute, value in references(parse_page(path)):
                if is_other_host(value):
                    assert tag == "a" and attribute == "href" and value in allowed, f"{path.name}: <{tag} {attribute}={value}>"
        for asset in site.glob("assets/*"):
            text = asset.read_text(encoding="utf-8", errors="replace")
            assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import|https?://", text), f"{asset.name} loads from another host"


# --- the page profiles other formats share -----------------------------------------


def test_epub_profile_is_well_formed_xhtml_without_scripts(documents, brand):
    document = documents["kitchen-sink"]
    files = pages.render_pages(document, brand, pages.EPUB)
    page_files = sorted(name for name in files if name.endswith(".xhtml"))
    assert page_files == sorted(f"{page.slug}.xhtml" for page in document.pages)
    assert not any(name.endswith(".js") for name in files)
    for name in page_files:
        root = etree.fromstring(files[name])
        assert root.tag == "{http://www.w3.org/1999/xhtml}html"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
        assert not root.xpath("//x:script | //x:textarea | //x:input | //x:noscript", namespaces={"x": "http://www.w3.org/1999/xhtml"})
        assert not root.xpath("//x:*[@data-storage-warning or @data-answers-kept]", namespaces={"x": "http://www.w3.org/1999/xhtml"})
    basics = etree.fromstring(files["basics.xhtml"])
    answer_link = basics.xpath('//x:li[@id="sky-is-blue"]/x:a/@href', namespaces={"x": "http://www.w3.org/1999/xhtml"})
    assert answer_link == ["answers.xhtml#answer-to-sky-is-blue"]


def test_scorm_profile_loads_the_runtime_before_the_workbook_script(documents, brand):
    files = pages.render_pages(documents["kitchen-sink"], brand, pages.SCORM)
    assert "print.html" not in files and "assets/scorm-runtime.js" not in files
    scripts = parse_page(files["basics.html"]).xpath("//script/@src")
    assert scripts == ["assets/scorm-runtime.js", "assets/workbook-state.js", "assets/workbook.js"]


def test_a_brand_can_override_named_blocks_and_bring_a_logo(tmp_path, documents):
    brand_dir = tmp_path / "council"
    shutil.copytree(DEFAULT_BRAND, brand_dir)
    data = json.loads((brand_dir / "brand.json").read_text(encoding="utf-8"))
    data["logo"] = {"file": "logo.svg", "alt": "Example Council"}
    (brand_dir / "brand.json").write_text(json.dumps(data), encoding="utf-8")
    (brand_dir / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>', encoding="utf-8")
    (brand_dir / "templates").mkdir()
    (brand_dir / "templates" / "layout.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block contact %}<p class="council-contact">Call us</p>{% endblock %}', encoding="utf-8")
    council, problems = load_brand(brand_dir)
    assert council is not None, problems
    files = pages.render_pages(documents["kitchen-sink"], council, pages.SITE)
    tree = parse_page(files["basics.html"])
    assert tree.xpath('//img[@class="site-logo"]/@src') == ["assets/logo.svg"] and "assets/logo.svg" in files
    assert tree.xpath('//img[@class="site-logo"]/@alt') == ["Example Council"]
    assert tree.xpath('//footer//p[@class="council-contact"]') and not tree.xpath("//address")


def test_brand_templates_run_in_a_sandbox(tmp_path, documents):
    # A name put together at run time gets past brand.py's reading of the template; the sandbox stops it.
    brand_dir = tmp_path / "sneaky"
    shutil.copytree(DEFAULT_BRAND, brand_dir)
    (brand_dir / "templates").mkdir()
    (brand_dir / "templates" / "layout.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block footer %}\n{% set name = "__" ~ "class__" %}{{ brand|attr(name) }}{% endblock %}',
        encoding="utf-8")
    sneaky, problems = load_brand(brand_dir)
    assert problems == []
    with pytest.raises(UserError) as caught:
        pages.render_pages(documents["kitchen-sink"], sneaky, pages.SITE)
    [problem] = caught.value.problems
    assert (problem.location.file, problem.location.line, problem.code) == (
        str(brand_dir.resolve() / "templates" / "layout.html.j2"), 2, "brand.template-unsafe")
    assert isinstance(caught.value.__cause__, SecurityError)


# --- the real validators ------------------------------------------------------------


@pytest.fixture(scope="module")
def vnu_findings(all_pages):
    from tests.validators import vnu

    return vnu.check_html(all_pages)


@pytest.mark.slow
def test_nu_html_checker_finds_no_errors(vnu_findings):
    from tests.validators import errors, format_findings

    assert not errors(vnu_findings), format_findings(vnu_findings)


@pytest.mark.slow
def test_nu_html_checker_finds_no_warnings(vnu_findings):
    from tests.validators import format_findings

    assert not vnu_findings, format_findings(vnu_findings)


@pytest.mark.slow
def test_axe_finds_no_wcag_22_aa_violations(all_pages, chromium_browser):
    from tests.validators import axe

    results = axe.check_pages(all_pages, AXE_TAGS, browser=chromium_browser)
    assert set(results) == {str(page) for page in all_pages}
    assert not any(results.values()), f"axe-core {axe.version()}:\n" + axe.format_violations(results)


@pytest.mark.slow
def test_pages_reflow_at_320_css_pixels(all_pages, chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        assert all_pages
        for path in all_pages:
            page.goto(path.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path.name} scrolls sideways at 320px ({width}px wide)"
    finally:
        context.close()


# --- in the browser: keyboard, reload, download, events ----------------------------------


@pytest.mark.slow
def test_the_quiz_can_be_done_by_keyboard_alone(browser_context, web, documents, brand):
    page = browser_context.new_page()
    page.goto(web["kitchen-sink"] + "basics.html")
    # Statement 1 (true): Tab into its group, Space picks the first choice, "True".
    tab_until(page, "el => el.name === 'quiz-sky-is-blue'")
    page.keyboard.press("Space")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused radio button shows no focus indicator"
    # Statement 2 (false): arrow keys move to and pick "False".
    tab_until(page, "el => el.name === 'quiz-grass-is-red'")
    page.keyboard.press("ArrowRight")
    # Statement 3 (true): answered wrongly on purpose, to see the score count it.
    tab_until(page, "el => el.name === 'quiz-water-is-wet'")
    page.keyboard.press("ArrowDown")
    tab_until(page, "el => el.matches('[data-quiz-check]')")
    page.keyboard.press("Enter")

    score = page.locator('#facts [role="status"]')
    assert score.text_content() == "You got 2 of 3 right."
    assert page.locator("#sky-is-blue-true").is_checked() and page.locator("#grass-is-red-false").is_checked()
    verdicts = page.locator(".quiz-feedback:not([hidden]) [data-verdict]").all_text_contents()
    assert verdicts == ["Correct.", "Correct.", "Not quite."]
    assert "It is." in page.locator("#water-is-wet-feedback").text_content()

    checked = [event["detail"] for event in page.evaluate("window.recordedEvents") if event["name"] == "workbook:quiz-checked"]
    assert checked == [{"score": 2, "max": 3, "results": [
        {"id": "sky-is-blue", "kind": "statement", "response": True, "correct": True, "expected": True},
        {"id": "grass-is-red", "kind": "statement", "response": False, "correct": True, "expected": False},
        {"id": "water-is-wet", "kind": "statement", "response": False, "correct": False, "expected": True},
    ]}]
    state = json.loads(page.evaluate("key => localStorage.getItem(key)", pages.storage_key(documents["kitchen-sink"], brand)))
    assert state == {"v": 2, "answers": {}, "quiz": {"sky-is-blue": True, "grass-is-red": False, "water-is-wet": False},
                     "choices": {}, "checks": {}, "ratings": {}, "checked": True, "visited": ["basics"], "page": "basics"}

    # After a reload the choices, the feedback and the score are all still there.
    page.reload()
    assert page.locator("#grass-is-red-false").is_checked()
    assert page.locator('#facts [role="status"]').text_content() == "You got 2 of 3 right."


@pytest.mark.slow
def test_typed_answers_survive_a_reload_and_are_all_in_the_download(browser_context, web, tmp_path, documents, brand):
    long_answer = "First line of my answer – with ‘quotes’ & <angle brackets>.\n" + "word " * 3000 + "\nLast line."
    page = browser_context.new_page()
    page.goto(web["kitchen-sink"] + "practice.html")
    box = page.get_by_label("How does your council define commissioning?")
    box.fill(long_answer)
    page.get_by_label("Which of these groups matter most:").press_sequentially("Residents first")
    page.reload()
    assert page.get_by_label("How does your council define commissioning?").input_value() == long_answer
    assert page.get_by_label("Which of these groups matter most:").input_value() == "Residents first"

    events = page.evaluate("window.recordedEvents")
    assert events[0] == {"name": "workbook:page-visited", "detail": {"slug": "practice"}}

    # The download from another page holds every question and every character typed.
    page.goto(web["kitchen-sink"] + "index.html")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all my answers").click()
    download = download_info.value
    assert download.suggested_filename == "kitchen-sink-my-answers.txt"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    # UTF-8 with a byte order mark and CRLF line ends, so Windows editors show "–" and "’" and the lines.
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") and b"\r\r" not in data
    assert "First line of my answer – with ‘quotes’ & <angle brackets>.\r\n".encode("utf-8") in data
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    assert "How does your council define commissioning?" in text and long_answer in text
    assert "Which of these groups matter most:\n  - residents\n  - local businesses" in text and "Residents first" in text

    # Printed, the whole answer shows (a printed textarea would cut it off).
    page.goto(web["kitchen-sink"] + "print.html")
    page.emulate_media(media="print")
    assert page.locator('[data-answer-print="reflect-define"]').inner_text() == long_answer
    assert not page.locator("textarea").first.is_visible()

    state = json.loads(page.evaluate("key => localStorage.getItem(key)", pages.storage_key(documents["kitchen-sink"], brand)))
    assert state["visited"] == ["practice", "index"] and state["page"] == "index"


@pytest.mark.slow
def test_typing_tells_the_host_and_a_host_store_replaces_local_storage(chromium_browser, web):
    context = chromium_browser.new_context()
    context.add_init_script(RECORD_EVENTS + """
        window.savedStates = [];
        window.WorkbookStore = {
          load: function () { return {v: 1, answers: {"reflect-define": "From the LMS"}, quiz: {}, checked: false, visited: ["index"], page: "index"}; },
          save: function (state) { window.savedStates.push(JSON.parse(JSON.stringify(state))); }
        };""")
    try:
        page = context.new_page()
        page.goto(web["kitchen-sink"] + "practice.html")
        box = page.get_by_label("How does your council define commissioning?")
        assert box.input_value() == "From the LMS"
        box.press("End")
        box.press("!")
        names = [event["name"] for event in page.evaluate("window.recordedEvents")]
        assert names == ["workbook:page-visited", "workbook:answers-changed"]
        changed = page.evaluate("window.recordedEvents[1].detail")
        assert changed == {"id": "reflect-define", "answers": {"reflect-define": "From the LMS!"}}
        last = page.evaluate("window.savedStates[window.savedStates.length - 1]")
        assert last == {"v": 2, "answers": {"reflect-define": "From the LMS!"}, "quiz": {}, "choices": {}, "checks": {},
                        "ratings": {}, "checked": False, "visited": ["index", "practice"], "page": "practice"}
        assert page.evaluate("localStorage.length") == 0
    finally:
        context.close()


@pytest.mark.slow
def test_without_javascript_the_answers_are_in_disclosure_widgets(chromium_browser, web):
    context = chromium_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(web["kitchen-sink"] + "basics.html")
        assert not page.get_by_role("button", name="Check my answers").is_visible()
        answer = page.locator("#grass-is-red details")
        assert not answer.locator("p").is_visible()
        answer.locator("summary").click()
        assert "Grass is green." in answer.locator("p").inner_text()
    finally:
        context.close()


# localStorage that refuses every write, as in some private windows and for some file:// pages.
REFUSING_STORAGE = """
Storage.prototype.setItem = function () { throw new DOMException("refused", "SecurityError"); };
"""


@pytest.mark.slow
@pytest.mark.parametrize("refusal", ["local storage refuses", "the host store is not persistent"])
def test_without_a_persistent_store_each_answers_note_becomes_a_warning_with_the_download(chromium_browser, web, refusal):
    context = chromium_browser.new_context(accept_downloads=True)
    if refusal == "local storage refuses":
        context.add_init_script(REFUSING_STORAGE)
    else:
        context.add_init_script("window.WorkbookStore = {persistent: false, load: function () { return null; }, save: function () {}};")
    try:
        page = context.new_page()
        page.goto(web["kitchen-sink"] + "practice.html")
        challenge = page.locator("#reflect")
        assert not challenge.locator("[data-answers-kept]").is_visible()
        warning = challenge.locator("[data-storage-warning]")
        assert warning.is_visible()
        assert warning.inner_text().startswith("This browser is not saving your answers")
        page.get_by_label("How does your council define commissioning?").fill("Kept only in this page")
        with page.expect_download() as download_info:
            warning.get_by_role("button", name="Download all my answers").click()
        assert download_info.value.suggested_filename == "kitchen-sink-my-answers.txt"
        # The contents page's "saved as you type" sentence gives way too.
        page.goto(web["kitchen-sink"] + "index.html")
        assert page.locator("[data-storage-warning]").is_visible()
        assert not page.locator(".your-answers [data-answers-kept]").is_visible()
    finally:
        context.close()


@pytest.mark.slow
def test_with_local_storage_the_note_shows_and_the_warning_does_not(browser_context, web):
    page = browser_context.new_page()
    page.goto(web["kitchen-sink"] + "practice.html")
    assert page.locator("#reflect [data-answers-kept]").is_visible()
    assert not page.locator("[data-storage-warning]").first.is_visible()
    page.goto(web["kitchen-sink"] + "index.html")
    assert page.locator(".your-answers [data-answers-kept]").is_visible()


@pytest.mark.slow
def test_without_javascript_a_note_by_the_answer_boxes_says_they_are_not_saved(chromium_browser, web):
    context = chromium_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(web["kitchen-sink"] + "practice.html")
        note = page.locator("#reflect .answers-not-kept")
        assert note.is_visible()
        assert note.inner_text() == ("Your answers are not saved without JavaScript: use the Word workbook, "
                                     "or print this page and write on it.")
        assert not page.locator("#reflect [data-answers-kept]").is_visible()
        assert not page.locator("#reflect [data-storage-warning]").is_visible()
        page.goto(web["kitchen-sink"] + "index.html")
        assert "saved as you type" not in page.locator(".your-answers").inner_text()
    finally:
        context.close()
