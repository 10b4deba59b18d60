"""Staff set-up links go by email to the account's own address, never to the admin's screen."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select, text

from consult.alerts.sender import send_due
from consult.extensions import db
from consult.models import AlertEvent, AlertOutbox, AuditEvent, StaffRole, StaffUser, utcnow
from tests import factories
from tests.alerts.mail import full_text, settings
from tests.html_checks import parse


def _invite(client, email: str = "nia@council.example") -> StaffUser:
    response = factories.post_form(client, "/staff/admin/users/invite", {
        "email": email, "name": "Nia", "role": "iro"})
    assert response.status_code == 200
    assert "/staff/set-password/" not in response.get_data(as_text=True)
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def _reset(client, person: StaffUser):
    return factories.post_form(client, f"/staff/admin/users/{person.id}/reset", {},
                               page_url="/staff/admin/users")


def test_the_invited_person_gets_their_link_by_email_and_the_outbox_forgets_it(
        client, app, smtp_server):
    inbox, port = smtp_server
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))
    person = _invite(client)
    email = db.session.scalar(select(AlertOutbox))
    token = email.link_token
    raw = db.session.execute(text("SELECT link_token FROM alert_outbox")).scalar()
    assert token and token not in raw, "the token waits encrypted"
    assert "waiting to be emailed" in client.get("/staff/admin/users").get_data(as_text=True)

    report = send_due(settings(port), base_url="https://haveyoursay.example")

    assert report.sent == 1
    [(recipients, message)] = inbox.messages
    assert recipients == ["nia@council.example"]
    assert message["Subject"] == "Have Your Say: set up your staff account"
    body = full_text(message)
    assert f"https://haveyoursay.example/staff/set-password/{token}" in body
    assert "Do not forward it" in body and "did not expect this email" in body
    db.session.expire_all()
    assert email.link_token is None and email.sent_at is not None
    assert db.session.scalar(select(AuditEvent.subject_id).where(
        AuditEvent.action == "staff.setup_email_sent")) == person.id
    users = parse(client.get("/staff/admin/users").get_data(as_text=True))
    assert "Set-up link emailed" in "".join(users.itertext())
    # The link works, for them.
    newcomer = app.test_client()
    assert newcomer.get(f"/staff/set-password/{token}").status_code == 303


def test_a_reset_emails_a_new_link_and_withdraws_any_earlier_one_unsent(
        client, app, smtp_server):
    inbox, port = smtp_server
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))
    person = factories.staff(StaffRole.IRO)
    db.session.commit()

    first = _reset(client, person)
    second = _reset(client, person)

    for page in (first, second):
        assert page.status_code == 200
        assert "/staff/set-password/" not in page.get_data(as_text=True)
    report = send_due(settings(port), base_url="https://haveyoursay.example")
    assert report.sent == 1
    [(recipients, message)] = inbox.messages
    assert recipients == [person.email]
    assert message["Subject"] == "Have Your Say: your sign-in was reset"
    emails = db.session.scalars(select(AlertOutbox).order_by(AlertOutbox.id)).all()
    assert [(e.event, e.sent_at is not None, e.withdrawn_at is not None, e.link_token)
            for e in emails] == [(AlertEvent.STAFF_RESET, False, True, None),
                                 (AlertEvent.STAFF_RESET, True, False, None)]


def test_a_link_used_up_or_out_of_time_before_sending_is_withdrawn_not_sent(
        client, app, smtp_server):
    inbox, port = smtp_server
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))
    person = _invite(client)
    disabled = _invite(client, "gone@council.example")
    factories.post_form(client, f"/staff/admin/users/{disabled.id}/disable", {},
                        page_url="/staff/admin/users")

    hours = app.config["STAFF_SETUP_LINK_HOURS"]
    with time_machine.travel(utcnow() + timedelta(hours=hours, minutes=1)):
        report = send_due(settings(port), base_url="https://haveyoursay.example")

    assert (report.sent, inbox.messages) == (0, [])
    assert all(email.withdrawn_at and email.link_token is None
               for email in db.session.scalars(select(AlertOutbox)))
    assert person.password_hash is None
