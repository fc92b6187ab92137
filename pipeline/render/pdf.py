"""The PDF: the shared pages' whole-workbook print page, laid out on A4 by WeasyPrint.

    render_pdf(doc, brand, Path("build/<id>/<brand>/<id>.pdf"))

The PDF profile renders the print page with the PDF's own template layer
(profiles/pdf.html.j2, profiles/pdf/: answer boxes and quiz tick boxes as form
controls, decorative icons as CSS backgrounds, link addresses as text) and
assets/pdf.css (pages, running header and footer, contents page numbers).
WeasyPrint writes it as PDF/UA-1: tagged, with the workbook's language, the
title shown in the title bar, an outline of the headings, and every answer and
tick box a form field named by its question.

Everything WeasyPrint loads comes from the rendered pages (`_PageFetcher`):
nothing is fetched from another host or from disk. The same inputs give the
same bytes: the dates are the build time (SOURCE_DATE_EPOCH), the file
identifier is a hash of the content, and form fields are named by question ids.
"""
from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import Iterator, Mapping

from .. import model
from ..brand import Brand
from ..model import SourceLocation
from ..problems import UserError, error
from ..reproducible import build_time
from ..resolve import Document
from .assets import font_files, image_path
from .pages import Profile, page_filename, print_slug, render_pages
from .theme import TEMPLATES_DIR

PDF = Profile(
    "pdf", "profiles/pdf.html.j2", ".html", xhtml=False, scripts=False, print_page=True, layer="pdf",
)

PDF_STYLESHEET = "assets/pdf.css"
ICONS_FOLDER = "assets/icons"
# A base URL no page link can leave: every resource is looked up in the rendered files.
BASE_URL = "file:///workbook/"
# Layout needs them too: pdf_forms gives form controls their widgets, the variant turns on tagging.
WEASYPRINT_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_forms": True, "pdf_identifier": True}


def render_pdf(doc: Document, brand: Brand, output: Path) -> None:
    """Write the accessible, fillable PDF of `doc` to `output`."""
    from weasyprint import HTML

    files = dict(render_pages(doc, brand, PDF))
    files[PDF_STYLESHEET] = (TEMPLATES_DIR / PDF_STYLESHEET).read_bytes()
    for icon in sorted((TEMPLATES_DIR / "icons").glob("*.svg")):
        files[f"{ICONS_FOLDER}/{icon.name}"] = icon.read_bytes()
    page = files[page_filename(print_slug(doc), PDF)]
    fetcher = _PageFetcher(files)
    with _weasyprint_problems() as problems:
        document = HTML(string=page.decode("utf-8"), base_url=BASE_URL, url_fetcher=fetcher).render(**WEASYPRINT_OPTIONS)
    _refuse_unusable_files(problems, doc, brand)
    moment = build_time(doc.workbook).strftime("%Y-%m-%dT%H:%M:%SZ")
    document.metadata = _workbook_metadata(document.metadata, doc, brand)
    document.metadata.created = moment
    document.metadata.modified = moment
    groups = _radio_group_names(doc)

    def finish(document, pdf) -> None:
        _running_text_as_artifacts(document, pdf)
        _list_items_in_bodies(pdf)
        _name_radio_groups(pdf, groups)

    data = document.write_pdf(finisher=finish, **WEASYPRINT_OPTIONS)
    Path(output).write_bytes(data)


