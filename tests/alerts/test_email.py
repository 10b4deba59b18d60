"""Alerts reach a real SMTP server on loopback, carry nothing personal, and survive outages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.alerts.sender import backoff, send_due
from consult.extensions import db
from consult.models import AlertEvent, AlertOutbox, Response, StaffRole, utcnow
from tests import factories
from tests.alerts.mail import FROM, free_port, full_text, settings
from tests.conftest import make_app
from tests.participation.walk import Respondent

WORDS = "my foster carer shouts at me and I want to move"


def _child_sends_views(client, token: str):
    person = Respondent(client)
    person.walk({"went_well": WORDS, "only_for_iro": WORDS}, person.open_link(token))
    return person.press_send()


def test_a_submission_alert_arrives_with_a_link_and_nothing_personal(client, smtp_server):
    inbox, port = smtp_server
    invitation, token = factories.child_with_link(name="Amanuel")
    child = invitation.review.child
    assert _child_sends_views(client, token).status_code == 303
    assert WORDS in "".join(text.text for text in db.session.scalar(select(Response)).free_texts)

    report = send_due(settings(port), base_url="https://haveyoursay.example")

    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    [(recipients, message)] = inbox.messages
    assert recipients == [child.iro.email]
    assert message["From"] == FROM
    assert message["Subject"] == "Have Your Say: new views for a review"
    text = full_text(message)
    assert f"https://haveyoursay.example/staff/reviews/{invitation.review_id}" in text
    for personal in (child.preferred_name, child.case_ref, WORDS, "foster carer shouts",
                     invitation.invitee_name, child.iro.name):
        assert personal not in text


def test_a_request_alert_arrives_without_the_message_or_the_contact_details(
        client, smtp_server):
    inbox, port = smtp_server
    admin = factories.staff(StaffRole.ADMIN)
    from consult import council
    council.save({**dict.fromkeys(council.EDITABLE_FIELDS, ""),
                  "service_inbox_email": "iro.service@council.example"}, staff=admin)
    db.session.commit()

    factories.post_form(client, "/ask-for-help", {
        "kind": "independent_visitor", "message": WORDS, "contact_name": "Dawit Tesfaye",
        "contact_detail": "07700 900123"})
    send_due(settings(port), base_url="http://localhost")

    [(recipients, message)] = inbox.messages
    assert recipients == ["iro.service@council.example"]
    text = full_text(message)
    assert "/staff/requests/" in text
    for personal in (WORDS, "Dawit", "Tesfaye", "07700", "independent visitor"):
        assert personal not in text


def test_an_smtp_outage_neither_fails_the_submission_nor_loses_the_alert(client, smtp_server):
    inbox, port = smtp_server
    closed_port = free_port()
    invitation, token = factories.child_with_link()

    sent = _child_sends_views(client, token)
    assert sent.status_code == 303 and sent.headers["Location"] == "/your-say/thank-you"
    first_try = utcnow()
    report = send_due(settings(closed_port), base_url="http://localhost",
                      now=lambda: first_try)

    assert (report.sent, report.failed, report.waiting) == (0, 1, 1)
    alert = db.session.scalar(select(AlertOutbox))
    assert alert.sent_at is None and alert.attempts == 1
    assert alert.last_error == "ConnectionRefusedError"
    assert alert.next_attempt_at == first_try + timedelta(minutes=1)

    # Not due yet: nothing is tried, nothing is lost.
    assert send_due(settings(port), base_url="http://localhost",
                    now=lambda: first_try).sent == 0
    assert inbox.messages == []

    later = first_try + timedelta(minutes=2)
    report = send_due(settings(port), base_url="http://localhost", now=lambda: later)

    assert (report.sent, report.waiting) == (1, 0)
    db.session.refresh(alert)
    assert alert.sent_at == later and alert.attempts == 2 and alert.last_error is None
    assert len(inbox.messages) == 1


def test_an_outage_stops_the_run_and_every_alert_waits_for_the_next(app):
    iro = factories.staff(StaffRole.IRO)
    for number in range(3):
        db.session.add(AlertOutbox(event=AlertEvent.NEW_REQUEST, recipient=iro.email,
                                   staff_path=f"/staff/requests/{number}"))
    db.session.commit()

    report = send_due(settings(free_port()), base_url="http://localhost")

    assert (report.sent, report.failed, report.waiting) == (0, 1, 3)


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 6, 7, 50)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(minutes=32), timedelta(hours=1), timedelta(hours=1)]


def test_the_send_alerts_command_sends_what_is_due(app, database_url, smtp_server):
    inbox, port = smtp_server
    iro = factories.staff(StaffRole.IRO)
    db.session.add(AlertOutbox(event=AlertEvent.NEW_URGENT_REQUEST, recipient=iro.email,
                               staff_path="/staff/requests/7"))
    db.session.commit()
    mailer = make_app(database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                      SMTP_SECURITY="none", ALERT_FROM_ADDRESS=FROM)

    with mailer.app_context():
        result = mailer.test_cli_runner().invoke(args=["send-alerts"])
        db.session.remove()
        db.engine.dispose()

    assert result.exit_code == 0, result.output
    assert "alerts sent: 1, failed: 0, waiting: 0" in result.output
    [(_recipients, message)] = inbox.messages
    assert message["Subject"] == "Have Your Say: URGENT request for help"
    assert "http://localhost/staff/requests/7" in full_text(message)


def test_the_command_says_what_to_set_without_a_mail_server(cli):
    result = cli.invoke(args=["send-alerts"])

    assert result.exit_code != 0
    assert "SMTP_HOST is not set" in result.output
