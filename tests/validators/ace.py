"""Ace by DAISY 1.4.6 (npm ``@daisy/ace-cli``), run through puppeteer in
Debian's Chromium.

    report = ace.check_epub("build/x.epub", tmp_path / "ace")
    assert not report["violations"], ace.format_violations(report)

Returns Ace's own report.json (EARL/JSON-LD) with one key added,
``violations``: a flat list of every failed check, each
``{"rule", "impact", "file", "description", "html", "css", "tags"}``.

How Chromium is found and started: puppeteer reads
PUPPETEER_EXECUTABLE_PATH (set here to /usr/bin/chromium), and Ace's
puppeteer runner (@daisy/ace-axe-runner-puppeteer) always launches with
``--no-sandbox --disable-setuid-sandbox``, so it runs as root without a
wrapper. Ace cannot read a structurally broken EPUB: run EPUBCheck first.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from . import CHROMIUM, NODE_MODULES, ValidatorFailed, ValidatorUnavailable, npm_package_version, require_file

ACE_CLI = NODE_MODULES / ".bin" / "ace-cli"


def version() -> str:
    return npm_package_version(NODE_MODULES / "@daisy" / "ace-cli" / "package.json", "@daisy/ace-cli")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PUPPETEER_EXECUTABLE_PATH"] = CHROMIUM
    env["PUPPETEER_SKIP_DOWNLOAD"] = "1"
    env.setdefault("HOME", "/root")  # Ace writes its log under $HOME
    return env


def violations_from_report(report: dict) -> list[dict]:
    found = []
    for doc in report.get("assertions", []):
        file = doc.get("earl:testSubject", {}).get("url")
        for a in doc.get("assertions", []):
            result = a.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = a.get("earl:test", {})
            pointer = result.get("earl:pointer", {})
            found.append({
                "rule": test.get("dct:title"),
                "impact": test.get("earl:impact"),
                "file": file,
                "description": result.get("dct:description") or test.get("dct:description"),
                "html": result.get("html"),
                "css": pointer.get("css", []),
                "tags": test.get("rulesetTags", []),
            })
    return found


def check_epub(path: str | Path, outdir: str | Path, *, timeout: float = 300,
               lang: str = "en") -> dict:
    """Run Ace on an .epub; reports go to ``outdir`` (report.json, report.html)."""
    path = Path(path).resolve()
    outdir = Path(outdir).resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    if not os.path.exists(CHROMIUM):
        raise ValidatorUnavailable(f"{CHROMIUM} not found: run `make setup-validators`")
    cli = require_file(ACE_CLI, "ace-cli")
    outdir.mkdir(parents=True, exist_ok=True)
    tempdir = outdir / "tmp"
    tempdir.mkdir(exist_ok=True)
    report_file = outdir / "report.json"
    report_file.unlink(missing_ok=True)
    cmd = [str(cli), "--force", "--silent", "--lang", lang,
           "--timeout", str(int(timeout * 1000)),
           "--outdir", str(outdir), "--tempdir", str(tempdir), str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=timeout + 60)
    if proc.returncode != 0 or not report_file.exists():
        raise ValidatorFailed(
            f"Ace failed (exit {proc.returncode}) on {path}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    got = report.get("earl:assertedBy", {}).get("doap:release", {}).get("doap:revision")
    if got != version():
        raise ValidatorFailed(f"Ace reported version {got}, expected {version()}")
    report["violations"] = violations_from_report(report)
    return report


def format_violations(report: dict) -> str:
    return "\n".join(
        f"{v['file']}: {v['rule']} ({v['impact']}): {v['description']} {' '.join(v['css'])}"
        for v in report.get("violations", []))
