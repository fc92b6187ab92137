"""The shared page renderer: a resolved workbook as HTML pages, for the site, EPUB and SCORM.

    files = render_pages(doc, brand, SITE)   # {"index.html": b"...", "assets/workbook.css": b"...", ...}

Every output format that is "pages in a folder or a zip" starts here. What
differs between them is a `Profile`: the outer template layer (HTML5 or
XHTML), whether scripts and answer boxes exist, whether there is a
whole-workbook print page, and an optional runtime script loaded first. The
markup itself lives in templates/html/ (a partial per block kind); this
module only works out links, the data workbook.js needs, diagram geometry
and brand CSS values, and gathers the files.

Templates load from [brand templates, templates/html] in a sandboxed Jinja2
environment, because brand folders are not trusted code: a brand template
that reaches for Python internals, for a file path or for a file outside the
template folders stops the build with a `UserError` naming its file and line
(brand.py refuses most such templates before the build starts; the sandbox
catches the rest while they run).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import Iterator, Mapping

from jinja2 import FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import model
from ..brand import Brand, FontFile, contrast_ratio, unsafe_template_name
from ..chunk import CONTENTS_SLUG, Page
from ..model import SourceLocation
from ..problems import Problem, UserError, error
from ..resolve import Document, with_brand_links

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "html"

# Static files copied as they are, and templated assets rendered from the brand.
STATIC_ASSETS = ("assets/workbook.css",)
SCRIPT_ASSETS = ("assets/workbook.js",)
BRAND_STYLESHEET = "assets/brand.css"
LOGO_STEM = "assets/logo"
FONTS_FOLDER = "assets/fonts"
IMAGES_FOLDER = "images"
PRINT_SLUG = "print"
# The brand whose name answers downloads leave out (pipeline.build.DEFAULT_BRAND's folder).
DEFAULT_BRAND_NAME = "default"


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
    graded_quiz: bool = False  # the quiz is scored for an LMS: no answers in the page before checking
    overlay: str | None = None  # a folder in templates/html/ whose partials replace the base ones (after the brand's)


SITE = Profile("site", "profiles/site.html.j2", ".html", xhtml=False, scripts=True, print_page=True)
EPUB = Profile("epub", "profiles/epub.xhtml.j2", ".xhtml", xhtml=True, scripts=False, print_page=False)
SCORM = Profile(
    "scorm", "profiles/scorm.html.j2", ".html", xhtml=False, scripts=True, print_page=False,
    runtime_script="assets/scorm-runtime.js", graded_quiz=True,
)
PROFILES: Mapping[str, Profile] = {profile.name: profile for profile in (SITE, EPUB, SCORM)}


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
    with brand_template_errors(brand):
        files = _render_pages(with_brand_links(doc, brand), brand, profile)
    if brand.templates_dir is not None:
        _guard_brand_pages(files, brand, profile)
    return files


def _guard_brand_pages(files: dict[str, bytes], brand: Brand, profile: Profile) -> None:
    """Refuse pages that a brand's template overrides made inaccessible or unsafe (see page_guard)."""
    from .page_guard import page_problems

    own_scripts = frozenset(name for name in files if name.endswith(".js")) | ({profile.runtime_script} - {None})
    found: list[str] = []
    for name, data in files.items():
        if name.endswith(profile.extension):
            found += page_problems(name, data, profile.xhtml, own_scripts)
    if found:
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise UserError(error(
            SourceLocation(str(brand.templates_dir)),
            f"the brand's templates make the {profile.name} pages inaccessible or unsafe: {shown}. "
            "Keep the base layout's landmarks, headings and text alternatives when overriding a block",
            "brand.template-accessibility",
        ))


def _render_pages(doc: Document, brand: Brand, profile: Profile) -> dict[str, bytes]:
    environment = template_environment(brand, profile.overlay)
    assets = _assets(doc, brand, profile, environment)
    answer_pages = _answer_pages(doc)
    shared = {
        "doc": doc,
        "workbook": doc.workbook,
        "brand": brand,
        "profile": profile,
        "logo": assets.logo,
        "stylesheets": assets.stylesheets,
        "scripts": assets.scripts,
        "learner_data": _learner_data(doc, brand) if profile.scripts else None,
        "print_page": page_filename(print_slug(doc), profile) if profile.print_page else None,
        "contents": page_filename(CONTENTS_SLUG, profile),
        "page_titles": {page.slug: page.title for page in doc.pages},
        # Void elements close with "/>" in XHTML, ">" in HTML5.
        "void_slash": Markup("/") if profile.xhtml else "",
    }
    template = environment.get_template(profile.template)
    files: dict[str, bytes] = dict(assets.files)
    for page in doc.pages:
        links = PageLinks(doc, profile, answer_pages, current=page.slug)
        kind = "contents" if page.section is None else "section"
        files[page_filename(page.slug, profile)] = _encode(template.render(shared, page=page, page_kind=kind, links=links))
    if profile.print_page:
        slug = print_slug(doc)
        links = PageLinks(doc, profile, answer_pages, current=None)
        whole = Page(slug=slug, title="Whole workbook", section=None, index=len(doc.pages), previous=None, next=None)
        files[page_filename(slug, profile)] = _encode(template.render(shared, page=whole, page_kind="print", links=links))
    return dict(sorted(files.items()))


