"""Bilingual editions: a workbook and the other-language editions it names in <meta><translation/>.

A Welsh workbook names its English edition (`<translation lang="en-GB"
workbook="commissioning-basics"/>`) and the English one names it back; every
format then points the reader to the other edition (the header's language
switcher and `<link rel="alternate" hreflang>` on each web and SCORM page, a
line on the EPUB and Word cover). The other edition is found among the
build's sources, else beside this one (source/<id>/workbook.xml), and must be
in the language it is said to be in and name this workbook back; top-level
sections that only one edition has are reported, because their pages link to
the other edition's contents page instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from .problems import Problem, error, warning

if TYPE_CHECKING:
    from . import model


def primary_language(tag: str) -> str:
    """The language subtag of a BCP 47 tag, lower case: "cy-GB" -> "cy"."""
    return tag.split("-")[0].strip().lower()


def translation_rules(workbook: model.Workbook) -> list[Problem]:
    """What is wrong with a workbook's own <translation> list, before any other workbook is read."""
    problems: list[Problem] = []
    seen: dict[str, model.Translation] = {}
    for translation in workbook.meta.translations:
        where = translation.loc or workbook.loc
        if translation.workbook == workbook.id:
            problems.append(error(where, f"workbook '{workbook.id}' names itself as its translation; name the workbook id of the "
                                  f"edition in '{translation.lang}'", "translation.self"))
        elif primary_language(translation.lang) == primary_language(workbook.lang):
            problems.append(error(where, f"translation '{translation.workbook}' is in '{translation.lang}', the language of this workbook "
                                  f"('{workbook.lang}'); a translation is the same workbook in another language", "translation.same-language"))
        elif primary_language(translation.lang) in seen:
            first = seen[primary_language(translation.lang)]
            problems.append(error(where, f"two translations in '{primary_language(translation.lang)}': '{first.workbook}' and "
                                  f"'{translation.workbook}'; keep one", "translation.duplicate"))
        seen.setdefault(primary_language(translation.lang), translation)
    return problems


@dataclass(frozen=True)
class Edition:
    """Another-language edition of the workbook being built, as its pages and covers name it."""

    lang: str  # the other workbook's own lang
    workbook_id: str
    title: str  # its title, in its language
    page_slugs: frozenset[str]  # the slugs of its pages, so a page links to its twin or to the contents


def find_editions(workbook: model.Workbook, sources: Mapping[str, model.Workbook],
                  load_beside: Callable[[str], model.Workbook | None]) -> tuple[list[Edition], list[Problem]]:
    """The editions `workbook` names, checked: found, in the language said, naming this one back.

    `sources` are the build's other workbooks by id; `load_beside(id)` loads
    source/<id>/workbook.xml (or the like) when the build was not given it,
    or answers None.
    """
    from . import model as m
    from .chunk import chunk_pages

    editions: list[Edition] = []
    problems: list[Problem] = []
    for translation in workbook.meta.translations:
        where = translation.loc or workbook.loc
        other = sources.get(translation.workbook) or load_beside(translation.workbook)
        if other is None:
            problems.append(error(where, f"translation '{translation.workbook}' ({translation.lang}) is neither among the workbooks being "
                                  f"built nor in {translation.workbook}/workbook.xml beside this workbook's folder; build the two together",
                                  "translation.missing"))
            continue
        if primary_language(other.lang) != primary_language(translation.lang):
            problems.append(error(where, f"translation '{translation.workbook}' is said to be in '{translation.lang}' but its lang is "
                                  f"'{other.lang}'", "translation.wrong-language"))
            continue
        if not any(back.workbook == workbook.id for back in other.meta.translations):
            problems.append(error(where, f"translation '{translation.workbook}' does not name this workbook back; add "
                                  f"<translation lang=\"{workbook.lang}\" workbook=\"{workbook.id}\"/> to its <meta>", "translation.one-way"))
            continue
        ours = [section.id for section in workbook.sections]
        theirs = [section.id for section in other.sections]
        if ours != theirs:
            only_here = [name for name in ours if name not in theirs]
            only_there = [name for name in theirs if name not in ours]
            detail = "; ".join(part for part in (
                f"only here: {', '.join(only_here)}" if only_here else "",
                f"only in '{other.id}': {', '.join(only_there)}" if only_there else "",
                "" if only_here or only_there else "the same sections in another order",
            ) if part)
            problems.append(warning(where, f"the top-level sections of translation '{other.id}' differ from this workbook's ({detail}); "
                                    "a page without a twin links to the other edition's contents page", "translation.sections-differ"))
        pages, _ = chunk_pages(other)
        editions.append(Edition(other.lang, other.id, m.plain_text(other.meta.title), frozenset(page.slug for page in pages)))
    return editions, problems


def source_beside(source: Path) -> Callable[[str], model.Workbook | None]:
    """A loader for the workbooks in the folders beside a source's own (source/<id>/workbook.xml or .json)."""
    def load(workbook_id: str) -> model.Workbook | None:
        from .load import load_source

        for name in ("workbook.xml", "workbook.json"):
            path = Path(source).resolve().parent.parent / workbook_id / name
            if path.exists():
                return load_source(path).workbook
        return None
    return load
