"""The real app on a live server and one headless Chromium for the whole run, phone-sized.

Skipped when playwright or Chromium is missing, except under CI=true, where that fails
the run: the gates must never pass by not running.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from consult.config import PROJECT_ROOT
from tests.browser import planted
from tests.browser.gates import Gates, axe_init_script, write_page_weights
from tests.browser.server import LiveServer, shipped_locales
from tests.conftest import empty_database, make_app

CHROMIUM = Path(os.environ.get("CHROMIUM_EXECUTABLE", "/usr/bin/chromium"))
BROWSER_REQUIRED = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"

# A cheap phone: 360 CSS pixels wide, touch, twice as many device pixels.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}

# Chromium must not try to reach Google on its own: this machine's network is closed, and
# the gates count every request the page makes.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _missing_browser() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return f"Chromium is not at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing_browser()
    if reason:
        if BROWSER_REQUIRED:
            pytest.fail(f"{reason}; CI=true requires the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(browser, tmp_path_factory) -> Iterator[LiveServer]:
    """The app, as configured for the public, on a fresh migrated SQLite database.

    Started after the browser so that a missing browser skips before any server starts.
    """
    with empty_database("sqlite", tmp_path_factory) as database_url:
        yield from _serve(make_app(database_url, AUTO_MIGRATE="1",
                                   LANGUAGES=",".join(shipped_locales())))


def _serve(app) -> Iterator[LiveServer]:
    planted.register(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            from consult.extensions import db

            db.engine.dispose()


def _phone(browser, live_server: LiveServer, locale: str, *, gated: bool = True, **options):
    context = browser.new_context(**{**PHONE, **options}, locale=locale.replace("_", "-"))
    context.set_default_timeout(10_000)
    page = context.new_page()
    if not gated:
        # A phone whose pages are measured, not gated: no axe-core loaded with each page,
        # and no network log, which turns the cache off to weigh every page as a first
        # visit (together about a sixth of such a test's time).
        return context, page, None
    javascript = options.get("java_script_enabled", True)
    if javascript:
        # Loaded with every page rather than sent over for each check: about 0.1 s a page.
        context.add_init_script(script=axe_init_script())
    return context, page, Gates(context, page, live_server.url, javascript=javascript)


@pytest.fixture(scope="session")
def weighed(request) -> Iterator[list[tuple[str, str, str, int, int]]]:
    """Every public page weighed in the run, written to artifacts/page-weights.csv.

    Under pytest-xdist each worker weighs only its share: it sends its rows back, and the
    controller writes the one file (tests/conftest.py), so no two workers write it."""
    rows: list[tuple[str, str, str, int, int]] = []
    yield rows
    if hasattr(request.config, "workeroutput"):
        request.config.workeroutput["page_weights"] = rows
    elif rows:
        write_page_weights(rows)


@pytest.fixture
def phone(browser, live_server, weighed, request):
    """Opens a phone whose browser speaks `locale`; closed at the end of the test."""
    opened = []

    def open_phone(locale: str = "en_GB", **options):
        """`gated=False` for a test that runs no gate on the pages it opens: its gates are
        None."""
        context, page, gates = _phone(browser, live_server, locale, **options)
        opened.append((context, gates))
        return page, gates

    yield open_phone
    for context, gates in opened:
        if gates is not None:
            weighed.extend((request.node.name, step, path, weight.total, weight.html)
                           for step, (path, weight) in gates.weights.items())
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
