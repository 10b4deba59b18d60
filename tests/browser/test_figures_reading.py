"""The figures pages in Chromium: no sideways scrolling of the page on a phone or a laptop,
with every table open, and no axe violation, open or closed (issue 20 part 5)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from consult.extensions import db
from tests import factories
from tests.browser.gates import GateFailed, axe_violations, describe_violations
from tests.browser.journeys import IroJourney
from tests.browser.server import StaffLogin
from tests.reports.dataset import build_year

# Under pytest-xdist the module stays on one worker: its year of records is built once.
pytestmark = pytest.mark.xdist_group("test_figures_reading")

YEAR = "from=2015-04-01&to=2016-03-31"
SCREENS = ({"width": 360, "height": 740}, {"width": 1366, "height": 768})

OPEN_EVERY_TABLE = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# How far the page reaches sideways, beyond what the window shows.
OVERFLOW = """() => ({
  scroll: document.documentElement.scrollWidth,
  window: document.documentElement.clientWidth,
  widest: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest('.table-scroll'))
    .slice(0, 3).map(e => e.tagName + '.' + e.className)
})"""


@pytest.fixture(scope="module")
def people(live_server):
    with live_server._lock, live_server.app.app_context():
        year = build_year()
        logins = {name: StaffLogin(user.email, factories.PASSWORD, user.totp_secret)
                  for name, user in (("iro", year.iro_a), ("manager", year.manager))}
        db.session.commit()
    return logins


def _signed_in(phone, live_server, login: StaffLogin):
    page, gates = phone(viewport=SCREENS[0])
    journey = IroJourney(page, gates)
    journey.sign_in(live_server.url, login.email, login.password, login.authenticator_key)
    return page, gates


def _no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    if violations:
        raise GateFailed(f"{where}: axe-core found {describe_violations(violations)}")


def _no_sideways_scrolling(page, where: str) -> None:
    for screen in SCREENS:
        page.set_viewport_size(screen)
        reach = page.evaluate(OVERFLOW)
        assert reach["window"] == screen["width"], where
        assert reach["scroll"] <= reach["window"], (where, screen, reach)


@pytest.mark.parametrize("who, paths", [
    ("manager", (f"/staff/reports/?{YEAR}", f"/staff/reports/print?{YEAR}",
                 "/staff/reports/annual?year=2015")),
    ("iro", (f"/staff/reports/?{YEAR}",
             f"/staff/reports/print?{YEAR}&scope=mine&figures=exact")),
])
def test_the_figures_pages_fit_the_screen_and_pass_axe(phone, live_server, people, who, paths):
    page, gates = _signed_in(phone, live_server, people[who])
    for path in paths:
        gates.begin()
        page.goto(f"{live_server.url}{path}")
        gates.check(f"open {path}", public=False)  # axe, one origin, no console errors
        assert urlsplit(page.url).path == urlsplit(path).path
        _no_sideways_scrolling(page, path)
        if page.locator("details").count():
            closed = page.locator("details:not([open])").count()
            assert closed > 0, path
            page.evaluate(OPEN_EVERY_TABLE)
            assert page.locator("details:not([open])").count() == 0
            _no_sideways_scrolling(page, f"{path}, every table open")
            _no_violations(page, f"{path}, every table open")
        page.set_viewport_size(SCREENS[0])
        _prints_only_from_the_print_view(page, path)


def _prints_only_from_the_print_view(page, path: str) -> None:
    """Printed, the figures page shows only where to print from; the print view and the
    pack show every table and their notice saying which figures they hold."""
    page.emulate_media(media="print")
    try:
        tables = page.locator("main table")
        notice = page.locator("#figures-notice")
        if urlsplit(path).path == "/staff/reports/":
            assert page.locator(".print-only").is_visible()
            assert not any(tables.nth(i).is_visible() for i in range(tables.count()))
        else:
            assert tables.count() and all(tables.nth(i).is_visible()
                                          for i in range(tables.count()))
        assert notice.is_visible()
    finally:
        page.emulate_media(media="screen")


def test_a_closed_table_opens_from_its_summary_without_javascript(phone, live_server, people):
    page, gates = phone(java_script_enabled=False, viewport=SCREENS[0])
    journey = IroJourney(page, gates)
    login = people["manager"]
    journey.sign_in(live_server.url, login.email, login.password, login.authenticator_key)
    page.goto(f"{live_server.url}/staff/reports/?{YEAR}")
    figure = page.locator("details#by_language")
    table = figure.locator("table")
    assert figure.get_attribute("open") is None and not table.is_visible()
    figure.locator("summary").click()
    assert table.is_visible()
    _no_sideways_scrolling(page, "a breakdown opened without JavaScript")
