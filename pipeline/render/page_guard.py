"""Check pages a brand's own templates helped render: they must stay accessible and safe.

The sandbox stops brand templates from reaching Python or the file system,
but a template is markup: it could drop the main landmark, add an image with
no text alternative, or carry a script. The page renderer runs this guard
over every page when a brand has templates, and a failing page stops the
build (exit 2) before anything is written. The base templates are held to
the same rules by the real validators in the test suite; this guard is the
build-time part of that promise for markup the suite has never seen.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from lxml import etree, html

from ..css_check import css_loads, package_relative, value_loads

HEADING = re.compile(r"^h([1-6])$")
FORBIDDEN_ELEMENTS = {"iframe", "embed", "object", "frame", "frameset", "base", "form", "applet", "portal", "fencedframe"}
# The allow-list of what may load a resource, and from where: each of these
# attributes may name only a file of the package (no scheme, no //host, no
# /root). `href` loads on every element but a link (<a>, <area>), which only
# navigates; any attribute whose value is CSS-like (style, fill="url(...)")
# is tokenised and held to the same rule.
LOADING_ATTRIBUTES = frozenset({"src", "srcset", "imagesrcset", "poster", "data", "background", "lowsrc", "dynsrc",
                                "codebase", "archive", "manifest", "action", "formaction", "ping", "icon", "profile"})
NAVIGATION_ELEMENTS = frozenset({"a", "area"})
CODE_SCHEMES = ("javascript", "vbscript", "data")
# Lower-case: the HTML parser lower-cases SVG's names (attributeName -> attributename).
ANIMATION_ELEMENTS = frozenset({"animate", "set", "animatemotion", "animatetransform", "discard"})


class Finding(NamedTuple):
    """One thing wrong with a page: the words, and text from the page that may be found in the template that wrote it."""

    message: str
    evidence: str | None = None


def page_problems(name: str, data: bytes, xhtml: bool, own_scripts: frozenset[str]) -> list[str]:
    """What is wrong with one rendered page, in words a council web officer can act on."""
    return [f"{name}: {finding.message}" for finding in page_findings(data, xhtml, own_scripts)]


def page_findings(data: bytes, xhtml: bool, own_scripts: frozenset[str]) -> list[Finding]:
    """page_problems, with the evidence that locates each finding in a template."""
    try:
        root = etree.fromstring(data) if xhtml else html.document_fromstring(data)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError) as exc:
        return [Finding(f"it is not well-formed XHTML ({exc}); close every element, and end void elements such as <link> "
                        "and <img> with \"{{ void_slash }}>\"")]
    findings: list[Finding] = []

    def elements(tag: str) -> list:
        return [element for element in root.iter() if isinstance(element.tag, str) and _tag(element) == tag]

    def add(message: str, evidence: str | None = None) -> None:
        findings.append(Finding(message, evidence))

    if not (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")):
        add("the <html> element has no lang attribute")
    if len(elements("main")) != 1:
        add(f"it has {len(elements('main'))} <main> landmarks; a page needs exactly one")
    if len(elements("h1")) != 1:
        add(f"it has {len(elements('h1'))} <h1> headings; a page needs exactly one")
    for instruction in _processing_instructions(root):
        if instruction.target == "xml-stylesheet":
            add("it has an <?xml-stylesheet?> instruction, which brand templates may not add", instruction.text)
    level = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _tag(element)
        match = HEADING.match(tag)
        if match:
            new_level = int(match.group(1))
            if new_level > level + 1:
                add(f"heading <{tag}> '{_text(element)}' skips a level after h{level}")
            level = new_level
        if tag == "img" and element.get("alt") is None:
            add(f"an <img> ({element.get('src')}) has no alt attribute; describe it, or alt=\"\" if it is decoration")
        if tag in FORBIDDEN_ELEMENTS:
            add(f"it contains a <{tag}> element, which brand templates may not add", f"<{tag}")
        if tag == "script" and element.get("type") != "application/json" and element.get("src") not in own_scripts:
            add("it contains a <script> the toolkit did not put there; brand templates may not add scripts", "<script")
        if tag == "meta" and (element.get("http-equiv") or "").strip().lower() == "refresh":
            add(f"<meta http-equiv=\"refresh\" content=\"{(element.get('content') or '')[:60]}\"> reloads or leaves the page; "
                "brand templates may not redirect", element.get("content") or "http-equiv")
        if tag.lower() in ANIMATION_ELEMENTS and _animated_link(element):
            add(f"<{tag}> changes the attribute '{_animated_link(element)}', which can make a link run code; "
                "brand templates may not animate links or event handlers", _animated_link(element))
        for attribute, value in element.attrib.items():
            _check_attribute(tag, attribute, value, add)
        if tag == "style" and element.text:
            _check_css(tag, element.text, False, add)
        if tag == "a" and not _text(element) and not element.get("aria-label") and not elements_with_alt(element):
            add(f"a link to {element.get('href')} has no text")
    return list(dict.fromkeys(findings))


def _tag(element) -> str:
    """An element's local name; the HTML parser keeps a prefix such as 'svg:x' as the name itself, which QName would refuse."""
    return element.tag.rpartition("}")[2]


