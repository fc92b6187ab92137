"""Split a workbook into pages with previous/next links: shared by the HTML site, EPUB and SCORM.

One page per top-level section, after a contents page. Pages carry a slug, not a
file name: each format adds its own extension.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import model
from .i18n import N_

CONTENTS_SLUG = "index"
# In English: pipeline.language.localise retitles the contents page in the workbook's language.
CONTENTS_TITLE = N_("Contents")


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    section: model.Section | None  # None for the contents page
    index: int
    previous: str | None
    next: str | None


def chunk_pages(workbook: model.Workbook) -> tuple[tuple[Page, ...], dict[str, str]]:
    """Return the pages in reading order and a map from every id to the slug of its page."""
    entries: list[tuple[str, str, model.Section | None]] = [(CONTENTS_SLUG, CONTENTS_TITLE, None)]
    entries += [(section.id, model.plain_text(section.title), section) for section in workbook.sections]
    pages = tuple(
        Page(
            slug=slug,
            title=title,
            section=section,
            index=index,
            previous=entries[index - 1][0] if index > 0 else None,
            next=entries[index + 1][0] if index + 1 < len(entries) else None,
        )
        for index, (slug, title, section) in enumerate(entries)
    )
    page_of: dict[str, str] = {}
    for page in pages:
        if page.section is None:
            continue
        for node in model.walk(page.section):
            node_id = getattr(node, "id", None)
            if node_id:
                page_of.setdefault(node_id, page.slug)
    return pages, page_of