def template_environment(brand: Brand, overlay: str | None = None) -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment whose loader tries the brand's templates, then a profile's overlay, first."""
    return _environment_for(brand.templates_dir, overlay)


class BrandSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, which also keeps file paths out of templates' reach.

    The sandbox already refuses Python internals (names starting with "_");
    a template that got hold of a `Path` (brand.folder, brand.logo.path)
    could still read any file with its public methods, so paths are refused
    too. Templates get what they show as text: the logo's src and alt, say.
    """

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if isinstance(obj, PurePath) or isinstance(value, PurePath):
            return False
        return super().is_safe_attribute(obj, attr, value)


@contextlib.contextmanager
def brand_template_errors(brand: Brand) -> Iterator[None]:
    """Turn an error raised by one of the brand's templates into a UserError at its file and line.

    Errors in the base templates are bugs in the toolkit and go on as they are.
    """
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        problem = brand_template_problem(brand, exc)
        if problem is None:
            raise
        raise UserError(problem) from exc


def brand_template_problem(brand: Brand, exc: BaseException) -> Problem | None:
    """The Problem to report for `exc` if a brand template caused it, else None."""
    if brand.templates_dir is None:
        return None
    folder = str(brand.templates_dir)
    if isinstance(exc, TemplateSyntaxError) and exc.filename and _inside(exc.filename, folder):
        return error(SourceLocation(exc.filename, exc.lineno), f"template syntax error: {exc.message}", "brand.template-error")
    where = _innermost_template_frame(exc)
    if where is None or not _inside(where[0], folder):
        return None
    location = SourceLocation(*where)
    if isinstance(exc, SecurityError):
        return error(location, f"template is not allowed to do this: {str(exc).rstrip('.')}; brand templates may only use the values they are given "
                     "(brand, doc, workbook, page, links ...)", "brand.template-unsafe")
    if isinstance(exc, TemplateNotFound):
        if any(unsafe_template_name(name) for name in (exc.templates or [exc.name])):
            return error(location, f"template loads '{exc.name}', which is outside the template folders; name a template in the "
                         "brand's templates/ folder or a base one, such as \"partials/contact.html.j2\"", "brand.template-unsafe")
        return error(location, f"template '{exc.name}' is neither in the brand's templates/ folder nor in {TEMPLATES_DIR}",
                     "brand.template-error")
    return error(location, f"template failed: {type(exc).__name__}: {exc}", "brand.template-error")


def _innermost_template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The template file and line where `exc` was raised, from Jinja2's rewritten traceback.

    Jinja2 rewrites a render error's traceback so that each template's frame
    carries the template's file name and line; Python frames end in ".py".
    """
    found = None
    traceback = exc.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    return found


def _inside(filename: str, folder: str) -> bool:
    return Path(filename).resolve().is_relative_to(folder)


@functools.lru_cache(maxsize=1)
def template_bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs, in the project's own .cache/ folder.

    Compiling the ~50 templates is the largest fixed cost of a build (about a
    fifth of it); Jinja2 keys each entry by the template's name and a checksum
    of its source, so an edited template is simply compiled again. Only the
    sandboxed environments use it: Jinja2 compiles calls differently when
    sandboxed, so sandboxed and plain code must never share a cache.
    """
    folder = TEMPLATES_DIR.parents[1] / ".cache" / "jinja-sandboxed"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only checkout still builds, just without the cache
    return FileSystemBytecodeCache(str(folder))


