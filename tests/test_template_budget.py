"""A brand template may not run long or write much: it is refused at its file and line, and nothing is written."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.__main__ import main
from pipeline.render import template_budget
from tests.build_support import KITCHEN_SINK, ROOT

ADVICE = ("brand templates may show the values they are given but not generate large or slow output (loops over big "
          "ranges, lipsum with many paragraphs) [brand.template-budget]")


@pytest.fixture
def council(tmp_path):
    """A copy of the default brand with an empty templates folder."""
    folder = tmp_path / "council"
    shutil.copytree(ROOT / "brands" / "default", folder)
    (folder / "templates").mkdir()
    return folder


def footer_with(folder: Path, body: str, block: str = "footer") -> Path:
    """templates/layout.html.j2 whose `block` holds `body` on line 3."""
    path = folder / "templates" / "layout.html.j2"
    path.write_text('{% extends "base.html.j2" %}\n{% block ' + block + ' %}\n' + body + "\n{% endblock %}\n", encoding="utf-8")
    return path.resolve()


def build(council: Path, out: Path, fmt: str = "html") -> int:
    return main(["build", str(KITCHEN_SINK), "--brand", str(council), "--out", str(out), "--format", fmt, "--jobs", "1"])


SIZE = "exceeds the output budget of 20 MB per page"
TOO_BIG = {
    "lipsum": ("{{ lipsum(n=10**6) }}", f"lipsum(n=1000000, max=100) {SIZE}"),
    "padding filter": ("{{ 'x'|center(10**9) }}", f"center(1000000000) {SIZE}"),
    "padding method": ("{{ 'x'.ljust(10**9) }}", f"ljust(1000000000) {SIZE}"),
    "repetition": ("{{ 'x' * 10**9 }}", f"repeating a value {SIZE}"),
    "format width": ("{{ '{:>999999999}'.format(1) }}", f"a format with the width 999999999 {SIZE}"),
    "huge power": ("{{ 9 ** (10**9) }}", f"9 ** 1000000000 {SIZE}"),
    "a page of loops": ("{% for i in range(99999) %}{% for j in range(300) %}xxxxxxxxxx{% endfor %}{% endfor %}", f"page output {SIZE}"),
}


@pytest.mark.parametrize("case", TOO_BIG)
def test_a_template_asking_for_too_much_output_is_refused_at_its_line(council, tmp_path, capsys, case):
    body, what = TOO_BIG[case]
    template = footer_with(council, body)
    out = tmp_path / "build"
    assert build(council, out) == 2
    stderr = capsys.readouterr().err
    assert f"{template}:3: error: template {what}; {ADVICE}" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


SLOW = {
    "nested loops": "{% for i in range(99999) %}{% for j in range(99999) %}{% if i == j %}x{% endif %}{% endfor %}{% endfor %}",
    "loops inside a macro": "{% macro m() %}{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}{% endmacro %}{{ m() }}",
}


@pytest.mark.parametrize("case", SLOW)
def test_a_template_that_runs_too_long_is_refused_at_its_line(council, tmp_path, capsys, monkeypatch, case):
    monkeypatch.setattr(template_budget, "TIME_BUDGET_SECONDS", 1.0)  # the real budget is 5 s; the test need not wait that long
    template = footer_with(council, SLOW[case])
    out = tmp_path / "build"
    assert build(council, out) == 2
    stderr = capsys.readouterr().err
    assert f"{template}:3: error: template rendering exceeds the time budget of 1 s per set of pages; {ADVICE}" in stderr
    assert not out.exists()


def test_a_template_that_grows_memory_without_output_is_refused(council, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(template_budget, "MEMORY_BUDGET_BYTES", 64 * 1024 * 1024)
    template = footer_with(council, "{% set s = namespace(v='xx') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v|length }}")
    out = tmp_path / "build"
    assert build(council, out) == 2
    stderr = capsys.readouterr().err
    assert f"{template}:3: error: template rendering exceeds the memory budget of 64 MB; {ADVICE}" in stderr
    assert not out.exists()


def test_a_template_within_its_budget_builds(council, tmp_path, capsys):
    footer_with(council, "<p>{{ lipsum(n=3, html=False) }}</p>{% for i in range(2000) %}<span>{{ i }}</span>{% endfor %}"
                         "<p>{{ 'x'|center(40) }}{{ '{:>12}'.format(7) }}{{ 'ab' * 20 }}{{ 2 ** 64 }}</p>")
    out = tmp_path / "build"
    assert build(council, out) == 0, capsys.readouterr().err
    page = (out / "kitchen-sink" / "council" / "html" / "index.html").read_text(encoding="utf-8")
    assert "<span>1999</span>" in page and str(2 ** 64) in page


def test_the_base_templates_alone_render_without_a_budget(monkeypatch, tmp_path, capsys):
    # A budget no page set could meet: the default brand (no templates of its own) still builds.
    monkeypatch.setattr(template_budget, "TIME_BUDGET_SECONDS", 0.0)
    out = tmp_path / "build"
    assert main(["build", str(KITCHEN_SINK), "--out", str(out), "--format", "html", "--jobs", "1"]) == 0, capsys.readouterr().err


def test_a_link_left_open_for_html_is_a_brand_error_in_the_epub(council, tmp_path, capsys):
    template = footer_with(council, '<link rel="stylesheet" href="assets/brand.css">', block="head_extra")
    out = tmp_path / "build"
    assert build(council, out, "epub") == 2
    stderr = capsys.readouterr().err
    # Which page is named first, and its line numbers, move with the fixture and the base templates; the rest is exact.
    pattern = (re.escape(f"{template}:3: error: the brand's templates make the EPUB page ") + r"[a-z-]+\.xhtml" +
               re.escape(" ill-formed XHTML (Opening and ending tag mismatch: link line ") + r"\d+ and head, line \d+, column \d+" +
               re.escape("); close <link> as <link ... {{ void_slash }}> (or \"/>\"), as the base templates do [brand.template-error]"))
    assert re.search(pattern, stderr), stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    # Closed the XHTML way, the same template builds.
    footer_with(council, '<link rel="stylesheet" href="assets/brand.css"{{ void_slash }}>', block="head_extra")
    assert build(council, out, "epub") == 0, capsys.readouterr().err
