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
    assert template.render() == "Her 3|Cyhoeddwyd gan &lt;Cyngor&gt;.|Cynnwys"


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
    assert edition.page_slugs == {"index", "hanfodion", "ymarfer", "atebion"}
    assert find_editions(english, {"comisiynu-hanfodion": welsh}, lambda _: None)[1] == []


def test_a_missing_or_one_way_translation_is_an_error():
    welsh, english = load_source(WELSH).workbook, load_source(ENGLISH).workbook
    _, problems = find_editions(welsh, {}, lambda _: None)
    assert [str(problem) for problem in problems] == [
        f"{WELSH}:13: error: translation 'commissioning-basics' (en-GB) is neither among the workbooks being built nor in "
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
        "the top-level sections of translation 'commissioning-basics' differ from this workbook's (only here: atebion); a page "
        "without a twin links to the other edition's contents page",
    )]
