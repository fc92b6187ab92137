"""axe-core (npm ``axe-core``, the copy @axe-core/playwright depends on) run in
Debian's Chromium through Python playwright.

    with sync_playwright() as p:
        browser = launch_chromium(p)
        results = axe.check_pages([path_or_url, ...], browser=browser)
    # {page: [violation, ...]}; a violation is axe's own dict:
    #   {"id", "impact", "help", "helpUrl", "tags", "nodes": [{"target", "html", ...}]}

``launch_chromium`` is shared by every browser test (keyboard tests, the
SCORM player): it starts /usr/bin/chromium with the flags TOOLING.md found
to work here. Playwright itself adds --headless and a fresh temporary
--user-data-dir (it refuses a --user-data-dir in ``args``).
"""
from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

from . import CHROMIUM, NODE_MODULES, ValidatorUnavailable, npm_package_version, require_file

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"

DEFAULT_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

CHROMIUM_ARGS = (
    "--no-sandbox",  # CI runs as root; Chromium's sandbox refuses root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def launch_chromium(playwright, **kwargs):
    """Launch Debian's Chromium with the given playwright (sync API) instance.

    Extra keyword arguments go to ``playwright.chromium.launch``; extra
    ``args`` are appended to the standard flags.
    """
    if not os.path.exists(CHROMIUM):
        raise ValidatorUnavailable(f"{CHROMIUM} not found: run `make setup-validators`")
    args = list(CHROMIUM_ARGS) + list(kwargs.pop("args", []))
    kwargs.setdefault("headless", True)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args, **kwargs)


@functools.lru_cache(maxsize=1)
def axe_source() -> str:
    return require_file(AXE_JS, "axe-core").read_text(encoding="utf-8")


def version() -> str:
    """The version of the axe-core that check_pages injects (from its package.json)."""
    return npm_package_version(AXE_JS.with_name("package.json"), "axe-core package.json")


def _url(page: str | Path) -> str:
    text = str(page)
    if "://" in text or text.startswith(("about:", "data:")):
        return text
    path = Path(page).resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    return path.as_uri()


_RUN = """async ([tags, options]) => {
    const opts = Object.assign({runOnly: {type: 'tag', values: tags},
                                resultTypes: ['violations']}, options || {});
    const r = await axe.run(document, opts);
    return {version: axe.version, violations: r.violations, incomplete: r.incomplete};
}"""


def inject(page) -> None:
    """Inject axe-core into every frame of a playwright page.

    The page's context should be created with ``bypass_csp=True`` so a
    Content-Security-Policy on the page does not block the script.
    """
    for frame in page.frames:
        frame.add_script_tag(content=axe_source())


def run_on_page(page, tags: Iterable[str] = DEFAULT_TAGS, options: dict | None = None) -> dict:
    """Run axe on an already-loaded playwright page (injecting it first).

    Returns {"version", "violations", "incomplete"} as axe reports them.
    """
    inject(page)
    return page.evaluate(_RUN, [list(tags), options])


def check_pages(pages: Iterable[str | Path], tags: Iterable[str] = DEFAULT_TAGS, *,
                browser=None, options: dict | None = None,
                viewport: dict | None = None) -> dict[str, list[dict]]:
    """Load each page (file path or URL) and return {page: axe violations}.

    ``browser`` is an already launched playwright Browser (see
    launch_chromium); without one, a playwright + Chromium is started and
    closed for this call. ``options`` are merged into axe.run's options.
    """
    pages = list(pages)
    tags = list(tags)
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            own = launch_chromium(p)
            try:
                return check_pages(pages, tags, browser=own, options=options, viewport=viewport)
            finally:
                own.close()
    results: dict[str, list[dict]] = {}
    context = browser.new_context(bypass_csp=True,
                                  viewport=viewport or {"width": 1280, "height": 900})
    try:
        for page_ref in pages:
            page = context.new_page()
            try:
                page.goto(_url(page_ref), wait_until="load")
                out = run_on_page(page, tags, options)
                if out["version"] != version():
                    raise RuntimeError(f"axe {out['version']} ran, expected {version()}")
                results[str(page_ref)] = out["violations"]
            finally:
                page.close()
    finally:
        context.close()
    return results


def format_violations(results: dict[str, list[dict]]) -> str:
    """Readable summary for assertion messages."""
    lines = []
    for page, violations in results.items():
        for v in violations:
            targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:5])
            lines.append(f"{page}: {v['id']} ({v.get('impact')}): {v.get('help')} -> {targets}")
    return "\n".join(lines)