def _workbook_metadata(metadata, doc: Document, brand: Brand):
    """WeasyPrint's metadata with the workbook's: title, authors, summary, rights and identifier.

    The authors are the source's <author>s (the publisher, or the council, where it
    names none): the info dictionary's /Author and the XMP dc:creator. WeasyPrint's
    XMP has no rights or identifier, so `_WorkbookMetadata` adds dc:rights and
    dc:identifier (the ISBN as urn:isbn:…, else the reference code).
    """
    from weasyprint.pdf.metadata import DocumentMetadata

    class _WorkbookMetadata(DocumentMetadata):
        def generate_rdf_metadata(self, variant, version, conformance):
            from xml.etree.ElementTree import SubElement, fromstring, tostring

            from weasyprint.pdf.metadata import NS

            rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
            if rights:
                element = SubElement(rdf, f"{{{NS['rdf']}}}Description", {f"{{{NS['rdf']}}}about": ""})
                element = SubElement(SubElement(element, f"{{{NS['dc']}}}rights"), f"{{{NS['rdf']}}}Alt")
                item = SubElement(element, f"{{{NS['rdf']}}}li", {"xml:lang": "x-default"})
                item.text = rights
            if identifier:
                element = SubElement(rdf, f"{{{NS['rdf']}}}Description", {f"{{{NS['rdf']}}}about": ""})
                SubElement(element, f"{{{NS['dc']}}}identifier").text = identifier
            return tostring(rdf, encoding="utf-8")

    meta = doc.workbook.meta
    rights = meta.rights
    identifiers = {item.scheme: item.value for item in meta.identifiers}
    identifier = f"urn:isbn:{identifiers['isbn'].replace('-', '')}" if "isbn" in identifiers else identifiers.get("reference")
    result = _WorkbookMetadata(**{key: value for key, value in vars(metadata).items()})
    result.title = doc.title
    result.authors = list(meta.authors) or [meta.publisher or brand.council_name]
    result.description = " ".join(model.plain_text(meta.summary).split()) if meta.summary else None
    return result


def _radio_group_names(doc: Document) -> dict[str, str]:
    """The accessible name (/TU) of each radio group, by its field name (/T).

    WeasyPrint names a radio group by its first button's title, which names the
    button ("Asking questions – Not at all"); the group is the question: a choice
    with select="one" (profiles/pdf/blocks/choice.html.j2) or a rating scale's statement.
    """
    _ = doc.gettext
    names: dict[str, str] = {}
    for quiz in (node for node in model.walk(doc.workbook) if isinstance(node, model.Quiz)):
        for number, choice in enumerate(quiz.choices, start=len(quiz.statements) + 1):
            if choice.select == "one":
                names[choice.id] = f"{_('Question %(number)s', number=number)}: {' '.join(model.plain_text(choice.prompt).split())}"
    for scale in (node for node in model.walk(doc.workbook) if isinstance(node, model.RatingScale)):
        prompt = " ".join(model.plain_text(scale.prompt).split()) if scale.prompt else _("Rate each statement")
        prompt += " " if prompt[-1:] in ".?!:" else ": "
        for statement in scale.statements:
            names[f"rating-{statement.id}"] = prompt + " ".join(model.plain_text(statement.content).split())
    return names


def _name_radio_groups(pdf, names: Mapping[str, str]) -> None:
    """Give each radio group its question as /TU, and its buttons no /T and no place in /Fields.

    A widget with a /T is a field in its own right (ISO 32000-1, 12.7.3.1): WeasyPrint
    gives each button of a group the group's name too, which makes a viewer see
    "name.name" fields. Each button keeps its /TU, the option or level it stands for.
    """
    import pydyf

    def resolve(reference):
        return pdf.objects[int(bytes(reference).split()[0])]

    if "AcroForm" not in pdf.catalog:
        return
    fields = pdf.catalog["AcroForm"]["Fields"]
    buttons: set[int] = set()
    for reference in fields:
        field = resolve(reference)
        if "Kids" not in field:
            continue
        name = field["T"]
        name = name.string if isinstance(name, pydyf.String) else str(name)
        if name in names:
            field["TU"] = pydyf.String(names[name])
        for kid in field["Kids"]:
            button = resolve(kid)
            button.pop("T", None)
            buttons.add(button.number)
    # The form's /Fields lists the fields, not the group's buttons (WeasyPrint lists both).
    fields[:] = [reference for reference in fields if resolve(reference).number not in buttons]


