"""Languages: catalogs chosen by the workbook's lang, complete catalogs, bilingual editions (issue 15)."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2.sandbox import SandboxedEnvironment

from pipeline import i18n, jsonform, model
from pipeline.dump import to_xml
from pipeline.editions import find_editions, source_beside, translation_rules
from pipeline.load import load_source
from pipeline.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent
WELSH = ROOT / "tests" / "fixtures" / "welsh" / "comisiynu-hanfodion" / "workbook.xml"
ENGLISH = ROOT / "tests" / "fixtures" / "welsh" / "commissioning-basics" / "workbook.xml"


# --- choosing a catalog ------------------------------------------------------


@pytest.mark.parametrize("tag, names", [
    ("cy-GB", ("cy_GB", "cy")),
    ("cy", ("cy",)),
    ("EN-gb", ("en_GB", "en")),
    ("zh-Hant-TW", ("zh_Hant_TW", "zh_Hant", "zh_TW", "zh")),
    ("es-419", ("es_419", "es")),
    ("not a tag", ()),
])
def test_catalog_names_drop_subtags_from_the_end(tag, names):
    assert i18n.catalog_names(tag) == names


def test_welsh_and_english_catalogs_ship():
    assert {"cy", "en"} <= set(i18n.available_catalogs())


@pytest.mark.parametrize("tag", ["cy", "cy-GB", "CY-gb"])
def test_a_welsh_tag_chooses_the_welsh_catalog(tag):
    language = i18n.language_for(tag)
    assert (language.catalog, language.has_catalog, language.untranslated) == ("cy", True, ())
    assert language.gettext("Contents") == "Cynnwys"
    assert language.gettext("Challenge %(number)s", number=3) == "Her 3"


def test_an_unknown_language_falls_back_to_english_with_every_string_untranslated():
    language = i18n.language_for("xx")
    assert (language.catalog, language.has_catalog) == ("en", False)
    assert language.untranslated == i18n.template_msgids() and language.total == len(i18n.template_msgids())
    assert language.gettext("Challenge %(number)s", number=3) == "Challenge 3"


def test_an_unknown_language_is_warned_about_with_its_name_and_the_number_of_english_strings():
    workbook = replace(load_source(WELSH).workbook, lang="xx")
    total = len(i18n.template_msgids())
    [problem] = i18n.language_problems(workbook)
    assert str(problem) == (
        f"{WELSH}:6: warning: workbook language 'xx' has no translation catalog (pipeline/locale has: cy, en), so its {total} "
        "interface strings are shown in English; add one as the README's \"Adding a language\" says [lang.no-catalog]"
    )


def test_english_and_welsh_workbooks_have_nothing_to_warn_about():
    assert i18n.language_problems(load_source(WELSH).workbook) == []
    assert i18n.language_problems(load_source(ENGLISH).workbook) == []


# --- plurals and word order ----------------------------------------------------


def test_welsh_plurals_have_the_six_cldr_forms():
    welsh = i18n.language_for("cy")
    singular = "%(num)s answer you wrote before could not be stored by the learning system and is not in this web browser: use the copy you downloaded, or come back on the browser you wrote it in."
    plural = singular.replace("answer you", "answers you").replace("and is not", "and are not").replace("wrote it in", "wrote them in")
    assert welsh.ngettext(singular, plural, 1).startswith("Nid oedd y system ddysgu yn gallu storio 1 ateb") and "nid yw yn y porwr" in welsh.ngettext(singular, plural, 1)
    assert "nid ydyn nhw yn y porwr" in welsh.ngettext(singular, plural, 2)
    forms = welsh.plural_forms(singular, plural)
    assert list(forms) == ["few", "many", "one", "other", "two", "zero"]
    assert "nid yw yn y porwr" in forms["one"] and "nid ydyn nhw" in forms["other"]
    assert list(i18n.language_for("en").plural_forms(singular, plural)) == ["one", "other"]
    assert i18n.language_for("en").plural_forms(singular, plural)["other"] == plural


def test_templates_get_the_catalog_through_jinja2_i18n_with_escaped_variables():
    environment = SandboxedEnvironment(autoescape=True)
    i18n.install_translations(environment, i18n.language_for("cy-GB"))
    template = environment.from_string(
        '{{ _("Challenge %(number)s", number=3) }}|{{ _("Published by %(publisher)s.", publisher="<Cyngor>") }}|'
        '{% trans %}Contents{% endtrans %}'
    )
    assert template.render() == "Her 3|Cyhoeddwr: &lt;Cyngor&gt;.|Cynnwys"


# --- the catalogs are complete -------------------------------------------------------


def test_every_catalog_translates_every_string_of_the_template():
    template = i18n.template_msgids()
    assert template, "pipeline/locale/workbook.pot is empty"
    for name in i18n.available_catalogs():
        path = i18n.LOCALE_DIR / name / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=name)
        strings = {i18n._key(message.id): message for message in catalog if message.id}
        assert [msgid for msgid in template if msgid not in strings] == [], f"{path} lacks strings"
        assert [msgid for msgid, message in strings.items() if message.fuzzy or not i18n._complete(message.string)] == [], f"{path} has untranslated strings"
        assert sorted(set(strings) - set(template)) == [], f"{path} has strings the code no longer uses (pybabel update drops them)"
        assert i18n.language_for(name).untranslated == ()


def extracted_msgids() -> set[str]:
    """Every string the code and templates mark for translation, extracted as `make catalogs` does (babel.cfg)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, **i18n.EXTRACT_KEYWORDS}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, (tuple, list)) else message)
    return found


