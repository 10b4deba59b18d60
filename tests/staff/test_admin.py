"""Administration: staff accounts by invitation, and an audit log that only grows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from consult import audit
from consult.extensions import db
from consult.models import AlertEvent, AlertOutbox, AuditEvent, StaffRole, StaffUser
from consult.models.audit import AuditIsAppendOnly
from tests import factories
from tests.html_checks import csrf_token


def _admin_signed_in(client):
    admin = factories.staff(StaffRole.ADMIN, name="Ade")
    factories.sign_in(client, admin)
    return admin


def test_there_are_no_default_accounts(app):
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0


def test_an_admin_invites_someone_who_sets_a_password_and_an_authenticator(client, app):
    admin = _admin_signed_in(client)
    page = client.get("/staff/admin/users/invite")
    created = client.post("/staff/admin/users/invite", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": "New.Person@Council.example", "name": "Nia", "role": "social_worker"})
    assert created.status_code == 200
    # The link went to the outbox for their own address; the admin never sees it.
    assert "/staff/set-password/" not in created.get_data(as_text=True)
    email = db.session.scalar(select(AlertOutbox))
    assert (email.event, email.recipient) == (AlertEvent.STAFF_WELCOME,
                                              "new.person@council.example")
    path = f"/staff/set-password/{email.link_token}"

    newcomer = app.test_client()
    newcomer.get(path)
    form = newcomer.get("/staff/set-password")
    done = newcomer.post("/staff/set-password", data={
        "csrf_token": csrf_token(form.get_data(as_text=True)),
        "password": "a long and unusual phrase", "confirm": "a long and unusual phrase"})
    enrol = newcomer.get(done.headers["Location"]).get_data(as_text=True)
    secret = re.search(r'<code>([A-Z2-7 ]+)</code>', enrol).group(1).replace(" ", "")
    signed_in = newcomer.post("/staff/sign-in/authenticator", data={
        "csrf_token": csrf_token(enrol), "code": pyotp.TOTP(secret).now()})

    assert signed_in.headers["Location"] == "/staff/"
    person = db.session.scalar(select(StaffUser).where(
        StaffUser.email == "new.person@council.example"))
    assert person.role is StaffRole.SOCIAL_WORKER and person.totp_confirmed_at is not None
    assert app.test_client().get(path).status_code == 404, "the link works once"
    created_event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "staff.created"))
    assert created_event.actor_staff_id == admin.id
    assert created_event.details == {"role": "social_worker"}


def test_an_invitation_for_an_existing_email_is_refused_with_a_message(client):
    _admin_signed_in(client)
    existing = factories.staff(StaffRole.IRO)
    page = client.get("/staff/admin/users/invite")
    refused = client.post("/staff/admin/users/invite", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": existing.email, "name": "Again", "role": "iro"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "There is already an account" in html and "<title>Error:" in html


def test_reset_sign_in_gives_a_new_link_and_clears_the_authenticator(client, app):
    _admin_signed_in(client)
    person = factories.staff(StaffRole.IRO)
    theirs = app.test_client()
    factories.sign_in(theirs, person)

    page = client.get("/staff/admin/users")
    reset = client.post(f"/staff/admin/users/{person.id}/reset",
                        data={"csrf_token": csrf_token(page.get_data(as_text=True))})

    assert reset.status_code == 200 and "/staff/set-password/" not in reset.get_data(
        as_text=True)
    email = db.session.scalar(select(AlertOutbox))
    assert (email.event, email.recipient) == (AlertEvent.STAFF_RESET, person.email)
    db.session.refresh(person)
    assert person.password_hash is None and person.totp_secret is None
    assert theirs.get("/staff/").status_code == 302


def test_an_admin_cannot_disable_themselves(client):
    admin = _admin_signed_in(client)
    page = client.get("/staff/admin/users")
    response = client.post(f"/staff/admin/users/{admin.id}/disable",
                           data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 404
    assert client.get("/staff/").status_code == 200


# The audit log ---------------------------------------------------------------------------

def test_the_audit_log_filters_by_action_actor_and_date(client):
    admin = _admin_signed_in(client)
    iro = factories.staff(StaffRole.IRO, name="Imani")
    with time_machine.travel(datetime(2025, 1, 10, 12, tzinfo=UTC)):
        audit.record("example.old", staff=iro)
        db.session.flush()
    audit.record("example.new", staff=iro)
    audit.record("example.new", staff=admin)
    db.session.commit()

    def shown(query):
        html = client.get(f"/staff/admin/audit?{query}").get_data(as_text=True)
        return re.findall(r"<code>(example\.\w+)</code></th>\s*<td>(\w+)", html)

    assert shown("action=example.new") == [("example.new", "Ade"), ("example.new", "Imani")]
    assert shown(f"action=&actor={iro.id}") == [("example.new", "Imani"), ("example.old", "Imani")]
    assert shown("since=2025-01-01&until=2025-01-31") == [("example.old", "Imani")]
    today = datetime.now(UTC).date()
    assert ("example.old", "Imani") not in shown(f"since={today - timedelta(days=1)}")
    bad = client.get("/staff/admin/audit?since=not-a-date")
    assert bad.status_code == 400 and "<title>Error:" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "audit.viewed")) == 5


@pytest.mark.parametrize("query, message", [
    ("since=0001-01-01", "From (inclusive) must be between 1 January 1900 and 31 December 2100"),
    ("until=9999-12-31", "To (inclusive) must be between 1 January 1900 and 31 December 2100"),
    ("page=9223372036854775807", "The page must be a whole number from 1 to 100,000."),
    ("page=0", "The page must be a whole number from 1 to 100,000."),
    ("page=%D9%A3", "The page must be a whole number from 1 to 100,000."),
])
def test_extreme_dates_and_pages_get_a_400_with_a_message(client, query, message):
    _admin_signed_in(client)
    response = client.get(f"/staff/admin/audit?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_audit_log_costs_the_same_statements_for_any_number_of_events(client):
    from tests.staff.test_query_budget import counted_statements

    admin = _admin_signed_in(client)
    counts = []
    for events in (3, 250):
        audit.record_many("example.bulk", staff=admin, subjects=[admin] * events)
        db.session.commit()
        with counted_statements() as statements:
            assert client.get("/staff/admin/audit?page=2").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8, counts


def test_the_app_can_neither_change_nor_delete_an_audit_event(app):
    event = audit.record("example", count=1)
    db.session.commit()

    event.action = "something.else"
    with pytest.raises(AuditIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_postgresql_itself_refuses_to_change_or_delete_an_audit_event(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite is for development only")
    audit.record("example", count=1)
    db.session.commit()
    for statement in (update(AuditEvent.__table__).values(action="forged"),
                      delete(AuditEvent.__table__)):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.scalar(text("SELECT action FROM audit_events")) == "example"


def test_sign_ins_and_failures_are_audited_without_what_was_typed(client):
    user = factories.staff()
    factories.sign_in(client, user, password="a wrong password typed")
    factories.sign_in(client, user)

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == ["staff.sign_in_failed", "staff.signed_in"]
    assert events[0].details == {"factor": "password"}
    assert "wrong" not in str([event.details for event in events])
