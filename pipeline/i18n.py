"""The reader's language: gettext catalogs chosen by the workbook's BCP 47 `lang`.

Every string a reader sees that does not come from the source is an English
msgid in the code or the templates (`_("Contents")` in both; `ngettext` for
plurals) and is translated by a catalog in pipeline/locale/<lang>/LC_MESSAGES/
workbook.po, the ecosystem's gettext workflow (Babel extracts them into
pipeline/locale/workbook.pot; see the README's "Adding a language"). The .po
files are read with Babel and compiled in memory, once per language and
process: there is no compiled .mo to commit or to forget to rebuild.

A workbook's `lang` chooses the catalog by dropping subtags from the end
("cy-GB" tries cy_GB, then cy); with none, the reader gets English and the
build a warning naming the language and the number of strings left in
English [lang.no-catalog] (an error with --strict).
"""
from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .problems import Problem, warning

if TYPE_CHECKING:  # Babel is imported on first use: a build with nothing to do never loads it.
    from babel.core import Locale
    from babel.support import Translations
    from jinja2 import Environment

    from . import model

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "workbook"
TEMPLATE_PATH = LOCALE_DIR / f"{DOMAIN}.pot"
# The language the msgids are written in, and the one a workbook without a catalog falls back to.
SOURCE_LANGUAGE = "en"

# The functions `pybabel extract` reads besides its defaults (_, gettext, ngettext, N_ ...):
# Language.plural_forms(singular, plural) hands scripts every plural form (Makefile: -k).
EXTRACT_KEYWORDS = {"plural_forms": (1, 2)}

# A BCP 47 tag as far as catalogs care: language, then an optional script and region.
_TAG = re.compile(r"^(?P<language>[A-Za-z]{2,8})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?(?:-.*)?$")


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


def catalog_names(tag: str) -> tuple[str, ...]:
    """The catalog folder names to try for a BCP 47 tag, most specific first: "cy-GB" -> ("cy_GB", "cy")."""
    match = _TAG.match(tag.strip())
    if not match:
        return ()
    language = match["language"].lower()
    script = match["script"].title() if match["script"] else None
    region = match["region"].upper() if match["region"] else None
    names = []
    if script and region:
        names.append(f"{language}_{script}_{region}")
    if script:
        names.append(f"{language}_{script}")
    if region:
        names.append(f"{language}_{region}")
    names.append(language)
    return tuple(names)


def available_catalogs(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The languages that have a catalog, by folder name, sorted."""
    return tuple(sorted(path.parent.parent.name for path in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


@dataclass(frozen=True, eq=False)
class Language:
    """The language a workbook is shown in: its tag, the catalog chosen for it, and that catalog's translations."""

    tag: str  # the workbook's lang, as written: "cy-GB"
    catalog: str  # the catalog used: "cy"; SOURCE_LANGUAGE when the tag has none
    translations: Translations
    total: int  # the msgids the code and templates use (pipeline/locale/workbook.pot)
    untranslated: tuple[str, ...]  # those shown in English: all of them when the tag has no catalog
    has_catalog: bool

    def gettext(self, message: str, **variables) -> str:
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables) -> str:
        """The form for `n`; `%(num)s` is `n` unless given, as Jinja2's {% trans count=n %} does."""
        variables.setdefault("num", n)
        return self.translations.ngettext(singular, plural, n) % variables

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """The message for each CLDR plural category of the language, for scripts to pick with Intl.PluralRules.

        Scripts get no translation machinery of their own: the page hands them
        every form, keyed by the category `Intl.PluralRules(lang).select(n)`
        answers ("one", "two", "few" ... "other"), each form the catalog's for
        the smallest number in that category.
        """
        return {category: self.translations.ngettext(singular, plural, n) for category, n in _plural_samples(self.catalog).items()}


@functools.lru_cache(maxsize=64)
def language_name(tag: str, in_tag: str | None = None) -> str:
    """A language's name from CLDR, in `in_tag`'s language or its own: ("cy") "Cymraeg", ("en-GB", "cy") "Saesneg".

    Only the language subtags count: an edition is "English", not "English (United Kingdom)".
    """
    from babel.core import Locale, UnknownLocaleError

    primary = catalog_names(tag)[-1:] or (tag,)
    within = catalog_names(in_tag)[-1:] if in_tag else primary
    try:
        name = Locale.parse(primary[0]).get_display_name(Locale.parse(within[0]))
    except (UnknownLocaleError, ValueError, TypeError):
        name = None
    return name or tag


