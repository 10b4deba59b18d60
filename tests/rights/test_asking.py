"""Asking for help: from a child's link, on the public form, and urgently from the help page."""

from __future__ import annotations

from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    AlertEvent,
    AlertOutbox,
    AuditEvent,
    HelpRequest,
    RequestKind,
    RequestSource,
    RequestState,
)
from tests import factories
from tests.html_checks import check_page, csrf_token, text_of

WORDS = "Please can someone visit me, I feel alone at weekends"


def _requests():
    return list(db.session.scalars(select(HelpRequest).order_by(HelpRequest.id)))


def _public(client, **fields):
    data = {"kind": "advocate", "message": WORDS, "contact_name": "Dawit",
            "contact_detail": "07700 900123", "website": "", **fields}
    return factories.post_form(client, "/ask-for-help", data)


def test_a_child_asks_from_their_link_and_their_iro_is_alerted(client):
    invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")

    form = client.get("/ask-for-help").get_data(as_text=True)
    assert 'name="contact_name"' not in form
    sent = factories.post_form(client, "/ask-for-help",
                               {"kind": "independent_visitor", "message": WORDS})

    assert sent.status_code == 303 and sent.headers["Location"] == "/ask-for-help/sent"
    assert "Your IRO will get back to you" in client.get(sent.headers["Location"]).get_data(
        as_text=True)
    [request] = _requests()
    assert (request.kind, request.source, request.state) == (
        RequestKind.INDEPENDENT_VISITOR, RequestSource.CONSULTATION, RequestState.NEW)
    assert request.child_id == invitation.review.child_id
    assert request.invitation_id == invitation.id
    assert request.message == WORDS and request.language == "en_GB"
    assert [(e.from_state, e.to_state, e.staff_id) for e in request.events] == [
        (None, RequestState.NEW, None)]
    [alert] = db.session.scalars(select(AlertOutbox))
    assert (alert.event, alert.recipient, alert.staff_path) == (
        AlertEvent.NEW_REQUEST, invitation.review.child.iro.email, f"/staff/requests/{request.id}")
    assert all(WORDS not in str(event.details) for event in db.session.scalars(select(AuditEvent)))


def test_the_kind_can_be_chosen_by_the_link_that_led_here(client):
    page = client.get("/ask-for-help?kind=talk_to_iro").get_data(as_text=True)

    assert 'value="talk_to_iro" aria-describedby="kind-3-hint" checked' in page


def test_the_public_form_needs_a_name_and_a_way_to_reach_them(client):
    sent = _public(client)

    assert sent.status_code == 303
    assert "The IRO service will contact you" in client.get(
        "/ask-for-help/sent").get_data(as_text=True)
    [request] = _requests()
    assert (request.source, request.child_id, request.contact_name, request.contact_detail) == (
        RequestSource.PUBLIC_FORM, None, "Dawit", "07700 900123")


def test_mistakes_are_explained_and_nothing_typed_is_lost(client):
    page = _public(client, kind="", contact_name="  ", contact_detail="")

    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert html.count('<a href="#kind">Choose what you would like to ask for.</a>') == 1
    assert '<a href="#contact_name">Enter your name.</a>' in html
    assert '<a href="#contact_detail">' in html
    assert "<title>Error: Ask for help" in html
    assert WORDS in html
    assert html.index('href="#kind"') < html.index('href="#contact_name"')
    assert _requests() == []


def test_a_message_that_is_too_long_is_kept_and_explained(client):
    page = _public(client, message="x" * 2001)

    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Your message must be 2,000 characters or fewer. It has 2,001." in html
    assert "x" * 2001 in html


def test_the_honeypot_makes_a_robot_think_it_worked_and_saves_nothing(client):
    page = client.get("/ask-for-help").get_data(as_text=True)
    assert '<div class="honeypot" aria-hidden="true">' in page
    assert 'name="website" tabindex="-1"' in page

    sent = _public(client, website="https://spam.example")

    assert sent.status_code == 303
    assert client.get(sent.headers["Location"]).status_code == 200
    assert _requests() == []
    assert db.session.scalars(select(AlertOutbox)).all() == []


