"""A brand folder: brand.json checked against schema/brand.schema.json, WCAG contrast and safe paths.

Renderers only see the frozen `Brand`; nothing they do can reach outside the
brand folder, because every path in it is resolved and checked here. A brand's
template overrides are checked while it loads, before anything is built (see
brand_templates.py): a template that cannot parse, or that reaches for Python
internals or for files outside the template folders, stops the build with its
file and line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from . import resources
from .jsonfile import read_json_file
from .model import BLOCK_KINDS, SourceLocation
from .brand_templates import template_problems
from .problems import Problem, error, warning

SCHEMA_PATH = resources.schema("brand.schema.json")
BRAND_FILE = "brand.json"

# Tints used when a brand gives no colour for a block kind.
DEFAULT_BLOCK_COLOURS = {
    "guidance": "#fff6cc",
    "challenge": "#eef7dc",
    "case-study": "#fbe6ef",
    "tip": "#e3f0fb",
    "useful-links": "#fdeadb",
}
TEXT_CONTRAST = 4.5


@dataclass(frozen=True)
class Colours:
    primary: str
    on_primary: str
    accent: str
    text: str
    background: str
    blocks: Mapping[str, str]


@dataclass(frozen=True)
class Logo:
    path: Path
    alt: str
    media_type: str
    # A PNG or JPEG copy of an SVG logo, for Word (python-docx cannot embed SVG).
    raster: Path | None = None
    raster_media_type: str | None = None

    @property
    def bitmap(self) -> tuple[Path, str] | None:
        """The logo as a PNG or JPEG file and its media type, if the brand has one."""
        if self.media_type in RASTER_MEDIA_TYPES:
            return self.path, self.media_type
        if self.raster is not None and self.raster_media_type is not None:
            return self.raster, self.raster_media_type
        return None


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    media_type: str
    weight: str = "normal"
    style: str = "normal"


@dataclass(frozen=True)
class BrandLink:
    title: str
    href: str
    description: str | None = None


@dataclass(frozen=True)
class Brand:
    name: str
    folder: Path
    council_name: str
    colours: Colours
    council_website: str | None = None
    logo: Logo | None = None
    font_files: tuple[FontFile, ...] = ()
    body_font: str = "Arial, Helvetica, sans-serif"
    heading_font: str = "Arial, Helvetica, sans-serif"
    contact: Mapping[str, str] = field(default_factory=dict)
    footer: str | None = None
    links: tuple[BrandLink, ...] = ()
    language: str = "en-GB"
    templates_dir: Path | None = None
    reference_docx: Path | None = None


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #rrggbb colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _describe_violation(violation) -> str | None:
    """Say plainly why brand text with markup in it is refused."""
    if violation.validator == "pattern" and violation.schema.get("description", "").startswith("Plain text"):
        return f"{violation.instance!r} contains < or >: brand text is plain text, markup is not allowed"
    return None


def load_brand(folder: Path | str) -> tuple[Brand | None, list[Problem]]:
    """Load and check a brand folder: (None, errors) when it cannot be used, else (brand, warnings)."""
    folder = Path(folder)
    brand_file = folder / BRAND_FILE
    where = SourceLocation(str(brand_file))
    if not folder.is_dir():
        return None, [error(SourceLocation(str(folder)), "brand folder does not exist; pass --brand brands/<name> (a folder holding brand.json)", "brand.not-found")]
    if not os.path.lexists(brand_file):  # a FIFO, device or link loop is refused by the reader, with its own message
        return None, [error(where, "brand.json is missing; every brand folder needs one (see brands/default/brand.json)", "brand.no-file")]
    settings, problems = read_json_file(brand_file, SCHEMA_PATH, "brand", _describe_violation)
    if settings is None or problems:
        return None, problems
    data = settings.data
    loc = settings.location

    colours_data = data["colours"]
    colours = Colours(
        primary=colours_data["primary"].lower(),
        on_primary=colours_data["onPrimary"].lower(),
        accent=colours_data.get("accent", colours_data["primary"]).lower(),
        text=colours_data["text"].lower(),
        background=colours_data["background"].lower(),
        blocks=MappingProxyType({kind: colours_data.get("blocks", {}).get(kind, DEFAULT_BLOCK_COLOURS[kind]).lower() for kind in BLOCK_KINDS}),
    )
    problems += _contrast_problems(colours, loc)

    logo = None
    logo_warnings: list[Problem] = []
    if "logo" in data:
        logo, logo_problems = _load_logo(folder, data["logo"], loc)
        problems += [problem for problem in logo_problems if problem.severity == "error"]
        logo_warnings += [problem for problem in logo_problems if problem.severity == "warning"]

    font_files = []
    for index, font in enumerate(data.get("fonts", {}).get("files", ())):
        font_path, problem = brand_path(folder, font["file"], loc(f"/fonts/files/{index}/file"))
        if problem is None:
            font_data, problem = _read_brand_file(font_path, MAX_FONT_BYTES, "font", loc(f"/fonts/files/{index}/file"))
            media_type = None if problem else sniff_font(font_data)
            if problem is None and media_type is None:
                problem = error(loc(f"/fonts/files/{index}/file"), f"'{font['file']}' is not a TrueType, OpenType, WOFF or WOFF2 font (checked by its content)", "brand.font-format")
        if problem:
            problems.append(problem)
        else:
            font_files.append(FontFile(font["family"], font_path, media_type, font.get("weight", "normal"), font.get("style", "normal")))

    templates = folder / "templates"
    reference = folder / "reference.docx"
    template_findings = template_problems(folder)
    problems += [problem for problem in template_findings if problem.severity == "error"]
    logo_warnings += [problem for problem in template_findings if problem.severity == "warning"]
    if problems:
        return None, problems
    fonts = data.get("fonts", {})
    brand = Brand(
        name=folder.resolve().name,
        folder=folder.resolve(),
        council_name=data["council"]["name"],
        council_website=data["council"].get("website"),
        colours=colours,
        logo=logo,
        font_files=tuple(font_files),
        body_font=fonts.get("body", Brand.body_font),
        heading_font=fonts.get("headings", fonts.get("body", Brand.heading_font)),
        contact=MappingProxyType(dict(data.get("contact", {}))),
        footer=data.get("footer"),
        links=tuple(BrandLink(link["title"], link["href"], link.get("description")) for link in data.get("links", ())),
        language=data.get("language", "en-GB"),
        templates_dir=templates.resolve() if templates.is_dir() else None,
        reference_docx=reference.resolve() if reference.is_file() else None,
    )
    return brand, logo_warnings


def _contrast_problems(colours: Colours, loc) -> list[Problem]:
    pairs = [
        ("text", colours.text, "background", colours.background, "/colours/text"),
        ("onPrimary", colours.on_primary, "primary", colours.primary, "/colours/onPrimary"),
        ("accent", colours.accent, "background", colours.background, "/colours/accent"),
    ]
    pairs += [("text", colours.text, f"blocks.{kind}", colour, f"/colours/blocks/{kind}") for kind, colour in colours.blocks.items()]
    problems = []
    for fg_name, fg, bg_name, bg, pointer in pairs:
        ratio = contrast_ratio(fg, bg)
        if ratio < TEXT_CONTRAST:
            problems.append(error(loc(pointer), f"colour pair {fg_name} {fg} on {bg_name} {bg} has contrast {ratio:.2f}:1, below the WCAG minimum of {TEXT_CONTRAST}:1 for text; darken or lighten one of them", "brand.contrast"))
    return problems


def brand_path(folder: Path, relative: str, where: SourceLocation) -> tuple[Path | None, Problem | None]:
    """Resolve a path named in brand.json, refusing anything that leaves the brand folder."""
    root = folder.resolve()
    candidate = (root / relative).resolve()
    if Path(relative).is_absolute() or not candidate.is_relative_to(root):
        return None, error(where, f"path '{relative}' leaves the brand folder; put the file inside {root} and name it relative to it", "brand.path-outside")
    if not candidate.exists():
        return None, error(where, f"file '{relative}' does not exist in the brand folder", "brand.file-missing")
    return candidate, None


MAX_LOGO_BYTES = 512 * 1024

_FONT_SIGNATURES = {
    b"\x00\x01\x00\x00": "font/ttf",
    b"true": "font/ttf",
    b"OTTO": "font/otf",
    b"wOFF": "font/woff",
    b"wOF2": "font/woff2",
}


def sniff_font(data: bytes) -> str | None:
    """The media type of a font file, judged by its first bytes."""
    return _FONT_SIGNATURES.get(data[:4])


def _load_logo(folder: Path, logo: dict, loc) -> tuple[Logo | None, list[Problem]]:
    """The logo and its optional PNG/JPEG copy; a warning when Word will have no picture of it."""
    logo_path, problem = brand_path(folder, logo["file"], loc("/logo/file"))
    if problem:
        return None, [problem]
    media_type, problem = _check_logo(logo_path, loc("/logo/file"))
    if problem:
        return None, [problem]
    raster = raster_media_type = None
    if "raster" in logo:
        raster, problem = brand_path(folder, logo["raster"], loc("/logo/raster"))
        if problem is None:
            raster_data, problem = _read_brand_file(raster, MAX_LOGO_BYTES, "logo", loc("/logo/raster"))
        if problem is None:
            raster_media_type = _sniff_raster(raster_data)
            if raster_media_type is None:
                problem = error(loc("/logo/raster"), f"'{logo['raster']}' is not a PNG or JPEG image (checked by its content); "
                                "the raster copy of a logo is for Word, which needs one of those", "brand.logo-raster-format")
        if problem:
            return None, [problem]
    found = Logo(logo_path, logo["alt"], media_type, raster, raster_media_type)
    if found.bitmap is None:
        return found, [warning(loc("/logo/file"), f"the logo '{logo['file']}' is SVG, which Word documents cannot show, and has no "
                               "PNG copy: the Word output shows the council's name instead; export the logo as PNG into the brand "
                               f"folder and add \"raster\": \"{Path(logo['file']).with_suffix('.png').as_posix()}\" to \"logo\"",
                               "brand.logo-no-raster")]
    return found, []


RASTER_MEDIA_TYPES = ("image/png", "image/jpeg")


def _sniff_raster(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


MAX_FONT_BYTES = 10 * 1024 * 1024


def _read_brand_file(path: Path, limit: int, what: str, where: SourceLocation) -> tuple[bytes, Problem | None]:
    """A logo or font file's bytes, read with a cap that does not trust stat(): regular files only."""
    from .safe_read import InputError, read_input

    try:
        return read_input(path, limit, f"{what} file"), None
    except InputError as exc:
        if exc.kind == "too-large":
            shown = f"{exc.size:,} bytes" if exc.size else "too large"
            noun = "image" if what == "logo" else "file"
            return b"", error(where, f"{what} is {shown}; the limit is {limit:,}: export a smaller {noun}", f"brand.{what}-too-large")
        separator = " " if exc.kind == "not-a-file" else ": "
        return b"", error(where, f"{what} file '{path.name}'{separator}{exc.message}", "brand.file-unreadable")


def _check_logo(path: Path, where: SourceLocation) -> tuple[str | None, Problem | None]:
    data, problem = _read_brand_file(path, MAX_LOGO_BYTES, "logo", where)
    if problem:
        return None, problem
    raster = _sniff_raster(data)
    if raster:
        return raster, None
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        from .svg import unsafe_svg_reason

        reason = unsafe_svg_reason(data)
        if reason:
            return None, error(where, f"SVG logo is not safe: {reason}; remove it and try again", "brand.logo-unsafe")
        return "image/svg+xml", None
    return None, error(where, "logo is not a PNG, JPEG or SVG image (checked by its content, not its name)", "brand.logo-format")
