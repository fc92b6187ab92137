"""Builds: one command for every format, incremental, parallel, sharded, reproducible and atomic."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sources_support import COMMISSIONING as WORKBOOK, KITCHEN_SINK, ROOT

EXPECTED_OUTPUTS = ["html", "kitchen-sink-scorm12.zip", "kitchen-sink-scorm2004.zip", "kitchen-sink.docx", "kitchen-sink.epub",
                    "kitchen-sink.pdf"]


def build(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=600, env=env)
    return result


def tree_digest(folder: Path) -> dict[str, str]:
    """The outputs as users see them: through build/<id>/<brand>'s symlink, without the hidden version folders and lock files."""
    found = {}
    for parent, folders, files in os.walk(folder, followlinks=True):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            if not name.startswith(".") or Path(parent) != folder:
                path = Path(parent, name)
                found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


@pytest.fixture(scope="module")
def kitchen_sink_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    result = build("build", str(KITCHEN_SINK), "--out", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return out


def test_every_format_lands_in_the_documented_layout(kitchen_sink_build):
    target = kitchen_sink_build / "kitchen-sink" / "default"
    assert sorted(p.name for p in target.iterdir()) == EXPECTED_OUTPUTS
    assert (target / "html" / "index.html").is_file()


def test_nothing_to_do_is_skipped(kitchen_sink_build):
    before = tree_digest(kitchen_sink_build / "kitchen-sink")
    result = build("build", str(KITCHEN_SINK), "--out", str(kitchen_sink_build))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^kitchen-sink\s+default\s+-\s+html, docx, epub, scorm12, scorm2004, pdf\s", result.stderr, re.M)
    assert tree_digest(kitchen_sink_build / "kitchen-sink") == before


def test_an_edit_rebuilds_only_the_pair_it_belongs_to(tmp_path):
    source_dir = tmp_path / "source"
    shutil.copytree(KITCHEN_SINK.parent, source_dir)
    out = tmp_path / "build"
    first = build("build-all", str(source_dir / "workbook.xml"), "--brand", str(ROOT / "brands/default"),
                  "--brand", str(ROOT / "brands/northshire"), "--format", "docx", "--out", str(out))
    assert first.returncode == 0, first.stderr
    northshire_before = (out / "kitchen-sink" / "northshire" / "kitchen-sink.docx").read_bytes()
    brand_copy = tmp_path / "default"
    shutil.copytree(ROOT / "brands/default", brand_copy)
    # Same source, one brand edited: only that brand's output is redone.
    again = build("build-all", str(source_dir / "workbook.xml"), "--brand", str(ROOT / "brands/northshire"), "--format", "docx", "--out", str(out))
    assert "up to date" in again.stderr and again.returncode == 0
    text = (source_dir / "workbook.xml").read_text(encoding="utf-8")
    (source_dir / "workbook.xml").write_text(text.replace("Tip text.", "Tip text, edited."), encoding="utf-8")
    edited = build("build-all", str(source_dir / "workbook.xml"), "--brand", str(ROOT / "brands/northshire"), "--format", "docx", "--out", str(out))
    assert edited.returncode == 0, edited.stderr
    assert (out / "kitchen-sink" / "northshire" / "kitchen-sink.docx").read_bytes() != northshire_before


def test_force_rebuilds(kitchen_sink_build):
    result = build("build", str(KITCHEN_SINK), "--out", str(kitchen_sink_build), "--format", "html", "--force")
    assert result.returncode == 0
    assert re.search(r"^kitchen-sink\s+default\s+html\s+-\s", result.stderr, re.M)


def test_shards_split_the_pairs_without_overlap(tmp_path):
    outs = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / shard.replace("/", "-")
        result = build("build-all", str(KITCHEN_SINK), "--shard", shard, "--format", "html", "--out", str(out))
        assert result.returncode == 0, result.stderr
        outs.append({p.name for p in (out / "kitchen-sink").iterdir() if not p.name.startswith(".")})
    brands = {p.parent.name for p in (ROOT / "brands").glob("*/brand.json")}
    assert outs[0] | outs[1] == brands and not outs[0] & outs[1]


def test_bad_shard_is_a_user_error():
    result = build("build-all", "--shard", "3/2")
    assert result.returncode == 2
    assert "--shard 3/2: I must be between 1 and N [build.bad-shard]" in result.stderr


def environment_with_broken_renderer(tmp_path: Path, broken_format: str) -> dict:
    """An environment in which the build's renderer for `broken_format` raises (a stand-in for a bug)."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import pipeline.build as b\n"
        "def broken(*a, **k):\n    raise RuntimeError('renderer exploded')\n"
        f"b.renderer = lambda fmt, _r=b.renderer: broken if fmt == {broken_format!r} else _r(fmt)\n",
        encoding="utf-8",
    )
    return dict(os.environ, PYTHONPATH=str(inject))


def test_a_failing_renderer_leaves_build_as_it_was(tmp_path, kitchen_sink_build):
    out = tmp_path / "build"
    shutil.copytree(kitchen_sink_build, out, symlinks=True)
    before = tree_digest(out / "kitchen-sink")
    # Break the EPUB renderer only; the HTML output, rendered first, must not land either.
    env = environment_with_broken_renderer(tmp_path, "epub")
    result = build("build", str(KITCHEN_SINK), "--out", str(out), "--format", "html", "--format", "epub", "--force", env=env)
    assert result.returncode == 1
    assert "renderer exploded" in result.stderr and "Traceback" in result.stderr
    assert tree_digest(out / "kitchen-sink") == before
    assert not [p for p in (out / "kitchen-sink").iterdir() if "staging" in p.name]


def test_a_failed_first_build_leaves_no_folders_behind(tmp_path):
    out = tmp_path / "build"
    env = environment_with_broken_renderer(tmp_path, "html")
    result = build("build", str(KITCHEN_SINK), "--out", str(out), "--format", "html", env=env)
    assert result.returncode == 1
    assert not out.exists()


@pytest.mark.slow
def test_two_builds_are_byte_identical_across_folders_time_zones_and_locales(tmp_path):
    digests = []
    for index, (zone, locale) in enumerate([("UTC", "C.UTF-8"), ("Pacific/Auckland", "en_GB.UTF-8")]):
        out = tmp_path / f"build-{index}"
        env = dict(os.environ, TZ=zone, LC_ALL=locale, LANG=locale, SOURCE_DATE_EPOCH="1767225600")
        workdir = tmp_path / f"cwd-{index}"
        workdir.mkdir()
        result = build("build", str(WORKBOOK), str(KITCHEN_SINK), "--out", str(out), "--force", env=dict(env, PYTHONPATH=str(ROOT)), cwd=workdir)
        assert result.returncode == 0, result.stderr
        digests.append({name: digest for name, digest in tree_digest(out).items() if not name.startswith(".stamps/")})
    assert digests[0] == digests[1]
    formats = {name.split("/")[2] if name.count("/") > 2 else name.rsplit("/", 1)[1] for name in digests[0]}
    assert {"html", "commissioning-services.docx", "commissioning-services.epub",
            "commissioning-services-scorm12.zip", "commissioning-services-scorm2004.zip"} <= formats


def test_two_sources_with_one_workbook_id_are_refused_in_one_run(tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(KITCHEN_SINK.parent, twin)
    out = tmp_path / "build"
    result = build("build", str(KITCHEN_SINK), str(twin / "workbook.xml"), "--out", str(out), "--format", "html")
    assert result.returncode == 2
    assert (f"would be written twice: by {KITCHEN_SINK} with {ROOT / 'brands' / 'default'} and by {twin / 'workbook.xml'} with "
            f"{ROOT / 'brands' / 'default'}, which share the workbook id 'kitchen-sink'; give one a different id (or brand folder "
            "name) [build.output-clash]") in result.stderr
    assert not out.exists()


def test_an_output_another_source_overwrote_is_not_up_to_date(tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(KITCHEN_SINK.parent, twin)
    text = (twin / "workbook.xml").read_text(encoding="utf-8")
    (twin / "workbook.xml").write_text(text.replace("Tip text.", "Twin tip text."), encoding="utf-8")
    out = tmp_path / "build"
    page = out / "kitchen-sink" / "default" / "html" / "practice.html"
    for source in (KITCHEN_SINK, twin / "workbook.xml", KITCHEN_SINK):
        result = build("build", str(source), "--out", str(out), "--format", "html")
        assert result.returncode == 0, result.stderr
    assert "Twin tip text." not in page.read_text(encoding="utf-8")


def test_building_into_the_source_folder_is_up_to_date_the_second_time(tmp_path):
    workbook = tmp_path / "wb"
    shutil.copytree(KITCHEN_SINK.parent, workbook)
    for _ in range(2):
        result = build("build", "workbook.xml", "--format", "html", cwd=workbook, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert result.returncode == 0, result.stderr
    assert re.search(r"^kitchen-sink\s+default\s+-\s+html\s", result.stderr, re.M)


@pytest.mark.parametrize("epoch", ["abc", "1.5", "99999999999"])
def test_a_bad_source_date_epoch_is_a_user_error(tmp_path, epoch):
    result = build("build", str(KITCHEN_SINK), "--out", str(tmp_path / "build"), "--format", "docx",
                   env=dict(os.environ, SOURCE_DATE_EPOCH=epoch))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"SOURCE_DATE_EPOCH: error: must be a whole number of seconds since 1970 for a date from 1980 to 2107 (got '{epoch}')" in result.stderr


def test_outputs_that_cannot_be_written_are_user_errors(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    result = build("build", str(KITCHEN_SINK), "--out", str(a_file), "--format", "html")
    assert result.returncode == 2
    assert f"{a_file}: error: --out names a file; name a folder for the outputs (default: build) [output.unwritable]" in result.stderr
    converted = build("convert", str(KITCHEN_SINK), "--to", "json", "-o", str(tmp_path))
    assert converted.returncode == 2
    assert f"{tmp_path}: error: is a folder; name the file to write, such as {tmp_path / 'workbook.json'} [output.unwritable]" in converted.stderr
    unwritable = build("build", str(KITCHEN_SINK), "--out", "/proc/no-such-folder", "--format", "html")
    assert unwritable.returncode == 2 and "Traceback" not in unwritable.stderr
    assert ("/proc/no-such-folder: error: cannot write /proc/no-such-folder: No such file or directory; choose another --out [output.unwritable]"
            in unwritable.stderr), unwritable.stderr


def test_an_svg_figure_warns_that_word_shows_its_text_instead(tmp_path):
    folder = tmp_path / "svg"
    shutil.copytree(KITCHEN_SINK.parent, folder)
    (folder / "images" / "bar-chart.png").unlink()
    (folder / "images" / "bar-chart.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><rect width='4' height='4'/></svg>", encoding="utf-8")
    source = folder / "workbook.xml"
    source.write_text(source.read_text(encoding="utf-8").replace("bar-chart.png", "bar-chart.svg"), encoding="utf-8")
    result = build("build", str(source), "--out", str(tmp_path / "build"), "--format", "docx")
    assert result.returncode == 0, result.stderr
    assert "image 'images/bar-chart.svg' of figure 'bar-chart' is SVG, which the Word document cannot embed" in result.stderr
    assert "[docx.svg-image]" in result.stderr
