"""Property tests (Hypothesis): whatever the source or brand, the command line keeps its promise.

The promise: `validate` and `build` exit 0 (and a build leaves its pages), or
exit 2 with every problem as `file:line[:col]: error: message [code]` and no
traceback; never 1, never anything else. Sources are the kitchen-sink fixture
mutated (its text, attributes and structure, in XML and in the JSON form),
random bytes spliced in, and brand.json and publish.json with values replaced. The number of
examples is bounded and the search derandomized, so `make test` stays quick
and CI sees the same examples every run.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline import jsonform
from pipeline.__main__ import main
from pipeline.load import load_source

ROOT = Path(__file__).resolve().parent.parent
KITCHEN_SINK = ROOT / "tests" / "fixtures" / "kitchen-sink"
DEFAULT_BRAND = ROOT / "brands" / "default"

# database=None: derandomized runs have nothing to replay, and no .hypothesis/ folder is left behind.
BOUNDED = settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
BOUNDED_BUILDS = settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

# file:line[:col]: error|warning: message [code]
PROBLEM_LINE = re.compile(r"^\S.*?:\d+(?::\d+)?: (?:error|warning): .+ \[[a-z0-9.-]+\]$")
ERROR_LINE = re.compile(r": error: .+ \[[a-z0-9.-]+\]$")

XML_TEXT = KITCHEN_SINK.joinpath("workbook.xml").read_text(encoding="utf-8")
JSON_FORM = jsonform.to_json(load_source(KITCHEN_SINK / "workbook.xml").workbook)
BRAND = json.loads(DEFAULT_BRAND.joinpath("brand.json").read_text(encoding="utf-8"))

# Text a user (or a careless paste) might produce: any Unicode, lone surrogates and controls included.
any_text = st.text(st.characters(codec=None, categories=None), max_size=40)
awkward_text = st.one_of(
    any_text,
    st.sampled_from(["", " ", "\n", "x\n", "\t\t", "NaN", "-1", "1e999", "2026-01-01Z", "2026-02-30", "../../etc/passwd",
                     "https://evil.example/x", "javascript:alert(1)", "#fff\n", "\u0000", "\ud800", "é" * 3, "<b>", "]]>"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | awkward_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(awkward_text, children, max_size=3),
    max_leaves=8,
)


def run(argv: list[str]) -> tuple[int, str]:
    """The command line in this process: (exit status, what it wrote to stderr)."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as exit:  # argparse
            status = exit.code
    return status, stderr.getvalue()


def assert_promise(status: int, stderr: str, out: Path | None = None) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert status in (0, 2), (status, stderr)
    if status == 2:
        errors = [line for line in stderr.splitlines() if ERROR_LINE.search(line)]
        assert errors, stderr
        for line in errors:
            assert PROBLEM_LINE.match(line), f"an error without file:line: {line!r}"
    elif out is not None:
        assert list(out.glob("*/*/html/index.html")), f"exit 0 but no pages in {out}"


