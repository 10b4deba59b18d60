"""Data at rest and a child's rights: encryption, key rotation, export, erasure, retention."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from consult import create_app, data_protection
from consult.encryption import rotate
from consult.extensions import db
from consult.models import (
    AuditEvent,
    Child,
    FreeTextAnswer,
    HelpRequest,
    Invitation,
    RaisedConcern,
    RequestKind,
    RequestSource,
    Response,
    Review,
    StaffRole,
)
from consult.models.encrypted import CIPHER
from tests import factories
from tests.conftest import TEST_ENCRYPTION_KEY, make_app
from tests.html_checks import csrf_token

WORDS = "I miss my little brother and want to see him every week"
SECRET = "Someone at school frightens me"


def _child_sends(app, review):
    invitation, _token = factories.invitation(review)
    db.session.commit()
    factories.send_answers(invitation, {
        "attend_meeting": "yes", "went_well": WORDS, "only_for_iro": SECRET, "home_safe": "no"})
    return invitation


def _reviewed_child():
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro, factories.staff(StaffRole.SOCIAL_WORKER))
    review = factories.review(child)
    db.session.commit()
    return iro, child, review


def _help_request(child, invitation=None):
    request = HelpRequest(kind=RequestKind.ADVOCATE, source=RequestSource.CONSULTATION,
                          child_id=child.id, invitation_id=invitation.id if invitation else None,
                          message="Please call me after school", contact_name="Amanuel",
                          contact_detail="07700 900123")
    db.session.add(request)
    db.session.commit()
    return request


def _raw(sql: str) -> list[str]:
    return [value for (value,) in db.session.execute(text(sql)) if value is not None]


# Encryption at rest ----------------------------------------------------------------------

def test_the_raw_tables_hold_no_plaintext_of_what_anyone_wrote(app):
    _iro, child, review = _reviewed_child()
    _child_sends(app, review)
    _help_request(child)

    raw_texts = _raw("SELECT text FROM free_text_answers")
    raw_requests = _raw("SELECT message FROM help_requests") + _raw(
        "SELECT contact_name FROM help_requests") + _raw(
        "SELECT contact_detail FROM help_requests")

    assert len(raw_texts) == 2 and len(raw_requests) == 3
    everything = " ".join(raw_texts + raw_requests)
    for plaintext in (WORDS, SECRET, "miss", "Please call", "Amanuel", "07700"):
        assert plaintext not in everything
    assert all(value.startswith("gAAAAA") for value in raw_texts + raw_requests), "Fernet tokens"
    # ...while the app reads them as written.
    assert {text.text for text in db.session.scalars(select(FreeTextAnswer))} == {WORDS, SECRET}


def test_a_draft_of_what_a_child_is_typing_is_encrypted_too(app):
    _iro, _child, review = _reviewed_child()
    _invitation, token = factories.invitation(review)
    db.session.commit()
    browser = app.test_client()
    browser.get(f"/start/{token}")
    saved = factories.post_form(browser, "/your-say/questions/went_well", {"went_well": WORDS})
    assert saved.status_code == 303

    raw = _raw("SELECT answers FROM response_drafts")
    assert len(raw) == 1 and WORDS not in raw[0] and "miss" not in raw[0]
    assert WORDS in browser.get("/your-say/questions/went_well").get_data(as_text=True)


def test_rotate_key_re_encrypts_everything_so_the_old_key_can_go(app, database_url):
    _iro, child, review = _reviewed_child()
    _child_sends(app, review)
    _help_request(child)
    before = _raw("SELECT text FROM free_text_answers")

    new_key = Fernet.generate_key().decode()
    rotating = make_app(database_url, DATA_ENCRYPTION_KEYS=f"{new_key},{TEST_ENCRYPTION_KEY}")
    with rotating.app_context():
        result = rotating.test_cli_runner().invoke(args=["rotate-key"])
        db.session.remove()
    assert result.exit_code == 0, result.output
    # 2 answers, 3 request fields, and the IRO's and social worker's TOTP secrets.
    assert "Re-encrypted 7 values" in result.output
    db.session.expire_all()

    after = _raw("SELECT text FROM free_text_answers")
    assert set(after).isdisjoint(before)
    only_new = make_app(database_url, DATA_ENCRYPTION_KEYS=new_key)
    with only_new.app_context():
        assert {t.text for t in db.session.scalars(select(FreeTextAnswer))} == {WORDS, SECRET}
        assert db.session.scalar(select(HelpRequest.contact_detail)) == "07700 900123"
        db.session.remove()


def test_rotate_is_idempotent_for_values_already_under_the_first_key(app):
    _iro, _child, review = _reviewed_child()
    _child_sends(app, review)
    assert rotate(app.extensions[CIPHER]) == 4  # 2 answers, 2 staff TOTP secrets
    assert {t.text for t in db.session.scalars(select(FreeTextAnswer))} == {WORDS, SECRET}


def test_production_needs_an_encryption_key_and_refuses_a_malformed_one(database_url):
    with pytest.raises(SystemExit, match="DATA_ENCRYPTION_KEYS"):
        create_app({"CONSULT_ENV": "production", "SECRET_KEY": "s" * 40,
                    "DATABASE_URL": database_url, "DATA_ENCRYPTION_KEYS": ""})
    with pytest.raises(SystemExit, match="key 2 is not a Fernet key"):
        make_app(database_url, DATA_ENCRYPTION_KEYS=f"{TEST_ENCRYPTION_KEY},not-a-key")


def test_development_makes_one_key_in_the_instance_folder(tmp_path):
    import stat

    from consult.config import load
    first, second = load({}, tmp_path), load({}, tmp_path)
    assert first["DATA_ENCRYPTION_KEYS"] == second["DATA_ENCRYPTION_KEYS"]
    Fernet(first["DATA_ENCRYPTION_KEYS"][0])  # a well-formed key
    assert stat.S_IMODE((tmp_path / "data_encryption_key").stat().st_mode) == 0o600


# Export ----------------------------------------------------------------------------------

def test_the_iro_exports_everything_held_about_a_child_as_json_and_a_page(client, app):
    iro, child, review = _reviewed_child()
    invitation = _child_sends(app, review)
    _help_request(child, invitation)
    factories.sign_in(client, iro)

    download = client.get(f"/staff/children/{child.id}/data.json")
    page = client.get(f"/staff/children/{child.id}/data").get_data(as_text=True)

    assert download.headers["Content-Disposition"] == \
        f'attachment; filename="child-{child.id}.json"'
    assert download.headers["Cache-Control"] == "no-store"
    exported = json.loads(download.get_data(as_text=True))
    assert exported["child"]["case_ref"] == child.case_ref
    assert exported["periods_of_care"] == [{
        "started_on": child.looked_after_since.isoformat(), "ended_on": None,
        "end_reason": None, "short_breaks_only": False}]
    response = exported["reviews"][0]["invitations"][0]["response"]
    assert {text["text"] for text in response["own_words"]} == {WORDS, SECRET}
    assert {"question": "attend_meeting", "value": "yes"} in response["answers"]
    assert exported["help_requests"][0]["contact_detail"] == "07700 900123"
    assert [(c["concern"], c["acknowledged_at"]) for c in response["concerns"]] == [
        ("not_safe_at_home", None)]
    assert WORDS in page and SECRET in page and "07700 900123" in page
    formats = db.session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "child.exported", AuditEvent.subject_id == child.id))
    assert sorted(details["format"] for details in formats) == ["json", "page"]


# Erasure ---------------------------------------------------------------------------------

def test_erasing_a_child_deletes_everything_and_keeps_an_audit_event(client, app):
    iro, child, review = _reviewed_child()
    invitation = _child_sends(app, review)
    _help_request(child, invitation)
    other_iro, other_child, other_review = _reviewed_child()
    _child_sends(app, other_review)
    factories.sign_in(client, iro)
    child_id, case_ref, iro_id = child.id, child.case_ref, iro.id

    page = client.get(f"/staff/children/{child_id}/erase")
    wrong = client.post(f"/staff/children/{child_id}/erase", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "case_ref": "CASE-WRONG"})
    assert wrong.status_code == 400 and "exactly as shown" in wrong.get_data(as_text=True)
    done = client.post(f"/staff/children/{child_id}/erase", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "case_ref": case_ref})

    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(Child, child_id) is None
    assert db.session.scalar(select(func.count()).select_from(Review)
                             .where(Review.child_id == child_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(FreeTextAnswer)) == 2
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 0
    assert db.session.scalar(select(RaisedConcern.child_id)) == other_child.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "child.erased"))
    assert (event.actor_staff_id, event.subject_type, event.subject_id) == \
        (iro_id, "children", child_id)
    assert event.details["deleted_free_text_answers"] == 2
    # The child's own "sent" event survives, without the link to the erased invitation.
    submitted = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "response.submitted")).all()
    assert len(submitted) == 2
    assert sorted(e.actor_invitation_id is None for e in submitted) == [False, True]


# Retention -------------------------------------------------------------------------------

def test_retention_deletes_submissions_only_after_the_configured_time_dry_run_first(app, cli):
    _iro, child, review = _reviewed_child()
    invitation = _child_sends(app, review)
    _help_request(child, invitation)
    _iro2, staying, staying_review = _reviewed_child()
    _child_sends(app, staying_review)
    child.ceased_on = date(2026, 1, 31)
    db.session.commit()
    days = app.config["RETENTION_DAYS_AFTER_CARE"]
    last_kept_day = date(2026, 1, 31) + timedelta(days=days - 1)

    with time_machine.travel(last_kept_day, tick=False):
        assert "Nothing is due" in cli.invoke(args=["retention"]).output

    with time_machine.travel(last_kept_day + timedelta(days=1), tick=False):
        dry = cli.invoke(args=["retention"])
        assert dry.exit_code == 0, dry.output
        assert f"Would delete 1 submissions and 1 requests of {child.case_ref}" in dry.output
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2

        applied = cli.invoke(args=["retention", "--apply"])
        assert applied.exit_code == 0, applied.output

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(Response.invitation_id)) != invitation.id
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 0
    assert db.session.get(Child, child.id) is not None, "the review record and figures stay"
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("retention.%")).order_by(AuditEvent.id)))
    assert actions == ["retention.dry_run", "retention.deleted"]


def test_retention_is_a_plain_function_too(app):
    _iro, child, review = _reviewed_child()
    _child_sends(app, review)
    child.ceased_on = date(2020, 1, 1)
    db.session.commit()
    due = data_protection.retention_due(date(2026, 1, 1), 730)
    assert [(item.child.id, item.submissions) for item in due] == [(child.id, 1)]


# Logs ------------------------------------------------------------------------------------

def test_a_name_with_line_breaks_cannot_forge_a_log_line(app, caplog):
    forged = "Imani\r\n2026-11-25 10:00:00 INFO staff.signed_in user=admin\u2028x"
    handler_output = []

    class Collect(logging.Handler):
        def emit(self, record):
            handler_output.append(self.format(record))

    logger = logging.getLogger("consult.test_forging")
    collector = Collect()
    logger.addHandler(collector)
    try:
        logger.warning("sign-in failed for %s", forged)
    finally:
        logger.removeHandler(collector)

    assert len(handler_output) == 1
    line = handler_output[0]
    assert "\n" not in line and "\r" not in line and "\u2028" not in line
    assert line == ("sign-in failed for Imani\\r\\n2026-11-25 10:00:00 INFO staff.signed_in "
                    "user=admin\\u2028x")


def test_a_request_logs_nothing_anyone_wrote(app, caplog):
    _iro, _child, review = _reviewed_child()
    with caplog.at_level(logging.DEBUG):
        _child_sends(app, review)
    assert WORDS not in caplog.text and SECRET not in caplog.text
