"""The shared page renderer: a resolved workbook as HTML pages, for the site, EPUB and SCORM.

    files = render_pages(doc, brand, SITE)   # {"index.html": b"...", "assets/workbook.css": b"...", ...}

Every output format that is "pages in a folder or a zip" starts here. What
differs between them is a `Profile`: the outer template layer (HTML5 or
XHTML), whether scripts and answer boxes exist, whether there is a
whole-workbook print page, and an optional runtime script loaded first. The
markup itself lives in templates/html/ (a partial per block kind); this
module works out which partial renders a node and the links between pages,
and gathers the files. Its helpers each do one job: theme.py (the template
environment and brand-template errors), assets.py (CSS, scripts, fonts,
logo, images), learner.py (what workbook.js needs), diagram.py (geometry).

Templates load from [brand templates, templates/html] in a sandboxed Jinja2
environment (see theme.py), because brand folders are not trusted code: a
brand template that reaches for Python internals, for a file path or for a
file outside the template folders stops the build with a `UserError` naming
its file and line (brand_templates.py refuses most such templates before the
build starts; the sandbox catches the rest while they run).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import model
from ..brand import Brand
from ..chunk import CONTENTS_SLUG, Page
from ..editions import primary_language
from ..i18n import Language, language_name
from ..problems import UserError
from ..resolve import Document
from .assets import image_path, page_assets
from .diagram import CHARACTER_WIDTH, diagram_drawing  # noqa: F401  (CHARACTER_WIDTH: read by tests)
from .learner import learner_data, storage_key  # noqa: F401  (storage_key: read by scorm.py and tests)
from .theme import TEMPLATES_DIR, brand_template_errors, template_environment
from .template_budget import template_budget

PRINT_SLUG = "print"


@dataclass(frozen=True)
class Profile:
    """How one output format wants its pages: the only place formats differ."""

    name: str
    template: str  # the outer layer in templates/html/profiles/
    extension: str  # of every page file: ".html" or ".xhtml"
    xhtml: bool  # XML serialisation (EPUB); otherwise HTML5
    scripts: bool  # workbook.js, answer boxes, the interactive quiz
    print_page: bool  # a whole-workbook page for printing
    runtime_script: str | None = None  # loaded before workbook.js (the SCORM adapter)
    layer: str | None = None  # templates that override the site's, in templates/html/profiles/ (how the markup differs)
    # Links to the same page of the other-language editions' sites (build/<id>/<brand>/html/): only a
    # site can follow them; a book or an LMS package cannot reach another edition's site.
    edition_links: bool = False


SITE = Profile("site", "profiles/site.html.j2", ".html", xhtml=False, scripts=True, print_page=True, edition_links=True)
EPUB = Profile("epub", "profiles/epub.xhtml.j2", ".xhtml", xhtml=True, scripts=False, print_page=False, layer="epub")
# SCORM's quiz is graded for the LMS: its layer leaves the answers out of the page before checking.
SCORM = Profile(
    "scorm", "profiles/scorm.html.j2", ".html", xhtml=False, scripts=True, print_page=False,
    runtime_script="assets/scorm-runtime.js", layer="scorm",
)


def page_filename(slug: str, profile: Profile) -> str:
    return f"{slug}{profile.extension}"


def print_slug(doc: Document) -> str:
    """The slug of the whole-workbook page, clear of every section id."""
    slug = PRINT_SLUG
    while slug in doc.targets or any(page.slug == slug for page in doc.pages):
        slug = f"{slug}-version"
    return slug


def render_pages(doc: Document, brand: Brand, profile: Profile) -> dict[str, bytes]:
    """Render every page and asset of `doc`; keys are relative POSIX paths, in sorted order."""
    with brand_template_errors(brand), template_budget(brand.templates_dir):
        files = _render_pages(doc, brand, profile)
    if brand.templates_dir is not None:
        _guard_brand_pages(files, brand, profile)
    return files


def _guard_brand_pages(files: dict[str, bytes], brand: Brand, profile: Profile) -> None:
    """Refuse pages that a brand's template overrides made inaccessible or unsafe (see page_guard)."""
    from lxml import etree

    from .page_guard import brand_page_problems
    from .xhtml_wellformed import ill_formed_page_problem

    if profile.xhtml:  # an XHTML page the brand's markup broke, at the template line that wrote it
        for name, data in files.items():
            if name.endswith(profile.extension):
                try:
                    etree.fromstring(data)
                except etree.XMLSyntaxError as exc:
                    raise UserError(ill_formed_page_problem(brand.templates_dir, name, exc)) from None
    own_scripts = frozenset(name for name in files if name.endswith(".js")) | ({profile.runtime_script} - {None})
    problems = brand_page_problems(files, brand.templates_dir, profile.xhtml, profile.extension, own_scripts, profile.name)
    if problems:
        raise UserError(problems)


