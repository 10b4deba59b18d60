"""The caseload on a 360×740 phone (issue 20): 25 children, searched, filtered and paged
without JavaScript; no horizontal scrolling, each child a card, and 0 axe violations."""

from __future__ import annotations

import pytest

from consult.extensions import db
from consult.models import StaffRole
from tests import factories
from tests.browser.gates import contrast_ratio
from tests.browser.journeys import IroJourney
from tests.browser.server import StaffLogin


def _iro_with_25_children(live_server) -> StaffLogin:
    with live_server._lock, live_server.app.app_context():
        iro = factories.staff(StaffRole.IRO, name="Imani Reviewing")
        for number in range(25):
            child = factories.child(iro, name=f"Childname-with-a-long-name {number:02d}")
            review = factories.review(child, days_ahead=-3 if number % 3 == 0 else 30 + number)
            factories.invitation(review, name=f"Carer with a long name {number}")
        db.session.commit()
        return StaffLogin(iro.email, factories.PASSWORD, iro.totp_secret)


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["axe", "no-javascript"])
def test_the_caseload_on_a_phone_is_cards_without_sideways_scrolling(
        phone, live_server, screenshots, javascript):
    login = _iro_with_25_children(live_server)
    page, gates = phone(java_script_enabled=javascript)
    iro = IroJourney(page, gates)
    iro.sign_in(live_server.url, login.email, login.password, login.authenticator_key)

    assert page.locator("main table tbody tr").count() == 20
    assert not _scrolls_sideways(page)
    card = page.locator("main table tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    if javascript:
        page.screenshot(path=str(screenshots / "caseload-phone-top.png"))
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "caseload-phone-cards.png"))

    # Overdue only, by next meeting: the form's own submit button, no script needed.
    page.select_option("#show", "overdue")
    page.select_option("#sort", "next_meeting")
    iro.arrive("filter", lambda: page.click("#caseload-filter button[type=submit]"),
               path="/staff/", public=False)
    assert page.locator("main table tbody tr").count() == 9
    assert page.locator("[aria-current='page']").inner_text().startswith("Overdue")
    assert not _scrolls_sideways(page)

    # All again, then the second page by its link, which keeps the order chosen.
    iro.arrive("all", lambda: page.click(".filter-counts a >> text=All"), path="/staff/",
               public=False)
    iro.arrive("next page", lambda: page.click("a[rel=next]"), path="/staff/", public=False)
    assert page.locator("main table tbody tr").count() == 5
    assert "sort=next_meeting" in page.url and not _scrolls_sideways(page)
    # Every link on the page can be read (WCAG 1.4.3), the filters' and pages' too.
    for link in page.locator("main a").all():
        assert contrast_ratio(link) >= 4.5, link.inner_text()
