"""The workbook's language applied to the document once, before any renderer: a document -> document step.

`resolve` labels the typed blocks (and titles the contents page) in English;
`localise` relabels them from
the catalog the workbook's lang chooses ("Challenge 3" -> "Her 3", word
order and all, since the catalog holds the whole label) and hands the
renderers that Language for their own interface strings (`doc.language`).
Every format then shows the same labels, and no renderer translates a label
itself. It runs after branding (pipeline.branding re-resolves the document),
and also carries the other-language editions the build found. Localising
twice is localising once.
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import i18n
from .chunk import CONTENTS_TITLE
from .resolve import BLOCK_LABELS, CHALLENGE_LABEL

if TYPE_CHECKING:
    from .editions import Edition
    from .resolve import Document


def localise(doc: Document, language: i18n.Language | None = None, editions: tuple[Edition, ...] | None = None) -> Document:
    """The document with its labels in its workbook's language (or `language`), that language and its editions attached.

    `editions` are the other-language editions the build found for it
    (pipeline.editions.find_editions); None keeps the document's own.
    """
    language = language or i18n.language_for(doc.workbook.lang)
    editions = doc.editions if editions is None else tuple(editions)
    if doc.language is language and doc.editions == editions:
        return doc
    labels = MappingProxyType({kind: language.gettext(label) for kind, label in BLOCK_LABELS.items()})
    challenge_labels = MappingProxyType({
        challenge_id: language.gettext(CHALLENGE_LABEL, number=number) for challenge_id, number in doc.challenge_numbers.items()
    })
    pages = tuple(replace(page, title=language.gettext(CONTENTS_TITLE)) if page.section is None else page for page in doc.pages)
    return replace(doc, language=language, labels=labels, challenge_labels=challenge_labels, editions=editions, pages=pages)
