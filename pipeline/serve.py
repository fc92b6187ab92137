"""`python -m pipeline serve`: a live preview of one workbook's site with one brand.

    python -m pipeline serve source/commissioning-services/workbook.xml --brand brands/westvale

The site is built in this one warm process, in memory (never build/, nor any
other folder), and served on 127.0.0.1 only. The source folder, the brand
folder and the templates are watched (watchfiles); a change rebuilds only what
it needs (a source edit reloads the source and reuses the brand; a brand edit
reloads the brand and reuses the document; a template edit only renders
again), and a page is rendered when it is first asked for (see Site). Each good
build is a new Site, swapped in at once, so a reader never sees half a site;
while the source or brand has problems, every page is the list of them (the
`validate` text) and the last good site waits behind it.

Live reload: each page, as served (the files themselves never carry it), ends
with templates/preview/live-reload.js, which listens to the build counter on
EVENTS_PATH (Server-Sent Events) and reloads at the same scroll position.
"""
from __future__ import annotations

import errno
import functools
import mimetypes
import signal
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from . import project, resources
from .build import default_sources, load_document
from .problems import Problem, UserError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from markupsafe import Markup

    from .brand import Brand
    from .resolve import Document

HOST = "127.0.0.1"  # loopback only: a preview is for the author at this machine, not the network
DEFAULT_PORT = 8000
TEMPLATES_ROOT = resources.templates()
PREVIEW_TEMPLATES = TEMPLATES_ROOT / "preview"
PREVIEW_PREFIX = "/__preview__/"
EVENTS_PATH = PREVIEW_PREFIX + "events"
SCRIPT_PATH = PREVIEW_PREFIX + "live-reload.js"
# watchfiles waits for STEP_MS of quiet (an editor's save is several events) but
# never more than DEBOUNCE_MS, so a save shows within a second. The events of one
# save (truncate, write, close; or write a temporary file and rename it) come
# within a millisecond on a local disk, so 10 ms of quiet is ample; waiting 30 was
# about half of a warm rebuild (measured: 66 ms from save to rebuild start, now 21).
STEP_MS = 10
DEBOUNCE_MS = 400
KEEP_ALIVE_S = 15.0


class Site:
    """One good build of the site, held in memory: its assets at once, each page rendered when first asked for, then kept.

    Rendering on demand is what makes a warm rebuild fast: a saved edit costs
    loading the source and rendering the page being read, not every page and
    the whole-workbook print page (about half the site's rendering time). The
    bytes are the ones `build --format html` writes (render_pages renders its
    pages through the same PageSet, all of them). A brand with template
    overrides is rendered whole at once, so that its page guard and template
    budget see every page as in a build, and its problems show straight away.
    """

    def __init__(self, doc: Document, brand: Brand):
        from .branding import brand_document
        from .language import localise
        from .render.pages import SITE, PageSet, render_pages

        doc = localise(brand_document(doc, brand))  # the build's steps: the brand, then the workbook's language
        if brand.templates_dir is not None:
            self._pages, self._files = None, render_pages(doc, brand, SITE)
            self._names = frozenset(self._files)
        else:
            self._pages = PageSet(doc, brand, SITE)
            self._files = dict(self._pages.assets)
            self._names = frozenset(self._files) | frozenset(self._pages.names)
        self._rendering = threading.Lock()  # two requests for a new page render it once

    def read(self, name: str) -> bytes | None:
        """The file at `name` ("practice.html", "assets/workbook.css"), or None if the site has none."""
        data = self._files.get(name)
        if data is None and name in self._names:
            with self._rendering:
                data = self._files.get(name)
                if data is None:
                    data = self._files[name] = self._pages.page(name)
        return data

    def names(self) -> list[str]:
        """Every file of the site (pages rendered or not), sorted."""
        return sorted(self._names)