def language_for(tag: str, locale_dir: Path = LOCALE_DIR) -> Language:
    """The Language for a workbook's lang: its most specific catalog, else English."""
    names = available_catalogs(locale_dir)
    for name in catalog_names(tag):
        if name in names:
            return _load(tag, name, True, locale_dir)
    return _load(tag, SOURCE_LANGUAGE, False, locale_dir)


@functools.lru_cache(maxsize=16)
def _load(tag: str, catalog_name: str, has_catalog: bool, locale_dir: Path) -> Language:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    msgids = template_msgids(locale_dir)
    path = locale_dir / catalog_name / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        with path.open("rb") as handle:
            # No locale: the plural rule comes from the file's own Plural-Forms header, without loading CLDR data.
            catalog = read_po(handle, domain=DOMAIN)
        compiled = io.BytesIO()
        # Fuzzy entries are a translator's guess: shown in English until someone confirms them.
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        translations = Translations(compiled, domain=DOMAIN)
        translated = {_key(message.id) for message in catalog if message.id and not message.fuzzy and _complete(message.string)}
    else:  # no catalog at all: the msgids themselves, which are English
        translations, translated = Translations(None, domain=DOMAIN), set()
    untranslated = tuple(msgid for msgid in msgids if msgid not in translated) if has_catalog else msgids
    return Language(tag, catalog_name, translations, len(msgids), untranslated, has_catalog)


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _complete(string) -> bool:
    if isinstance(string, (tuple, list)):
        return bool(string) and all(string)
    return bool(string)


@functools.lru_cache(maxsize=4)
def template_msgids(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """Every msgid (the singular, for plurals) of the extracted template, in its order."""
    from babel.messages.pofile import read_po

    path = locale_dir / f"{DOMAIN}.pot"
    if not path.exists():
        return ()
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    return tuple(_key(message.id) for message in catalog if message.id)


@functools.lru_cache(maxsize=16)
def _locale(catalog_name: str) -> Locale:
    from babel.core import Locale, UnknownLocaleError

    try:
        return Locale.parse(catalog_name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


@functools.lru_cache(maxsize=16)
def _plural_samples(catalog_name: str) -> dict[str, int]:
    """The smallest whole number in each CLDR plural category of a language: {"zero": 0, "one": 1, ..., "other": 4}."""
    rule = _locale(catalog_name).plural_form
    samples: dict[str, int] = {}
    for n in range(0, 200):
        samples.setdefault(rule(n), n)
    samples.setdefault("other", 200)
    return dict(sorted(samples.items()))


def language_problems(workbook: model.Workbook, locale_dir: Path = LOCALE_DIR) -> list[Problem]:
    """A warning when the workbook's language has no catalog, or a catalog that leaves strings in English."""
    language = language_for(workbook.lang, locale_dir)
    if not language.has_catalog:
        have = ", ".join(available_catalogs(locale_dir)) or "none"
        return [warning(workbook.loc, f"workbook language '{workbook.lang}' has no translation catalog (pipeline/locale has: {have}), so its "
                        f"{len(language.untranslated)} interface strings are shown in English; add one as the README's "
                        "\"Adding a language\" says", "lang.no-catalog")]
    if language.untranslated and language.catalog != SOURCE_LANGUAGE:
        count = len(language.untranslated)
        first = language.untranslated[0]
        return [warning(workbook.loc, f"the '{language.catalog}' catalog for workbook language '{workbook.lang}' leaves {count} of its "
                        f"{language.total} interface strings untranslated, shown in English (the first: {first!r}); translate "
                        f"them in pipeline/locale/{language.catalog}/LC_MESSAGES/{DOMAIN}.po", "lang.untranslated")]
    return []


def install_translations(environment: Environment, language: Language) -> None:
    """Give a Jinja2 environment `_`, `gettext` and `ngettext` (and {% trans %}) in `language`.

    New-style gettext: `{{ _("Published by %(name)s", name=...) }}` escapes its
    variables, and the translated text itself is trusted markup (it comes from
    our own catalogs, never from a brand or a source).
    """
    if "jinja2.ext.InternationalizationExtension" not in environment.extensions:
        environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_translations(language.translations, newstyle=True)
