"""Import a workbook written in Word, ODT, Markdown or HTML as a typed, validated source.

pandoc reads the file (pandoc.py, within bounds); a reader gives each of its
blocks a role: our own Word styles (styles.py), an author's wording in plain
Word, ODT or HTML (labels.py), or Markdown's fenced divs (markdown.py); the
assembler (assemble.py) builds the document model from the roles; dump.py
writes it as the same canonical XML every source is; and the result is
validated before anything is written. Every role that was guessed from wording
is a warning with where it was.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from .. import model, resources
from ..model import SourceLocation
from ..problems import Problem, UserError, error, has_errors
from ..resolve import slugify
from . import labels, markdown, pandoc_ast as ast, styles
from .assemble import Assembler
from .pandoc import read
from .word_parts import read_facts
from ..render.docx.answers import CORRECT_OPTIONS_PROPERTY, DRAWING_LINES_PROPERTY
from ..render.docx.publication import ARTICLE_PROPERTY, RIGHTS_PROPERTY

IMAGE_DIR = "images"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@dataclass(frozen=True)
class Imported:
    workbook: model.Workbook
    images: dict[str, Path]  # path in the source folder ("images/x.png") -> extracted file
    problems: list[Problem]


def import_document(path: Path, workbook_id: str | None, work_dir: Path) -> Imported:
    """Read `path` into a workbook model; images are extracted under `work_dir`."""
    path = Path(path)
    document = read(path, work_dir / "media")
    blocks = document.ast.get("blocks", [])
    if document.is_markdown:
        blocks = ast.unwrap_blocks(blocks)
    reserved = _anchor_ids(blocks)
    name = str(path)
    assembler = Assembler(name, reserved, empty_alt_is_decorative=document.reader == "html")
    meta = document.ast.get("meta", {})
    if document.is_styled_word and styles.is_our_word(document.ast):
        pieces = styles.pieces(blocks)
    elif document.is_markdown:
        pieces = markdown.pieces(blocks)
    else:
        pieces = labels.pieces(blocks)
    title = _meta_inlines(meta.get("title"))
    if title is None:
        pieces, title = _title_from_heading(pieces)
    elif pieces and pieces[0].role == "heading" and ast.text(pieces[0].title) == ast.text(title):
        pieces = pieces[1:]  # the title again as a heading (pandoc's standalone HTML writes both)
    if title is None and pieces and pieces[0].role == "paragraph" and _looks_like_a_title(ast.text(pieces[0].inlines)):
        title = pieces[0].inlines
        assembler.problems.append(Problem(SourceLocation(name, pieces[0].line), "warning",
                                          f"the first line “{ast.text(title)}” is taken as the workbook's title; "
                                          "check it is right", "import.guessed"))
        pieces = pieces[1:]
    facts = read_facts(document.parts)
    correct = facts.properties.get(CORRECT_OPTIONS_PROPERTY)
    if correct is not None:
        assembler.correct_options = [[int(n) for n in part.split() if n.isdigit()] for part in correct.split(";")]
    assembler.answer_heights = facts.answer_heights
    drawing_lines = facts.properties.get(DRAWING_LINES_PROPERTY)
    if drawing_lines is not None:
        assembler.drawing_lines = [int(part) if part.strip().isdigit() else None for part in drawing_lines.split(";")]
    assembler.feed(pieces)
    sections = assembler.finish()
    if assembler.errors:
        raise UserError(assembler.errors)
    if assembler.preamble:
        intro = model.Section(assembler.ids.fresh("Introduction", "introduction"), (model.Text("Introduction"),),
                              tuple(block for block, _ in assembler.preamble), loc=SourceLocation(name))
        assembler.problems.append(Problem(SourceLocation(name), "warning",
                                          "the text before the first heading is put in a section “Introduction”; "
                                          "give it a heading", "import.no-heading"))
        sections = [intro, *sections]
    if not sections:
        raise UserError(error(SourceLocation(name), "has no text to import (no headings or paragraphs were found)",
                              "import.empty"))
    title_inlines = assembler.inlines(title) if title is not None else (model.Text(path.stem.replace("-", " ").replace("_", " ")),)
    publisher = model.plain_text(assembler.meta.get("publisher")) or None
    meta_node = model.Meta(
        title=title_inlines,
        subtitle=assembler.inlines(_meta_inlines(meta.get("subtitle"))) if meta.get("subtitle") else None,
        summary=assembler.meta.get("summary") or None,
        publisher=publisher,
        publisher_article=facts.properties.get(ARTICLE_PROPERTY) if publisher else None,
        **_publication_details(assembler.details, facts),
    )
    wb_id = workbook_id or slugify(model.plain_text(title_inlines))
    workbook = model.Workbook(wb_id, "1.0.0", meta_node, tuple(sections), lang=_meta_text(meta.get("lang")) or "en-GB",
                              loc=SourceLocation(name))
    workbook = _unresolved_refs_as_text(workbook, assembler)
    workbook, images = _images(workbook, document.media_dir, path.parent, name)
    return Imported(workbook, images, assembler.problems)


def _publication_details(details: list[str], facts) -> dict:
    """The title page's "By …", "ISBN …", "Reference …" and rights lines (render/docx/publication.py) as Meta fields."""
    authors: tuple[str, ...] = ()
    identifiers: list[model.Identifier] = []
    rights = None
    for line in details:
        if line.startswith("By ") and not authors and not identifiers:
            names = line[3:]
            core = facts.authors
            if core and (core[0] if len(core) == 1 else f"{', '.join(core[:-1])} and {core[-1]}") == names:
                authors = core  # the core properties keep each name whole (one with a comma or an "and")
            else:
                authors = tuple(name for name in re.split(r", | and ", names) if name)
        elif line.startswith(("ISBN ", "Reference ")) and rights is None:
            scheme, value = line.split(" ", 1)
            identifiers.append(model.Identifier("isbn" if scheme == "ISBN" else "reference", value))
        else:
            rights = facts.properties.get(RIGHTS_PROPERTY) or line
    return {"authors": authors, "identifiers": tuple(identifiers), "rights": rights}


