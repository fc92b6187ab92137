"""Find what a piece of CSS would load, by tokenising it as a browser does (tinycss2), not by matching text.

A pattern sees `url(` but not `u\\72l(`, `\\75rl(` or a url() split by a
comment; the tokeniser decodes escapes and comments exactly as CSS Syntax
Level 3 says, so what it reports as a URL is what a browser would fetch.

    for load in css_loads(text, inline=False):
        if not package_relative(load.url): ...
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

# Functions whose string arguments are URLs (url("x"), src("x"), image-set("x" 1x) ...).
_URL_FUNCTIONS = frozenset({"url", "src", "image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"})
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# What the URL parser drops before reading a URL: C0 controls and spaces at the ends, tab and newline anywhere.
_STRIPPED_ENDS = "".join(chr(code) for code in range(0x21))
_DROPPED = re.compile("[\t\n\r]")


class CssLoad(NamedTuple):
    """One thing the CSS would fetch: what (`url(...)`, `@import`), the URL ('' for an @import with none), and where (1-based)."""

    what: str
    url: str
    line: int
    column: int


def package_relative(url: str, local_only: bool = False) -> bool:
    """True for a URL that can only name a file of the package (or, with local_only, a #fragment of this document)."""
    url = _DROPPED.sub("", url.strip(_STRIPPED_ENDS))
    if local_only:
        return url.startswith("#") or url == ""
    if url.startswith(("/", "\\")) or _SCHEME.match(url):
        return False  # another host (//host, \\host, https:), the host's root, or a scheme such as data: or file:
    return "\\" not in url  # browsers read \ as / in URLs: a\..\..\x climbs out


def css_loads(css: str, inline: bool) -> list[CssLoad]:
    """Every url(), URL-taking function and @import in a style sheet (inline=False) or a style attribute (inline=True)."""
    import tinycss2

    if inline:
        nodes = tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True)
    else:
        nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return list(_walk(nodes))


def value_loads(value: str) -> list[CssLoad]:
    """Every url() in one CSS value, such as a presentation attribute's (fill="url(#g)")."""
    import tinycss2

    return list(_walk(tinycss2.parse_component_value_list(value, skip_comments=True)))


def _walk(nodes) -> Iterator[CssLoad]:
    # An explicit stack: a style sheet of deeply nested blocks must not cost recursion.
    pending = list(reversed(list(nodes)))
    while pending:
        node = pending.pop()
        kind = getattr(node, "type", None)
        line, column = getattr(node, "source_line", 0), getattr(node, "source_column", 0)
        if kind == "at-rule" and node.lower_at_keyword == "import":
            target = next((token for token in node.prelude if token.type in ("url", "string")), None)
            yield CssLoad("@import", getattr(target, "value", "") or "", line, column)
        elif kind == "url":
            yield CssLoad(f"url({node.value})", node.value, line, column)
        elif kind == "function" and node.lower_name in _URL_FUNCTIONS:
            for token in node.arguments:
                if token.type == "string":
                    yield CssLoad(f"{node.lower_name}(\"{token.value}\")", token.value, line, column)
        elif kind == "error" and node.kind == "bad-url":
            yield CssLoad("a malformed url(", "", line, column)
        children = []
        for attribute in ("prelude", "content", "value", "arguments"):
            value = getattr(node, attribute, None)
            if isinstance(value, list):
                children += value
        pending.extend(reversed(children))