def _render_pages(doc: Document, brand: Brand, profile: Profile) -> dict[str, bytes]:
    pages = PageSet(doc, brand, profile)
    files: dict[str, bytes] = dict(pages.assets)
    for name in pages.names:
        files[name] = pages.page(name)
    return dict(sorted(files.items()))


class PageSet:
    """The pages of one document, ready to render one at a time: `assets`, the page file `names`, and `page(name)`.

    render_pages renders them all, inside the brand's template budget and
    followed by its page guard. The preview (serve.py) renders a page when it
    is first asked for, and only for brands without template overrides, which
    have neither budget nor guard to keep: `page(name)` then gives the same
    bytes render_pages would. Everything the pages share (assets, learner
    data, where each quiz answer is printed) is worked out once, here.
    """

    def __init__(self, doc: Document, brand: Brand, profile: Profile):
        environment = page_environment(brand, profile, doc.language)
        assets = page_assets(doc, brand, profile, environment)
        self._doc, self._brand, self._profile = doc, brand, profile
        self._answer_pages = _answer_pages(doc)
        brand_lang = brand_language_attribute(doc, brand, profile)
        self._shared = {
            "doc": doc,
            "workbook": doc.workbook,
            "brand": brand,
            "profile": profile,
            "logo": assets.logo,
            "stylesheets": assets.stylesheets,
            "scripts": assets.scripts,
            "learner_data": learner_data(doc, brand) if profile.scripts else None,
            "print_page": page_filename(print_slug(doc), profile) if profile.print_page else None,
            "contents": page_filename(CONTENTS_SLUG, profile),
            "page_titles": {page.slug: page.title for page in doc.pages},
            # Void elements close with "/>" in XHTML, ">" in HTML5.
            "void_slash": Markup("/") if profile.xhtml else "",
            # The brand's own text is in the brand's language: marked where that is not the workbook's.
            "brand_lang_attr": brand_lang,
            "lang_attr": lambda lang: _lang_attribute(lang, profile),
            "brand_text": (lambda text: Markup("<span{}>{}</span>").format(brand_lang, text)) if brand_lang else (lambda text: text),
        }
        self._template = environment.get_template(profile.template)
        self.assets: dict[str, bytes] = dict(assets.files)
        self._pages = {page_filename(page.slug, profile): page for page in doc.pages}
        if profile.print_page:
            slug = print_slug(doc)
            self._pages[page_filename(slug, profile)] = Page(slug=slug, title=doc.gettext("Whole workbook"), section=None,
                                                             index=len(doc.pages), previous=None, next=None)
        self.names: tuple[str, ...] = tuple(self._pages)  # reading order, the print page last

    def page(self, name: str) -> bytes:
        """The page file `name` ("practice.html"), rendered."""
        page = self._pages[name]
        whole = self._profile.print_page and name == self.names[-1]
        links = PageLinks(self._doc, self._profile, self._answer_pages, current=None if whole else page.slug)
        kind = "print" if whole else "contents" if page.section is None else "section"
        editions = other_editions(self._doc, self._brand, self._profile, None if whole else page.slug)
        return _encode(self._template.render(self._shared, page=page, page_kind=kind, links=links, editions=editions))


# --- which partial renders a node ------------------------------------------

_BLOCK_TEMPLATES: Mapping[type, str] = {
    model.Paragraph: "paragraph",
    model.ListBlock: "list",
    model.Quote: "quote",
    model.Definitions: "definitions",
    model.Figure: "figure",
    model.Video: "video",
    model.Subsection: "subsection",
    model.Challenge: "challenge",
    model.Quiz: "quiz",
    model.QuizAnswers: "quiz-answers",
    model.Section: "section",
    model.Table: "table",
}


def block_template(node: object) -> str:
    """The partial in templates/html/blocks/ that renders a block; boxes get one per kind."""
    if isinstance(node, model.Box):
        return f"blocks/{node.kind}.html.j2"
    return f"blocks/{_BLOCK_TEMPLATES[type(node)]}.html.j2"


def block_kind(node: model.Box | model.Challenge) -> str:
    """The kind of a typed block, which names its icon and its style."""
    return "challenge" if isinstance(node, model.Challenge) else node.kind


_INLINE_KINDS: Mapping[type, str] = {
    model.Text: "text", model.Emphasis: "emphasis", model.Strong: "strong", model.Link: "link", model.Ref: "ref",
}


def inline_kind(node: object) -> str:
    return _INLINE_KINDS[type(node)]


def heading_level(level: int) -> int:
    """HTML stops at h6; deeper nesting keeps h6 rather than inventing h7."""
    return max(1, min(level, 6))


# --- links -----------------------------------------------------------------


