"""Build outputs: validate, resolve, render each format into a staging folder, then move into place.

Nothing reaches build/ unless every requested format rendered: a bad source,
a bad brand or a renderer failure leaves the previous outputs exactly as they were.
"""
from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .brand import Brand, load_brand
from .problems import Problem, UserError
from .resolve import Document, resolve
from .validate import validate_file

FORMATS = ("html", "docx", "epub", "scorm12", "scorm2004")

# format -> "module:function"; each renderer is `render(doc, brand, out_dir) -> Path`
# and writes exactly the output named by `output_name`.
RENDERERS: dict[str, str] = {
    "html": "pipeline.render.html:render_html",
    "docx": "pipeline.render.docx:render_docx",
    "epub": "pipeline.render.epub:render_epub",
    "scorm12": "pipeline.render.scorm:render_scorm12",
    "scorm2004": "pipeline.render.scorm:render_scorm2004",
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BRAND = PROJECT_ROOT / "brands" / "default"
SOURCE_ROOT = PROJECT_ROOT / "source"


def output_name(workbook_id: str, fmt: str) -> str:
    """The file (or folder) name of one format's output inside build/<workbook>/<brand>/."""
    return {
        "html": "html",
        "docx": f"{workbook_id}.docx",
        "epub": f"{workbook_id}.epub",
        "scorm12": f"{workbook_id}-scorm12.zip",
        "scorm2004": f"{workbook_id}-scorm2004.zip",
    }[fmt]


def renderer(fmt: str) -> Callable[[Document, Brand, Path], Path]:
    module_name, function_name = RENDERERS[fmt].split(":")
    return getattr(importlib.import_module(module_name), function_name)


def load_document(source: Path, strict: bool = False) -> tuple[Document, list[Problem]]:
    """Validate and resolve a source; raise UserError (with every problem) if it has errors."""
    result, problems = validate_file(source)
    blocking = [p for p in problems if p.severity == "error" or (strict and p.severity == "warning")]
    if blocking:
        raise UserError(problems)
    return resolve(result.workbook), problems


@dataclass(frozen=True)
class BuildResult:
    workbook_id: str
    brand_name: str
    target: Path
    outputs: dict[str, Path]


def build_workbook(source: Path, brand: Brand, formats: tuple[str, ...] = FORMATS, out_root: Path = Path("build"), strict: bool = False) -> BuildResult:
    """Build the given formats of one workbook with one brand, atomically."""
    document, _ = load_document(source, strict=strict)
    workbook_id = document.workbook.id
    target = out_root / workbook_id / brand.name
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{brand.name}-staging-", dir=target.parent))
    try:
        for fmt in formats:
            renderer(fmt)(document, brand, staging)
        outputs = _move_into_place(staging, target, [output_name(workbook_id, fmt) for fmt in formats])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(workbook_id, brand.name, target, {fmt: target / output_name(workbook_id, fmt) for fmt in formats})


def _move_into_place(staging: Path, target: Path, names: list[str]) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for name in names:
        new = staging / name
        if not new.exists():
            raise RuntimeError(f"renderer did not write {name}")
        final = target / name
        if new.is_dir():
            # A folder cannot be swapped in one rename over a non-empty one: move
            # the old aside, rename the new in, then delete the old.
            old = target / f".{name}.old"
            shutil.rmtree(old, ignore_errors=True)
            if final.exists():
                os.replace(final, old)
            os.replace(new, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(new, final)
        moved.append(final)
    return moved


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def default_sources() -> list[Path]:
    return sorted(SOURCE_ROOT.glob("*/workbook.xml")) + sorted(SOURCE_ROOT.glob("*/workbook.json"))


def build_command(args) -> int:
    sources = args.sources or default_sources()
    if not sources:
        raise UserError(f"{SOURCE_ROOT}: error: no workbooks found; add source/<id>/workbook.xml or name a SOURCE [build.no-sources]")
    brand_dir = args.brand or DEFAULT_BRAND
    brand, brand_problems = load_brand(brand_dir)
    if brand is None:
        raise UserError(brand_problems)
    formats = tuple(dict.fromkeys(args.formats)) if args.formats else FORMATS
    # Check every source before building any, so that one bad workbook stops the
    # run before anything is written.
    for source in sources:
        _, problems = load_document(source, strict=args.strict)
        for problem in problems:
            print(problem, file=sys.stderr)
    for source in sources:
        result = build_workbook(source, brand, formats, out_root=args.out, strict=args.strict)
        for fmt, path in result.outputs.items():
            print(f"built {fmt:<9} {path}", file=sys.stderr)
    return 0
