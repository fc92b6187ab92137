"""Decide whether an SVG file (a brand logo, a figure image) is safe to embed in every format.

An allow-list, not a deny-list: only the elements a drawing needs, and
attributes that are plain presentation or geometry. References may only point
inside the file (`#id`, `url(#id)`); CSS (style sheets, style attributes and
presentation attributes alike) is tokenised (pipeline/css_check.py), so an
escaped `u\\72l(` is seen as the url() it is.
"""
from __future__ import annotations

from lxml import etree

from .css_check import css_loads, package_relative, value_loads

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_FILTER_PRIMITIVES = {
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
    "feSpotLight", "feTile", "feTurbulence",
}
ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "metadata", "symbol", "use", "switch",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter", "style",
    "animate", "animateTransform", "animateMotion", "set", "mpath",
    "image",  # allowed, but its href, like every href here, may only point inside the file: no external or data: picture
} | _FILTER_PRIMITIVES)
ANIMATION_ELEMENTS = frozenset({"animate", "animateTransform", "animateMotion", "set"})
# Attributes in no namespace that a logo may carry: geometry, presentation, text and animation timing.
ALLOWED_ATTRIBUTES = frozenset("""
    id class style lang tabindex role focusable version baseProfile viewBox preserveAspectRatio x y x1 y1 x2 y2 cx cy r rx ry
    fx fy fr width height d points pathLength transform gradientUnits gradientTransform spreadMethod offset patternUnits
    patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY
    orient filterUnits primitiveUnits in in2 result stdDeviation dx dy rotate textLength lengthAdjust startOffset method spacing
    side href type values keyTimes keySplines keyPoints calcMode attributeName attributeType from to by begin dur end min max
    restart repeatCount repeatDur fill additive accumulate path mode operator k1 k2 k3 k4 scale xChannelSelector yChannelSelector
    radius kernelMatrix order divisor bias targetX targetY edgeMode preserveAlpha surfaceScale diffuseConstant specularConstant
    specularExponent limitingConeAngle azimuth elevation pointsAtX pointsAtY pointsAtZ z tableValues slope intercept amplitude
    exponent baseFrequency numOctaves seed stitchTiles requiredFeatures requiredExtensions systemLanguage
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation color-interpolation-filters
    color-profile color-rendering cursor direction display dominant-baseline enable-background fill-opacity fill-rule filter
    flood-color flood-opacity font font-family font-size font-size-adjust font-stretch font-style font-variant font-weight
    glyph-orientation-horizontal glyph-orientation-vertical image-rendering kerning letter-spacing lighting-color marker
    marker-end marker-mid marker-start mask opacity overflow paint-order pointer-events shape-rendering stop-color stop-opacity
    stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke-width
    text-anchor text-decoration text-rendering transform-origin unicode-bidi vector-effect visibility word-spacing
    writing-mode mix-blend-mode isolation aria-hidden aria-label aria-labelledby aria-describedby
""".split())
LINK_ATTRIBUTES = frozenset({"href", "xlink:href", "src"})


def unsafe_svg_reason(data: bytes) -> str | None:
    """Return why an SVG is unsafe (script, event handlers, external references, DTDs, unknown parts), or None."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"it is not well-formed XML ({exc.msg})"
    if root.getroottree().docinfo.doctype:
        return "it has a DOCTYPE (which can declare entities)"
    if etree.QName(root).localname != "svg":
        return f"its root element is <{etree.QName(root).localname}>, not <svg>"
    for node in root.iter():
        if isinstance(node, etree._ProcessingInstruction):
            return f"it has a processing instruction <?{node.target}?> (line {node.sourceline}), which a logo may not have"
        if not isinstance(node.tag, str):
            continue  # a comment
        reason = _element_reason(node)
        if reason:
            return reason
    return None


def _inside_metadata(element) -> bool:
    return any(etree.QName(ancestor).localname == "metadata" for ancestor in element.iterancestors())


def _element_reason(element) -> str | None:
    qname = etree.QName(element)
    name, line = qname.localname, element.sourceline
    if qname.namespace not in (SVG_NS, None):
        # Editors keep their notes (RDF, Inkscape) under <metadata>, which nothing renders.
        return None if _inside_metadata(element) else f"it contains a <{name}> element from {qname.namespace} (line {line})"
    if name not in ALLOWED_ELEMENTS:
        return f"it contains a <{name}> element (line {line})"
    if name in ANIMATION_ELEMENTS:
        target = (element.get("attributeName") or "").strip()
        if target.lower() in LINK_ATTRIBUTES | {"style"} or target.lower().startswith("on"):
            article = "a" if name == "set" else "an"
            return f"it has {article} <{name}> that changes '{target}' (line {line}), which can make a link run code"
    for attribute, value in element.attrib.items():
        reason = _attribute_reason(attribute, value, line)
        if reason:
            return reason
    if name == "style" and element.text:
        for load in css_loads(element.text, inline=False):
            if load.what == "@import" or not package_relative(load.url, local_only=True):
                return f"its style sheet loads {load.what} (line {line})"
    return None


def _attribute_reason(attribute: str, value: str, line: int) -> str | None:
    qname = etree.QName(attribute)
    local = qname.localname
    if local.lower().startswith("on"):
        return f"it has an event handler attribute '{local}' (line {line})"
    if qname.namespace == XLINK_NS:
        if local == "href":
            return None if package_relative(value, local_only=True) else f"it refers to '{value}' outside the file (line {line})"
        return None if local in ("title", "type") else f"it has an attribute 'xlink:{local}' (line {line}), which a logo may not have"
    if qname.namespace == XML_NS:
        return None if local in ("space", "lang") else f"it has an attribute 'xml:{local}' (line {line}), which a logo may not have"
    if qname.namespace is not None:
        return None  # an editor's own attribute (inkscape:label ...): no browser reads it
    if local not in ALLOWED_ATTRIBUTES:
        return f"it has an attribute '{local}' (line {line}), which a logo may not have"
    if local == "href":
        return None if package_relative(value, local_only=True) else f"it refers to '{value}' outside the file (line {line})"
    if local in ("values", "from", "to", "by") and ("script:" in value.replace(" ", "").lower() or "url(" in value.lower()):
        return f"it animates to '{value[:40]}' (line {line}), which a logo may not do"
    if local == "style" or "(" in value or "\\" in value:
        loads = css_loads(value, inline=True) if local == "style" else value_loads(value)
        for load in loads:
            if load.what == "@import" or not package_relative(load.url, local_only=True):
                return f"it refers to an external resource in '{local}': {load.what} (line {line})"
    return None
