"""The IRO's pages: upcoming reviews, invitations and their states, and the views sent."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, InviteeRole, StaffRole
from tests import factories


def _reviewed_child(**child_fields):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER, name="Sam")
    child = factories.child(iro, social_worker, **child_fields)
    review = factories.review(child)
    db.session.commit()
    return iro, social_worker, review


def _child_sends(app, review, answers):
    invitation, _token = factories.invitation(review)
    factories.send_answers(invitation, answers)
    return invitation


def test_dashboard_lists_my_upcoming_reviews_with_invitation_states(client):
    iro, _sw, review = _reviewed_child(name="Layla")
    factories.invitation(review, InviteeRole.CHILD, "Layla")
    factories.invitation(review, InviteeRole.FOSTER_CARER, "Grace")
    someone_elses = factories.child(factories.staff(StaffRole.IRO), name="NotMine")
    factories.review(someone_elses)
    factories.sign_in(client, iro)

    html = client.get("/staff/").get_data(as_text=True)

    assert "Layla" in html and "Grace: " in html and "Not opened" in html
    assert "NotMine" not in html


def test_iro_sees_answers_escaped_with_dir_auto_and_marked_only_for_iro(client, app):
    iro, _sw, review = _reviewed_child()
    _child_sends(app, review, {
        "home_feeling": "sad", "went_well": "<script>alert(1)</script> {{7*7}}",
        "only_for_iro": "I am scared of someone"})
    factories.sign_in(client, iro)

    html = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)

    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in html
    # Not evaluated as a template: "49" anywhere else on the page (a case reference, a
    # time) is no evidence, so look where the answer is.
    assert "<script>" not in html and "&lt;/script&gt; 49" not in html
    assert 'dir="auto">I am scared of someone' in html
    assert "Only for the IRO" in html
    assert "Sad" in html and "How do you feel about where you live?" in html
    assert "Sent" in html
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.viewed"))
    assert [event.actor_staff_id for event in viewed] == [iro.id]


def test_social_worker_never_sees_only_for_iro_text(client, app):
    _iro, social_worker, review = _reviewed_child()
    _child_sends(app, review, {"went_well": "football", "only_for_iro": "private words"})
    factories.sign_in(client, social_worker)

    html = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)

    assert "football" in html
    assert "private words" not in html and "Only for the IRO" not in html
    assert "Create link" not in html


def test_another_iro_cannot_open_my_review_or_revoke_my_links(client):
    _iro, _sw, review = _reviewed_child()
    invitation, _token = factories.invitation(review)
    stranger = factories.staff(StaffRole.IRO, name="Other")
    db.session.commit()
    factories.sign_in(client, stranger)
    page = client.get("/staff/")
    from tests.html_checks import csrf_token
    token = csrf_token(page.get_data(as_text=True))

    assert client.get(f"/staff/reviews/{review.id}").status_code == 404
    assert client.post(f"/staff/reviews/{review.id}/invitations",
                       data={"csrf_token": token, "role": "child", "invitee_name": "X",
                             "language": "en_GB"}).status_code == 404
    assert client.post(f"/staff/invitations/{invitation.id}/revoke",
                       data={"csrf_token": token}).status_code == 404
    db.session.refresh(invitation)
    assert invitation.revoked_at is None


def test_managers_and_admins_see_no_child(client):
    _iro, _sw, review = _reviewed_child(name="Hidden")
    for role in (StaffRole.MANAGER, StaffRole.ADMIN):
        user = factories.staff(role)
        db.session.commit()
        browser = client.application.test_client()
        factories.sign_in(browser, user)
        assert "Hidden" not in browser.get("/staff/").get_data(as_text=True)
        assert browser.get(f"/staff/reviews/{review.id}").status_code == 404


def _invite(client, review, role: str, invitee_name: str):
    return factories.post_form(
        client, f"/staff/reviews/{review.id}/invitations",
        {"role": role, "invitee_name": invitee_name, "language": "en_GB"},
        page_url=f"/staff/reviews/{review.id}")


def test_iro_creates_a_link_that_is_shown_once_and_works(client, app):
    iro, _sw, review = _reviewed_child()
    factories.sign_in(client, iro)

    created = _invite(client, review, "foster_carer", "Grace")

    html = created.get_data(as_text=True)
    assert created.status_code == 200
    link = re.search(r"http://localhost(/start/[A-Za-z0-9_-]{43})", html).group(1)
    review_page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert link not in review_page and "Grace" in review_page
    carer = app.test_client()
    opened = carer.get(link)  # a fresh link: the start page at the link itself
    assert opened.status_code == 200
    assert "Your views before the child" in opened.get_data(as_text=True)
    assert "Your views before the child" in carer.get(
        "/your-say", follow_redirects=True).get_data(as_text=True)


def test_a_link_form_with_no_name_is_refused_with_a_message(client):
    iro, _sw, review = _reviewed_child()
    factories.sign_in(client, iro)

    response = _invite(client, review, "child", "  ")

    assert response.status_code == 400
    assert "Enter their name." in response.get_data(as_text=True)


def test_iro_withdraws_a_link_and_it_stops_working(client, app):
    iro, _sw, review = _reviewed_child()
    invitation, token = factories.invitation(review)
    db.session.commit()
    child_browser = app.test_client()
    child_browser.get(f"/start/{token}")
    factories.sign_in(client, iro)

    response = factories.post_form(client, f"/staff/invitations/{invitation.id}/revoke", {},
                                   page_url=f"/staff/reviews/{review.id}")

    assert response.status_code == 303
    assert child_browser.get("/your-say").status_code == 404
    assert "Link withdrawn" in client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
