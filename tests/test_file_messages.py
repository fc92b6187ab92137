"""Every reading problem says `cannot read <file>: <reason>`, every writing problem `cannot write <path>: <reason>`.

Running as root, permissions cannot make a file unreadable, so two honest
stand-ins are used: /proc/self/mem, a regular file whose first bytes the
kernel refuses to give (EIO), and os.read made to fail the way a failing
disk does, for the paths where a link to /proc would be refused earlier as
leaving the workbook's folder.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline import safe_read
from pipeline.brand import load_brand
from pipeline.publish import load_publish_config
from pipeline.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BRAND = ROOT / "brands" / "default"
SOURCE = ('<?xml version="1.0" encoding="UTF-8"?>\n<workbook id="w" version="1.0"><meta><title>T</title></meta>'
          '<section id="s"><title>S</title>{content}</section></workbook>\n')


def errors(problems) -> list[str]:
    return [str(problem) for problem in problems if problem.severity == "error"]


@pytest.fixture
def failing_disk(monkeypatch):
    """os.read fails with EIO for files whose name ends in `.broken` or is named in the returned set."""
    broken: set[str] = set()
    real_open, real_read = os.open, os.read
    descriptors: set[int] = set()

    def opening(path, *args, **kwargs):
        descriptor = real_open(path, *args, **kwargs)
        if os.fspath(path) in broken:
            descriptors.add(descriptor)
        return descriptor

    def reading(descriptor, size):
        if descriptor in descriptors:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_read(descriptor, size)

    monkeypatch.setattr(safe_read.os, "open", opening)
    monkeypatch.setattr(safe_read.os, "read", reading)
    return broken


def test_a_source_that_cannot_be_read_names_itself(tmp_path):
    (tmp_path / "workbook.xml").symlink_to("/proc/self/mem")
    _, problems = validate_file(tmp_path / "workbook.xml", display_name="workbook.xml")
    assert errors(problems) == ["workbook.xml: error: cannot read workbook.xml: Input/output error [source.unreadable]"]


def test_an_image_that_cannot_be_read_names_the_file(tmp_path, failing_disk):
    (tmp_path / "images").mkdir()
    image = tmp_path / "images" / "a.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    failing_disk.add(str(image.resolve()))
    (tmp_path / "workbook.xml").write_text(SOURCE.format(content='<figure id="f"><alt>A</alt><image src="images/a.png"/></figure>'), encoding="utf-8")
    _, problems = validate_file(tmp_path / "workbook.xml", display_name="workbook.xml")
    assert errors(problems) == [
        f"workbook.xml:2: error: image 'images/a.png' of figure 'f': cannot read {image.resolve()}: Input/output error [figure.image-unreadable]"]


def test_a_publish_json_that_cannot_be_read_names_the_file(tmp_path, failing_disk):
    settings = tmp_path / "publish.json"
    settings.write_text("{}", encoding="utf-8")
    failing_disk.add(str(settings))
    config, problems = load_publish_config(tmp_path / "workbook.xml")
    assert config is None and errors(problems) == [
        f"{settings}: error: cannot read {settings}: Input/output error [publish.unreadable]"]


def brand_copy(tmp_path: Path, **changes) -> Path:
    folder = tmp_path / "brand"
    shutil.copytree(DEFAULT_BRAND, folder)
    data = json.loads((folder / "brand.json").read_text(encoding="utf-8"))
    data.update(changes)
    (folder / "brand.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return folder


def test_a_brand_json_that_cannot_be_read_names_the_file(tmp_path, failing_disk):
    folder = brand_copy(tmp_path)
    failing_disk.add(str(folder / "brand.json"))
    _, problems = load_brand(folder)
    assert errors(problems) == [f"{folder}/brand.json: error: cannot read {folder}/brand.json: Input/output error [brand.unreadable]"]


def test_a_brand_logo_that_cannot_be_read_names_the_file(tmp_path, failing_disk):
    folder = brand_copy(tmp_path, logo={"file": "logo.png", "alt": "Logo"})
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    failing_disk.add(str(folder / "logo.png"))
    _, problems = load_brand(folder)
    assert [p.split(": error: ", 1)[1] for p in errors(problems)] == [
        f"logo file 'logo.png': cannot read {folder}/logo.png: Input/output error [brand.file-unreadable]"]


def test_a_brand_template_that_cannot_be_read_names_the_file(tmp_path, failing_disk):
    folder = brand_copy(tmp_path)
    template = folder / "templates" / "base.html.j2"
    template.parent.mkdir(exist_ok=True)
    template.write_text('{% extends "base.html.j2" %}', encoding="utf-8")
    failing_disk.add(str(template))
    _, problems = load_brand(folder)
    assert errors(problems) == [f"{template}: error: cannot read {template}: Input/output error [brand.file-unreadable]"]


def test_a_brand_template_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    folder = brand_copy(tmp_path)
    (folder / "templates").mkdir(exist_ok=True)
    template = folder / "templates" / "base.html.j2"
    os.mkfifo(template)
    _, problems = load_brand(folder)
    assert errors(problems) == [
        f"{template}: error: is not a regular file (a named pipe); an input brand template must be a plain file [brand.file-unreadable]"]


# --- what the renderers embed is read as validation read it -------------------------------

def environment_changing_after_validation(tmp_path: Path, victim: Path, change: str) -> dict:
    """An environment in which `victim` is changed by the Python statement `change` (with `os` and `victim` at hand) right after validation."""
    from tests.build_support import environment

    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import os, pipeline.build as b\n"
        "_load = b.load_document\n"
        "_done = []\n"
        "def load_then_change(*a, **k):\n"
        "    result = _load(*a, **k)\n"
        "    if not _done:\n"
        f"        victim = {str(victim)!r}\n"
        f"        {change}\n"
        "        _done.append(1)\n"
        "    return result\n"
        "b.load_document = load_then_change\n",
        encoding="utf-8",
    )
    return dict(environment(), PYTHONPATH=str(inject))


GROW = "open(victim, 'ab').write(b'\\0' * (5 * 1024 * 1024 + 1))"
TO_FIFO = "os.remove(victim); os.mkfifo(victim)"


@pytest.mark.parametrize("output", ["html", "docx"])
def test_an_image_that_grows_past_the_cap_after_validation_is_refused(tmp_path, output):
    from tests.build_support import copy_kitchen_sink, run

    source = copy_kitchen_sink(tmp_path / "source")
    image = source.parent / "images" / "bar-chart.png"
    out = tmp_path / "build"
    result = run("build", str(source), "--out", str(out), "--format", output,
                 env=environment_changing_after_validation(tmp_path, image, GROW))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"{image}: error: image file is more than the 5,242,880-byte limit (it grew after it was checked): "
        "export a smaller one [figure.image-too-large]")
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("output", ["epub"])  # Word shows a figure whose image is not a plain file as its text
def test_an_image_swapped_for_a_fifo_after_validation_does_not_hang_the_build(tmp_path, output):
    from tests.build_support import copy_kitchen_sink, run

    source = copy_kitchen_sink(tmp_path / "source")
    image = source.parent / "images" / "bar-chart.png"
    out = tmp_path / "build"
    result = run("build", str(source), "--out", str(out), "--format", output,
                 env=environment_changing_after_validation(tmp_path, image, TO_FIFO))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"{image}: error: cannot read {image}: is not a regular file (a named pipe); an input image file must be a plain file "
        "[source.unreadable]")
    assert "Traceback" not in result.stderr and not out.exists()
