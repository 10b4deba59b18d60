"""Exit this page: on every public page, leading to the council's neutral address."""

from __future__ import annotations

import pytest

from consult import council
from consult.extensions import db
from consult.models import StaffRole
from tests import factories
from tests.html_checks import check_page, text_of
from tests.participation.walk import Respondent

PUBLIC_PAGES = ["/your-rights", "/your-rights/pledge", "/help-now", "/ask-for-help",
                "/code", "/start/not-a-real-link", "/no-such-page"]


def _exit_links(html: str, policy: str | None = None) -> list:
    return [a for a in check_page(html, policy).iter("a")
            if a.get("data-exit-this-page") is not None]


def _journey_pages(client) -> dict[str, tuple[str, str | None]]:
    _invitation, token = factories.child_with_link()
    person = Respondent(client)
    opened = person.open_link(token)  # the start page at the link, its stylesheet inline
    pages = {"opened": (opened.html, opened.policy)}
    for path in ("/your-say/questions/went_well", "/your-say/check"):
        pages[path] = (person.get(path).html, None)
    pages["sent"] = (person.send().html, None)
    return pages


def test_every_public_page_has_exit_this_page_first_and_staff_pages_do_not(client, app):
    pages = {path: (client.get(path).get_data(as_text=True), None) for path in PUBLIC_PAGES}
    pages.update(_journey_pages(app.test_client()))

    for where, (html, policy) in pages.items():
        [link] = _exit_links(html, policy)
        assert link.get("href") == council.DEFAULT_EXIT_PAGE_URL, where
        assert text_of(link) == "Emergency Exit this page", where
        assert set(link.get("rel").split()) == {"nofollow", "noreferrer"}, where
        # Shift three times needs the one optional script; every public page loads it.
        scripts = [s.get("src") for s in check_page(html, policy).iter("script")]
        assert len(scripts) == 1 and "/js/enhance" in scripts[0], where

    factories.sign_in(client, factories.staff(StaffRole.IRO))
    assert _exit_links(client.get("/staff/").get_data(as_text=True)) == []


def test_the_address_is_the_councils_choice(client):
    council.save({"exit_page_url": "https://www.metoffice.gov.uk/"},
                 staff=factories.staff(StaffRole.ADMIN))
    db.session.commit()

    [link] = _exit_links(client.get("/your-rights").get_data(as_text=True))
    assert link.get("href") == "https://www.metoffice.gov.uk/"


def test_the_exit_link_is_in_every_language(client):
    html = client.get("/your-rights?lang=ar").get_data(as_text=True)
    [link] = _exit_links(html)
    assert "Exit" not in text_of(link) and "Emergency" not in text_of(link)
    assert "press" not in link.get("data-press-twice")
    assert "press" not in link.get("data-press-once")


@pytest.mark.parametrize(("typed", "problem"), [
    ("http://www.bbc.co.uk/weather", "starts with https://"),
    ("www.bbc.co.uk", "starts with https://"),
    ("https://", "starts with https://"),
    ("https://exa mple.com", "starts with https://"),
])
def test_an_admin_sets_the_exit_address_and_a_bad_one_is_explained(client, typed, problem):
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))

    refused = factories.post_form(client, "/staff/council", {"exit_page_url": typed})

    assert refused.status_code == 400
    page = check_page(refused.get_data(as_text=True))
    assert problem in text_of(page)
    [field] = [i for i in page.iter("input") if i.get("name") == "exit_page_url"]
    assert field.get("value") == typed
    saved = factories.post_form(client, "/staff/council",
                                {"exit_page_url": "https://www.bbc.co.uk/news/weather"})
    assert saved.status_code == 303
    assert council.exit_page_url() == "https://www.bbc.co.uk/news/weather"