@functools.lru_cache(maxsize=1)
def _preview_templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(PREVIEW_TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def live_reload_tag(build: int, stand_in: bool = False) -> Markup:
    from markupsafe import Markup

    return Markup(_preview_templates().get_template("live-reload.html.j2").render(
        script=SCRIPT_PATH, events=EVENTS_PATH, build=build, stand_in=stand_in))


def with_live_reload(page: bytes, build: int) -> bytes:
    """The page as the preview serves it: the live-reload script added before its </body>."""
    tag = live_reload_tag(build).encode("utf-8")
    end = page.rfind(b"</body>")
    return page + tag if end < 0 else page[:end] + tag + b"\n" + page[end:]


def problems_page(problems: Iterable[Problem | str], build: int) -> bytes:
    """The page that stands in for every page while there are problems, each as `validate` prints it."""
    return _preview_templates().get_template("problems.html.j2").render(
        problems=[str(problem) for problem in problems], live_reload=live_reload_tag(build, stand_in=True)).encode("utf-8")


def not_found_page(path: str, build: int) -> bytes:
    """The page for a page the site does not have, listening like the others."""
    return _preview_templates().get_template("not-found.html.j2").render(
        path=path, live_reload=live_reload_tag(build, stand_in=True)).encode("utf-8")


class Preview:
    """The state of one preview: the loaded source and brand, the site being served, and the build counter."""

    def __init__(self, source: Path, brand_folder: Path, scratch: Path | None = None, log=None):
        self.source = source
        self.brand_folder = brand_folder
        self.scratch = scratch  # unused since sites are held in memory; kept so callers need not change
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.document: Document | None = None
        self.source_problems: list[Problem | str] = []
        self.brand: Brand | None = None
        self.brand_problems: list[Problem | str] = []
        self.site: Site | None = None  # the last good build
        self.problems: list[Problem | str] = []  # shown instead of every page while not empty
        self.build = 0
        self.changed = threading.Condition()
        self.building = threading.Lock()
        self.closing = False
        self._warned: dict[str, tuple[str, ...]] = {}

    # --- loading and building ---------------------------------------------------------

    def load_source(self) -> None:
        try:
            self.document, warnings = load_document(self.source, formats=("html",))
            self.source_problems = []
        except UserError as exc:
            self.document, warnings = None, []
            self.source_problems = exc.problems
        self._warn("source", warnings)

    def load_brand(self) -> None:
        from .brand import load_brand

        brand, problems = load_brand(self.brand_folder)
        self.brand, self.brand_problems = brand, ([] if brand is not None else problems)
        # Warnings (such as an SVG logo with no PNG copy for Word) do not stop the preview.
        self._warn("brand", problems if brand is not None else [])

    def _warn(self, what: str, warnings: list) -> None:
        """Print warnings when they change, not again on every save."""
        lines = tuple(str(problem) for problem in warnings)
        if lines != self._warned.get(what, ()):
            for line in lines:
                self.log(line)
        self._warned[what] = lines

    def render(self) -> None:
        """Make the site from what is loaded and publish it, or publish the problems."""
        problems = self.source_problems + self.brand_problems
        site = None
        if not problems:
            try:
                site = Site(self.document, self.brand)
            except UserError as exc:  # a brand template that fails while rendering, an image that changed
                problems = exc.problems
        self._publish(site, problems)

    def _publish(self, site: Site | None, problems: list) -> None:
        # A request still reading the site just replaced keeps its own reference to it.
        with self.changed:
            if site is not None:
                self.site = site
            self.problems = list(problems)
            self.build += 1
            self.changed.notify_all()

    def rebuild(self, paths: Iterable[Path]) -> str:
        """Reload what the changed files feed, render again, and say what was redone."""
        with self.building:
            return self._rebuild(paths)

    def _rebuild(self, paths: Iterable[Path]) -> str:
        source_folder, brand_folder = self.source.resolve().parent, self.brand_folder.resolve()
        touched = {Path(path).resolve() for path in paths}
        source_changed = any(path.is_relative_to(source_folder) for path in touched)
        brand_changed = any(path.is_relative_to(brand_folder) for path in touched)
        templates_changed = any(path.is_relative_to(TEMPLATES_ROOT) for path in touched)
        if templates_changed and self.brand is not None and self.brand.templates_dir is not None:
            brand_changed = True  # a brand's overrides are checked against the base templates' blocks
        redone = []
        if source_changed:
            self.load_source()
            redone.append("source")
        if brand_changed:
            self.load_brand()
            redone.append("brand")
        if templates_changed:
            redone.append("templates")
        self.render()
        return "+".join(redone) or "nothing"

    def start(self) -> None:
        with self.building:
            self.load_brand()
            self.load_source()
            self.render()

    # --- what a request gets -------------------------------------------------------------

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.build != seen or self.closing, timeout)
            return self.build

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def lookup(self, url_path: str) -> tuple[HTTPStatus, str, bytes]:
        """The status, media type and body for a path of the site."""
        with self.changed:
            site, problems, build = self.site, self.problems, self.build
        relative = PurePosixPath(unquote(url_path).lstrip("/"))
        if not relative.parts or url_path.endswith("/"):
            relative = relative / "index.html"
        is_page = relative.suffix == ".html"
        if problems and is_page:
            return HTTPStatus.OK, "text/html; charset=utf-8", problems_page(problems, build)
        if site is None or ".." in relative.parts or any(part.startswith(".") for part in relative.parts):
            return HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n"
        try:
            data = site.read(relative.as_posix())
        except UserError as exc:  # an image changed or vanished since the build: shown like any problem
            return HTTPStatus.OK, "text/html; charset=utf-8", problems_page(exc.problems, build)
        if data is None:
            if is_page:
                return HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", not_found_page(relative.as_posix(), build)
            return HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n"
        if is_page:
            return HTTPStatus.OK, "text/html; charset=utf-8", with_live_reload(data, build)
        media_type = mimetypes.guess_type(relative.name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
            media_type += "; charset=utf-8"
        return HTTPStatus.OK, media_type, data


class PreviewHandler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made for each server
    server_version = "workbook-preview"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            self._events()
        elif path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", (PREVIEW_TEMPLATES / "live-reload.js").read_bytes())
        else:
            self._send(*self.preview.lookup(path))

    def do_HEAD(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == EVENTS_PATH or path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/event-stream" if path == EVENTS_PATH else "text/javascript; charset=utf-8", b"", head=True)
        else:
            self._send(*self.preview.lookup(path), head=True)

    def _send(self, status: HTTPStatus, media_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # every reload must see the newest build
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        preview = self.preview
        build = preview.build
        try:
            self.wfile.write(f"retry: 500\ndata: {build}\n\n".encode())
            self.wfile.flush()
            while not preview.closing:
                latest = preview.wait_for_change(build, KEEP_ALIVE_S)
                if preview.closing:
                    break
                # A comment line when nothing changed keeps proxies and the browser from giving up.
                self.wfile.write(f"data: {latest}\n\n".encode() if latest != build else b": waiting\n\n")
                self.wfile.flush()
                build = latest
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's naming)
        pass  # a line per request would bury the rebuild reports


class PreviewServer(ThreadingHTTPServer):
    # Open event streams (one per open page) must neither keep the process alive
    # nor make server_close() wait for them at Ctrl-C.
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser closing a tab is not news
            super().handle_error(request, client_address)


def make_server(preview: Preview, port: int) -> PreviewServer:
    """Bind the preview to 127.0.0.1:port (0: a free port); a port in use is the user's problem to solve."""
    handler = type("BoundPreviewHandler", (PreviewHandler,), {"preview": preview})
    try:
        return PreviewServer((HOST, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"error: port {port} on {HOST} is in use by another program; stop it, or choose another "
                            f"port with --port N (--port 0 picks a free one) [serve.port-in-use]") from None
        if exc.errno == errno.EACCES:
            raise UserError(f"error: port {port} needs special rights on this machine; choose one above 1023 with --port N "
                            "[serve.port-refused]") from None
        raise


def watch(preview: Preview, stop: threading.Event) -> None:
    """Rebuild on every batch of saved changes until `stop` is set."""
    import watchfiles

    folders = [preview.source.resolve().parent, preview.brand_folder.resolve(), TEMPLATES_ROOT]
    for changes in watchfiles.watch(*dict.fromkeys(folders), stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS,
                                    raise_interrupt=False):
        started = time.perf_counter()
        try:
            redone = preview.rebuild(path for _, path in changes)
        except Exception:  # a bug: say so, keep serving the last good site
            import traceback

            traceback.print_exc()
            continue
        state = f"{len(preview.problems)} problem(s) shown" if preview.problems else "ok"
        preview.log(f"rebuilt ({redone}) in {time.perf_counter() - started:.2f} s: build {preview.build}, {state}")


def _pick_source(sources: list[Path]) -> Path:
    found = default_sources()
    if sources:
        return sources[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError("error: no workbooks found under source/; name a SOURCE to preview [serve.no-source]")
    names = ", ".join(str(path) for path in found)
    raise UserError(f"error: several workbooks to choose from; name the one to preview (one of {names}) [serve.which-source]")


def serve_command(args) -> int:
    from .brand import load_brand
    from .validate import validate_file

    source = _pick_source([args.source] if args.source else [])
    brand_folder = project.brand_folder(args.brand)
    # Nothing to watch: refuse to start (a file that exists but has errors is shown in the page instead).
    if not source.is_file():
        raise UserError(validate_file(source)[1])
    if not brand_folder.is_dir():
        raise UserError(load_brand(brand_folder)[1])

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        preview = Preview(source, brand_folder)
        server = make_server(preview, args.port)
        started = time.perf_counter()
        # Watch before the first build, so a save made while it runs is not missed;
        # the two never build at once (Preview.building).
        watching = threading.Thread(target=watch, args=(preview, stop), name="preview-watch", daemon=True)
        watching.start()
        preview.start()
        host, port = server.server_address[:2]
        url = f"http://{host}:{port}/"
        state = f"; {len(preview.problems)} problem(s) shown in the page" if preview.problems else ""
        print(f"Previewing {source} with brand {brand_folder} at {url} (built in {time.perf_counter() - started:.2f} s{state}; "
              "Ctrl-C stops)", flush=True)
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="preview-server", daemon=True)
        serving.start()
        if args.open:
            import webbrowser

            webbrowser.open(url)
        while not stop.wait(0.5):
            if not watching.is_alive():
                raise RuntimeError("the file watcher stopped")
        preview.close()
        server.shutdown()
        server.server_close()
        watching.join(timeout=5)
        print("Preview stopped.", file=sys.stderr, flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
