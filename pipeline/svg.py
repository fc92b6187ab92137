"""Decide whether an SVG file (a brand logo) is safe to embed in every format."""
from __future__ import annotations

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}


def unsafe_svg_reason(data: bytes) -> str | None:
    """Return why an SVG is unsafe (script, event handlers, external references, DTDs), or None."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"it is not well-formed XML ({exc.msg})"
    if root.getroottree().docinfo.doctype:
        return "it has a DOCTYPE (which can declare entities)"
    if etree.QName(root).localname != "svg":
        return f"its root element is <{etree.QName(root).localname}>, not <svg>"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in FORBIDDEN_ELEMENTS:
            return f"it contains a <{name}> element (line {element.sourceline})"
        for attribute, value in element.attrib.items():
            attribute_name = etree.QName(attribute).localname
            if attribute_name.lower().startswith("on"):
                return f"it has an event handler attribute '{attribute_name}' (line {element.sourceline})"
            if attribute_name == "href" and not value.startswith("#"):
                return f"it refers to '{value}' outside the file (line {element.sourceline})"
            if "url(" in value and "url(#" not in value.replace(" ", ""):
                return f"it refers to an external resource in '{attribute_name}' (line {element.sourceline})"
        if name == "style" and element.text and ("@import" in element.text or "url(" in element.text and "url(#" not in element.text):
            return f"its style sheet loads an external resource (line {element.sourceline})"
    return None
