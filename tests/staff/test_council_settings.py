"""An admin keeps the council's details and Pledge up to date; no one else can."""

from __future__ import annotations

from consult import council
from consult.extensions import db
from consult.models import StaffRole
from tests import factories

FIELDS = {
    "council_name": "Westhaven Council", "iro_service_contact": "01632 960001",
    "advocacy_provider": "Speak Up", "advocacy_contact": "01632 960002",
    "independent_visitor_provider": "Friends Visiting", "independent_visitor_contact": "",
    "complaints_contact": "complaints@westhaven.example",
    "service_inbox_email": "iro.service@westhaven.example",
}


def test_an_admin_saves_the_council_details(client):
    admin = factories.staff(StaffRole.ADMIN)
    factories.sign_in(client, admin)

    saved = factories.post_form(client, "/staff/council", FIELDS)

    assert saved.status_code == 303
    assert "Council settings saved" in client.get(saved.headers["Location"]).get_data(
        as_text=True)
    db.session.expire_all()
    settings = council.current()
    assert {name: getattr(settings, name) for name in FIELDS} == FIELDS
    assert settings.updated_by_id == admin.id


def test_errors_are_shown_per_field_and_nothing_typed_is_lost(client):
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))

    page = factories.post_form(client, "/staff/council", {
        **FIELDS, "service_inbox_email": "not an address", "advocacy_provider": "x" * 121})

    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: Council settings" in html
    assert '<a href="#service_inbox_email">Enter an email address' in html
    assert '<a href="#advocacy_provider">Use 120 characters or fewer.</a>' in html
    assert "Westhaven Council" in html and "not an address" in html
    assert council.current().council_name == ""


def test_an_admin_adds_the_pledge_in_a_language(client):
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))
    form = client.get("/staff/council/pledge/ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in form

    saved = factories.post_form(client, "/staff/council/pledge/ar", {"text": "نعدكم"})

    assert saved.status_code == 303
    assert council.pledge_for("ar").text == "نعدكم"
    listing = client.get("/staff/council").get_data(as_text=True)
    assert "Change<span class=\"visually-hidden\"> the Pledge in Arabic" in listing
    assert client.get("/staff/council/pledge/xx").status_code == 404


def test_only_admins_reach_the_council_settings(client):
    for role in (StaffRole.IRO, StaffRole.SOCIAL_WORKER, StaffRole.MANAGER):
        browser = client.application.test_client()
        factories.sign_in(browser, factories.staff(role))
        assert browser.get("/staff/council").status_code == 404
        assert browser.get("/staff/council/pledge/en_GB").status_code == 404