def check_source(text: str | bytes, name: str, build: bool = False, publish: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(KITCHEN_SINK / "images", work / "images")
        if publish is not None:
            (work / "publish.json").write_text(publish, encoding="utf-8", errors="surrogatepass")
        source = work / name
        source.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        if build:
            out = work / "out"
            assert_promise(*run(["build", str(source), "--format", "html", "--out", str(out), "--jobs", "1"]), out)
        else:
            status, stderr = run(["validate", str(source)])
            assert_promise(status, stderr)
            if status == 0:  # whatever validates converts to the other form, which the toolkit reads back
                converted = work / ("converted.xml" if name.endswith(".json") else "converted.json")
                assert run(["convert", str(source), "--to", converted.suffix[1:], "-o", str(converted)])[0] == 0
                status, stderr = run(["validate", str(converted)])
                assert status == 0 and ": error: " not in stderr, stderr


# --- XML sources: the kitchen sink, mutated ------------------------------------------------


@st.composite
def mutated_xml(draw) -> str:
    root = etree.fromstring(XML_TEXT.encode("utf-8"))
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    for _ in range(draw(st.integers(1, 3))):
        element = draw(st.sampled_from(elements))
        action = draw(st.sampled_from(["text", "attribute", "remove", "duplicate", "wrap", "move"]))
        if action == "text":
            element.text = _xml_safe(draw(awkward_text))
        elif action == "attribute":
            name = draw(st.sampled_from(["id", "href", "src", "target", "lang", "value", "type", "icon", "version", "statement"]))
            element.set(name, _xml_safe(draw(awkward_text)))
        elif action == "remove" and element is not root and element.getparent() is not None:
            element.getparent().remove(element)
        elif action == "duplicate" and element is not root and element.getparent() is not None:
            element.addnext(copy.deepcopy(element))
        elif action == "wrap":
            inner = etree.SubElement(element, draw(st.sampled_from(["em", "strong", "p", "section", "item"])))
            inner.text = "w"
        elif action == "move" and element is not root:
            target = draw(st.sampled_from(elements))
            if element not in target.iterancestors() and target is not element:
                target.append(element)
    return etree.tostring(root, encoding="unicode")


def _xml_safe(text: str) -> str:
    """lxml refuses to write what XML cannot carry; the byte-level test below covers that instead."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


@BOUNDED
@given(mutated_xml())
def test_validate_keeps_its_promise_for_mutated_xml(text):
    check_source(text, "workbook.xml")


@BOUNDED
@given(st.integers(0, len(XML_TEXT)), st.integers(0, 40), st.binary(max_size=24))
def test_validate_keeps_its_promise_for_spliced_bytes(position, cut, noise):
    data = XML_TEXT.encode("utf-8")
    check_source(data[:position] + noise + data[position + cut:], "workbook.xml")


@BOUNDED_BUILDS
@given(mutated_xml())
def test_build_keeps_its_promise_for_mutated_xml(text):
    check_source(text, "workbook.xml", build=True)


# --- the JSON form, mutated ---------------------------------------------------------------


def _pointers(data, pointer=()):
    yield pointer
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _pointers(value, (*pointer, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _pointers(value, (*pointer, index))


def _at(data, pointer):
    for part in pointer:
        data = data[part]
    return data


@st.composite
def mutated_json(draw, base=JSON_FORM) -> dict:
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        pointers = [pointer for pointer in _pointers(data) if pointer]
        pointer = draw(st.sampled_from(pointers))
        parent = data
        for part in pointer[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "duplicate", "retext", "retext"]))
        if action == "retext":  # most edits change words, not structure: keep the rest valid so some builds succeed
            strings = [pointer for pointer in pointers if isinstance(_at(data, pointer), str)]
            pointer = draw(st.sampled_from(strings))
            parent = _at(data, pointer[:-1])
        key = pointer[-1]
        if action == "retext":
            parent[key] = draw(awkward_text)
        elif action == "replace":
            parent[key] = draw(json_values)
        elif action == "remove":
            del parent[key]
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return data


@BOUNDED
@given(mutated_json())
def test_validate_keeps_its_promise_for_a_mutated_json_form(data):
    check_source(json.dumps(data, indent=1), "workbook.json")


@BOUNDED_BUILDS
@given(mutated_json())
def test_build_keeps_its_promise_for_a_mutated_json_form(data):
    check_source(json.dumps(data, indent=1), "workbook.json", build=True)


# --- brand.json, mutated ------------------------------------------------------------------


@BOUNDED_BUILDS
@given(mutated_json(base=BRAND))
def test_build_keeps_its_promise_for_a_mutated_brand(data):
    with tempfile.TemporaryDirectory() as folder:
        brand = Path(folder) / "brand"
        shutil.copytree(DEFAULT_BRAND, brand)
        (brand / "brand.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
        out = Path(folder) / "out"
        status, stderr = run(["build", str(KITCHEN_SINK / "workbook.xml"), "--brand", str(brand), "--format", "html",
                              "--out", str(out), "--jobs", "1"])
        assert_promise(status, stderr, out)


# --- publish.json, mutated ------------------------------------------------------------------

PUBLISH = {"$schema": "../../schema/publish.schema.json", "scorm": {"passingScore": 0.8, "scos": "single"}}


@BOUNDED_BUILDS
@given(mutated_json(base=PUBLISH), st.sampled_from(["", "NaN", "1e999", "-Infinity"]))
def test_build_keeps_its_promise_for_a_mutated_publish_json(data, number):
    text = json.dumps(data, indent=1)
    if number and '"passingScore": 0.8' in text:
        text = text.replace('"passingScore": 0.8', f'"passingScore": {number}')
    check_source(XML_TEXT, "workbook.xml", build=True, publish=text)


# --- brand templates: random markup in an overridden block ----------------------------------

FRAGMENTS = [
    "<p>", "</p>", "<img src='assets/a.png' alt=''>", "<img srcset='//h/a.png 2x' alt=''>", "<svg>", "</svg>",
    "<image xlink:href='https://h/x'/>", "<a href='#x'>x</a>", "<style>a{b:u\\72l(//h)}</style>", "style='c:url(x)'",
    "<meta http-equiv='refresh' content='0'>", "<link rel='stylesheet' href='assets/x.css'>", "<h2>Contact</h2>",
    "<animate attributeName='href' values='javascript:x'/>", "{{ brand.council_name }}", "<?xml-stylesheet href='//h'?>",
    "<", ">", "&", "\"", "'", "<!--", "-->", "<main>", "<h1>", "<script>", "onload='x'",
]


@BOUNDED_BUILDS
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), any_text.map(_xml_safe)), max_size=8))
def test_build_keeps_its_promise_for_random_template_markup(parts):
    with tempfile.TemporaryDirectory() as folder:
        brand = Path(folder) / "brand"
        shutil.copytree(DEFAULT_BRAND, brand)
        (brand / "templates").mkdir()
        (brand / "templates" / "layout.html.j2").write_text(
            '{% extends "base.html.j2" %}\n{% block footer %}\n' + "".join(parts) + "\n{% endblock %}\n",
            encoding="utf-8", errors="surrogatepass")
        out = Path(folder) / "out"
        for fmt in ("html", "epub"):
            status, stderr = run(["build", str(KITCHEN_SINK / "workbook.xml"), "--brand", str(brand), "--format", fmt,
                                  "--out", str(out), "--jobs", "1"])
            assert "Traceback" not in stderr and status in (0, 2), (status, stderr)
            if status == 2:
                errors = [line for line in stderr.splitlines() if ERROR_LINE.search(line)]
                assert errors and all(re.match(r"^\S.*?(?::\d+(?::\d+)?)?: error: ", line) for line in errors), stderr
