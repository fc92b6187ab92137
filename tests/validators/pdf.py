"""Read a PDF back with pikepdf and poppler: what PDF/UA asks for, as plain data.

    facts = pdf.read_facts(path)          # catalog, XMP, structure tree, outline, form fields
    fonts = pdf.fonts(path)               # pdffonts rows: [{"name", "type", "embedded"}]
    pages = pdf.page_texts(path)          # pdftotext, one string per page

No PDF/UA validator (veraPDF, PAC) installs from PyPI, npm or Debian here, so
these read the requirements directly: pikepdf 10 (qpdf) for the objects and
poppler's pdffonts/pdftotext for what a reader extracts.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import ValidatorFailed, require_command


@dataclass(frozen=True)
class StructElem:
    role: str  # "/Figure", "/P", ...
    alt: str | None
    kids: tuple[str, ...] = ()  # the roles of the structure elements directly inside, in order
    descendants: frozenset[str] = frozenset()  # the roles of every structure element inside


@dataclass(frozen=True)
class FormField:
    name: str  # /T
    accessible_name: str | None  # /TU
    kind: str  # /FT: "/Tx" text, "/Btn" check box or button
    radio: bool = False  # /Ff has the Radio flag: a group of buttons, one of which is on
    buttons: tuple[str | None, ...] = ()  # a radio group's buttons (/Kids): each one's /TU
    height: float = 0.0  # the (first) widget's height in points, from its /Rect


@dataclass(frozen=True)
class PdfFacts:
    marked: bool  # /MarkInfo /Marked
    has_struct_tree: bool
    lang: str | None
    display_doc_title: bool
    pdfua_part: str | None  # XMP pdfuaid:part
    dc_title: str | None
    dc_creator: tuple[str, ...]  # XMP dc:creator, in order
    dc_rights: str | None
    dc_identifier: str | None
    info_author: str | None  # the info dictionary's /Author
    elements: tuple[StructElem, ...]
    outline: tuple[tuple[str, int], ...]  # (title, 1-based page) in order, all levels
    fields: tuple[FormField, ...]
    page_count: int


def read_facts(path: str | Path) -> PdfFacts:
    import pikepdf

    with pikepdf.open(path) as pdf:
        root = pdf.Root
        mark_info = root.get("/MarkInfo")
        viewer = root.get("/ViewerPreferences")
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            part = meta.get("pdfuaid:part")
            title = meta.get("dc:title")
            creator = meta.get("dc:creator")
            rights = meta.get("dc:rights")
            identifier = meta.get("dc:identifier")
        tree = root.get("/StructTreeRoot")
        elements = tuple(_walk_structure(tree)) if tree is not None else ()
        page_numbers = {page.objgen: index + 1 for index, page in enumerate(pdf.pages)}
        outline = []
        with pdf.open_outline() as document_outline:
            stack = list(reversed(document_outline.root))
            while stack:
                item = stack.pop()
                outline.append((str(item.title), _destination_page(item, page_numbers)))
                stack.extend(reversed(item.children))
        acroform = root.get("/AcroForm")
        fields = []
        for field in (acroform.Fields if acroform is not None else ()):
            kids = list(field.get("/Kids", ()))
            widget = kids[0] if kids else field
            rect = [float(value) for value in widget.get("/Rect", (0, 0, 0, 0))]
            fields.append(FormField(
                str(field.get("/T", "")),
                str(field["/TU"]) if "/TU" in field else None,
                str(field.get("/FT", "")),
                radio=bool(int(field.get("/Ff", 0)) & (1 << 15)),
                buttons=tuple(str(kid["/TU"]) if "/TU" in kid else None for kid in kids),
                height=abs(rect[3] - rect[1]),
            ))
        return PdfFacts(
            marked=bool(mark_info is not None and mark_info.get("/Marked") is True),
            has_struct_tree=tree is not None,
            lang=str(root["/Lang"]) if "/Lang" in root else None,
            display_doc_title=bool(viewer is not None and viewer.get("/DisplayDocTitle") is True),
            pdfua_part=None if part is None else str(part),
            dc_title=None if title is None else str(title),
            dc_creator=tuple(str(name) for name in (creator or ())),
            dc_rights=None if rights is None else str(rights),
            dc_identifier=None if identifier is None else str(identifier),
            info_author=str(pdf.docinfo["/Author"]) if "/Author" in pdf.docinfo else None,
            elements=elements,
            outline=tuple(outline),
            fields=tuple(fields),
            page_count=len(pdf.pages),
        )


def marked_content_outside_tree(path: str | Path) -> list[tuple[int, int]]:
    """(page, MCID) of every marked-content sequence whose structure element is not in the structure tree.

    PDF/UA: content is either real content, reachable from the StructTreeRoot
    through the ParentTree, or an /Artifact. An id that maps to nothing, or to
    an element the tree does not reach, is neither.
    """
    import pikepdf

    outside = []
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        reachable = set()
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR":
                if node.is_indirect:
                    if node.objgen in reachable:
                        continue
                    reachable.add(node.objgen)
                if "/K" in node:
                    stack.append(node.K)
        parents = {}
        numbers = tree.ParentTree.get("/Nums", ())
        for index in range(0, len(numbers), 2):
            parents[int(numbers[index])] = numbers[index + 1]
        for page_number, page in enumerate(pdf.pages, start=1):
            entries = parents.get(int(page.obj.get("/StructParents", -1)))
            for instruction in pikepdf.parse_content_stream(page):
                if str(instruction.operator) != "BDC":
                    continue
                properties = instruction.operands[1]
                if not isinstance(properties, pikepdf.Dictionary) or "/MCID" not in properties:
                    continue
                mcid = int(properties.MCID)
                element = entries[mcid] if isinstance(entries, pikepdf.Array) and mcid < len(entries) else None
                if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
                    outside.append((page_number, mcid))
    return outside


def _walk_structure(tree):
    import pikepdf

    stack = [tree]
    seen = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue  # a marked-content id
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if node.get("/Type") == "/StructElem" or "/S" in node:
            yield StructElem(str(node.get("/S")), str(node["/Alt"]) if "/Alt" in node else None,
                             tuple(_kid_roles(node)), frozenset(_descendant_roles(node)))
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)


def _kid_roles(node):
    import pikepdf

    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield str(kid.S)


def _descendant_roles(node):
    import pikepdf

    stack, seen = [node.get("/K")], set()
    while stack:
        kid = stack.pop()
        if isinstance(kid, pikepdf.Array):
            stack.extend(kid)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            if kid.is_indirect:
                if kid.objgen in seen:
                    continue
                seen.add(kid.objgen)
            yield str(kid.S)
            stack.append(kid.get("/K"))


def _destination_page(item, page_numbers) -> int:
    destination = item.destination
    if destination is None and item.action is not None:
        destination = item.action.get("/D")
    if destination is None or len(destination) == 0:
        return 0
    return page_numbers.get(destination[0].objgen, 0)


def fonts(path: str | Path) -> list[dict]:
    """pdffonts' table: every font with its type and whether it is embedded."""
    out = _run(["pdffonts", str(path)])
    rows = []
    for line in out.splitlines()[2:]:  # a header line and a rule
        parts = line.split()
        if len(parts) < 7:
            continue
        # name type [encoding...] emb sub uni object ID: the last five columns are fixed.
        rows.append({"name": parts[0], "type": " ".join(parts[1:-6]), "embedded": parts[-5] == "yes"})
    return rows


def page_texts(path: str | Path) -> list[str]:
    """pdftotext's reading of each page (UTF-8), in page order."""
    out = _run(["pdftotext", "-enc", "UTF-8", str(path), "-"])
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


def render_pages(path: str | Path, outdir: str | Path, resolution: int = 50) -> list[Path]:
    """pdftoppm: one PNG per page, for looking at."""
    prefix = Path(outdir) / "page"
    _run(["pdftoppm", "-r", str(resolution), "-png", str(path), str(prefix)])
    return sorted(Path(outdir).glob("page-*.png"))


def _run(command: list[str]) -> str:
    executable = require_command(command[0])
    result = subprocess.run([executable, *command[1:]], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ValidatorFailed(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout
