"""The rights pages read well before and after an admin fills in the council's details."""

from __future__ import annotations

import pytest

from consult import council
from consult.extensions import db
from consult.models import StaffRole
from tests import factories

PAGES = ["/your-rights", "/your-rights/iro", "/your-rights/advocacy",
         "/your-rights/independent-visitors", "/your-rights/complaints", "/your-rights/pledge",
         "/your-rights/who-reads-what-i-write", "/help-now", "/ask-for-help"]


def _fill_in_council(admin):
    council.save({
        "council_name": "Westhaven Council", "iro_service_contact": "IRO team 01632 960001",
        "advocacy_provider": "Speak Up Westhaven", "advocacy_contact": "advocacy 01632 960002",
        "independent_visitor_provider": "Friends Visiting",
        "independent_visitor_contact": "visitors 01632 960003",
        "complaints_contact": "complaints 01632 960004",
        "service_inbox_email": "iro.service@westhaven.example"}, staff=admin)


@pytest.mark.parametrize("path", PAGES)
def test_every_child_page_offers_help_now_and_the_numbers(client, path):
    page = client.get(path)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/help-now"' in html and "I'm worried or feel unsafe now" in html
    assert "0800 1111" in html and "999" in html
    assert 'href="/your-rights"' in html


def test_before_an_admin_fills_them_in_the_pages_say_whom_to_ask(client):
    assert "Ask your IRO or your social worker who gives advocacy here" in client.get(
        "/your-rights/advocacy").get_data(as_text=True)
    assert "Ask your IRO or your social worker about independent visitors here" in client.get(
        "/your-rights/independent-visitors").get_data(as_text=True)
    assert "how to reach the complaints team" in client.get(
        "/your-rights/complaints").get_data(as_text=True)
    assert "IRO's phone number or email address" in client.get(
        "/your-rights/iro").get_data(as_text=True)
    assert "has not been put on this website yet" in client.get(
        "/your-rights/pledge").get_data(as_text=True)


def test_the_council_details_appear_once_filled_in(client, app):
    _fill_in_council(factories.staff(StaffRole.ADMIN))
    db.session.commit()

    advocacy = client.get("/your-rights/advocacy").get_data(as_text=True)
    assert "Here, advocates come from Speak Up Westhaven." in advocacy
    assert "advocacy 01632 960002" in advocacy
    assert "Friends Visiting" in client.get(
        "/your-rights/independent-visitors").get_data(as_text=True)
    assert "complaints 01632 960004" in client.get(
        "/your-rights/complaints").get_data(as_text=True)
    assert "IRO team 01632 960001" in client.get("/your-rights/iro").get_data(as_text=True)
    assert "Westhaven Council is responsible" in client.get(
        "/your-rights/who-reads-what-i-write").get_data(as_text=True)
    assert "iro.service@westhaven.example" not in advocacy


def test_a_child_with_a_link_is_told_who_their_iro_is(client):
    invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")

    page = client.get("/your-rights/iro").get_data(as_text=True)

    assert f"Your IRO is {invitation.review.child.iro.name}." in page
    assert 'href="/ask-for-help?kind=talk_to_iro"' in page


def test_the_help_page_without_a_link_gives_numbers_and_the_public_form(client):
    page = client.get("/help-now").get_data(as_text=True)

    assert "If you are in danger now, call" in page
    assert 'href="/ask-for-help"' in page
    assert "Send an urgent message to my IRO" not in page


def test_the_thank_you_page_leads_to_asking_for_help(client):
    _invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")
    factories.post_form(client, "/your-say/send", {}, page_url="/your-say/check")

    page = client.get("/your-say/thank-you").get_data(as_text=True)

    assert 'href="/ask-for-help"' in page