# Compiling the templates costs far more than rendering them, so each brand template
# folder keeps one environment (Jinja2 environments are safe to share between threads,
# and the loader still notices edited template files).
@functools.lru_cache(maxsize=16)
def _environment_for(brand_templates: Path | None, overlay: str | None = None) -> SandboxedEnvironment:
    search_path = [str(brand_templates)] if brand_templates else []
    search_path += [str(TEMPLATES_DIR / overlay)] if overlay else []
    search_path.append(str(TEMPLATES_DIR))
    environment = BrandSandbox(
        loader=FileSystemLoader(search_path),
        bytecode_cache=template_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        block_template=block_template,
        block_kind=block_kind,
        inline_kind=inline_kind,
        answer_anchor=answer_anchor,
        image_path=image_path,
        diagram_drawing=diagram_drawing,
        plain_text=model.plain_text,
        heading_level=heading_level,
    )
    environment.tests.update(question=lambda node: isinstance(node, model.Question))
    return environment


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
                    pages.setdefault(answer.statement, page.slug)
    return pages


# --- what workbook.js needs to know ----------------------------------------


def storage_key(doc: Document, brand: Brand) -> str:
    """The localStorage key of a learner's state: "workbook-state:<brand>:<workbook id>:<edition hash>".

    The brand keeps two councils' sites on one origin from sharing answers; the
    hash of the version and the question and statement ids gives a changed
    edition a fresh state rather than stale answers under ids that mean
    something else now.
    """
    edition = json.dumps({
        "version": doc.workbook.version,
        "questions": [question.id for question in doc.all_questions()],
        "statements": [statement.id for statement in doc.all_statements()],
    }, sort_keys=True)
    digest = hashlib.sha256(edition.encode("utf-8")).hexdigest()[:12]
    return f"workbook-state:{brand.name}:{doc.workbook.id}:{digest}"


def answers_filename(doc: Document, brand: Brand) -> str:
    """The answers download's file name: "<workbook id>-my-answers.txt", with the brand's name unless it is the default."""
    if brand.name == DEFAULT_BRAND_NAME:
        return f"{doc.workbook.id}-my-answers.txt"
    # A folder name may hold spaces or other characters a download name should not.
    name = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "-" for ch in brand.name)
    return f"{doc.workbook.id}-{name}-my-answers.txt"


def _learner_data(doc: Document, brand: Brand) -> dict:
    """Question and statement texts for the answers download, keyed by the ids the state uses."""
    questions = []
    statements = []
    for node in model.walk(doc.workbook):
        if isinstance(node, model.Challenge):
            heading = doc.target_title(node.id)
            for item in node.items:
                if isinstance(item, model.Question):
                    questions.append({"id": item.id, "challenge": heading, "text": _question_text(item)})
        if isinstance(node, model.Quiz):
            for statement in node.statements:
                answer = doc.answers.get(statement.id)
                statements.append({
                    "id": statement.id,
                    "text": model.plain_text(statement.content),
                    "expected": None if answer is None else answer.value,
                })
    return {
        "workbook": doc.workbook.id,
        "title": doc.title,
        "storageKey": storage_key(doc, brand),
        "answersFile": answers_filename(doc, brand),
        "questions": questions,
        "statements": statements,
    }


def _question_text(question: model.Question) -> str:
    lines = [model.plain_text(question.content).strip()]

    def add_list(block: model.ListBlock, depth: int) -> None:
        for item in block.items:
            lines.append(f"{'  ' * depth}- {model.plain_text(item.content).strip()}")
            for sublist in item.sublists:
                add_list(sublist, depth + 1)

    for sublist in question.sublists:
        add_list(sublist, 1)
    return "\n".join(lines)


# --- assets ----------------------------------------------------------------


@dataclass(frozen=True)
class _Assets:
    files: dict[str, bytes]
    stylesheets: tuple[str, ...]
    scripts: tuple[str, ...]
    logo: dict | None


_LOGO_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}


def _assets(doc: Document, brand: Brand, profile: Profile, environment: SandboxedEnvironment) -> _Assets:
    files: dict[str, bytes] = {}
    for name in STATIC_ASSETS + (SCRIPT_ASSETS if profile.scripts else ()):
        files[name] = (TEMPLATES_DIR / name).read_bytes()
    fonts = font_files(brand)
    files.update({href: data for href, (_, data) in fonts.items()})
    faces = [
        {"family": font.family, "src": PurePosixPath(href).relative_to(PurePosixPath(BRAND_STYLESHEET).parent).as_posix(),
         "format": _FONT_FORMATS[font.media_type], "weight": font.weight, "style": font.style}
        for href, (font, _) in fonts.items()
    ]
    files[BRAND_STYLESHEET] = _encode(environment.get_template("assets/brand.css.j2").render(
        properties=brand_properties(brand), font_faces=faces))
    logo = None
    if brand.logo is not None:
        logo_file = LOGO_STEM + _LOGO_EXTENSIONS[brand.logo.media_type]
        files[logo_file] = brand.logo.path.read_bytes()
        logo = {"src": logo_file, "alt": brand.logo.alt}
    files.update(_figure_images(doc))
    scripts = ((profile.runtime_script,) if profile.runtime_script else ()) + (SCRIPT_ASSETS if profile.scripts else ())
    return _Assets(files, (BRAND_STYLESHEET, *STATIC_ASSETS), scripts, logo)


