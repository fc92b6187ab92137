"""Shared pytest fixtures, built once per session.

brand: the default brand, loaded and checked.
documents: every workbook in tests/sources_support.SOURCES, loaded and resolved, by id.
chromium_browser: one headless Debian Chromium for the whole session (axe,
keyboard tests, the SCORM player), launched as tests/validators/axe.py's
launch_chromium does. Tests open their own context/page from it.
served: a function that serves a folder on 127.0.0.1 for the rest of the test and
returns its base URL (tests/html_support.serve_folder underneath).
no_network: any attempt to open a socket fails the test (for the loader's safety tests).
"""
from __future__ import annotations

import contextlib
import socket

import pytest

from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND, load_document
from tests.html_support import serve_folder
from tests.sources_support import SOURCES


@pytest.fixture(scope="session")
def brand():
    loaded, problems = load_brand(DEFAULT_BRAND)
    assert loaded is not None, problems
    return loaded


@pytest.fixture(scope="session")
def documents():
    return {name: load_document(source)[0] for name, source in SOURCES.items()}


@pytest.fixture
def served():
    with contextlib.ExitStack() as stack:
        yield lambda folder: stack.enter_context(serve_folder(folder))


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the code under test tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    from tests.validators.axe import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
