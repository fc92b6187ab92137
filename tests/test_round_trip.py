"""The lossless round trip: XML to JSON to XML gives an equal model, the convert command does
it, and the JSON Schema and the sources' schema association stay current."""
from __future__ import annotations

import shutil
import sys

import pytest

from pipeline import dump, jsonform, model
from pipeline.__main__ import main
from pipeline.load import load_source
from tests.sources_support import ANSWERS, COMMISSIONING as WORKBOOK, KITCHEN_SINK, ROOT

BOTH = pytest.mark.parametrize("source", [WORKBOOK, KITCHEN_SINK, ANSWERS], ids=["commissioning", "kitchen-sink", "answers"])


@BOTH
def test_xml_json_xml_round_trip_gives_an_equal_model(source, tmp_path):
    original = load_source(source).workbook
    as_json = tmp_path / "workbook.json"
    as_json.write_text(jsonform.dumps(original), encoding="utf-8")
    from_json = load_source(as_json)
    assert from_json.problems == []
    assert from_json.workbook == original
    as_xml = tmp_path / "again.xml"
    as_xml.write_bytes(dump.to_xml(from_json.workbook))
    from_xml = load_source(as_xml)
    assert from_xml.problems == []
    assert from_xml.workbook == original
    # And the second trip is stable to the byte.
    assert dump.to_xml(from_xml.workbook) == as_xml.read_bytes()


def test_json_form_carries_its_format_version():
    data = jsonform.to_json(load_source(KITCHEN_SINK).workbook)
    assert data["formatVersion"] == model.FORMAT_VERSION


def test_convert_command_round_trips(tmp_path, capsys):
    shutil.copytree(KITCHEN_SINK.parent / "images", tmp_path / "images")  # the figure's image travels with the source
    out_json = tmp_path / "w.json"
    out_xml = tmp_path / "w.xml"
    assert main(["convert", str(KITCHEN_SINK), "--to", "json", "-o", str(out_json)]) == 0
    assert main(["convert", str(out_json), "--to", "xml", "-o", str(out_xml)]) == 0
    assert load_source(out_xml).workbook == load_source(KITCHEN_SINK).workbook


def test_json_schema_file_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_json_schema
    finally:
        sys.path.pop(0)
    assert (ROOT / "schema" / "workbook.schema.json").read_text(encoding="utf-8") == make_json_schema.render(), \
        "schema/workbook.schema.json is stale: run python tools/make_json_schema.py"


def test_sources_associate_their_schema_for_editors():
    text = WORKBOOK.read_text(encoding="utf-8")
    assert 'xsi:noNamespaceSchemaLocation="../../schema/workbook.xsd"' in text
    assert (WORKBOOK.parent / "../../schema/workbook.xsd").resolve().is_file()
