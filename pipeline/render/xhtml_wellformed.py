"""Name the brand template that made an EPUB page ill-formed XHTML.

A brand template writes markup for HTML and XHTML pages alike; an HTML habit
such as `<link rel="stylesheet" href="...">` (not self-closed) is fine in the
site but makes an EPUB content document ill-formed, which no reading system
opens. The parser reports a line of the rendered page; the template line the
user must edit is found by looking for the element it names, written without
`/>` or `{{ void_slash }}`, in the brand's templates.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..model import SourceLocation
from ..problems import Problem, error

_MISMATCH = re.compile(r"tag mismatch: (\w+) line")


def ill_formed_page_problem(templates_dir: Path, page: str, exc: Exception) -> Problem:
    """The brand error for a page the XML parser refused: at the brand template line that most likely caused it."""
    message = getattr(exc, "msg", None) or str(exc)
    match = _MISMATCH.search(message)
    location = _unclosed_element(templates_dir, match.group(1)) if match else None
    hint = (f"close <{match.group(1)}> as <{match.group(1)} ... {{{{ void_slash }}}}> (or \"/>\"), as the base templates do"
            if match else "write well-formed markup (close every element; void elements end with {{ void_slash }} or \"/>\")")
    return error(
        location or SourceLocation(str(templates_dir)),
        f"the brand's templates make the EPUB page {page} ill-formed XHTML ({message}); {hint}",
        "brand.template-error",
    )


def _unclosed_element(templates_dir: Path, tag: str) -> SourceLocation | None:
    opening = re.compile(rf"<{re.escape(tag)}\b[^>]*>", re.IGNORECASE)
    for path in sorted(templates_dir.rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for found in opening.finditer(text):
            written = found.group()
            if not written.endswith("/>") and "void_slash" not in written:
                return SourceLocation(str(path), text.count("\n", 0, found.start()) + 1)
    return None