# The CSS `format()` hint of each font media type brand.py accepts.
_FONT_FORMATS = {"font/ttf": "truetype", "font/otf": "opentype", "font/woff": "woff", "font/woff2": "woff2"}


def font_files(brand: Brand) -> dict[str, tuple[FontFile, bytes]]:
    """The brand's font files by their path in the output: {"assets/fonts/name.ttf": (FontFile, bytes)}.

    Names keep only ASCII letters, digits, hyphens and underscores before the
    suffix, so they need no escaping in CSS or a package manifest (EPUBCheck
    warns about spaces in file names).
    """
    fonts: dict[str, tuple[FontFile, bytes]] = {}
    for font in brand.font_files:
        stem = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "-" for ch in font.path.stem) or "font"
        suffix = _FONT_SUFFIXES[font.media_type]  # by content: the EPUB manifest takes the media type from it
        href, n = f"{FONTS_FOLDER}/{stem}{suffix}", 2
        while href in fonts:
            href, n = f"{FONTS_FOLDER}/{stem}-{n}{suffix}", n + 1
        fonts[href] = (font, font.path.read_bytes())
    return fonts


_FONT_SUFFIXES = {"font/ttf": ".ttf", "font/otf": ".otf", "font/woff": ".woff", "font/woff2": ".woff2"}


def image_path(image: model.Image) -> str:
    """Where a figure's image lives in the output, relative to every page."""
    parts = PurePosixPath(image.src.replace("\\", "/")).parts
    if parts and parts[0] == IMAGES_FOLDER:  # sources usually keep images in an images/ folder already
        parts = parts[1:]
    return str(PurePosixPath(IMAGES_FOLDER, *parts))


def _figure_images(doc: Document) -> dict[str, bytes]:
    # validate.py has checked that every image exists inside the source's folder.
    source = doc.workbook.loc.file if doc.workbook.loc else None
    images: dict[str, bytes] = {}
    for node in model.walk(doc.workbook):
        if isinstance(node, model.Figure) and node.image is not None and source:
            images[image_path(node.image)] = (Path(source).parent / node.image.src).read_bytes()
    return images


def brand_properties(brand: Brand) -> dict[str, Markup]:
    """CSS custom properties from the brand; values are safe to write raw (checked by the brand schema)."""
    colours = brand.colours
    properties = {
        "primary": colours.primary,
        "on-primary": colours.on_primary,
        "accent": colours.accent,
        "text": colours.text,
        "background": colours.background,
        "font-body": brand.body_font,
        "font-headings": brand.heading_font,
    }
    for kind, tint in colours.blocks.items():
        properties[f"block-{kind}"] = tint
        # Links keep the accent colour inside a tinted block only where it stays readable there.
        readable = contrast_ratio(colours.accent, tint) >= 4.5
        properties[f"link-{kind}"] = colours.accent if readable else colours.text
    return {name: Markup(_css_value(value)) for name, value in properties.items()}


def _css_value(value: str) -> str:
    # The brand schema already limits colours to #rrggbb and fonts to letters, digits,
    # spaces, commas, quotes and hyphens; this refuses anything else rather than trusting it.
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,'\"-#")
    if not set(value) <= allowed:
        raise ValueError(f"brand value {value!r} cannot be written into CSS")
    return value


def _encode(text: str) -> bytes:
    return text.encode("utf-8")


# --- described diagrams ----------------------------------------------------

DIAGRAM_WIDTH = 640
FONT_SIZE = 15
LINE_HEIGHT = 19
CHARACTER_WIDTH = 7.6  # a generous average for a sans-serif at FONT_SIZE
BOX_PADDING = 12