def _unresolved_refs_as_text(workbook: model.Workbook, assembler: Assembler) -> model.Workbook:
    """A link inside the document to something that did not come across keeps its words, with a warning."""
    ids = {getattr(node, "id", None) for node in model.walk(workbook)} - {None}
    lost: list[str] = []

    def fix(node):
        if isinstance(node, tuple):
            out = []
            for child in node:
                if isinstance(child, model.Ref) and child.target not in ids:
                    lost.append(child.target)
                    out.extend(fix(child.content) or (model.Text(child.target),))
                else:
                    out.append(fix(child))
            return tuple(out)
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            changes = {f.name: fix(getattr(node, f.name)) for f in dataclasses.fields(node)
                       if f.name != "loc" and isinstance(getattr(node, f.name), (tuple, model.NODE_TYPES))}
            return replace(node, **changes) if changes else node
        return node

    workbook = fix(workbook)
    for target in sorted(set(lost)):
        assembler.problems.append(Problem(SourceLocation(assembler.path), "warning",
                                          f"a link to “#{target}” inside the document points at nothing that was "
                                          "imported; its words are kept as text", "import.dropped"))
    return workbook


def _anchor_ids(blocks) -> set[str]:
    """Every id our Word output bookmarked and a link points to: kept as they are."""
    found: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if node.get("t") == "Span" and "anchor" in node["c"][0][1]:
                candidate = ast.bookmark_id(node["c"][0][0])
                if candidate:
                    found.add(candidate)
            visit(node.get("c"))

    visit(blocks)
    return found


def _meta_inlines(value) -> list | None:
    if not value:
        return None
    if value["t"] == "MetaInlines":
        return value["c"]
    if value["t"] == "MetaString":
        return [{"t": "Str", "c": value["c"]}]
    if value["t"] == "MetaBlocks":
        return ast.para_inlines(value["c"][0]) if value["c"] else None
    return None


def _meta_text(value) -> str | None:
    inlines = _meta_inlines(value)
    return ast.text(inlines) if inlines else None


def _looks_like_a_title(words: str) -> bool:
    """A first line that is short and not a sentence (ODT loses the Title style)."""
    return 0 < len(words) <= 120 and not words.endswith((".", ":", "?", "!"))


def _title_from_heading(pieces):
    """With no document title, a single top-level heading that comes first is the title."""
    headings = [piece for piece in pieces if piece.role == "heading"]
    if not headings:
        return pieces, None
    top = min(piece.level for piece in headings)
    tops = [piece for piece in headings if piece.level == top]
    if len(tops) == 1 and pieces and pieces[0] is tops[0] and len(headings) > 1:
        return pieces[1:], tops[0].title
    return pieces, None


