"""Shared pytest fixtures.

chromium_browser: one headless Debian Chromium for the whole session (axe,
keyboard tests, the SCORM player), launched as tests/validators/axe.py's
launch_chromium does. Tests open their own context/page from it.
"""
from __future__ import annotations

import pytest


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