def _processing_instructions(root) -> list:
    found = [node for node in root.itersiblings(preceding=True) if isinstance(node, etree._ProcessingInstruction)]
    return found + [node for node in root.iter() if isinstance(node, etree._ProcessingInstruction)]


def _animated_link(element) -> str | None:
    """The attribute an SVG animation changes, when it is one that loads, links or runs code."""
    target = next((value.strip() for name, value in element.attrib.items() if name.lower() == "attributename"), "")
    return target if target.lower() in ("href", "xlink:href", "src", "style") or target.lower().startswith("on") else None


_PREFIXES = {"http://www.w3.org/1999/xlink": "xlink:", "http://www.w3.org/XML/1998/namespace": "xml:"}


def attribute_name(attribute: str) -> str:
    """An attribute's name as written, lower-case: 'xlink:href' whether the XML parser ({ns}href) or the HTML parser read it."""
    if attribute.startswith("{"):
        namespace, _, local = attribute[1:].partition("}")
        return (_PREFIXES.get(namespace, "") + local).lower()
    return attribute.lower()


def _check_attribute(tag: str, attribute: str, value: str, add) -> None:
    name = attribute_name(attribute)
    local = name.rpartition(":")[2]
    if local.startswith("on"):
        add(f"<{tag}> has an event handler attribute '{local}'; brand templates may not add scripts", f"{local}=")
        return
    if name == "xml:base":
        add(f"<{tag}> has xml:base, which changes where every address on the page points; brand templates may not add it", "xml:base")
        return
    is_link = name in ("href", "xlink:href")
    if (is_link or local in LOADING_ATTRIBUTES) and urlsplit(value.strip()).scheme.lower() in CODE_SCHEMES:
        add(f"<{tag}> {local}=\"{value[:40]}\" runs or embeds code; use a plain link", value)
        return
    if is_link and tag in NAVIGATION_ELEMENTS:
        return  # a link may lead to another site; it loads nothing until followed
    if is_link or local in LOADING_ATTRIBUTES:
        for url in _srcset_urls(value) if local in ("srcset", "imagesrcset") else [value]:
            if not package_relative(url):
                add(_loads_message(tag, local, url), value)
        return
    if local == "style":
        _check_css(tag, value, True, add)
    elif "(" in value or "\\" in value:  # a presentation attribute such as fill="url(...)"
        for load in value_loads(value):
            if not package_relative(load.url):
                add(f"<{tag}> {local} loads {load.what}; pages must work offline and load nothing from other hosts", value)


