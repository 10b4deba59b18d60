"""Concerns: raised by answers when a response is saved (online or from paper), alerted to
the child's IRO without a name or words, acknowledged by that IRO alone, overdue after 1
working day, and counted for the header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from consult import concerns, paper_booklets
from consult.alerts.sender import compose
from consult.extensions import db
from consult.models import (
    AlertEvent,
    AlertOutbox,
    AuditEvent,
    InviteeRole,
    RaisedConcern,
    StaffRole,
)
from consult.questionnaires import definitions
from consult.submissions import SaveOutcome
from tests import factories

# A Monday in term time, no bank holiday near.
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _child_and_link(**fields):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro, name="Amanuel", **fields)
    invitation, _token = factories.invitation(factories.review(child))
    db.session.commit()
    return iro, child, invitation


def test_every_concern_has_a_unique_key_and_a_short_reason_on_a_real_choice():
    found = definitions.concerns()
    assert {"not_safe_at_home", "very_sad_overall", "no_asylum_help", "no_health_help"} <= set(
        found)
    for concern in found.values():
        assert concern.reason and len(concern.reason) <= 70 and not concern.reason.endswith(".")


def test_the_unsafe_and_very_sad_answers_raise_concerns_and_an_alert_without_words(app):
    iro, child, invitation = _child_and_link()
    response = factories.send_answers(invitation, {
        "home_safe": "no", "overall_feeling": "very_sad", "home_feeling": "happy",
        "went_well": "My secret words"})

    raised = db.session.scalars(select(RaisedConcern).order_by(RaisedConcern.id)).all()
    assert [(c.question_key, c.concern_key) for c in raised] == [
        ("home_safe", "not_safe_at_home"), ("overall_feeling", "very_sad_overall")]
    assert {c.child_id for c in raised} == {child.id}
    assert all(c.response_id == response.id and c.acknowledged_at is None for c in raised)
    assert [concerns.reason(c) for c in raised] == [
        "Does not feel safe where they live", "Very sad most days"]

    alert = db.session.scalar(select(AlertOutbox).where(
        AlertOutbox.event == AlertEvent.NEW_CONCERN))
    assert alert.recipient == iro.email
    assert alert.staff_path == f"/staff/reviews/{invitation.review_id}#concerns"
    email = compose(alert, base_url="https://hys.example", from_address="hys@council.example")
    body = email.get_content()
    assert "a child's answers need your attention" in email["Subject"]
    assert "A child's answers need your attention" in body
    for private in ("Amanuel", child.case_ref, "feel safe", "Very sad", "secret"):
        assert private not in body and private not in email["Subject"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "concern.raised"))
    assert event.details == {"count": 2}


def test_answers_without_a_concern_raise_none_and_no_alert(app):
    _iro, _child, invitation = _child_and_link()
    factories.send_answers(invitation, {"home_safe": "yes", "overall_feeling": "sad",
                                        "home_feeling": "in_person"})
    assert db.session.scalar(select(RaisedConcern)) is None
    assert db.session.scalar(select(AlertOutbox).where(
        AlertOutbox.event == AlertEvent.NEW_CONCERN)) is None


def test_an_answer_to_a_question_no_longer_asked_raises_nothing(app):
    # Asylum questions are asked only of unaccompanied children: a stray value is dropped.
    _iro, _child, invitation = _child_and_link()
    factories.send_answers(invitation, {"asylum_help": "no"})
    assert db.session.scalar(select(RaisedConcern)) is None


def test_a_paper_booklet_typed_in_raises_the_same_concerns(app):
    iro = factories.staff(StaffRole.IRO)
    review = factories.review(factories.child(iro))
    carer, _token = factories.invitation(review, InviteeRole.FOSTER_CARER, "Grace")
    db.session.commit()
    with app.test_request_context():
        booklet = paper_booklets.booklet_for(carer)
        outcome = paper_booklets.save(carer, booklet, {"stability": "at_risk",
                                                       "attendance": "not_in_education"},
                                      by=iro, idempotency_key="k" * 24, now=MONDAY_NOON)
    assert outcome is SaveOutcome.SAVED
    keys = sorted(db.session.scalars(select(RaisedConcern.concern_key)))
    assert keys == ["not_in_education", "placement_at_risk"]


def _raised(**fields):
    iro, child, invitation = _child_and_link(**fields)
    factories.send_answers(invitation, {"home_safe": "no"})
    concern = db.session.scalar(select(RaisedConcern))
    concern.raised_at = MONDAY_NOON
    db.session.commit()
    return iro, child, concern


def test_only_the_childs_iro_acknowledges_with_a_note_kept_encrypted_and_audited(app):
    iro, child, concern = _raised()
    other_iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    child.social_worker = social_worker
    for someone in (other_iro, social_worker, factories.staff(StaffRole.ADMIN)):
        assert concerns.concern_for(someone, concern.id) is None
        with pytest.raises(PermissionError):
            concerns.acknowledge(concern, "Called", staff=someone)
    assert concerns.concern_for(iro, concern.id) is concern

    with pytest.raises(concerns.NotAcknowledged):
        concerns.acknowledge(concern, "   ", staff=iro)
    with pytest.raises(concerns.NotAcknowledged):
        concerns.acknowledge(concern, "x" * (concerns.ACTION_MAX_LENGTH + 1), staff=iro)
    assert concern.acknowledged_at is None

    concerns.acknowledge(concern, "Rang the carer and visited the same day.", staff=iro,
                         now=MONDAY_NOON + timedelta(hours=3))
    db.session.commit()
    stored = db.session.execute(text("SELECT action_taken FROM concerns")).scalar_one()
    assert "carer" not in stored  # a Fernet token, not the words
    assert concern.action_taken == "Rang the carer and visited the same day."
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "concern.acknowledged"))
    assert event.actor_staff_id == iro.id and event.subject_id == concern.id
    assert event.details == {"concern": "not_safe_at_home", "on_time": True}
    with pytest.raises(concerns.NotAcknowledged):
        concerns.acknowledge(concern, "Again", staff=iro)


def test_a_concern_is_overdue_after_one_working_day_and_counted_for_its_iro(app):
    iro, _child, concern = _raised()
    tuesday = MONDAY_NOON + timedelta(days=1)
    wednesday = MONDAY_NOON + timedelta(days=2)
    assert concerns.acknowledge_by(concern) == tuesday.date()
    assert not concerns.is_overdue(concern, tuesday)
    assert concerns.is_overdue(concern, wednesday)
    assert concerns.open_concern_counts(iro, tuesday) == concerns.ConcernCounts(1, 0)
    assert concerns.open_concern_counts(iro, wednesday) == concerns.ConcernCounts(1, 1)
    assert concerns.open_concerns_count(iro) == 1
    assert concerns.open_concern_counts(factories.staff(StaffRole.IRO)) == \
        concerns.ConcernCounts(0, 0)
    assert concerns.open_concern_counts(factories.staff(StaffRole.SOCIAL_WORKER)) is None
    assert concerns.open_concerns_count(factories.staff(StaffRole.MANAGER)) == 0

    concerns.acknowledge(concern, "Spoke to them.", staff=iro, now=wednesday)
    assert not concerns.is_overdue(concern, wednesday)
    assert concerns.open_concerns_count(iro) == 0


def test_a_concern_raised_on_friday_is_due_on_monday(app):
    _iro, _child, concern = _raised()
    concern.raised_at = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # a Friday
    assert concerns.acknowledge_by(concern).isoformat() == "2026-03-09"
