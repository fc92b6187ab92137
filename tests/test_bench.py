"""The bench's own inputs are valid workbooks, so `make bench` measures builds, not errors."""
from __future__ import annotations

from pipeline.bench.__main__ import scaled_workbook
from pipeline.validate import validate_file
from tests.sources_support import KITCHEN_SINK


def test_a_scaled_kitchen_sink_is_a_valid_workbook_with_every_id_made_fresh(tmp_path):
    path = scaled_workbook(KITCHEN_SINK, 3, tmp_path / "x3")
    result, problems = validate_file(path)
    assert result.workbook is not None
    assert [str(problem) for problem in problems if problem.severity == "error"] == []
    assert len(result.workbook.sections) == 3 * len(validate_file(KITCHEN_SINK)[0].workbook.sections)
