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
from urllib.parse import urlsplit

from lxml import etree, html

HEADING = re.compile(r"^h([1-6])$")
LOADING_ATTRIBUTES = {"img": "src", "script": "src", "iframe": "src", "embed": "src", "object": "data",
                      "audio": "src", "video": "src", "source": "src", "track": "src", "link": "href"}
# CSS that reaches another host: @import of anything, or url() with a scheme or //.
_EXTERNAL_CSS = re.compile(r"@import[^;]*|url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)[^)]*\)", re.I)
FORBIDDEN_ELEMENTS = {"iframe", "embed", "object", "frame", "frameset", "base", "form"}


def page_problems(name: str, data: bytes, xhtml: bool, own_scripts: frozenset[str]) -> list[str]:
    """What is wrong with one rendered page, in words a council web officer can act on."""
    root = etree.fromstring(data) if xhtml else html.document_fromstring(data)
    problems: list[str] = []

    def elements(tag: str) -> list:
        return [element for element in root.iter() if isinstance(element.tag, str) and etree.QName(element).localname == tag]

    if not (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")):
        problems.append("the <html> element has no lang attribute")
    if len(elements("main")) != 1:
        problems.append(f"it has {len(elements('main'))} <main> landmarks; a page needs exactly one")
    if len(elements("h1")) != 1:
        problems.append(f"it has {len(elements('h1'))} <h1> headings; a page needs exactly one")
    level = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname
        match = HEADING.match(tag)
        if match:
            new_level = int(match.group(1))
            if new_level > level + 1:
                problems.append(f"heading <{tag}> '{_text(element)}' skips a level after h{level}")
            level = new_level
        if tag == "img" and element.get("alt") is None:
            problems.append(f"an <img> ({element.get('src')}) has no alt attribute; describe it, or alt=\"\" if it is decoration")
        if tag in FORBIDDEN_ELEMENTS:
            problems.append(f"it contains a <{tag}> element, which brand templates may not add")
        if tag == "script" and element.get("type") != "application/json" and element.get("src") not in own_scripts:
            problems.append("it contains a <script> the toolkit did not put there; brand templates may not add scripts")
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on"):
                problems.append(f"<{tag}> has an event handler attribute '{local}'; brand templates may not add scripts")
            if local in ("href", "src", "action", "data") and urlsplit(value.strip()).scheme.lower() in ("javascript", "vbscript", "data"):
                problems.append(f"<{tag}> {local}=\"{value[:40]}\" runs or embeds code; use a plain link")
        css = (element.text or "") if tag == "style" else element.get("style", "")
        if css and _EXTERNAL_CSS.search(css):
            problems.append(f"<{tag}> style loads {_EXTERNAL_CSS.search(css).group(0)}; pages must work offline and load nothing from other hosts")
        loading = LOADING_ATTRIBUTES.get(tag)
        if loading and element.get(loading) and urlsplit(element.get(loading)).netloc:
            problems.append(f"<{tag}> loads {element.get(loading)} from another host; pages must work offline, so ship the file in the brand folder")
        if tag == "a" and not _text(element) and not element.get("aria-label") and not elements_with_alt(element):
            problems.append(f"a link to {element.get('href')} has no text")
    return [f"{name}: {problem}" for problem in dict.fromkeys(problems)]


def elements_with_alt(element) -> bool:
    return any(isinstance(child.tag, str) and child.get("alt") for child in element.iter())


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())[:60]
