"""`python -m pipeline serve`: the live preview, driven as an author would, in Chromium.

Each test runs the real command on a copy of the kitchen-sink fixture and a
copy of the default brand, edits those copies, and waits (bounded, never a
fixed sleep) for the open page to follow. TMPDIR points into the test's own
folder, so "no temporary files left" is a check of an empty folder.
"""
from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.build import PROJECT_ROOT

KITCHEN_SINK = PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink"
DEFAULT_BRAND = PROJECT_ROOT / "brands" / "default"
PARAGRAPH = "<p>Some background.</p>"  # on practice.html
WAIT_MS = 5000  # an author should see a save within a second; this bounds a slow, shared CI machine
STARTUP_S = 30.0


class Preview:
    """A running `serve` process and where it serves."""

    def __init__(self, process: subprocess.Popen, url: str, banner: str):
        self.process, self.url, self.banner = process, url, banner

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            _, errors = self.process.communicate(timeout=15)  # also closes the pipes
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise
        return self.process.returncode, errors.decode("utf-8", "replace")


@pytest.fixture
def workspace(tmp_path):
    """A copy of the kitchen sink and of the default brand (named 'preview') to edit, and an empty TMPDIR."""
    shutil.copytree(KITCHEN_SINK, tmp_path / "kitchen-sink")
    shutil.copytree(DEFAULT_BRAND, tmp_path / "preview")
    (tmp_path / "tmp").mkdir()
    return tmp_path


def _env(workspace: Path) -> dict:
    return dict(os.environ, TMPDIR=str(workspace / "tmp"), SOURCE_DATE_EPOCH="1767225600")


def _serve_command(workspace: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "serve", str(workspace / "kitchen-sink" / "workbook.xml"),
            "--brand", str(workspace / "preview"), *extra]


def start_preview(workspace: Path) -> Preview:
    process = subprocess.Popen(_serve_command(workspace, "--port", "0"), cwd=workspace, env=_env(workspace),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline and selector.select(timeout=deadline - time.monotonic()):
        line = process.stdout.readline().decode("utf-8")
        if not line:
            break
        match = re.search(r"at (http://\S+/) ", line)
        if match:
            return Preview(process, match.group(1), line)
    process.kill()
    _, errors = process.communicate()
    raise AssertionError(f"serve did not start: {errors.decode('utf-8', 'replace')}")


@pytest.fixture
def preview(workspace):
    running = start_preview(workspace)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def browser_page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1024, "height": 600})
    try:
        yield context.new_page()
    finally:
        context.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _validate_lines(source: Path, cwd: Path) -> list[str]:
    """What `python -m pipeline validate` prints for each error in `source`."""
    result = subprocess.run([sys.executable, "-m", "pipeline", "validate", str(source)], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line]


# --- in the browser ---------------------------------------------------------------------