def test_the_template_holds_exactly_the_strings_the_code_and_templates_use():
    extracted = extracted_msgids()
    template = set(i18n.template_msgids())
    assert sorted(extracted - template) == [], "strings used but not in pipeline/locale/workbook.pot: run `make catalogs` and translate them"
    assert sorted(template - extracted) == [], "strings in pipeline/locale/workbook.pot no longer used: run `make catalogs`"
    assert {"Contents", "Challenge %(number)s", "Skip to main content", "Download all my answers", "Cover", "Page"} <= extracted


def test_a_catalog_missing_strings_is_reported_with_how_many(tmp_path):
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    path = locale_dir / "cy" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="cy")
    catalog.delete("Contents")
    catalog["Guidance"].flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    language = i18n.language_for("cy", locale_dir)
    assert language.untranslated == ("Contents", "Guidance")
    assert language.gettext("Contents") == "Contents" and language.gettext("Guidance") == "Guidance"
    workbook = load_source(WELSH).workbook
    [problem] = i18n.language_problems(workbook, locale_dir)
    assert str(problem) == (
        f"{WELSH}:6: warning: the 'cy' catalog for workbook language 'cy' leaves 2 of its {language.total} interface strings "
        "untranslated, shown in English (the first: 'Contents'); translate them in pipeline/locale/cy/LC_MESSAGES/workbook.po "
        "[lang.untranslated]"
    )