def _loads_message(tag: str, attribute: str, url: str) -> str:
    where = "" if attribute in ("src", "href") else f" {attribute}"
    if urlsplit(url.strip()).netloc or url.strip().startswith("//"):
        return f"<{tag}>{where} loads {url} from another host; pages must work offline, so ship the file in the brand folder"
    return (f"<{tag}>{where} loads {url}, which is not a file of the package; name files relative to the page "
            "(pages must work offline and load nothing from other hosts)")


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset: comma-separated candidates, each a URL and an optional descriptor."""
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _check_css(tag: str, css: str, inline: bool, add) -> None:
    lines = css.splitlines() or [""]
    for load in css_loads(css, inline):
        if load.what == "@import" or not package_relative(load.url):
            row = lines[load.line - 1] if 0 < load.line <= len(lines) else ""
            evidence = row[max(load.column - 1, 0):].strip()[:60] or None
            add(f"<{tag}> style loads {load.what}; pages must work offline and load nothing from other hosts", evidence)


def elements_with_alt(element) -> bool:
    return any(isinstance(child.tag, str) and child.get("alt") for child in element.iter())


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())[:60]


# --- the brand's pages as a whole, each finding at its template's line --------------------------

MAX_TEMPLATE_BYTES = 1024 * 1024


def brand_page_problems(files: dict[str, bytes], templates_dir: Path, xhtml: bool, extension: str,
                        own_scripts: frozenset[str], profile_name: str) -> list:
    """The guard's verdict on every page a brand's templates helped render, as Problems (empty when all is well).

    A finding whose markup is written out in one of the brand's templates is
    reported at that file and line ([brand.template-unsafe]); the last problem
    always sums up every finding at the templates folder, as before
    ([brand.template-accessibility]).
    """
    from ..model import SourceLocation
    from ..problems import error

    found: list[tuple[str, Finding]] = []
    for name, data in files.items():
        if name.endswith(extension):
            found += [(name, finding) for finding in page_findings(data, xhtml, own_scripts)]
    if not found:
        return []
    templates = _template_texts(templates_dir)
    pages_by_place: dict[tuple[Path, int, str], list[str]] = {}
    for name, finding in found:
        place = _locate(templates, finding.evidence)
        if place is not None:
            pages_by_place.setdefault((*place, finding.message), []).append(name)
    problems = []
    for (path, line, message), pages in pages_by_place.items():
        others = len(pages) - 1
        on = pages[0] + (f" and {others} other page{'s' if others > 1 else ''}" if others else "")
        problems.append(error(SourceLocation(str(path), line), f"{message} (on {on})", "brand.template-unsafe"))
    lines = [f"{name}: {finding.message}" for name, finding in found]
    lines = list(dict.fromkeys(lines))
    shown = "; ".join(lines[:5]) + (f"; and {len(lines) - 5} more" if len(lines) > 5 else "")
    problems.append(error(
        SourceLocation(str(templates_dir)),
        f"the brand's templates make the {profile_name} pages inaccessible or unsafe: {shown}. "
        "Keep the base layout's landmarks, headings and text alternatives when overriding a block",
        "brand.template-accessibility",
    ))
    return problems


def _template_texts(templates_dir: Path) -> list[tuple[Path, str]]:
    texts = []
    for path in sorted(templates_dir.rglob("*")):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_TEMPLATE_BYTES:
                texts.append((path, path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return texts


def _locate(templates: list[tuple[Path, str]], evidence: str | None) -> tuple[Path, int] | None:
    """The template file and line where `evidence` is written out, as is or HTML-escaped."""
    if not evidence:
        return None
    from html import escape

    for needle in dict.fromkeys([evidence, escape(evidence, quote=True), escape(evidence, quote=False),
                                 evidence.replace("'", "&#39;"), evidence.replace('"', "&#34;")]):
        for path, text in templates:
            index = text.find(needle)
            if index >= 0:
                return path, text.count("\n", 0, index) + 1
    return None