@pytest.mark.slow
def test_a_saved_edit_appears_in_the_open_page_at_the_same_place(preview, workspace, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(preview.url + "practice.html")
    expect(page.get_by_text("Some background.", exact=True)).to_be_visible()
    page.evaluate("window.scrollTo(0, 400)")
    page.wait_for_function("window.scrollY === 400")

    _edit(workspace / "kitchen-sink" / "workbook.xml", PARAGRAPH, "<p>Background, as edited in the source.</p>")

    expect(page.get_by_text("Background, as edited in the source.", exact=True)).to_be_visible(timeout=WAIT_MS)
    assert page.url == preview.url + "practice.html"
    page.wait_for_function("window.scrollY === 400", timeout=WAIT_MS)


@pytest.mark.slow
def test_broken_xml_shows_the_validate_text_in_every_page_until_fixed(preview, workspace, browser_page):
    from playwright.sync_api import expect

    source = workspace / "kitchen-sink" / "workbook.xml"
    page = browser_page
    page.goto(preview.url + "practice.html")
    expect(page.get_by_text("Some background.", exact=True)).to_be_visible()

    _edit(source, PARAGRAPH, "<p>Some background.")  # the </p> lost

    problems = page.locator(".preview-problems li")
    expect(problems.first).to_be_visible(timeout=WAIT_MS)
    expected = _validate_lines(source, workspace)
    assert expected and all(re.match(rf"{re.escape(str(source))}:\d+:\d+: error: ", line) for line in expected)
    expect(problems).to_have_text(expected)
    assert page.url == preview.url + "practice.html"
    other = page.context.new_page()
    other.goto(preview.url + "index.html")  # every page, not only the one open
    expect(other.locator(".preview-problems li")).to_have_text(expected)
    other.close()

    _edit(source, "<p>Some background.", PARAGRAPH)

    expect(page.get_by_text("Some background.", exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(problems).to_have_count(0)


@pytest.mark.slow
def test_a_page_that_goes_away_and_comes_back_is_followed(preview, workspace, browser_page):
    from playwright.sync_api import expect

    source = workspace / "kitchen-sink" / "workbook.xml"
    page = browser_page
    page.goto(preview.url + "practice.html")
    _edit(source, '<section id="practice">', '<section id="practising">')  # the page is now practising.html
    expect(page.get_by_role("heading", name="No such page")).to_be_visible(timeout=WAIT_MS)
    _edit(source, '<section id="practising">', '<section id="practice">')
    expect(page.get_by_text("Some background.", exact=True)).to_be_visible(timeout=WAIT_MS)


@pytest.mark.slow
def test_a_brand_problem_is_shown_and_a_brand_colour_change_restyles_the_page(preview, workspace, browser_page):
    from playwright.sync_api import expect

    brand_json = workspace / "preview" / "brand.json"
    page = browser_page
    page.goto(preview.url + "index.html")
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", "rgb(29, 79, 145)")  # #1d4f91

    brand = json.loads(brand_json.read_text(encoding="utf-8"))
    brand["colours"]["primary"] = "#5a1a78"
    brand_json.write_text(json.dumps(brand, indent=2), encoding="utf-8")
    expect(header).to_have_css("background-color", "rgb(90, 26, 120)", timeout=WAIT_MS)

    brand["colours"]["primary"] = "#ffffff"  # white on white: below WCAG contrast
    brand_json.write_text(json.dumps(brand, indent=2), encoding="utf-8")
    problems = page.locator(".preview-problems li")
    expect(problems.first).to_be_visible(timeout=WAIT_MS)
    text = problems.all_inner_texts()
    assert all(line.startswith(f"{brand_json}:") and ": error: " in line and line.endswith("]") for line in text), text
    assert any("[brand.contrast]" in line for line in text), text

    brand["colours"]["primary"] = "#1d4f91"
    brand_json.write_text(json.dumps(brand, indent=2), encoding="utf-8")
    expect(header).to_have_css("background-color", "rgb(29, 79, 145)", timeout=WAIT_MS)


@pytest.mark.slow
def test_the_served_pages_and_the_problems_page_pass_axe(preview, workspace, chromium_browser):
    from tests.validators import axe

    pages = [preview.url + name for name in ("index.html", "basics.html", "practice.html", "answers.html", "print.html",
                                                "no-such-page.html")]
    results = axe.check_pages(pages, browser=chromium_browser)
    assert set(results) == set(pages)
    assert not any(results.values()), f"axe-core {axe.version()}:\n" + axe.format_violations(results)

    before = _served(preview.url + "index.html")
    _edit(workspace / "kitchen-sink" / "workbook.xml", PARAGRAPH, "<p>Some background.")
    _wait_until(lambda: "preview-problems" in _served(preview.url + "index.html"), f"no problems page after {before[:60]!r}")
    results = axe.check_pages([preview.url + "index.html"], browser=chromium_browser)
    assert not any(results.values()), f"axe-core {axe.version()}:\n" + axe.format_violations(results)


# --- without a browser -------------------------------------------------------------------


def _served(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_until(condition, message: str, seconds: float = WAIT_MS / 1000) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)  # polling interval, not an assertion


def test_the_preview_script_is_only_in_pages_as_served(preview, workspace):
    served = _served(preview.url + "practice.html")
    assert '<script src="/__preview__/live-reload.js"' in served
    assert "EventSource" in _served(preview.url + "__preview__/live-reload.js")

    # A normal build never carries it, and every page the preview serves (each rendered when first
    # asked for) is the built page plus that one line.
    subprocess.run([sys.executable, "-m", "pipeline", "build", str(workspace / "kitchen-sink" / "workbook.xml"),
                    "--brand", str(workspace / "preview"), "--format", "html", "--out", str(workspace / "out")],
                   cwd=workspace, env=_env(workspace), check=True, capture_output=True)
    built = sorted((workspace / "out" / "kitchen-sink" / "preview" / "html").rglob("*.html"))
    assert {path.name for path in built} >= {"index.html", "practice.html", "print.html"}
    tag = '<script src="/__preview__/live-reload.js" data-build="1" data-events="/__preview__/events"></script>\n'
    for path in built:
        text = path.read_text(encoding="utf-8")
        assert "__preview__" not in text, path
        assert _served(preview.url + path.name).replace(tag, "") == text, path
    assert not list((workspace / "tmp").rglob("*.html"))  # the preview writes no pages to disk


def _listening(port: int) -> list[str]:
    """Every address listening on TCP `port` on this machine, as the kernel lists them (what `ss -ltn` reads)."""
    found = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # The kernel prints each 32-bit word in host (little-endian) order.
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                found.append(socket.inet_ntop(socket.AF_INET if size == 4 else socket.AF_INET6, words))
    return found


def test_the_server_listens_on_loopback_only(preview):
    assert _listening(preview.port) == ["127.0.0.1"]


def test_the_server_object_is_bound_to_127_0_0_1(workspace):
    from pipeline.serve import Preview as PreviewState
    from pipeline.serve import make_server

    state = PreviewState(workspace / "kitchen-sink" / "workbook.xml", workspace / "preview", workspace / "tmp")
    server = make_server(state, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.socket.getsockname()[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_a_change_reloads_only_what_it_feeds(workspace):
    from pipeline.serve import TEMPLATES_ROOT
    from pipeline.serve import Preview as PreviewState

    state = PreviewState(workspace / "kitchen-sink" / "workbook.xml", workspace / "preview", workspace / "tmp", log=lambda _: None)
    state.start()
    document, brand, site = state.document, state.brand, state.site
    assert (state.build, state.problems) == (1, [])
    before = site.read("practice.html")

    _edit(workspace / "kitchen-sink" / "workbook.xml", PARAGRAPH, "<p>Edited.</p>")
    assert state.rebuild([workspace / "kitchen-sink" / "workbook.xml"]) == "source"
    assert state.brand is brand and state.document is not document
    assert b"Edited." in state.site.read("practice.html")
    assert state.site is not site and site.read("practice.html") == before  # a request still reading the old site sees it whole

    document = state.document
    assert state.rebuild([workspace / "preview" / "brand.json"]) == "brand"
    assert state.document is document and state.brand is not brand
    assert state.build == 3

    brand = state.brand  # the default brand has no template overrides to check again
    assert state.rebuild([TEMPLATES_ROOT / "html" / "layout.html.j2"]) == "templates"
    assert state.document is document and state.brand is brand
    assert (state.build, state.problems) == (4, [])


def test_the_problems_page_escapes_each_problem():
    from pipeline.model import SourceLocation
    from pipeline.problems import error
    from pipeline.serve import problems_page

    problem = error(SourceLocation("src/<x>.xml", 3, 7), "a <b> & \"c\"", "xml.syntax")
    page = problems_page([problem], 4).decode("utf-8")
    assert "<li><code>src/&lt;x&gt;.xml:3:7: error: a &lt;b&gt; &amp; &#34;c&#34; [xml.syntax]</code></li>" in page
    assert '<script src="/__preview__/live-reload.js" data-build="4" data-events="/__preview__/events" data-stand-in></script>' in page


# --- starting and stopping -----------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_it_cleanly_and_leaves_no_temporary_files(workspace, sig):
    from urllib.request import urlopen

    running = start_preview(workspace)
    assert list((workspace / "tmp").iterdir()) == []  # the site is held in memory: nothing to leave behind
    with urlopen(running.url + "__preview__/events", timeout=10) as events:  # an open page listening
        assert events.readline() == b"retry: 500\n"
        status, errors = running.stop(sig)
    assert status == 0, errors
    assert "Traceback" not in errors
    assert errors.endswith("Preview stopped.\n")
    assert list((workspace / "tmp").iterdir()) == []


def test_a_port_in_use_is_a_clear_message_and_exit_2(workspace):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(_serve_command(workspace, "--port", str(port)), cwd=workspace, env=_env(workspace),
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"error: port {port} on 127.0.0.1 is in use by another program; stop it, or choose another "
                             "port with --port N (--port 0 picks a free one) [serve.port-in-use]\n")
    assert list((workspace / "tmp").iterdir()) == []


def test_a_missing_source_or_brand_is_a_clear_message_and_exit_2(workspace):
    missing_source = [sys.executable, "-m", "pipeline", "serve", "nowhere/workbook.xml", "--brand", str(workspace / "preview")]
    result = subprocess.run(missing_source, cwd=workspace, env=_env(workspace), capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (2, "nowhere/workbook.xml: error: no such file; check the path (workbooks live "
                                                     "under source/<id>/workbook.xml) [source.not-found]\n")

    missing_brand = _serve_command(workspace)[:-1] + ["no-brand"]
    result = subprocess.run(missing_brand, cwd=workspace, env=_env(workspace), capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (2, "no-brand: error: brand folder does not exist; pass --brand brands/<name> "
                                                     "(a folder holding brand.json) [brand.not-found]\n")
    assert list((workspace / "tmp").iterdir()) == []