def test_a_new_catalog_needs_no_code(tmp_path):
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    catalog = Catalog(locale="ga", domain=i18n.DOMAIN)
    catalog.add("Contents", "Clár ábhair")
    (locale_dir / "ga" / "LC_MESSAGES").mkdir(parents=True)
    with (locale_dir / "ga" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("wb") as handle:
        write_po(handle, catalog)
    language = i18n.language_for("ga-IE", locale_dir)
    assert (language.catalog, language.gettext("Contents")) == ("ga", "Clár ábhair")
    assert len(language.untranslated) == language.total - 1


# --- <translation>: the vocabulary --------------------------------------------------


def test_translation_round_trips_through_xml_and_json():
    workbook = load_source(WELSH).workbook
    assert workbook.meta.translations == (model.Translation("en-GB", "commissioning-basics"),)
    assert jsonform.from_json(jsonform.to_json(workbook)) == workbook
    assert 'translation lang="en-GB" workbook="commissioning-basics"' in to_xml(workbook).decode("utf-8")


def test_the_fixture_pair_validates():
    for path in (WELSH, ENGLISH):
        _, problems = validate_file(path)
        assert [problem for problem in problems if problem.severity == "error"] == []


@pytest.mark.parametrize("translation, message", [
    (model.Translation("en", "comisiynu-hanfodion"),
     "workbook 'comisiynu-hanfodion' names itself as its translation; name the workbook id of the edition in 'en' [translation.self]"),
    (model.Translation("cy-GB", "other"),
     "translation 'other' is in 'cy-GB', the language of this workbook ('cy'); a translation is the same workbook in another language "
     "[translation.same-language]"),
])
def test_a_translation_must_be_another_workbook_in_another_language(translation, message):
    workbook = load_source(WELSH).workbook
    workbook = replace(workbook, meta=replace(workbook.meta, translations=(translation,)))
    assert [problem.message + f" [{problem.code}]" for problem in translation_rules(workbook)] == [message]


def test_two_translations_in_one_language_are_an_error():
    workbook = load_source(WELSH).workbook
    both = (model.Translation("en-GB", "a"), model.Translation("en-US", "b"))
    workbook = replace(workbook, meta=replace(workbook.meta, translations=both))
    assert [problem.code for problem in translation_rules(workbook)] == ["translation.duplicate"]


# --- <translation>: the pair, checked at build -------------------------------------


def test_the_pair_finds_each_other_beside_each_other():
    welsh, english = load_source(WELSH).workbook, load_source(ENGLISH).workbook
    editions, problems = find_editions(welsh, {}, source_beside(WELSH))
    assert problems == []
    [edition] = editions
    assert (edition.lang, edition.workbook_id, edition.title) == ("en-GB", "commissioning-basics", "Commissioning workbook: the essentials")
    assert edition.page_slugs == {"index", "hanfodion", "ymarfer", "ffyrdd-o-ateb", "atebion"}
    assert find_editions(english, {"comisiynu-hanfodion": welsh}, lambda _: None)[1] == []


def test_a_missing_or_one_way_translation_is_an_error():
    welsh, english = load_source(WELSH).workbook, load_source(ENGLISH).workbook
    _, problems = find_editions(welsh, {}, lambda _: None)
    assert [str(problem) for problem in problems] == [
        f"{WELSH}:15: error: translation 'commissioning-basics' (en-GB) is neither among the workbooks being built nor in "
        "commissioning-basics/workbook.xml beside this workbook's folder; build the two together [translation.missing]"
    ]
    lonely = replace(english, meta=replace(english.meta, translations=()))
    _, problems = find_editions(welsh, {"commissioning-basics": lonely}, lambda _: None)
    assert [problem.message for problem in problems] == [
        "translation 'commissioning-basics' does not name this workbook back; add <translation lang=\"cy\" "
        "workbook=\"comisiynu-hanfodion\"/> to its <meta>"
    ]
    _, problems = find_editions(welsh, {"commissioning-basics": replace(english, lang="fr")}, lambda _: None)
    assert [problem.code for problem in problems] == ["translation.wrong-language"]


def test_sections_only_one_edition_has_are_a_warning():
    welsh, english = load_source(WELSH).workbook, load_source(ENGLISH).workbook
    fewer = replace(english, sections=english.sections[:2])
    editions, problems = find_editions(welsh, {"commissioning-basics": fewer}, lambda _: None)
    assert len(editions) == 1
    assert [(problem.severity, problem.message) for problem in problems] == [(
        "warning",
        "the top-level sections of translation 'commissioning-basics' differ from this workbook's (only here: ffyrdd-o-ateb, atebion); a page "
        "without a twin links to the other edition's contents page",
    )]


# --- every format of the Welsh edition, in Welsh ---------------------------------------

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import zipfile  # noqa: E402

import lxml.html  # noqa: E402
from lxml import etree  # noqa: E402

WELSH_BRAND = ROOT / "tests" / "fixtures" / "welsh" / "glanrafon"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def run_pipeline(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The Welsh and English editions, built together with a Welsh council's brand: {"cy": folder, "en": folder}."""
    out = tmp_path_factory.mktemp("pair")
    result = run_pipeline("build", str(WELSH), str(ENGLISH), "--brand", str(WELSH_BRAND), "--out", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return {"cy": out / "comisiynu-hanfodion" / "glanrafon", "en": out / "commissioning-basics" / "glanrafon", "out": out}


def english_patterns() -> list[tuple[str, re.Pattern]]:
    """Each English msgid (its literal words; a %(name)s place matches anything) as a whole-word pattern."""
    patterns = []
    english = i18n.language_for("en")
    for msgid in i18n.template_msgids():
        text = english.translations.gettext(msgid)
        parts = [re.escape(part) for part in re.split(r"%\(\w+\)s", text)]
        body = ".+?".join(parts)
        start = r"(?<!\w)" if re.match(r"\w", text) else ""
        end = r"(?!\w)" if re.search(r"\w$", text) else ""
        patterns.append((msgid, re.compile(start + body + end)))
    return patterns


ENGLISH_PATTERNS = english_patterns()


def english_in(text: str) -> list[str]:
    return [msgid for msgid, pattern in ENGLISH_PATTERNS if pattern.search(text)]


def welsh_text(root) -> str:
    """The text a reader meets in Welsh on a page: text and text alternatives, without what is marked another language."""
    chunks: list[str] = []

    def lang_of(element, inherited: str) -> str:
        return element.get("lang") or element.get(XML_LANG) or inherited

    def walk(element, lang: str) -> None:
        if not isinstance(element.tag, str):
            return
        name = etree.QName(element).localname
        lang = lang_of(element, lang)
        welsh = lang.split("-")[0].lower() == "cy"
        if name in ("script", "style") or not welsh:
            chunks.append("\n")
        else:
            for attribute in ("alt", "aria-label", "title", "placeholder"):
                if element.get(attribute):
                    chunks.append("\n" + element.get(attribute) + "\n")
            if name == "title":
                chunks.append("\n")
            chunks.append(element.text or "")
            for child in element:
                walk(child, lang)
                if child.tail:
                    chunks.append(child.tail)
            return
        for child in element:
            if child.tail and welsh:
                chunks.append(child.tail)

    walk(root, "")
    return re.sub(r"[ \t\r\f\v]+", " ", "".join(chunks))


def by_class(root, name: str) -> list:
    return root.xpath(f'//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]')


def switcher_links(root) -> list:
    return [link for element in by_class(root, "language-switcher") for link in element.iter("a")]


def page_roots(folder: Path, suffix: str):
    for path in sorted(folder.rglob(f"*{suffix}")):
        parser = etree.XMLParser() if suffix == ".xhtml" else None
        yield path, (etree.parse(str(path), parser).getroot() if parser else lxml.html.parse(str(path)).getroot())


def test_the_pair_builds_every_format(pair):
    for lang, stem in (("cy", "comisiynu-hanfodion"), ("en", "commissioning-basics")):
        names = sorted(path.name for path in pair[lang].iterdir())
        assert names == sorted(["html", f"{stem}.docx", f"{stem}.epub", f"{stem}.pdf", f"{stem}-scorm12.zip", f"{stem}-scorm2004.zip"])


def test_welsh_web_pages_have_no_english_interface_string(pair):
    pages = list(page_roots(pair["cy"] / "html", ".html"))
    assert len(pages) == 6
    for path, root in pages:
        assert root.get("lang") == "cy", path.name
        assert english_in(welsh_text(root)) == [], path.name


def test_every_answer_kind_and_the_publication_details_read_in_welsh(pair):
    kinds = lxml.html.parse(str(pair["cy"] / "html" / "ffyrdd-o-ateb.html")).getroot().text_content()
    for words in ("(dewiswch un)", "(dewiswch bob un sy'n berthnasol)", "Ticiwch bob un rydych chi wedi'i wneud",
                  "Rhowch sgôr i bob datganiad", "Gwnewch hwn ar bapur neu yn fersiwn Word y gweithlyfr hwn.", "Dangos yr ateb"):
        assert words in kinds, words
    cover = lxml.html.parse(str(pair["cy"] / "html" / "index.html")).getroot().text_content()
    # Names are not mutated: the Welsh catalog words the line so that none follows "gan".
    assert "Awdur: Siân Jones" in cover and "Cyfeirnod CLLC-001" in cover and "Cyhoeddwr: Cymdeithas Llywodraeth Leol Cymru" in cover


def test_welsh_pages_hand_their_scripts_welsh_messages(pair):
    root = lxml.html.parse(str(pair["cy"] / "html" / "ymarfer.html")).getroot()
    data = json.loads(root.get_element_by_id("workbook-data").text)
    messages = data["messages"]
    assert messages["lang"] == "cy" and messages["score"] == "Cawsoch %(score)s o %(total)s yn gywir."
    assert set(messages["earlier"]) == {"zero", "one", "two", "few", "many", "other"}
    words = {key: value for key, value in messages.items() if key != "lang"}
    texts = [value for value in words.values() if isinstance(value, str)] + [
        form for value in words.values() if isinstance(value, dict) for form in value.values()]
    assert len(texts) > 20 and [found for text in texts for found in english_in(text)] == []
    assert data["answersFile"] == "comisiynu-hanfodion-glanrafon-fy-atebion.txt"


def test_the_english_edition_stays_english(pair):
    root = lxml.html.parse(str(pair["en"] / "html" / "ymarfer.html")).getroot()
    assert root.get("lang") == "en-GB"
    text = root.text_content()
    assert "Skip to main content" in text and "Challenge 2" in text and "Neidio" not in text
    # The brand's own text is Welsh: marked so, on the English pages.
    assert by_class(root, "site-council")[0].get("lang") == "cy"
    assert by_class(root, "footer-note")[0].get("lang") == "cy"


def test_welsh_labels_and_plurals_come_from_the_catalog(pair):
    root = lxml.html.parse(str(pair["cy"] / "html" / "ymarfer.html")).getroot()
    labels = [element.text_content() for element in by_class(root, "block-label")]
    assert labels[:3] == ["Her 2", "Astudiaeth achos", "Awgrymiadau"]


def test_the_language_switcher_links_each_page_to_its_twin_both_ways(pair):
    for here, there, there_lang, name in (("cy", "en", "en-GB", "English"), ("en", "cy", "cy", "Cymraeg")):
        pages = list(page_roots(pair[here] / "html", ".html"))
        assert [path.name for path, _ in pages] == ["atebion.html", "ffyrdd-o-ateb.html", "hanfodion.html", "index.html", "print.html",
                                                    "ymarfer.html"]
        for path, root in pages:
            [switch] = switcher_links(root)
            [alternate] = root.xpath('//link[@rel="alternate"]')
            assert (switch.text, switch.get("lang"), switch.get("hreflang")) == (name, there_lang, there_lang)
            assert alternate.get("href") == switch.get("href") and alternate.get("hreflang") == there_lang
            target = (path.parent / switch.get("href")).resolve()
            assert target.exists(), f"{path.name} -> {switch.get('href')}"
            expected = path.name if path.name != "print.html" else "index.html"
            assert target.name == expected and target.parent == (pair[there] / "html").resolve()
            back = switcher_links(lxml.html.parse(str(target)).getroot())[0].get("href")
            if path.name != "print.html":
                assert (target.parent / back).resolve() == path.resolve()


def test_welsh_epub_is_welsh_throughout(pair):
    with zipfile.ZipFile(pair["cy"] / "comisiynu-hanfodion.epub") as archive:
        names = [name for name in archive.namelist() if name.endswith(".xhtml")]
        opf = etree.fromstring(archive.read("EPUB/package.opf"))
        documents = {name: etree.fromstring(archive.read(name)) for name in names}
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert opf.findtext(f".//{dc}language") == "cy"
    summary = opf.xpath("//*[@property='schema:accessibilitySummary']")[0].text
    assert summary.startswith("Nod y cyhoeddiad hwn") and english_in(summary) == []
    assert {"EPUB/nav.xhtml", "EPUB/cover.xhtml"} <= set(documents)
    for name, root in documents.items():
        assert root.get("lang") == "cy" and root.get(XML_LANG) == "cy", name
        assert english_in(welsh_text(root)) == [], name
    cover = etree.tostring(documents["EPUB/cover.xhtml"], encoding="unicode")
    assert "Hefyd ar gael yn Saesneg:" in cover and "Commissioning workbook: the essentials" in cover


def test_welsh_word_document_is_welsh_throughout(pair):
    with zipfile.ZipFile(pair["cy"] / "comisiynu-hanfodion.docx") as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
        styles = etree.fromstring(archive.read("word/styles.xml"))
        core = etree.fromstring(archive.read("docProps/core.xml"))
        footers = [etree.fromstring(archive.read(name)) for name in archive.namelist() if name.startswith("word/footer")]
    langs = {element.get(f"{{{W_NS}}}val") for element in styles.iter(f"{{{W_NS}}}lang")}
    assert langs == {"cy"}
    assert {element.get(f"{{{W_NS}}}val") for element in document.iter(f"{{{W_NS}}}lang")} <= {"cy"}
    assert core.findtext("{http://purl.org/dc/elements/1.1/}language") == "cy"
    for part in (document, *footers):
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{{{W_NS}}}t")) for p in part.iter(f"{{{W_NS}}}p")]
        text = "\n".join(paragraphs)
        assert english_in(text) == [], english_in(text)
    text = "\n".join("".join(t.text or "" for t in p.iter(f"{{{W_NS}}}t")) for p in document.iter(f"{{{W_NS}}}p"))
    assert "Her 1 – Beth ydych chi'n ei wybod?" in text and "Hefyd ar gael yn Saesneg: Commissioning workbook: the essentials" in text


def test_welsh_pdf_is_welsh_throughout(pair):
    from tests.validators import pdf

    path = pair["cy"] / "comisiynu-hanfodion.pdf"
    assert pdf.read_facts(path).lang == "cy"
    pages = pdf.page_texts(path)
    assert len(pages) > 3
    text = "\n".join(pages)
    assert english_in(text) == []
    assert "Tudalen 2 o" in text and "Datganiad" in text and "(tudalen " in text


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_welsh_scorm_pages_are_welsh_throughout(pair, version, tmp_path):
    with zipfile.ZipFile(pair["cy"] / f"comisiynu-hanfodion-{version}.zip") as archive:
        archive.extractall(tmp_path)
    pages = list(page_roots(tmp_path, ".html"))
    assert any(path.name.startswith("scorm-launch") for path, _ in pages)
    for path, root in pages:
        assert root.get("lang") == "cy", path.name
        assert english_in(welsh_text(root)) == [], path.name
        # noscript content is text to lxml's HTML parser: read it as the browser without scripts would.
        for noscript in root.iter("noscript"):
            assert english_in(lxml.html.fromstring(noscript.text_content() or "<p></p>").text_content()) == []


# --- a language without a catalog -------------------------------------------------------


@pytest.fixture
def unknown_language(tmp_path):
    folder = tmp_path / "source" / "xx-workbook"
    folder.mkdir(parents=True)
    text = WELSH.read_text(encoding="utf-8").replace('lang="cy"', 'lang="xx"').replace('id="comisiynu-hanfodion"', 'id="xx-workbook"')
    text = re.sub(r"\s*<translation [^>]*/>", "", text).replace("../../../../schema", "../../schema")
    (folder / "workbook.xml").write_text(text, encoding="utf-8")
    shutil.copytree(WELSH.parent / "images", folder / "images")
    return folder / "workbook.xml"


def test_an_unknown_language_builds_in_english_with_a_warning(unknown_language, tmp_path):
    result = run_pipeline("build", str(unknown_language), "--format", "html", "--out", str(tmp_path / "build"), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert f"{unknown_language}:6: warning: workbook language 'xx' has no translation catalog" in result.stderr
    assert "[lang.no-catalog]" in result.stderr
    page = lxml.html.parse(str(tmp_path / "build" / "xx-workbook" / "default" / "html" / "index.html")).getroot()
    assert page.get("lang") == "xx" and "Skip to main content" in page.text_content() and "Contents" in page.text_content()


def test_validate_reports_an_unknown_language_too(unknown_language):
    result = run_pipeline("validate", str(unknown_language))
    assert result.returncode == 0 and "[lang.no-catalog]" in result.stderr
    assert run_pipeline("validate", "--strict", str(unknown_language)).returncode == 2


def test_an_unknown_language_is_an_error_with_strict(unknown_language, tmp_path):
    result = run_pipeline("build", str(unknown_language), "--format", "html", "--out", str(tmp_path / "build"), "--strict")
    assert result.returncode == 2, result.stderr
    assert "[lang.no-catalog]" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_translation_that_is_not_built_or_beside_is_an_error(tmp_path):
    folder = tmp_path / "source" / "comisiynu-hanfodion"
    shutil.copytree(WELSH.parent, folder)
    result = run_pipeline("build", str(folder / "workbook.xml"), "--format", "html", "--out", str(tmp_path / "build"))
    assert result.returncode == 2
    assert "translation 'commissioning-basics' (en-GB) is neither among the workbooks being built" in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_translation_beside_is_found_without_being_built(tmp_path):
    for source in (WELSH, ENGLISH):
        shutil.copytree(source.parent, tmp_path / "source" / source.parent.name)
    result = run_pipeline("build", str(tmp_path / "source" / "comisiynu-hanfodion" / "workbook.xml"), "--format", "html",
                          "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    page = lxml.html.parse(str(tmp_path / "build" / "comisiynu-hanfodion" / "default" / "html" / "index.html")).getroot()
    assert switcher_links(page)[0].get("href") == "../../../commissioning-basics/default/html/index.html"
    # The default brand's text is English: marked so on the Welsh pages.
    assert by_class(page, "footer-note")[0].get("lang") == "en-GB"


# --- the real validators, on the Welsh edition -------------------------------------------


@pytest.mark.slow
def test_nu_html_checker_finds_nothing_in_either_edition(pair):
    from tests.validators import format_findings, vnu

    pages = sorted((pair["cy"] / "html").glob("*.html")) + sorted((pair["en"] / "html").glob("*.html"))
    findings = vnu.check_html(pages)
    assert not findings, format_findings(findings)


@pytest.mark.slow
def test_axe_finds_no_wcag_22_aa_violations_in_welsh(pair, chromium_browser):
    from tests.test_html import AXE_TAGS
    from tests.validators import axe

    pages = sorted((pair["cy"] / "html").glob("*.html"))
    results = axe.check_pages(pages, AXE_TAGS, browser=chromium_browser)
    assert not any(results.values()), f"axe-core {axe.version()}:\n" + axe.format_violations(results)


@pytest.mark.slow
def test_epubcheck_and_ace_find_nothing_in_welsh(pair, tmp_path):
    from tests.validators import ace, epubcheck, format_findings

    path = pair["cy"] / "comisiynu-hanfodion.epub"
    findings = epubcheck.check_epub(path, usage=True)
    assert findings == [], format_findings(findings)
    report = ace.check_epub(path, tmp_path / "ace")
    assert report["violations"] == [], ace.format_violations(report)


@pytest.mark.slow
def test_word_checks_find_nothing_in_welsh(pair, tmp_path):
    from tests.validators import format_findings, libreoffice, ooxml

    path = pair["cy"] / "comisiynu-hanfodion.docx"
    findings = ooxml.validate_docx(path)
    assert not findings, format_findings(findings)
    pdf = libreoffice.convert_to_pdf(path, tmp_path)
    assert libreoffice.pdf_page_count(pdf) >= 3
    assert "Cynnwys" in libreoffice.pdf_text(pdf)


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_welsh_scorm_manifests_validate(pair, version):
    from tests.validators import scorm_xsd

    name = "scorm12" if version == "1.2" else "scorm2004"
    assert scorm_xsd.validate_package(pair["cy"] / f"comisiynu-hanfodion-{name}.zip", version) == []


@pytest.mark.slow
def test_the_welsh_quiz_and_download_speak_welsh_in_the_browser(pair, chromium_browser):
    from tests.html_support import serve_folder

    with serve_folder(pair["out"]) as base:
        context = chromium_browser.new_context(accept_downloads=True)
        try:
            page = context.new_page()
            page.goto(f"{base}comisiynu-hanfodion/glanrafon/html/hanfodion.html")
            page.check("#awyr-las-true")
            page.check("#glaswellt-coch-true")
            page.click("[data-quiz-check]")
            assert page.locator("#ffeithiau-score").text_content() == "Cawsoch 1 o 3 yn gywir."
            verdicts = page.locator(".quiz-feedback:not([hidden]) [data-verdict]").all_text_contents()
            assert verdicts == ["Cywir.", "Ddim yn hollol.", "Heb ei ateb."]
            # The scripts choose a plural form by the language's CLDR rules, as the catalog's forms are keyed.
            assert page.evaluate("[0, 1, 2, 3, 6, 7].map(n => new Intl.PluralRules('cy').select(n))") == [
                "zero", "one", "two", "few", "many", "other"]
            page.goto(f"{base}comisiynu-hanfodion/glanrafon/html/ymarfer.html")
            page.fill("#myfyrio-diffinio-answer", "Drwy wrando ar drigolion.")
            with page.expect_download() as download_info:
                page.locator("[data-download-answers]").first.click()
            download = download_info.value
            assert download.suggested_filename == "comisiynu-hanfodion-glanrafon-fy-atebion.txt"
            text = Path(download.path()).read_text(encoding="utf-8-sig")
        finally:
            context.close()
    assert "Fy atebion" in text and "Cwestiwn: Sut mae eich cyngor yn diffinio comisiynu?" in text
    assert "Fy ateb:\nDrwy wrando ar drigolion." in text and "(heb ei ateb)" in text and "Gwir neu gau" in text
    assert english_in(text) == []


def test_an_edit_to_the_other_edition_rebuilds_this_one(tmp_path):
    for source in (WELSH, ENGLISH):
        shutil.copytree(source.parent, tmp_path / "source" / source.parent.name)
    welsh = tmp_path / "source" / "comisiynu-hanfodion" / "workbook.xml"
    english = tmp_path / "source" / "commissioning-basics" / "workbook.xml"
    build = ("build", str(welsh), "--format", "epub", "--out", str(tmp_path / "build"), "--jobs", "1")
    epub = tmp_path / "build" / "comisiynu-hanfodion" / "default" / "comisiynu-hanfodion.epub"

    def cover() -> str:
        with zipfile.ZipFile(epub) as archive:
            return archive.read("EPUB/cover.xhtml").decode("utf-8")

    assert run_pipeline(*build).returncode == 0
    assert "Commissioning workbook: the essentials" in cover()
    english.write_text(english.read_text(encoding="utf-8").replace("the essentials", "the basics"), encoding="utf-8")
    result = run_pipeline(*build)
    assert result.returncode == 0, result.stderr
    # The Welsh cover names the English edition's title: the edit made the Welsh EPUB out of date.
    assert "Commissioning workbook: the basics" in cover()


def test_an_english_brands_links_box_is_marked_english_on_welsh_pages(tmp_path):
    for source in (WELSH, ENGLISH):
        shutil.copytree(source.parent, tmp_path / "source" / source.parent.name)
    result = run_pipeline("build", str(tmp_path / "source" / "comisiynu-hanfodion" / "workbook.xml"), "--brand",
                          str(ROOT / "brands" / "northshire"), "--format", "html", "--format", "epub", "--format", "docx",
                          "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    page = lxml.html.parse(str(tmp_path / "build" / "comisiynu-hanfodion" / "northshire" / "html" / "atebion.html")).getroot()
    [box] = page.xpath('//section[@id="council-links"]')
    assert box.xpath('.//*[@class="block-label"]')[0].text == "Dolenni defnyddiol"
    assert [element.get("lang") for element in box.xpath('.//*[@lang]')] == ["en-GB", "en-GB"]  # the title and the body
    assert box.get("lang") is None
    with zipfile.ZipFile(tmp_path / "build" / "comisiynu-hanfodion" / "northshire" / "comisiynu-hanfodion.epub") as archive:
        chapter = etree.fromstring(archive.read("EPUB/atebion.xhtml"))
    marked = chapter.xpath('//*[@id="council-links"]//*[@lang]')
    assert [(element.get("lang"), element.get(XML_LANG)) for element in marked] == [("en-GB", "en-GB")] * 2
    # Word: the brand's runs (council name, contact, footer, the links box's title and body) say en-GB.
    with zipfile.ZipFile(tmp_path / "build" / "comisiynu-hanfodion" / "northshire" / "comisiynu-hanfodion.docx") as archive:
        parts = [etree.fromstring(archive.read(name)) for name in archive.namelist()
                 if name == "word/document.xml" or name.startswith("word/footer")]
    english_runs, welsh_runs = [], []
    for part in parts:
        for run in part.iter(f"{{{W_NS}}}r"):
            lang = run.find(f"{{{W_NS}}}rPr/{{{W_NS}}}lang")
            text = "".join(t.text or "" for t in run.iter(f"{{{W_NS}}}t"))
            (english_runs if lang is not None and lang.get(f"{{{W_NS}}}val") == "en-GB" else welsh_runs).append(text)
    brand = json.loads((ROOT / "brands" / "northshire" / "brand.json").read_text(encoding="utf-8"))
    assert brand["council"]["name"] in english_runs and brand["footer"] + " " in english_runs
    assert brand["links"][0]["title"] in english_runs and "Dolenni defnyddiol" in welsh_runs
    assert english_in("\n".join(welsh_runs)) == []


@pytest.mark.slow
def test_open_xml_sdk_accepts_the_brands_runs_marked_in_its_language(tmp_path):
    from tests.validators import format_findings, ooxml

    for source in (WELSH, ENGLISH):
        shutil.copytree(source.parent, tmp_path / "source" / source.parent.name)
    result = run_pipeline("build", str(tmp_path / "source" / "comisiynu-hanfodion" / "workbook.xml"), "--brand",
                          str(ROOT / "brands" / "northshire"), "--format", "docx", "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    findings = ooxml.validate_docx(tmp_path / "build" / "comisiynu-hanfodion" / "northshire" / "comisiynu-hanfodion.docx")
    assert not findings, format_findings(findings)