def _list_items_in_bodies(pdf) -> None:
    """Put what a list item holds besides its number in its /LBody, as the tagged-PDF rules ask.

    ISO 32000-1 14.8.4.3.3: an /LI holds a label (/Lbl) and a body (/LBody). WeasyPrint 70
    makes an /LBody only for an item of inline content: a numbered step of paragraphs
    (issue 12) comes out as /LI [/Lbl /P /P], and a list nested in such a step lands
    beside its item, in the outer /L; a definition list's entry is a /Div in the /L.
    This moves an item's other elements into one /LBody, a nested /L into the body of
    the item before it, and an entry's term and definition (each an /LI) into the /L.
    """
    import pydyf

    def resolve(reference):
        return pdf.objects[int(bytes(reference).split()[0])]

    def role(element) -> str:
        return str(element.get("S", ""))

    def body_of(item):
        """The item's /LBody, made (holding the item's kids other than its /Lbl) where it has none."""
        kids = item["K"]
        for kid in kids:
            if not isinstance(kid, int) and role(resolve(kid)) == "/LBody":
                return resolve(kid)
        body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array([]), "P": item.reference})
        if "Pg" in item:
            body["Pg"] = item["Pg"]
        pdf.add_object(body)
        kept = pydyf.Array([])
        for kid in kids:
            if isinstance(kid, int) or role(resolve(kid)) == "/Lbl":
                kept.append(kid)
            else:
                resolve(kid)["P"] = body.reference
                body["K"].append(kid)
        kept.append(body.reference)
        item["K"] = kept
        return body

    root = resolve(pdf.catalog["StructTreeRoot"])
    stack, seen = list(root["K"]), set()
    while stack:
        reference = stack.pop()
        if isinstance(reference, int):
            continue
        element = resolve(reference)
        if element.number in seen:
            continue
        seen.add(element.number)
        if role(element) == "/L":
            kept, item = pydyf.Array([]), None
            kids = []
            for kid in element["K"]:
                child = None if isinstance(kid, int) else resolve(kid)
                if child is not None and role(child) == "/Div":
                    # A definition list's entry (<div><dt/><dd/></div>): its term and definition, as items.
                    for grandchild in child["K"]:
                        if not isinstance(grandchild, int):
                            resolve(grandchild)["P"] = element.reference
                        kids.append(grandchild)
                else:
                    kids.append(kid)
            for kid in kids:
                child = None if isinstance(kid, int) else resolve(kid)
                if child is not None and role(child) == "/L" and item is not None:
                    body = body_of(item)
                    child["P"] = body.reference
                    body["K"].append(kid)
                    continue
                if child is not None and role(child) == "/LI":
                    item = child
                kept.append(kid)
            element["K"] = kept
        elif role(element) == "/LI" and any(
                not isinstance(kid, int) and role(resolve(kid)) not in ("/Lbl", "/LBody") for kid in element["K"]):
            body_of(element)
        stack.extend(kid for kid in element.get("K", ()) if not isinstance(kid, int))


def _running_text_as_artifacts(document, pdf) -> None:
    """Mark the running header and footer as artifacts, as PDF/UA asks of page furniture.

    WeasyPrint 70 gives the text of page margin boxes marked-content ids whose
    structure elements it leaves out of the structure tree (weasyprint/pdf/tags.py,
    "only allowed in PDF 2.0"): content that is neither real content in the
    tree nor an artifact. This runs on WeasyPrint's PDF objects before they are
    written: every such id's "/Span <</MCID n>> BDC" becomes "/Artifact BMC",
    and its parent-tree entry null. tests/test_pdf.py checks that no id is left
    outside the tree.
    """
    import pydyf

    def resolve(reference):
        return pdf.objects[int(bytes(reference).split()[0])]

    root = resolve(pdf.catalog["StructTreeRoot"])
    in_tree: set[int] = set()
    stack = list(root["K"])
    while stack:
        reference = stack.pop()
        if isinstance(reference, int):
            continue  # a marked-content id
        element = resolve(reference)
        if element.number in in_tree:
            continue
        in_tree.add(element.number)
        stack.extend(kid for kid in element.get("K", ()) if isinstance(kid, (bytes, str)))
    numbers = resolve(root["ParentTree"])["Nums"]
    page_references = pdf.page_references
    for index in range(0, len(numbers), 2):
        key, value = numbers[index], numbers[index + 1]
        if not isinstance(value, pydyf.Array) or key >= len(page_references):
            continue  # an annotation's entry, not a page's
        outside = {mcid for mcid, reference in enumerate(value) if resolve(reference).number not in in_tree}
        if not outside:
            continue
        for mcid in outside:
            value[mcid] = b"null"
        stream = resolve(resolve(page_references[key])["Contents"])
        stream.stream = _as_artifacts(stream.stream, outside)


