"""The files every page shares: the static CSS and scripts, the brand's style sheet, fonts and logo, the figures' images."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import model
from ..brand import MAX_FONT_BYTES, MAX_LOGO_BYTES, Brand, FontFile, contrast_ratio
from ..resolve import Document
from ..safe_read import read_embedded
from .theme import TEMPLATES_DIR

if TYPE_CHECKING:
    from .pages import Profile

# Static files copied as they are, and templated assets rendered from the brand.
STATIC_ASSETS = ("assets/workbook.css",)
SCRIPT_ASSETS = ("assets/workbook-state.js", "assets/workbook.js")  # the state's functions first
BRAND_STYLESHEET = "assets/brand.css"
LOGO_STEM = "assets/logo"
FONTS_FOLDER = "assets/fonts"
IMAGES_FOLDER = "images"


@dataclass(frozen=True)
class Assets:
    files: dict[str, bytes]
    stylesheets: tuple[str, ...]
    scripts: tuple[str, ...]
    logo: dict | None


_LOGO_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}


def page_assets(doc: Document, brand: Brand, profile: Profile, environment: SandboxedEnvironment) -> Assets:
    files: dict[str, bytes] = {}
    for name in STATIC_ASSETS + (SCRIPT_ASSETS if profile.scripts else ()):
        files[name] = (TEMPLATES_DIR / name).read_bytes()
    fonts = font_files(brand)
    files.update({href: data for href, (_, data) in fonts.items()})
    faces = [
        {"family": font.family, "src": PurePosixPath(href).relative_to(PurePosixPath(BRAND_STYLESHEET).parent).as_posix(),
         "format": _FONT_FORMATS[font.media_type], "weight": font.weight, "style": font.style}
        for href, (font, _) in fonts.items()
    ]
    files[BRAND_STYLESHEET] = _encode(environment.get_template("assets/brand.css.j2").render(
        properties=brand_properties(brand), font_faces=faces))
    logo = None
    if brand.logo is not None:
        logo_file = LOGO_STEM + _LOGO_EXTENSIONS[brand.logo.media_type]
        files[logo_file] = read_embedded(brand.logo.path, MAX_LOGO_BYTES, "logo file")
        logo = {"src": logo_file, "alt": brand.logo.alt}
    files.update(_figure_images(doc))
    scripts = ((profile.runtime_script,) if profile.runtime_script else ()) + (SCRIPT_ASSETS if profile.scripts else ())
    return Assets(files, (BRAND_STYLESHEET, *STATIC_ASSETS), scripts, logo)


# The CSS `format()` hint of each font media type brand.py accepts.
_FONT_FORMATS = {"font/ttf": "truetype", "font/otf": "opentype", "font/woff": "woff", "font/woff2": "woff2"}


def font_files(brand: Brand) -> dict[str, tuple[FontFile, bytes]]:
    """The brand's font files by their path in the output: {"assets/fonts/name.ttf": (FontFile, bytes)}.

    Names keep only ASCII letters, digits, hyphens and underscores before the
    suffix, so they need no escaping in CSS or a package manifest (EPUBCheck
    warns about spaces in file names).
    """
    fonts: dict[str, tuple[FontFile, bytes]] = {}
    for font in brand.font_files:
        stem = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "-" for ch in font.path.stem) or "font"
        suffix = _FONT_SUFFIXES[font.media_type]  # by content: the EPUB manifest takes the media type from it
        href, n = f"{FONTS_FOLDER}/{stem}{suffix}", 2
        while href in fonts:
            href, n = f"{FONTS_FOLDER}/{stem}-{n}{suffix}", n + 1
        fonts[href] = (font, read_embedded(font.path, MAX_FONT_BYTES, "font file"))
    return fonts


_FONT_SUFFIXES = {"font/ttf": ".ttf", "font/otf": ".otf", "font/woff": ".woff", "font/woff2": ".woff2"}


def image_path(image: model.Image) -> str:
    """Where a figure's image lives in the output, relative to every page."""
    parts = PurePosixPath(image.src.replace("\\", "/")).parts
    if parts and parts[0] == IMAGES_FOLDER:  # sources usually keep images in an images/ folder already
        parts = parts[1:]
    return str(PurePosixPath(IMAGES_FOLDER, *parts))


def _figure_images(doc: Document) -> dict[str, bytes]:
    # validate.py has checked that every image exists inside the source's folder.
    source = doc.workbook.loc.file if doc.workbook.loc else None
    images: dict[str, bytes] = {}
    for node in model.walk(doc.workbook):
        if isinstance(node, model.Figure) and node.image is not None and source:
            images[image_path(node.image)] = read_embedded(Path(source).parent / node.image.src)
    return images


def brand_properties(brand: Brand) -> dict[str, Markup]:
    """CSS custom properties from the brand; values are safe to write raw (checked by the brand schema)."""
    colours = brand.colours
    properties = {
        "primary": colours.primary,
        "on-primary": colours.on_primary,
        "accent": colours.accent,
        "text": colours.text,
        "background": colours.background,
        "font-body": brand.body_font,
        "font-headings": brand.heading_font,
    }
    for kind, tint in colours.blocks.items():
        properties[f"block-{kind}"] = tint
        # Links keep the accent colour inside a tinted block only where it stays readable there.
        readable = contrast_ratio(colours.accent, tint) >= 4.5
        properties[f"link-{kind}"] = colours.accent if readable else colours.text
    return {name: Markup(_css_value(value)) for name, value in properties.items()}


def _css_value(value: str) -> str:
    # The brand schema already limits colours to #rrggbb and fonts to letters, digits,
    # spaces, commas, quotes and hyphens; this refuses anything else rather than trusting it.
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,'\"-#")
    if not set(value) <= allowed:
        raise ValueError(f"brand value {value!r} cannot be written into CSS")
    return value


def _encode(text: str) -> bytes:
    return text.encode("utf-8")
