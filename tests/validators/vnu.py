"""Nu Html Checker (vnu.jar from npm ``vnu-jar``), one JVM run for many files.

    findings = vnu.check_html([path1, path2])
    assert not errors(findings), format_findings(findings)

vnu reports ``error`` (with subType ``fatal`` for parse-stopping errors),
``info`` with subType ``warning``, and plain ``info``; they map to the
Finding severities fatal / error / warning / info. ``non-document-error``
(an I/O problem reading a file) raises ValidatorFailed instead.
"""
from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlparse

from . import NODE_MODULES, Finding, ValidatorFailed, java_command, require_file, run_for_json

VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

# vnu silently skips files whose extension it does not recognise, and also
# files that do not exist, so both are checked here first.
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".xht"}


def version() -> str:
    out = subprocess.run(java_command(require_file(VNU_JAR, "vnu.jar")) + ["--version"],
                         capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.strip()


def _severity(msg: dict) -> str:
    kind, sub = msg.get("type"), msg.get("subType")
    if kind == "error":
        return "fatal" if sub == "fatal" else "error"
    if kind == "info":
        return "warning" if sub == "warning" else "info"
    return "error"


def check_html(paths: Iterable[str | Path], *, skip_info: bool = True,
               timeout: float = 300) -> list[Finding]:
    """Validate HTML/XHTML files in one JVM; return errors and warnings.

    ``.xhtml``/``.xht`` files are parsed as XML (XHTML5), the others as HTML.
    With skip_info (default) plain info messages are dropped; warnings kept.
    """
    files = [Path(p).resolve() for p in paths]
    if not files:
        return []
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f)
        if f.suffix.lower() not in HTML_SUFFIXES:
            raise ValueError(f"vnu would skip {f}: not one of {sorted(HTML_SUFFIXES)}")
    cmd = java_command(require_file(VNU_JAR, "vnu.jar")) + [
        "--format", "json", "--stdout", "--exit-zero-always"]
    if skip_info:
        cmd.append("--skip-info-messages")  # keeps info/warning, drops plain info
    cmd += [str(f) for f in files]
    report, proc = run_for_json(cmd, "vnu", timeout)
    findings = []
    for msg in report.get("messages", []):
        url = msg.get("url")
        file = unquote(urlparse(url).path) if url else None
        if msg.get("type") == "non-document-error":
            raise ValidatorFailed(f"vnu could not check {file}: {msg.get('message')}")
        findings.append(Finding(
            tool="vnu",
            severity=_severity(msg),
            message=msg.get("message", ""),
            file=file,
            line=msg.get("lastLine", msg.get("firstLine")),
            column=msg.get("firstColumn"),
            extract=msg.get("extract"),
        ))
    return findings
