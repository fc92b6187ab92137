"""An LMS stand-in: plays a SCORM package in headless Chromium with the
scorm-again runtime (npm ``scorm-again`` 3.x) and returns what an LMS would
have stored.

    def learner(page, frame):          # playwright Page and the SCO's Frame
        frame.get_by_role("button", name="Next").click()

    result = play("build/x-scorm12.zip", "1.2", learner)
    result["cmi"]["core"]["lesson_status"]   # -> "completed"

What ``play`` does, in order:
1. unpacks the zip (or takes an unpacked folder) into a temp dir and reads
   the launch href from imsmanifest.xml (default organization, first item
   with a resource href; or, for a package of several SCOs, the item named
   by ``item=``, whose own data then seeds the CMI below);
2. serves that dir and player.html/player.js/scorm-again on 127.0.0.1 (a
   random port, a thread) and opens the player page in Chromium;
3. builds ``Scorm12API`` as ``window.API`` or ``Scorm2004API`` as
   ``window.API_1484_11``, first loading the data an LMS provides (learner id
   and name, credit, entry ab-initio/resume, mode, and from the manifest
   mastery score / launch data / completion threshold / scaled passing
   score), then ``saved_cmi`` (a previous result's ``cmi``) on top;
4. loads the SCO's launch href in the player's iframe, calls
   ``learner(page, frame)``;
5. navigates the iframe to about:blank, which fires the SCO's
   pagehide/unload handlers as closing the window would (SCOs call
   LMSFinish / Terminate there); with ``finish_if_needed`` the player then
   finishes the attempt itself if the SCO did not;
6. returns a dict:
   ``cmi``         scorm-again's full CMI tree (``renderCMIToJSONObject()["cmi"]``)
   ``flat``        the same, flattened: {"cmi.core.lesson_status": ...}
   ``calls``       every API call the SCO made: method, args, result, error code
   ``commits``     the commit log: every body POSTed to the LMS commit URL
                   (``{"terminate": bool, "data": {...}}``; the terminate commit
                   is sent with sendBeacon and includes total_time)
   ``initialized``, ``terminated``  whether the SCO called LMSInitialize and
                   LMSFinish (Initialize/Terminate) successfully
   ``finished_by_player``  True when ``finish_if_needed`` had to finish it
   ``missing``     paths the SCO requested that the package lacks (HTTP 404)
   ``console``     browser console errors and page errors
   ``log``         scorm-again's own log messages (errors by default)
"""
from __future__ import annotations

import contextlib
import copy
import functools
import json
import shutil
import tempfile
import threading
import time
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from .. import NODE_MODULES, require_file
from ..axe import launch_chromium
from ..scorm_xsd import NS12, NS2004, launch_href

PLAYER_DIR = Path(__file__).resolve().parent
SCORM_AGAIN_JS = NODE_MODULES / "scorm-again" / "dist" / "scorm-again.min.js"
COMMIT_PATH = "/lms/commit"


def version() -> str:
    pkg = require_file(NODE_MODULES / "scorm-again" / "package.json", "scorm-again")
    return json.loads(pkg.read_text(encoding="utf-8"))["version"]


