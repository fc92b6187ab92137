"""Faults around a build: files that vanish or cannot be written get honest messages; the fingerprint reads only what the build reads."""
from __future__ import annotations

import builtins
import io
import os
import subprocess
from pathlib import Path

import pytest

from pipeline import build as build_module
from tests.build_support import command, copy_kitchen_sink, environment, run

BRAND = Path(build_module.DEFAULT_BRAND)


def environment_deleting_after_validation(tmp_path: Path, victim: Path) -> dict:
    """An environment in which `victim` disappears right after the source has been validated, as if deleted during the build."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import os, pipeline.build as b\n"
        "_load = b.load_document\n"
        "def load_then_delete(*a, **k):\n"
        "    result = _load(*a, **k)\n"
        f"    if os.path.exists({str(victim)!r}):\n"
        f"        os.remove({str(victim)!r})\n"
        "    return result\n"
        "b.load_document = load_then_delete\n",
        encoding="utf-8",
    )
    return dict(environment(), PYTHONPATH=str(inject))


def test_a_source_deleted_during_the_build_cannot_be_read(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    out = tmp_path / "build"
    result = run("build", str(source), "--out", str(out), env=environment_deleting_after_validation(tmp_path, source))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"{source}: error: cannot read {source}: No such file or directory [source.unreadable]"
    assert "Traceback" not in result.stderr and "choose another" not in result.stderr
    assert not out.exists()


def test_an_image_deleted_during_the_build_cannot_be_read(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    image = source.parent / "images" / "bar-chart.png"
    out = tmp_path / "build"
    result = run("build", str(source), "--out", str(out), "--format", "html", env=environment_deleting_after_validation(tmp_path, image))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"{image}: error: cannot read {image}: No such file or directory [source.unreadable]"
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_an_output_place_that_cannot_be_written_names_the_path(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    out = tmp_path / "build"
    out.mkdir()
    (out / "kitchen-sink").write_text("a file where the workbook's folder goes", encoding="utf-8")
    result = run("build", str(source), "--out", str(out), "--format", "html")
    assert result.returncode == 2, result.stderr
    blocked = out / "kitchen-sink"
    assert result.stderr.strip().splitlines()[-1] == f"{blocked}: error: cannot write {blocked}: File exists; choose another --out [output.unwritable]"
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["kitchen-sink"]


def test_convert_names_the_file_it_cannot_write(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    target = blocked / "workbook.json"
    result = run("convert", str(source), "--to", "json", "-o", str(target))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"{blocked}: error: cannot write {blocked}: File exists; choose another -o [output.unwritable]"


# --- the fingerprint reads what the build reads, and nothing else -------------------------


@pytest.fixture
def crowded_source(tmp_path):
    """A source whose folder also holds things a build never reads: a 1 GiB (sparse) file, a FIFO, a device link, a loop."""
    source = copy_kitchen_sink(tmp_path / "source")
    (source.parent / "publish.json").write_text('{"scorm": {"passingScore": 0.7}}\n', encoding="utf-8")
    with open(source.parent / "huge-video-master.mov", "wb") as stream:
        stream.truncate(1 << 30)
    os.mkfifo(source.parent / "a-fifo")
    (source.parent / "zero").symlink_to("/dev/zero")
    (source.parent / "loop").symlink_to("loop")
    (source.parent / "notes").mkdir()
    (source.parent / "notes" / "draft.txt").write_text("unrelated", encoding="utf-8")
    return source


def opened_files(monkeypatch, source: Path) -> tuple[str, list[str], list[int]]:
    """The fingerprint of `source`, and the files in its folder it opened, with every read size asked for."""
    opened: list[str] = []
    reads: list[int] = []
    real_open, real_read, real_io_open = os.open, os.read, io.open

    def spy_open(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    def spy_io_open(path, *args, **kwargs):  # Path.read_bytes and open() come this way
        if not isinstance(path, int):
            opened.append(os.fspath(path))
        return real_io_open(path, *args, **kwargs)

    def spy_read(descriptor, size):
        reads.append(size)
        return real_read(descriptor, size)

    build_module.toolkit_fingerprint()  # the toolkit's own files are not the question here
    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "read", spy_read)
    monkeypatch.setattr(io, "open", spy_io_open)
    monkeypatch.setattr(builtins, "open", spy_io_open)
    try:
        fingerprint = build_module.input_fingerprint(source, BRAND)
    finally:
        monkeypatch.undo()
    folder = os.path.realpath(source.parent)
    inside = sorted(Path(os.path.realpath(path)).relative_to(folder).as_posix() for path in opened
                    if Path(os.path.realpath(path)).is_relative_to(folder))
    return fingerprint, inside, reads


def test_the_fingerprint_opens_only_the_source_its_images_and_publish_json(monkeypatch, crowded_source):
    _, inside, reads = opened_files(monkeypatch, crowded_source)
    assert inside == ["images/bar-chart.png", "publish.json", "workbook.xml"]
    assert reads and max(reads) == 1 << 20  # streamed in 1 MiB reads


def test_the_fingerprint_changes_with_what_the_build_reads_and_only_that(monkeypatch, crowded_source):
    before = build_module.input_fingerprint(crowded_source, BRAND)
    (crowded_source.parent / "notes" / "draft.txt").write_text("edited", encoding="utf-8")
    with open(crowded_source.parent / "huge-video-master.mov", "r+b") as stream:
        stream.write(b"changed")
    assert build_module.input_fingerprint(crowded_source, BRAND) == before
    image = crowded_source.parent / "images" / "bar-chart.png"
    image.write_bytes(image.read_bytes() + b"\0")
    after_image = build_module.input_fingerprint(crowded_source, BRAND)
    assert after_image != before
    (crowded_source.parent / "publish.json").write_text('{"scorm": {"passingScore": 0.9}}\n', encoding="utf-8")
    assert build_module.input_fingerprint(crowded_source, BRAND) != after_image


def test_a_crowded_source_folder_builds_and_then_is_up_to_date(crowded_source, tmp_path):
    out = tmp_path / "build"
    first = subprocess.run(["timeout", "120", *command("build", str(crowded_source), "--out", str(out), "--format", "html")],
                           capture_output=True, text=True, env=environment())
    assert first.returncode == 0, first.stderr
    again = run("build", str(crowded_source), "--out", str(out), "--format", "html")
    assert again.returncode == 0 and again.stderr.splitlines()[1].split()[2] == "-", again.stderr


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("workbook.xml", b'<figure><image src="images/a&amp;b.png" alt="x"/></figure><image alt="y" src=\'c.svg\'/>',
     ["c.svg", "images/a&b.png"]),
    ("workbook.json", b'{"image": {"src": "images/caf\\u00e9.png"}, "other": {"src" : "x\\"y.png"}}', ['images/caf\u00e9.png', 'x"y.png']),
])
def test_image_references_are_found_without_parsing_the_source(name, text, expected):
    assert build_module.referenced_files(Path(name), text) == expected


def test_the_fingerprint_names_the_settings_file_the_build_reads():
    from pipeline.publish import PUBLISH_FILE

    assert build_module.PUBLISH_FILE == PUBLISH_FILE
