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