class _Server:
    """Static files from ``root`` plus a commit endpoint, on 127.0.0.1:random."""

    def __init__(self, root: Path):
        self.commits: list[dict] = []
        self.missing: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/favicon.ico":
                    self.send_response(204)
                    self.end_headers()
                    return
                super().do_GET()

            def send_error(self, code, message=None, explain=None):
                if code == 404:
                    server.missing.append(urlsplit(self.path).path)
                super().send_error(code, message, explain)

            def do_POST(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                if url.path != COMMIT_PATH:
                    self.send_error(404)
                    return
                try:
                    data = json.loads(body)
                except json.JSONDecodeError:
                    data = body
                server.commits.append({"terminate": "terminate=true" in (url.query or ""),
                                       "data": data})
                reply = b'{"result": true, "errorCode": 0}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(reply)

            def end_headers(self):
                if self.command == "GET":
                    self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def log_message(self, format, *args):  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                         functools.partial(Handler, directory=str(root)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="scorm-player-http",
                                       daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def _unpack(package: Path, content: Path) -> None:
    if package.is_dir():
        shutil.copytree(package, content)
        return
    with zipfile.ZipFile(package) as z:
        for name in z.namelist():
            target = (content / name).resolve()
            if not target.is_relative_to(content.resolve()):
                raise ValueError(f"zip entry escapes the package: {name}")
        z.extractall(content)


def _first_item(root: etree._Element, cp: str, identifier: str | None = None):
    """The item an LMS launches: the one named `identifier`, else the default organization's first."""
    if identifier is not None:
        return next((i for i in root.iter(f"{{{cp}}}item") if i.get("identifier") == identifier), None)
    orgs = root.find(f"{{{cp}}}organizations")
    if orgs is None:
        return None
    candidates = orgs.findall(f"{{{cp}}}organization")
    default = orgs.get("default")
    org = next((o for o in candidates if o.get("identifier") == default),
               candidates[0] if candidates else None)
    if org is None:
        return None
    return next((i for i in org.iter(f"{{{cp}}}item") if i.get("identifierref")), None)


def _text(el) -> str | None:
    return None if el is None or el.text is None else el.text.strip()


def lms_initial_cmi(manifest: bytes, version: str, *, learner_id: str, learner_name: str,
                    saved_cmi: dict | None, item: str | None = None) -> dict:
    """The CMI data an LMS hands a SCO at launch (before the SCO initialises)."""
    root = etree.fromstring(manifest, etree.XMLParser(no_network=True, resolve_entities=False))
    saved = copy.deepcopy(saved_cmi) if saved_cmi else {}
    if "cmi" in saved and isinstance(saved["cmi"], dict):
        saved = saved["cmi"]
    if version == "1.2":
        item = _first_item(root, NS12["imscp"], item)
        adl = NS12["adlcp"]
        core = saved.get("core", {})
        resumed = core.get("exit") == "suspend"
        cmi: dict = {"core": {"student_id": learner_id, "student_name": learner_name,
                              "credit": "credit", "lesson_mode": "normal"},
                     "student_data": {}}
        if item is not None:
            if (ms := _text(item.find(f"{{{adl}}}masteryscore"))) is not None:
                cmi["student_data"]["mastery_score"] = ms
            if (mt := _text(item.find(f"{{{adl}}}maxtimeallowed"))) is not None:
                cmi["student_data"]["max_time_allowed"] = mt
            if (ta := _text(item.find(f"{{{adl}}}timelimitaction"))) is not None:
                cmi["student_data"]["time_limit_action"] = ta
            if (ld := _text(item.find(f"{{{adl}}}datafromlms"))) is not None:
                cmi["launch_data"] = ld
        _merge(cmi, saved)
        # LMS-owned on a new session: entry from the last exit; exit and
        # session_time start empty.
        cmi["core"]["entry"] = "resume" if resumed else ("" if saved else "ab-initio")
        cmi["core"].pop("exit", None)
        cmi["core"].pop("session_time", None)
        if not saved:
            cmi["core"].setdefault("lesson_status", "not attempted")
    else:
        item = _first_item(root, NS2004["imscp"], item)
        adl, ss = NS2004["adlcp"], NS2004["imsss"]
        resumed = saved.get("exit") == "suspend"
        cmi = {"learner_id": learner_id, "learner_name": learner_name,
               "credit": "credit", "mode": "normal"}
        if item is not None:
            if (ld := _text(item.find(f"{{{adl}}}dataFromLMS"))) is not None:
                cmi["launch_data"] = ld
            threshold = item.find(f"{{{adl}}}completionThreshold")
            if threshold is not None:
                # 4th Edition: attributes, used only with completedByMeasure;
                # 3rd Edition: the element's text.
                if threshold.get("completedByMeasure") == "true":
                    cmi["completion_threshold"] = threshold.get("minProgressMeasure") or "1.0"
                elif threshold.get("completedByMeasure") is None and _text(threshold):
                    cmi["completion_threshold"] = _text(threshold)
            primary = item.find(f"{{{ss}}}sequencing/{{{ss}}}objectives/{{{ss}}}primaryObjective")
            if primary is not None and primary.get("satisfiedByMeasure") == "true":
                measure = _text(primary.find(f"{{{ss}}}minNormalizedMeasure"))
                cmi["scaled_passing_score"] = measure or "1.0"
        _merge(cmi, saved)
        cmi["entry"] = "resume" if resumed else ("" if saved else "ab-initio")
        cmi.pop("exit", None)
        cmi.pop("session_time", None)
    return cmi


def _merge(base: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def play(package_zip: str | Path, version: str = "1.2", learner=None, saved_cmi: dict | None = None,
         *, browser=None, learner_id: str = "learner-1", learner_name: str = "Learner, Test",
         settings: dict | None = None, finish_if_needed: bool = False,
         viewport: dict | None = None, timeout: float = 30, item: str | None = None) -> dict:
    """Play a SCORM 1.2 or 2004 package as a learner would; see the module doc.

    ``item`` launches that manifest <item> (by identifier) rather than the
    first: one SCO of a package of several, each played on its own.

    ``learner(page, frame)`` does whatever the learner does; it may return
    nothing. ``browser`` is an already launched playwright Browser (see
    axe.launch_chromium); without one, playwright + Chromium are started for
    this call. ``settings`` are passed to the scorm-again API constructor.
    """
    version = str(version)
    if version not in ("1.2", "2004"):
        raise ValueError('version must be "1.2" or "2004"')
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            own = launch_chromium(p)
            try:
                return play(package_zip, version, learner, saved_cmi, browser=own,
                            learner_id=learner_id, learner_name=learner_name, settings=settings,
                            finish_if_needed=finish_if_needed, viewport=viewport, timeout=timeout, item=item)
            finally:
                own.close()

    with tempfile.TemporaryDirectory(prefix="scorm-player-") as tmp:
        root = Path(tmp)
        content = root / "content"
        _unpack(Path(package_zip), content)
        manifest_file = content / "imsmanifest.xml"
        if not manifest_file.is_file():
            raise FileNotFoundError("imsmanifest.xml is not at the root of the package")
        manifest = manifest_file.read_bytes()
        href = launch_href(manifest, item)
        player = root / "player"
        player.mkdir()
        for name in ("player.html", "player.js"):
            shutil.copy(PLAYER_DIR / name, player / name)
        shutil.copy(require_file(SCORM_AGAIN_JS, "scorm-again"), player / "scorm-again.min.js")
        cmi = lms_initial_cmi(manifest, version, learner_id=learner_id,
                              learner_name=learner_name, saved_cmi=saved_cmi, item=item)

        with _Server(root) as server:
            context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
            context.set_default_timeout(timeout * 1000)
            console: list[str] = []
            try:
                page = context.new_page()
                page.on("console", lambda m: console.append(f"{m.type}: {m.text}")
                        if m.type == "error" else None)
                page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
                page.goto(f"{server.base_url}/player/player.html", wait_until="load")
                page.evaluate("config => startLms(config)", {
                    "version": version,
                    "launch": "../content/" + href,
                    "commitUrl": COMMIT_PATH,
                    "cmi": cmi,
                    "settings": settings or {},
                })
                frame = page.frame(name="sco")
                if frame is None:
                    raise RuntimeError("the player has no SCO frame")
                if learner is not None:
                    learner(page, frame)
                closed = page.evaluate("closeSco()")
                if finish_if_needed:
                    page.evaluate("forceFinish()")
                state = page.evaluate("lmsState()")
                flat = page.evaluate("window.API_1484_11 ? API_1484_11.getFlattenedCMI()"
                                     " : API.getFlattenedCMI()")
                if state["terminated"]:
                    # the terminate commit goes by sendBeacon: wait for it to land
                    deadline = time.monotonic() + 5
                    while (not any(c["terminate"] for c in server.commits)
                           and time.monotonic() < deadline):
                        time.sleep(0.05)
            finally:
                with contextlib.suppress(Exception):
                    context.close()
            missing = [m for m in server.missing]
            commits = list(server.commits)

    return {
        "version": version,
        "launch": href,
        "cmi": state["cmi"].get("cmi", state["cmi"]),
        "flat": flat,
        "calls": state["calls"],
        "commits": commits,
        "initialized": any(c["method"] in ("LMSInitialize", "Initialize") and c["result"] == "true"
                           for c in state["calls"]),
        "terminated": closed["terminated"],
        "finished_by_player": state["finishedByPlayer"],
        "missing": missing,
        "console": console,
        "log": state["log"],
    }
