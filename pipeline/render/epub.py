"""EPUB 3.3: the shared page renderer's EPUB profile, plus a cover, a navigation document and a package.

The content documents come from `pages.render_pages(doc, brand, pages.EPUB)`; this
module only adds what makes them a publication (cover, nav, package document,
container) and zips it with the shared deterministic writer. The accessibility
metadata is worked out from the finished content documents, so it can only
claim what the file really does.
"""
from __future__ import annotations

import posixpath
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import jinja2
from lxml import etree

from .. import model
from ..brand import Brand
from ..i18n import language_name
from ..package import write_zip
from ..reproducible import build_time
from ..resolve import Document
from . import pages
from .theme import TEMPLATES_ROOT, brand_template_errors, template_environment

TEMPLATES = TEMPLATES_ROOT
CONTENT_DIR = "EPUB"  # every publication resource lives under this folder in the zip
XHTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"

# EPUB 3.3 core media types, by file extension; anything else is refused.
MEDIA_TYPES: Mapping[str, str] = {
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
# Elements whose `src` (or stylesheet `href`) loads a resource into the page.
_LOADING = {"img", "audio", "video", "source", "track", "iframe", "embed", "object", "script", "link"}


@dataclass(frozen=True)
class ManifestItem:
    id: str
    href: str
    media_type: str
    properties: str = ""


@dataclass(frozen=True)
class Accessibility:
    """What the content documents are, found by reading them; the package metadata states exactly this."""

    access_modes: tuple[str, ...]
    access_mode_sufficient: tuple[str, ...]
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str


def render_epub(doc: Document, brand: Brand, output: Path) -> None:
    """Write the EPUB of `doc` to `output`."""
    write_zip(Path(output), epub_files(doc, brand), build_time(doc.workbook), first=("mimetype",), stored=("mimetype",))


def publication_id(workbook: model.Workbook, brand: Brand) -> str:
    """A stable identifier: the same workbook id, version and brand always give the same URN.

    The brand is part of it because each council's edition is a publication of its
    own: a reading system must not take one council's EPUB for another's.
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{workbook.id}@{workbook.version}#{brand.name}')}"


def epub_files(doc: Document, brand: Brand) -> dict[str, bytes]:
    """Every file of the EPUB container: {name in the zip: bytes}."""
    with brand_template_errors(brand):
        return _epub_files(doc, brand)


def _epub_files(doc: Document, brand: Brand) -> dict[str, bytes]:
    env = _environment(brand, doc)
    _ = doc.gettext
    content = dict(pages.render_pages(doc, brand, pages.EPUB))
    page_hrefs = [pages.page_filename(page.slug, pages.EPUB) for page in doc.pages]
    missing = [href for href in page_hrefs if href not in content]
    if missing:
        raise RuntimeError(f"the EPUB page profile did not produce {', '.join(missing)}")

    # A section may be called "cover" or "nav": the files added here take names the pages left free.
    cover_page, cover_image, nav = (_free_name(name, content) for name in ("cover.xhtml", "cover.svg", "nav.xhtml"))
    logo_href = _logo_href(brand, content)
    stylesheets = _stylesheets(content[page_hrefs[0]])
    wb = doc.workbook
    context = {
        "lang": wb.lang,
        "title": doc.title,
        "subtitle": model.plain_text(wb.meta.subtitle),
        "council": brand.council_name,
        "brand": brand,
        "stylesheets": stylesheets,
        "logo_href": logo_href,
        "cover_image": cover_image,
        "cover_alt": _("Cover of %(title)s, from %(council)s.", title=doc.title, council=brand.council_name),
        "brand_lang_attr": pages.brand_language_attribute(doc, brand, pages.EPUB),
        # The cover names each other-language edition, in this edition's language, with its title in its own.
        "other_editions": [
            {"lang": edition.lang, "title": edition.title, "language_name": language_name(edition.lang, wb.lang)}
            for edition in doc.editions
        ],
        "cover_title_lines": textwrap.wrap(doc.title, 22) or [doc.title],
        "cover_subtitle_lines": textwrap.wrap(model.plain_text(wb.meta.subtitle), 34),
        "cover_council_lines": textwrap.wrap(brand.council_name, 34),
    }
    content[cover_image] = _render(env, "epub/cover.svg", context)
    content[cover_page] = _render(env, "epub/cover.xhtml", context)
    contents_page = next((page for page in doc.pages if page.section is None), None)
    first_section = next(page for page in doc.pages if page.section is not None)
    content[nav] = _render(env, "epub/nav.xhtml", {
        **context,
        "toc": [_toc_entry(section, pages.page_filename(doc.page_of[section.id], pages.EPUB)) for section in wb.sections],
        "landmarks": [
            ("cover", cover_page, _("Cover")),
            *([("toc", pages.page_filename(contents_page.slug, pages.EPUB), contents_page.title)] if contents_page else []),
            ("bodymatter", pages.page_filename(first_section.slug, pages.EPUB), first_section.title),
        ],
    })

    spine = [cover_page, *page_hrefs]
    manifest = _manifest(content, nav=nav, cover_image=cover_image)
    a11y = accessibility(doc, content)
    package = _render(env, "epub/package.opf", {
        **context,
        "identifier": publication_id(wb, brand),
        "version": wb.version,
        "modified": build_time(wb).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date": wb.meta.date,
        "creator": wb.meta.publisher,
        # Publication metadata (issue 12): authors as dc:creator (else the publisher, as before), rights, the ISBN.
        "authors": wb.meta.authors,
        "rights": wb.meta.rights,
        "isbn": wb.meta.isbn,
        "description": model.plain_text(wb.meta.summary),
        "manifest": manifest,
        "spine": [item for href in spine for item in manifest if item.href == href],
        "a11y": a11y,
        "conforms_to": CONFORMS_TO,
    })
    files = {
        "mimetype": b"application/epub+zip",
        "META-INF/container.xml": _render(env, "epub/container.xml", {"package_path": f"{CONTENT_DIR}/package.opf"}),
        f"{CONTENT_DIR}/package.opf": package,
    }
    files.update({f"{CONTENT_DIR}/{href}": data for href, data in content.items()})
    return files


def accessibility(doc: Document, content: Mapping[str, bytes]) -> Accessibility:
    """Read the content documents and say what is true of them, for the package metadata."""
    images = unlabelled = 0
    aria = False
    for href, data in sorted(content.items()):
        if not href.endswith(".xhtml"):
            continue
        for element in etree.fromstring(data).iter():
            if not isinstance(element.tag, str):
                continue
            name = etree.QName(element)
            if any(attr == "role" or attr.startswith("aria-") for attr in element.attrib):
                aria = True
            if name.namespace == XHTML_NS and name.localname in ("audio", "video", "iframe", "embed", "object"):
                # Embedded media would need hazard, access-mode and summary statements this module cannot make.
                raise RuntimeError(f"{href} embeds <{name.localname}>; the EPUB accessibility metadata assumes text and still images only")
            if name.namespace == XHTML_NS and name.localname == "img":
                images += 1
                unlabelled += element.get("alt") is None
            elif name.namespace == SVG_NS and name.localname == "svg" and element.get("aria-hidden") != "true":
                images += 1
                unlabelled += not (element.get("aria-label") or element.get("aria-labelledby")
                                   or element.find(f"{{{SVG_NS}}}title") is not None)
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if images and not unlabelled:
        features.append("alternativeText")
    if aria:
        features.append("ARIA")
    # The summary is for readers, in the publication's language; the properties above are the standard's terms.
    _ = doc.gettext
    summary = [
        _("This publication aims to meet EPUB Accessibility 1.1 and WCAG 2.2 Level AA; it passes EPUBCheck and Ace by DAISY "
          "but has not been certified by a third party."),
        _("It has a table of contents, a heading for every section and sub-section, and a reading order that follows the workbook."),
        _("It is reflowable: readers can change the text size, font and colours."),
    ]
    if images:
        summary.append(_("Every image and diagram has a text alternative.") if not unlabelled
                       else _("Some images have no text alternative."))
    if doc.quizzes:
        summary.append(_("The quizzes work without scripts: each statement links to its answer, and each answer links back."))
    if any(isinstance(node, model.Video) for node in model.walk(doc.workbook)):
        summary.append(_("Videos are not embedded; the text names them and links to them where an address is known."))
    summary.append(_("There is no audio, animation or flashing content."))
    return Accessibility(
        access_modes=("textual", "visual") if images else ("textual",),
        access_mode_sufficient=("textual",) if not unlabelled else ("textual", "visual"),
        features=tuple(features),
        hazards=("none",),
        summary=" ".join(summary),
    )


def _toc_entry(section: model.Section, page_href: str) -> dict:
    return {
        "title": model.plain_text(section.title),
        "href": f"{page_href}#{section.id}",
        "children": [_toc_entry(child, page_href) for child in section.subsections],
    }


def _manifest(content: Mapping[str, bytes], nav: str, cover_image: str) -> list[ManifestItem]:
    items, taken = [], set()
    for href in sorted(content):
        suffix = posixpath.splitext(href)[1].lower()
        if suffix not in MEDIA_TYPES:
            raise RuntimeError(f"the EPUB would contain '{href}', which is not an EPUB core media type "
                               f"(known: {', '.join(sorted(MEDIA_TYPES))})")
        properties = []
        if href == nav:
            properties.append("nav")
        if href == cover_image:
            properties.append("cover-image")
        if suffix == ".xhtml":
            properties += _document_properties(href, content[href])
        item_id = _item_id(href, taken)
        items.append(ManifestItem(item_id, href, MEDIA_TYPES[suffix], " ".join(properties)))
    return items


def _document_properties(href: str, data: bytes) -> list[str]:
    """The manifest properties a content document needs: svg if it embeds SVG; scripts are refused."""
    root = etree.fromstring(data)
    properties = []
    if root.find(f".//{{{SVG_NS}}}svg") is not None:
        properties.append("svg")
    if root.find(f".//{{{XHTML_NS}}}script") is not None:
        raise RuntimeError(f"{href} has a script; the EPUB page profile must not add scripts")
    for element in root.iter(*(f"{{{XHTML_NS}}}{name}" for name in _LOADING)):
        target = element.get("src") or (element.get("href") if element.get("rel") == "stylesheet" else None)
        if target and "://" in target:
            properties.append("remote-resources")
            break
    return properties


def _free_name(name: str, content: Mapping[str, bytes]) -> str:
    stem, suffix = posixpath.splitext(name)
    while name in content:
        stem += "-epub"
        name = stem + suffix
    return name


def _item_id(href: str, taken: set[str]) -> str:
    base = "item-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in href)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _logo_href(brand: Brand, content: dict[str, bytes]) -> str | None:
    """The logo's place in the publication: the pages' copy if they carry one, else one added here."""
    if brand.logo is None:
        return None
    from ..brand import MAX_LOGO_BYTES
    from ..safe_read import read_embedded

    data = read_embedded(brand.logo.path, MAX_LOGO_BYTES, "logo file")
    for href, existing in sorted(content.items()):
        if existing == data:
            return href
    href = f"assets/{brand.logo.path.name}"
    content[href] = data
    return href


def _stylesheets(page: bytes) -> list[str]:
    """The style sheets a page links, in order, so the cover and nav look like the pages."""
    return [link.get("href") for link in etree.fromstring(page).iter(f"{{{XHTML_NS}}}link")
            if link.get("rel") == "stylesheet"]


def _environment(brand: Brand, doc: Document) -> jinja2.Environment:
    """[brand templates, templates/epub], in the document's language: a brand may override the package files too."""
    return template_environment(TEMPLATES, brand.templates_dir, language=doc.language)


def _render(env: jinja2.Environment, name: str, context: Mapping[str, object]) -> bytes:
    return env.get_template(name).render(**context).encode("utf-8")
