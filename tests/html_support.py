"""Helpers for tests/test_html.py: reading built pages, a local web server, keyboard moves."""
from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

HEADING = re.compile(r"^h([1-6])$")


def parse_page(page: Path | bytes) -> lxml.html.HtmlElement:
    """Parse a built page, given as its file or its bytes."""
    return lxml.html.fromstring(page if isinstance(page, bytes) else page.read_bytes())


def heading_levels(tree: lxml.html.HtmlElement) -> list[int]:
    """The level of every heading, in document order."""
    return [int(HEADING.match(element.tag).group(1)) for element in tree.iter() if isinstance(element.tag, str) and HEADING.match(element.tag)]


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def references(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str, str]]:
    """Every (element tag, attribute, value) that makes a browser load or follow an address."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("href", "src", "srcset", "action", "formaction", "poster", "data", "xlink:href"):
            value = element.get(attribute)
            if value is not None:
                yield element.tag, attribute, value
        # <svg> children come through lxml's HTML parser with their attributes as written.
        for name, value in element.attrib.items():
            if name.endswith(":href") and name != "xlink:href":
                yield element.tag, name, value


def is_other_host(url: str) -> bool:
    """True for an address on another host (a scheme or a network path), false for relative ones."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc or url.startswith("//"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 at a free port; yield its base URL (ending in "/")."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def tab_until(page, condition_js: str, limit: int = 80) -> None:
    """Press Tab until `condition_js` (a function of the focused element) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({condition_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition_js}")


# Events workbook.js dispatches for the SCORM runtime; recorded from the very start of each page.
RECORD_EVENTS = """
window.recordedEvents = [];
['workbook:page-visited', 'workbook:answers-changed', 'workbook:quiz-checked'].forEach(function (name) {
  document.addEventListener(name, function (event) {
    window.recordedEvents.push({name: name, detail: JSON.parse(JSON.stringify(event.detail))});
  });
});
"""