class PageLinks:
    """Hrefs as seen from one page: "#id" on the same page, "slug.ext#id" elsewhere."""

    def __init__(self, doc: Document, profile: Profile, answer_pages: Mapping[str, str], current: str | None):
        self._doc = doc
        self._profile = profile
        self._answer_pages = answer_pages
        self._current = current  # None: the whole workbook is this one page

    def page(self, slug: str) -> str:
        if self._current is None and slug != CONTENTS_SLUG:
            return f"#{slug}"
        return page_filename(slug, self._profile)

    def to(self, target_id: str) -> str:
        """The href of a block, section or statement anywhere in the workbook."""
        slug = self._doc.page_of.get(target_id, CONTENTS_SLUG)
        return self._href(slug, target_id)

    def answer(self, statement_id: str) -> str | None:
        """The href of a statement's entry in the quiz answers, or None if none is printed."""
        slug = self._answer_pages.get(statement_id)
        return None if slug is None else self._href(slug, answer_anchor(statement_id))

    def ref_text(self, target_id: str) -> str:
        return self._doc.target_title(target_id)

    def _href(self, slug: str, target_id: str) -> str:
        if self._current is None or slug == self._current:
            return f"#{target_id}"
        if target_id == slug:  # a page's own section: the page, not a jump into it
            return page_filename(slug, self._profile)
        return f"{page_filename(slug, self._profile)}#{target_id}"


def answer_anchor(statement_id: str) -> str:
    return f"answer-to-{statement_id}"


def _answer_pages(doc: Document) -> dict[str, str]:
    """Map each quiz statement id to the page that prints its answer."""
    pages: dict[str, str] = {}
    for page in doc.pages:
        if page.section is None:
            continue
        for node in model.walk(page.section):
            if isinstance(node, model.QuizAnswers):
                for answer in node.answers:
                    pages.setdefault(answer.choice if isinstance(answer, model.ChoiceAnswer) else answer.statement, page.slug)
    return pages


def _encode(text: str) -> bytes:
    return text.encode("utf-8")


# What every page template may call, besides the values it is given.
_PAGE_GLOBALS = (
    ("block_template", block_template),
    ("block_kind", block_kind),
    ("inline_kind", inline_kind),
    ("answer_anchor", answer_anchor),
    ("image_path", image_path),
    ("diagram_drawing", diagram_drawing),
    ("plain_text", model.plain_text),
    ("heading_level", heading_level),
)
_PAGE_TESTS = (
    ("question", lambda node: isinstance(node, model.Question)),
    ("checklist", lambda node: isinstance(node, model.Checklist)),
    ("rating_scale", lambda node: isinstance(node, model.RatingScale)),
    ("choice_answer", lambda node: isinstance(node, model.ChoiceAnswer)),
    # A challenge item whose answers the learner state keeps (a quiz's are kept with the quiz).
    ("kept_answer", lambda node: isinstance(node, (model.Question, model.Checklist, model.RatingScale))),
)


def page_environment(brand: Brand, profile: Profile, language: Language | None = None) -> SandboxedEnvironment:
    """The page templates' environment: [brand templates, the profile's layer, templates/html], blocks trimmed, in `language`."""
    layers = (TEMPLATES_DIR / "profiles" / profile.layer,) if profile.layer else ()
    return template_environment(TEMPLATES_DIR, brand.templates_dir, layers=layers, trim_blocks=True,
                                globals=_PAGE_GLOBALS, tests=_PAGE_TESTS, language=language)


# --- languages ---------------------------------------------------------------


def brand_language_attribute(doc: Document, brand: Brand, profile: Profile) -> Markup:
    """` lang="en-GB"` for the brand's own text when its language is not the workbook's; else nothing."""
    if primary_language(brand.language) == primary_language(doc.workbook.lang):
        return Markup("")
    return _lang_attribute(brand.language, profile)


def _lang_attribute(lang: str | None, profile: Profile) -> Markup:
    """` lang="cy"` (with xml:lang in XHTML), or nothing for None."""
    if not lang:
        return Markup("")
    if profile.xhtml:
        return Markup(' lang="{0}" xml:lang="{0}"').format(lang)
    return Markup(' lang="{0}"').format(lang)


def other_editions(doc: Document, brand: Brand, profile: Profile, slug: str | None) -> list[dict]:
    """The same page in each other-language edition: {lang, name (in that language), href}, for the web site.

    The site of each edition is build/<id>/<brand>/html/, so the link climbs to
    build/ and down into the other's folder; a page without a twin there (or the
    print page) links to its contents page. EPUB and SCORM get none: a book or an
    LMS package cannot follow a link into another edition's site (the EPUB and
    Word covers name it instead).
    """
    if not profile.edition_links:
        return []
    found = []
    for edition in doc.editions:
        target = slug if slug in edition.page_slugs else CONTENTS_SLUG
        found.append({
            "lang": edition.lang,
            "name": language_name(edition.lang),
            "href": f"../../../{edition.workbook_id}/{brand.name}/html/{page_filename(target, profile)}",
        })
    return found
