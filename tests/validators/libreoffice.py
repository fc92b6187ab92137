"""LibreOffice 7.4 (Debian ``libreoffice-writer-nogui``) headless conversion,
the "does a word processor open it" check, plus poppler helpers.

    pdf = libreoffice.convert_to_pdf("build/x.docx", tmp_path)
    assert libreoffice.pdf_page_count(pdf) >= 1

Each call uses its own LibreOffice profile (-env:UserInstallation) in a
temporary directory, so runs never share or lock a user profile. A .docx is
opened with the Word 2007-365 import filter forced: without it LibreOffice
happily "converts" any text file named .docx as plain text. LibreOffice
exits 0 even when it cannot load a file, so success is judged by the PDF
existing and being non-empty; otherwise ConversionFailed carries its output.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from . import ValidatorFailed, require_command

WORD_2007_FILTER = "MS Word 2007 XML"


class ConversionFailed(ValidatorFailed):
    """LibreOffice could not open/convert the document."""


def version() -> str:
    out = subprocess.run([require_command("soffice"), "--version"], capture_output=True,
                         text=True, timeout=120)
    return out.stdout.strip()


def convert_to_pdf(document: str | Path, outdir: str | Path, *,
                   infilter: str | None = "auto", timeout: float = 180) -> Path:
    """Convert a document to PDF with headless LibreOffice; return the PDF path."""
    return convert(document, outdir, "pdf", infilter=infilter, timeout=timeout)


def convert(document: str | Path, outdir: str | Path, extension: str, *,
            infilter: str | None = "auto", timeout: float = 180) -> Path:
    """Convert a document to `extension` (pdf, odt ...) with headless LibreOffice; return the new file's path.

    infilter: "auto" forces the Word filter for .docx and lets LibreOffice
    detect anything else; None never forces; any other string is passed as
    --infilter.
    """
    document = Path(document).resolve()
    outdir = Path(outdir).resolve()
    if not document.is_file():
        raise FileNotFoundError(document)
    outdir.mkdir(parents=True, exist_ok=True)
    if infilter == "auto":
        infilter = WORD_2007_FILTER if document.suffix.lower() == ".docx" else None
    pdf = outdir / (document.stem + f".{extension}")
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [require_command("soffice"), "--headless", "--norestore", "--nologo",
               "--nolockcheck", "--nodefault",
               f"-env:UserInstallation={Path(profile).as_uri()}"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", extension, "--outdir", str(outdir), str(document)]
        env = dict(os.environ, HOME=profile)  # nothing leaks into the real $HOME
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise ConversionFailed(f"LibreOffice timed out after {timeout}s on {document}") from exc
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise ConversionFailed(
            f"LibreOffice could not convert {document} to {extension} (exit {proc.returncode}):\n"
            f"stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}")
    return pdf


def pdf_page_count(pdf: str | Path) -> int:
    out = subprocess.run([require_command("pdfinfo"), str(pdf)], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    if not match:
        raise ValidatorFailed(f"pdfinfo gave no page count for {pdf}:\n{out}")
    return int(match.group(1))


def pdf_text(pdf: str | Path) -> str:
    """The PDF's text (pdftotext -layout)."""
    return subprocess.run([require_command("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout


def render_pages(pdf: str | Path, outdir: str | Path, *, dpi: int = 60,
                 first: int | None = None, last: int | None = None) -> list[Path]:
    """Render PDF pages to PNG with pdftoppm; return the image paths in order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    prefix = outdir / Path(pdf).stem
    cmd = [require_command("pdftoppm"), "-png", "-r", str(dpi)]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    subprocess.run(cmd + [str(pdf), str(prefix)], check=True, capture_output=True, timeout=300)
    return sorted(outdir.glob(prefix.name + "-*.png"))