def _images(workbook: model.Workbook, media_dir: Path, input_dir: Path, name: str):
    """Point every figure at images/<figure id>.<ext>, with the file to copy there.

    A picture in a Word or ODT file is the one pandoc extracted into `media_dir`;
    a Markdown or HTML file names its pictures by path, which must stay inside the
    file's own folder. A picture on another site is refused: no output may load
    anything from another host.
    """
    images: dict[str, Path] = {}
    renamed: dict[str, str] = {}
    errors: list[Problem] = []

    def found(src: str) -> Path | None:
        if "://" in src or src.startswith(("data:", "//")):
            return None
        for folder in (media_dir.parent, input_dir):
            candidate = Path(src) if Path(src).is_absolute() else folder / src
            if candidate.is_file() and _inside(candidate, folder):
                return candidate
        return None

    def fix(node):
        if isinstance(node, model.Figure) and node.image is not None:
            src = node.image.src
            if src not in renamed:
                extracted = found(src)
                where = node.loc or SourceLocation(name)
                if "://" in src or src.startswith("//"):
                    errors.append(error(where, f"the picture {src} is on another site; save it beside the document "
                                        "and refer to the file, so no output loads anything from another host",
                                        "import.image"))
                    return node
                if extracted is None or extracted.suffix.lower() not in IMAGE_TYPES:
                    errors.append(error(where, f"the picture {src} could not be extracted (only "
                                        f"{', '.join(sorted(IMAGE_TYPES))} files inside the document's folder can be); "
                                        "insert it again as a picture", "import.image"))
                    return node
                target = f"{IMAGE_DIR}/{node.id}{extracted.suffix.lower()}"
                renamed[src] = target
                images[target] = extracted
            return replace(node, image=model.Image(renamed[src]))
        return _map_children(node, fix)

    workbook = replace(workbook, sections=tuple(fix(section) for section in workbook.sections))
    if errors:
        raise UserError(errors)
    return workbook, images


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _map_children(node, fix):
    if isinstance(node, model.Section):
        return replace(node, content=tuple(fix(child) for child in node.content))
    if isinstance(node, (model.Box, model.Subsection)):
        return replace(node, blocks=tuple(fix(child) for child in node.blocks))
    if isinstance(node, model.Challenge):
        return replace(node, intro=tuple(fix(child) for child in node.intro))
    return node


def default_output(workbook_id: str) -> Path:
    return Path("source") / workbook_id / "workbook.xml"


def write_source(imported: Imported, output: Path, force: bool, input_name: str, strict: bool = False) -> list[Problem]:
    """Validate the source in a scratch folder, then move it (and its images) into place; nothing on failure."""
    from .. import dump
    from ..validate import validate_file

    output = Path(output)
    if output.exists() and not force:
        raise UserError(error(SourceLocation(str(output)), "exists already; import with --force to replace it, "
                              "or choose another -o", "import.exists"))
    if output.is_dir():
        raise UserError(error(SourceLocation(str(output)), "is a folder; name the file to write, such as "
                              f"{output / 'workbook.xml'}", "output.unwritable"))
    folder = output.parent
    # The scratch folder sits in the nearest folder that exists (the same disk, so the move is a
    # rename); missing folders are made only once the source is valid.
    existing = next((parent for parent in (folder, *folder.parents) if parent.is_dir()), Path("."))
    schema_location = resources.schema_reference("workbook.xsd", folder)
    data = dump.to_xml(imported.workbook, schema_location)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=existing))
    except OSError as exc:
        raise _cannot_write(exc, existing, named=True) from None  # the folder, not the scratch name inside it
    try:
        staged = scratch / output.name
        staged.write_bytes(data)
        for target, extracted in imported.images.items():
            (scratch / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extracted, scratch / target)
        _, problems = validate_file(staged, str(output))
        if has_errors(problems) or (strict and problems):
            # The source is not written, so its lines cannot be shown: say what is wrong in the document.
            raise UserError([p._replace(location=SourceLocation(input_name), severity="error",
                                        message=f"the imported source would not be valid: {p.message}")
                             for p in problems if strict or p.severity == "error"])
        _move_into_place(scratch, output, imported.images)
        return problems
    except OSError as exc:
        pictures = {os.fspath(path) for path in imported.images.values()}
        if exc.filename is not None and os.fsdecode(exc.filename) in pictures:
            raise UserError(error(SourceLocation(os.fsdecode(exc.filename)), f"cannot read {os.fsdecode(exc.filename)}: "
                                  f"{exc.strerror or exc}", "import.unreadable")) from None
        raise _cannot_write(exc, output, named=False) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cannot_write(exc: OSError, place: Path, named: bool) -> UserError:
    """`cannot write <path>: <reason>; choose another -o`: `place`, or (named=False) the file that failed, a rename's target first."""
    name = exc.filename2 if exc.filename2 is not None else exc.filename
    path = str(place) if named or name is None else os.fsdecode(name)
    return UserError(error(SourceLocation(path), f"cannot write {path}: {exc.strerror or exc}; choose another -o", "output.unwritable"))


def _move_into_place(scratch: Path, output: Path, images: dict[str, Path]) -> None:
    folder = output.parent
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, folder)  # one rename: the whole source folder appears at once
        scratch.mkdir()  # for the caller's clean-up
        return
    for target in images:
        destination = folder / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch / target, destination)
    os.replace(scratch / output.name, output)