@dataclass(frozen=True)
class DiagramBox:
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]
    kind: str  # "node" or "divider"

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def centre_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def middle_y(self) -> float:
        return round(self.y + self.height / 2, 1)

    @property
    def right(self) -> float:
        return round(self.x + self.width, 1)

    @property
    def label_width(self) -> float:
        """The width of the backing behind a divider's label, so the line does not cross the words."""
        return round(max(len(line) for line in self.lines) * CHARACTER_WIDTH + 2 * BOX_PADDING, 1)

    @property
    def label_x(self) -> float:
        return round(self.centre_x - self.label_width / 2, 1)

    @property
    def first_baseline(self) -> float:
        text_height = LINE_HEIGHT * len(self.lines)
        return round(self.y + (self.height - text_height) / 2 + LINE_HEIGHT * 0.75, 1)


@dataclass(frozen=True)
class DiagramArrow:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class DiagramDrawing:
    width: float
    height: float
    boxes: tuple[DiagramBox, ...]
    arrows: tuple[DiagramArrow, ...]
    line_height: float = LINE_HEIGHT
    font_size: float = FONT_SIZE


def _wrap(label: str, width: float) -> tuple[str, ...]:
    columns = max(8, int((width - 2 * BOX_PADDING) / CHARACTER_WIDTH))
    return tuple(textwrap.wrap(label, columns)) or ("",)


def _box_height(lines: tuple[str, ...]) -> float:
    return len(lines) * LINE_HEIGHT + 2 * BOX_PADDING


def diagram_drawing(diagram: model.Diagram) -> DiagramDrawing:
    """Lay out a described diagram: boxes with wrapped labels and the arrows between them."""
    if diagram.layout == "cycle":
        return _cycle(diagram)
    return _stack(diagram, arrows=diagram.layout == "sequence")


def _stack(diagram: model.Diagram, arrows: bool) -> DiagramDrawing:
    """Layers and sequences: full-width boxes top to bottom (reads well at any width)."""
    margin, gap = 8, 36 if arrows else 14
    width = DIAGRAM_WIDTH - 2 * margin
    boxes: list[DiagramBox] = []
    y = margin
    for part in diagram.parts:
        lines = _wrap(part.label, width)
        height = _box_height(lines) if part.kind == "node" else len(lines) * LINE_HEIGHT + 8
        boxes.append(DiagramBox(margin, y, width, height, lines, part.kind))
        y += height + gap
    arrow_list = []
    if arrows:
        nodes = [box for box in boxes if box.kind == "node"]
        for upper, lower in zip(nodes, nodes[1:]):
            x = DIAGRAM_WIDTH / 2
            arrow_list.append(DiagramArrow(x, upper.y + upper.height + 4, x, lower.y - 6))
    return DiagramDrawing(DIAGRAM_WIDTH, y - gap + margin, tuple(boxes), tuple(arrow_list))


def _cycle(diagram: model.Diagram) -> DiagramDrawing:
    """Nodes round a circle, clockwise from the top, each with an arrow to the next."""
    nodes = diagram.nodes
    count = max(len(nodes), 1)
    box_width = 200 if count <= 6 else 150
    wrapped = [_wrap(node.label, box_width) for node in nodes]
    tallest = max((_box_height(lines) for lines in wrapped), default=_box_height(("",)))
    radius_x = (DIAGRAM_WIDTH - box_width) / 2 - 8
    radius_y = max(tallest * 1.25, 140.0)
    centre_x, centre_y = DIAGRAM_WIDTH / 2, radius_y + tallest / 2 + 8
    boxes = []
    for index, lines in enumerate(wrapped):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        x = centre_x + radius_x * math.cos(angle)
        y = centre_y + radius_y * math.sin(angle)
        height = _box_height(lines)
        boxes.append(DiagramBox(round(x - box_width / 2, 1), round(y - height / 2, 1), box_width, height, lines, "node"))
    arrows = []
    if count > 1:
        for index, box in enumerate(boxes):
            following = boxes[(index + 1) % count]
            start = _edge_point(box, following.centre, 6)
            end = _edge_point(following, box.centre, 10)
            arrows.append(DiagramArrow(*start, *end))
    height = 2 * centre_y
    return DiagramDrawing(DIAGRAM_WIDTH, round(height, 1), tuple(boxes), tuple(arrows))


def _edge_point(box: DiagramBox, toward: tuple[float, float], gap: float) -> tuple[float, float]:
    """Where the line from a box's centre toward a point leaves the box, plus a small gap."""
    cx, cy = box.centre
    dx, dy = toward[0] - cx, toward[1] - cy
    length = math.hypot(dx, dy) or 1.0
    scale = min(
        (box.width / 2) / abs(dx) if dx else math.inf,
        (box.height / 2) / abs(dy) if dy else math.inf,
    )
    scale += gap / length
    return round(cx + dx * scale, 1), round(cy + dy * scale, 1)

