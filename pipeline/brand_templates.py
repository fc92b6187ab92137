"""Brand template overrides checked before anything is built: inside the brand folder, parseable, no escape attempts, known blocks.

The sandbox (render/theme.py) refuses the same things while a template runs;
this reads the sources first so that every problem is reported at once, with
its line, before the build has created anything.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from . import resources
from .model import SourceLocation
from .problems import Problem, error, warning

TEMPLATES_FOLDER = "templates"
MAX_TEMPLATE_BYTES = 1024 * 1024  # the largest base template is about 10 KB


def unsafe_template_name(name: str) -> bool:
    """True for a template name that climbs out of, or is absolute to, the template folders."""
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in re.split(r"[/\\]", name)


def template_problems(folder: Path) -> list[Problem]:
    """Check a brand's templates/ before anything is built: inside the folder, parseable, no escape attempts.

    The sandbox refuses the same things when a template runs; checking the
    source first reports every one at once, with its line, and before the
    build has created anything. (A name put together while the template
    runs, such as `attr(name)`, is still caught by the sandbox.)
    """
    templates = folder / TEMPLATES_FOLDER
    if not templates.exists():
        return []
    root = folder.resolve()
    if not templates.resolve().is_relative_to(root):
        return [error(SourceLocation(str(templates)), f"the templates folder leads outside the brand folder; make it a real folder inside {root}", "brand.path-outside")]
    from .render.theme import TEMPLATES_DIR, template_environment  # only brands with templates pay for importing Jinja2 here

    # The environment the pages render with (less its globals): it parses as they will.
    parser = template_environment(TEMPLATES_DIR)
    problems: list[Problem] = []
    for directory, subfolders, files in os.walk(templates):  # followlinks=False: a linked folder is checked, not entered
        for name in sorted(subfolders) + sorted(files):
            path = Path(directory, name)
            shown = SourceLocation(str(path))
            if name in subfolders and path.is_symlink():
                # The template loader would follow it, past files this check never saw.
                problems.append(error(shown, "this folder of templates is a link; make it a real folder inside the brand folder", "brand.path-outside"))
                subfolders.remove(name)
                continue
            if not path.resolve().is_relative_to(root):
                problems.append(error(shown, "this template is a link to a file outside the brand folder; put the template itself in the brand folder", "brand.path-outside"))
                continue
            if name in files:
                problems += _problems_in_template(parser, path, path.relative_to(templates).as_posix())
        subfolders.sort()
    return problems


BASE_TEMPLATES = resources.templates("html")  # = render.theme.TEMPLATES_DIR, without importing Jinja2


def _block_names(parser, name: str, seen: frozenset = frozenset()) -> set[str] | None:
    """Every block a base template (and the templates it extends) defines; None if it is not a base template."""
    from jinja2 import nodes

    path = BASE_TEMPLATES / name
    if name in seen or unsafe_template_name(name) or not path.is_file():
        return None
    tree = parser.parse(path.read_text(encoding="utf-8"), name, str(path))
    names = {block.name for block in tree.find_all(nodes.Block)}
    for extends in tree.find_all(nodes.Extends):
        if isinstance(extends.template, nodes.Const):
            names |= _block_names(parser, extends.template.value, seen | {name}) or set()
    return names


def _unknown_blocks(parser, tree, path: Path) -> list[Problem]:
    """A block the extended template does not have changes nothing: most often a misspelt name."""
    from jinja2 import nodes

    extends = next(tree.find_all(nodes.Extends), None)
    if extends is None or not isinstance(extends.template, nodes.Const):
        return []
    known = _block_names(parser, extends.template.value)
    if not known:
        return []
    outermost = [block for block in tree.body if isinstance(block, nodes.Block)]
    return [
        warning(SourceLocation(str(path), block.lineno), f"block '{block.name}' is not a block of {extends.template.value}, so it "
                f"changes nothing; the blocks you can override are: {', '.join(sorted(known))}", "brand.template-unknown-block")
        for block in outermost if block.name not in known
    ]


def _problems_in_template(parser, path: Path, name: str) -> list[Problem]:
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

    from .safe_read import InputError, read_input

    try:  # bounded and regular files only: a FIFO named like a template would otherwise hang the check
        source = read_input(path, MAX_TEMPLATE_BYTES, "brand template").decode("utf-8")
    except InputError as exc:
        return [error(SourceLocation(str(path)), exc.message, "brand.file-unreadable")]
    except UnicodeDecodeError:
        return [error(SourceLocation(str(path)), "template is not UTF-8 text", "brand.template-error")]
    try:
        tree = parser.parse(source, name, str(path))
    except TemplateSyntaxError as exc:
        return [error(SourceLocation(str(path), exc.lineno), f"template syntax error: {exc.message}", "brand.template-error")]

    def internal(node, attribute: str) -> Problem:
        return error(SourceLocation(str(path), node.lineno), f"template reaches for '{attribute}', a Python internal; brand templates may "
                     "only use the values they are given (brand, doc, workbook, page, links ...)", "brand.template-unsafe")

    problems = _unknown_blocks(parser, tree, path)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            problems.append(internal(node, node.attr))
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and str(node.arg.value).startswith("_"):
            problems.append(internal(node, node.arg.value))
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const) \
                and str(node.args[0].value).startswith("_"):
            problems.append(internal(node, node.args[0].value))
        elif isinstance(node, (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
            names = [node.template] if isinstance(node.template, nodes.Const) else list(node.template.find_all(nodes.Const))
            for constant in names:
                if isinstance(constant.value, str) and unsafe_template_name(constant.value):
                    problems.append(error(SourceLocation(str(path), node.lineno), f"template loads '{constant.value}', which is outside the "
                                          "template folders; name a template in the brand's templates/ folder or a base one, such as "
                                          "\"partials/contact.html.j2\"", "brand.template-unsafe"))
    return problems