def test_the_rate_limit_stops_a_flood_and_keeps_what_was_typed(client):
    for _ in range(5):
        assert _public(client).status_code == 303

    refused = _public(client, message="the sixth message")

    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Please wait before sending again" in html
    assert "the sixth message" in html and 'value="Dawit"' in html
    assert len(_requests()) == 5
    assert client.get("/ask-for-help").status_code == 200


def _from_link(client, path: str, data: dict[str, str]):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_twenty_requests_from_one_childs_link_in_a_minute_are_all_saved(client, app):
    invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")

    for number in range(10):
        assert _from_link(client, "/ask-for-help", {
            "kind": "talk_to_iro", "message": f"asking {number}"}).status_code == 303
        assert _from_link(client, "/help-now", {"message": f"urgent {number}"}).status_code == 303

    saved = _requests()
    assert len(saved) == 20
    assert {r.invitation_id for r in saved} == {invitation.id}


def test_children_sharing_an_address_are_limited_by_their_own_links(client, app):
    for _child in range(2):
        _invitation, token = factories.child_with_link()
        browser = app.test_client()
        browser.get(f"/start/{token}")
        for _ in range(8):
            assert _from_link(browser, "/ask-for-help", {
                "kind": "advocate", "message": WORDS}).status_code == 303

    assert len(_requests()) == 16
    # The address's own limit for the public form is untouched by the links' requests.
    assert _public(client).status_code == 303


def test_a_flood_from_one_link_is_stopped_but_help_now_still_goes_through(client, monkeypatch):
    from consult.rights import views

    monkeypatch.setattr(views, "LINK_REQUEST_LIMIT", "3 per hour")
    _invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")
    for _ in range(3):
        assert _from_link(client, "/ask-for-help", {"kind": "advocate"}).status_code == 303

    refused = _from_link(client, "/ask-for-help", {"kind": "advocate", "message": "kept words"})

    assert refused.status_code == 429
    page = check_page(refused.get_data(as_text=True))
    [notice] = [n for n in page.iter("div") if n.get("class") == "notice"]
    said = text_of(notice)
    assert "from your link" in said and "0800 1111" in said and "999" in said
    [box] = [t for t in page.iter("textarea") if t.get("name") == "message"]
    assert box.text == "kept words"
    for _ in range(5):
        assert _from_link(client, "/help-now", {"message": "help"}).status_code == 303
    assert len(_requests()) == 8


def test_only_saved_requests_count_towards_the_public_forms_limit(client):
    for _ in range(8):
        assert _public(client, contact_name="").status_code == 400
    for _ in range(5):
        assert _public(client).status_code == 303

    refused = _public(client, message="the sixth message")

    assert refused.status_code == 429
    said = text_of(check_page(refused.get_data(as_text=True)))
    assert "from this connection" in said and "0800 1111" in said and "999" in said
    assert len(_requests()) == 5


def test_an_expired_page_keeps_what_was_typed(client):
    client.get("/ask-for-help")

    page = client.post("/ask-for-help", data={"csrf_token": "stale", "kind": "advocate",
                                              "message": WORDS, "contact_name": "Dawit"})

    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Please check and send again" in html and WORDS in html
    assert _requests() == []


def test_a_child_sends_an_urgent_request_from_the_help_page(client):
    invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")
    page = client.get("/help-now")
    assert "Send an urgent message to my IRO" in page.get_data(as_text=True)

    sent = client.post("/help-now", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "message": ""})

    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "We have told your IRO that it is urgent" in thanks and "999" in thanks
    [request] = _requests()
    assert (request.kind, request.source, request.message) == (
        RequestKind.URGENT, RequestSource.HELP_PAGE, None)
    [alert] = db.session.scalars(select(AlertOutbox))
    assert alert.event is AlertEvent.NEW_URGENT_REQUEST


def test_without_a_link_the_help_page_sends_nothing(client):
    page = client.get("/ask-for-help")

    refused = client.post("/help-now", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "message": "hello"})

    assert refused.status_code == 200
    assert _requests() == []


def test_the_sent_page_needs_something_sent(client):
    assert client.get("/ask-for-help/sent").headers["Location"] == "/ask-for-help"