def _as_artifacts(operations: list, mcids: set[int]) -> list:
    """A content stream's operations with the marked content of `mcids` turned into artifacts."""
    result = []
    for operation in operations:
        if operation == b"BDC" and len(result) >= 2 and isinstance(result[-1], dict) and result[-1].get("MCID") in mcids:
            result[-2:] = ["/Artifact", b"BMC"]
        else:
            result.append(operation)
    return result


class _PageFetcher:
    """WeasyPrint's URL fetcher for the rendered files: nothing else, and no other host, is read."""

    _fail_on_errors = False  # read by weasyprint.urls.fetch: a missing file is logged, then refused below

    def __init__(self, files: Mapping[str, bytes]):
        self._files = files

    def __call__(self, url: str):
        from weasyprint.urls import URLFetcherResponse

        if not url.startswith(BASE_URL):
            raise ValueError(f"the PDF loads nothing from outside the workbook: {url}")
        name = url[len(BASE_URL):].split("#")[0].split("?")[0]
        if name not in self._files:
            raise ValueError(f"no such file in the workbook's pages: {name}")
        return URLFetcherResponse(url, self._files[name], {"Content-Type": _media_type(name)})


_MEDIA_TYPES = {
    ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
}


def _media_type(name: str) -> str:
    return _MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


@contextlib.contextmanager
def _weasyprint_problems() -> Iterator[list[logging.LogRecord]]:
    """Collect what WeasyPrint logs while it lays out the pages (it logs, rather than raises, a file it cannot use)."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("weasyprint")
    handler = Collect(logging.WARNING)
    level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)  # a quieter logging set-up must not hide an unusable file
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


_FONT_FAILED = re.compile(r"Font-face '(?P<family>.*)' cannot be loaded")
_IMAGE_FAILED = re.compile(r"Failed to (?:load|render SVG) image(?: at)? '?(?P<url>[^' ]+)'?")


def _refuse_unusable_files(records: list[logging.LogRecord], doc: Document, brand: Brand) -> None:
    """A brand font or an image WeasyPrint could not use stops the build, naming the file."""
    origins = _file_origins(doc, brand)
    problems = []
    for record in records:
        message = record.getMessage()
        if found := _FONT_FAILED.search(message):
            family = found["family"].strip("'\"")
            for font in brand.font_files:
                if font.family == family:
                    problems.append(error(
                        SourceLocation(_shown(font.path)),
                        f"the PDF cannot use this font file for '{family}' (WeasyPrint could not load it); "
                        "replace it with a working TrueType, OpenType, WOFF or WOFF2 file, or remove it from brand.json",
                        "pdf.font-unusable"))
        elif found := _IMAGE_FAILED.search(message):
            url = found["url"]
            name = url[len(BASE_URL):] if url.startswith(BASE_URL) else url
            path = origins.get(name)
            where = SourceLocation(_shown(path)) if path else SourceLocation(name)
            problems.append(error(
                where, "the PDF cannot use this image (WeasyPrint could not read it); "
                "replace it with a working PNG, JPEG or SVG file", "pdf.image-unusable"))
    if problems:
        raise UserError(sorted(set(problems), key=lambda problem: problem.sort_key))


def _file_origins(doc: Document, brand: Brand) -> dict[str, Path]:
    """The source file of each brand or workbook file in the pages, by its path there."""
    origins: dict[str, Path] = {href: font.path for href, (font, _) in font_files(brand).items()}
    if brand.logo is not None:
        for suffix in (".png", ".jpg", ".svg"):
            origins[f"assets/logo{suffix}"] = brand.logo.path
    source = doc.workbook.loc.file if doc.workbook.loc else None
    if source:
        for node in model.walk(doc.workbook):
            if isinstance(node, model.Figure) and node.image is not None:
                origins[image_path(node.image)] = Path(source).parent / node.image.src
    return origins


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
