"""Browser fixtures: Debian's Chromium via Playwright, never a downloaded browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.support.axe import AXE
from tests.support.live import serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    assert AXE.exists(), "run: cd tests/browser && npm install --no-package-lock (bin/test does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(make_app, smtp_server):
    server = serve(make_app, mail_url=smtp_server.url)
    yield server
    server.stop()


@pytest.fixture
def no_js_page(chromium):
    """A visitor with JavaScript off: every page must work without it."""
    context = chromium.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(chromium):
    context = chromium.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()
