"""The one template environment factory: every Jinja2 environment of the renderers is made here.

    environment = template_environment(TEMPLATES_ROOT / "html", brand.templates_dir)

The loader path is [the brand's templates, the format's layers, the base
templates], so a brand overrides a base template by giving one of the same
name (see templates/html/base.html.j2 for which blocks a brand may override
and which values every template receives). A format's layer (EPUB's
templates/html/profiles/epub/, say) overrides a base template the same way,
usually by extending it as "site/<its name>" and replacing a block: the
"site/" prefix always names the base template itself. Every environment is sandboxed, because
brand folders are not trusted code, autoescapes, has StrictUndefined, and
shares one bytecode cache. `brand_template_errors` turns an error raised in a
brand's template into a UserError at its file and line; an error in a base
template is a toolkit bug and goes on as it is.
"""
from __future__ import annotations

import contextlib
import functools
from pathlib import Path, PurePath
from typing import Iterator

from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from .. import resources
from ..brand import Brand
from ..brand_templates import unsafe_template_name
from ..i18n import SOURCE_LANGUAGE, Language, install_translations, language_for
from ..model import SourceLocation
from ..problems import Problem, UserError, error
from .template_budget import BudgetedSandbox

TEMPLATES_ROOT = resources.templates()
TEMPLATES_DIR = TEMPLATES_ROOT / "html"
# How a layer's template names the base template it extends: "site/blocks/quiz.html.j2".
BASE_PREFIX = "site"


# Compiling the templates costs far more than rendering them, so each combination
# keeps one environment (Jinja2 environments are safe to share between threads,
# and the loader still notices edited template files). `globals` and `tests` are
# tuples of (name, function) pairs so that they can be part of the cache key.
@functools.lru_cache(maxsize=32)
def template_environment(base: Path, brand_templates: Path | None = None, *, layers: tuple[Path, ...] = (),
                         trim_blocks: bool = False, globals: tuple = (), tests: tuple = (),
                         language: Language | None = None) -> SandboxedEnvironment:
    """A sandboxed environment loading from [brand_templates, *layers, base]; "site/<name>" is always base's own.

    Templates speak `language` (English without one) through jinja2.ext.i18n:
    `{{ _("Contents") }}`, `{{ _("Challenge %(number)s", number=n) }}`, {% trans %}.
    """
    search_path = [str(brand_templates)] if brand_templates else []
    search_path += [str(layer) for layer in layers]
    search_path.append(str(base))
    loader = FileSystemLoader(search_path)
    if layers:
        loader = ChoiceLoader([loader, PrefixLoader({BASE_PREFIX: FileSystemLoader(str(base))})])
    environment = BrandSandbox(
        loader=loader,
        bytecode_cache=template_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=trim_blocks,
        lstrip_blocks=trim_blocks,
        keep_trailing_newline=True,
    )
    environment.globals.update(dict(globals))
    environment.tests.update(dict(tests))
    install_translations(environment, language or language_for(SOURCE_LANGUAGE))
    return environment


class BrandSandbox(BudgetedSandbox, SandboxedEnvironment):
    """Jinja2's sandbox, which also keeps file paths out of templates' reach, with a time and size budget (template_budget).

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
    """Compiled templates kept between runs, in the checkout's .cache/ folder (installed: the user's cache folder).

    Compiling the ~50 templates is the largest fixed cost of a build (about a
    fifth of it); Jinja2 keys each entry by the template's name and a checksum
    of its source, so an edited template is simply compiled again. Only the
    sandboxed environments use it: Jinja2 compiles calls differently when
    sandboxed, so sandboxed and plain code must never share a cache.
    """
    folder = resources.cache_dir("jinja-sandboxed")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only checkout still builds, just without the cache
    return FileSystemBytecodeCache(str(folder))
