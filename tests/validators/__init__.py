"""Thin Python wrappers around the REAL validators installed by
``make setup-validators`` (see tests/validators/README.md).

Every wrapper runs the actual tool (a JVM, Chromium, LibreOffice, a native
binary, or scorm-again in Chromium) and turns its report into plain data.
Nothing here is mocked. A wrapper whose tool is not installed raises
:class:`ValidatorUnavailable` with the command that installs it.

Submodules: ``vnu``, ``axe``, ``epubcheck``, ``ace``, ``libreoffice``,
``ooxml``, ``scorm_xsd``, ``scorm_player``, ``pdf``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"

#: Chromium from Debian (``chromium`` package); override with $CHROMIUM.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

SEVERITIES = ("fatal", "error", "warning", "usage", "info")


class ValidatorUnavailable(RuntimeError):
    """The tool a wrapper needs is not installed (run ``make setup-validators``)."""


class ValidatorFailed(RuntimeError):
    """The tool itself could not run to completion (not: 'the input is invalid')."""


@dataclass(frozen=True)
class Finding:
    """One message from a validator.

    severity is one of SEVERITIES; ``fatal`` and ``error`` mean invalid.
    """

    tool: str
    severity: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    code: str | None = None
    extract: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity in ("fatal", "error")

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        code = f" [{self.code}]" if self.code else ""
        return f"{self.tool} {self.severity}{code} {where}: {self.message}".strip()


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the findings that make the input invalid (fatal or error)."""
    return [f for f in findings if f.is_error]


def format_findings(findings: list[Finding]) -> str:
    """One finding a line, for assertion messages."""
    return "\n".join(str(f) for f in findings)


def require_file(path: Path, what: str) -> Path:
    if not path.exists():
        raise ValidatorUnavailable(f"{what} not found at {path}: run `make setup-validators`")
    return path


def npm_package_version(package_json: Path, what: str) -> str:
    """The version an installed npm package declares in its package.json."""
    return json.loads(require_file(package_json, what).read_text(encoding="utf-8"))["version"]


def run_for_json(command: list[str], tool: str, timeout: float) -> tuple[dict, subprocess.CompletedProcess]:
    """Run a validator that reports JSON on stdout; a run that gives none is a ValidatorFailed, never 'no findings'."""
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    try:
        return json.loads(proc.stdout), proc
    except json.JSONDecodeError:
        raise ValidatorFailed(
            f"{tool} gave no JSON (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        ) from None


def require_command(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ValidatorUnavailable(f"`{name}` is not on PATH: run `make setup-validators`")
    return found


#: JVM flags for the short validator runs (vnu, EPUBCheck): C1-only JIT and the
#: serial GC halve their CPU time here (EPUBCheck on a small EPUB: 20 s -> 10 s
#: of CPU; vnu on two pages: 4.6 s -> 2.4 s). C1 frames are larger, so vnu's
#: deeply recursive schema needs a bigger thread stack than the default
#: ("StackOverflowError while evaluating HTML schema"): -Xss8m.
#: Override with $VALIDATORS_JAVA_OPTS.
JAVA_OPTS = tuple(os.environ.get("VALIDATORS_JAVA_OPTS",
                                 "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss8m").split())


def java() -> str:
    return require_command("java")


def java_command(jar: Path) -> list[str]:
    """``java [JAVA_OPTS] -jar JAR``."""
    return [java(), *JAVA_OPTS, "-jar", str(jar)]
