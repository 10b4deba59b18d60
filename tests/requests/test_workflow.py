"""The request workflow: every legal and illegal transition, timestamps, history, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import (
    AuditEvent,
    HelpRequest,
    RequestKind,
    RequestSource,
    RequestState,
    StaffRole,
)
from consult.requests import workflow
from tests import factories

S = RequestState
K = RequestKind
CLOSED = {S.MATCHED, S.RESOLVED, S.DECLINED, S.WITHDRAWN}
# Written out by hand, not derived from the code under test.
LEGAL = {
    (S.NEW, S.ACKNOWLEDGED), (S.NEW, S.DECLINED), (S.NEW, S.WITHDRAWN),
    (S.ACKNOWLEDGED, S.REFERRED), (S.ACKNOWLEDGED, S.RESOLVED),
    (S.ACKNOWLEDGED, S.DECLINED), (S.ACKNOWLEDGED, S.WITHDRAWN),
    (S.REFERRED, S.MATCHED), (S.REFERRED, S.RESOLVED), (S.REFERRED, S.DECLINED),
    (S.REFERRED, S.WITHDRAWN),
}
MATCHABLE = {K.INDEPENDENT_VISITOR, K.ADVOCATE}


def _is_legal(kind, from_state, to_state) -> bool:
    if to_state is S.MATCHED and kind not in MATCHABLE:
        return False
    return (from_state, to_state) in LEGAL


ALL_CASES = [(kind, a, b) for kind in K for a in S for b in S]


@pytest.mark.parametrize(("kind", "from_state", "to_state"), ALL_CASES,
                         ids=lambda value: value.value)
def test_next_states_allow_exactly_the_legal_transitions(kind, from_state, to_state):
    assert (to_state in workflow.next_states(kind, from_state)) is _is_legal(
        kind, from_state, to_state)


@pytest.mark.parametrize(("kind", "from_state", "to_state"),
                         [case for case in ALL_CASES if not _is_legal(*case)],
                         ids=lambda value: value.value)
def test_every_illegal_transition_raises_and_changes_nothing(kind, from_state, to_state):
    request = HelpRequest(kind=kind, source=RequestSource.PUBLIC_FORM, state=from_state,
                          created_at=datetime(2026, 1, 5, tzinfo=UTC))

    with pytest.raises(workflow.IllegalTransition) as raised:
        workflow.change_state(request, to_state, staff=None)

    assert request.state is from_state
    assert request.events == []
    assert request.acknowledged_at is None and request.closed_at is None
    assert f"cannot be marked {to_state.value}" in str(raised.value)


def test_every_legal_transition_is_recorded_with_who_and_when(app):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro)
    legal = [case for case in ALL_CASES if _is_legal(*case)]
    made = []
    for kind, from_state, to_state in legal:
        request = HelpRequest(kind=kind, source=RequestSource.CONSULTATION, state=from_state,
                              child=child, created_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        db.session.add(request)
        db.session.flush()
        when = datetime(2026, 1, 6, 10, tzinfo=UTC)
        workflow.change_state(request, to_state, staff=iro, now=when)
        made.append((request, from_state, to_state, when))
    db.session.commit()

    for request, from_state, to_state, when in made:
        db.session.refresh(request)
        assert request.state is to_state
        [event] = request.events
        assert (event.from_state, event.to_state, event.staff_id, event.occurred_at) == (
            from_state, to_state, iro.id, when)
        assert request.acknowledged_at == (when if from_state is S.NEW else None)
        assert request.closed_at == (when if to_state in CLOSED else None)
    audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "request.state_changed"))
    assert audited == len(legal) == 42  # 11 pairs for 4 kinds, less 2 "matched"


def test_a_request_followed_to_its_outcome_keeps_its_first_acknowledgement(app):
    iro = factories.staff(StaffRole.IRO)
    invitation, _token = factories.invitation(factories.review(factories.child(iro)))
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    request = workflow.create_request(K.INDEPENDENT_VISITOR, RequestSource.CONSULTATION,
                                      invitation=invitation, message="  hi\r\n ", now=start)
    for days, state in enumerate((S.ACKNOWLEDGED, S.REFERRED, S.MATCHED), start=1):
        workflow.change_state(request, state, staff=iro, now=start + timedelta(days=days))
    db.session.commit()

    assert request.message == "hi"
    assert request.child_id == invitation.review.child_id
    assert [(e.from_state, e.to_state) for e in request.events] == [
        (None, S.NEW), (S.NEW, S.ACKNOWLEDGED), (S.ACKNOWLEDGED, S.REFERRED),
        (S.REFERRED, S.MATCHED)]
    assert request.acknowledged_at == start + timedelta(days=1)
    assert request.closed_at == start + timedelta(days=3)
    details = [event.details for event in db.session.scalars(select(AuditEvent))]
    assert not any("hi" in str(value).split() for detail in details for value in detail.values())


def _arrived(at: datetime, state: RequestState = S.NEW) -> HelpRequest:
    return HelpRequest(kind=K.ADVOCATE, source=RequestSource.PUBLIC_FORM, state=state,
                       created_at=at)


# Friday 22 August 2025; Monday 25 August 2025 was the Summer bank holiday in England.
FRIDAY_BEFORE_BANK_HOLIDAY = datetime(2025, 8, 22, 11, tzinfo=UTC)


@pytest.mark.parametrize(("now", "overdue"), [
    (datetime(2025, 8, 23, 12, tzinfo=UTC), False),  # Saturday
    (datetime(2025, 8, 25, 12, tzinfo=UTC), False),  # bank holiday Monday
    (datetime(2025, 8, 26, 12, tzinfo=UTC), False),  # Tuesday: working day 1
    (datetime(2025, 8, 27, 22, 59, tzinfo=UTC), False),  # Wednesday 23:59 in London: day 2
    (datetime(2025, 8, 27, 23, 0, tzinfo=UTC), True),  # Thursday 00:00 in London
    (datetime(2025, 9, 1, 9, tzinfo=UTC), True),
])
def test_overdue_after_two_working_days_across_a_weekend_and_a_bank_holiday(now, overdue):
    request = _arrived(FRIDAY_BEFORE_BANK_HOLIDAY)

    assert workflow.acknowledge_by(request).isoformat() == "2025-08-27"
    assert workflow.is_overdue(request, now) is overdue


def test_the_day_a_request_arrives_is_the_day_in_london_not_in_utc():
    # 23:30 UTC on Thursday 21 August is already Friday in London (BST).
    request = _arrived(datetime(2025, 8, 21, 23, 30, tzinfo=UTC))

    assert workflow.acknowledge_by(request).isoformat() == "2025-08-27"
    assert not workflow.is_overdue(request, datetime(2025, 8, 27, 12, tzinfo=UTC))


def test_overdue_on_a_plain_week_and_never_once_acknowledged():
    monday = datetime(2026, 1, 12, 9, tzinfo=UTC)
    wednesday, thursday = monday + timedelta(days=2), monday + timedelta(days=3)

    assert not workflow.is_overdue(_arrived(monday), wednesday)
    assert workflow.is_overdue(_arrived(monday), thursday)
    for state in S:
        if state is not S.NEW:
            assert not workflow.is_overdue(_arrived(monday, state), thursday + timedelta(days=30))


def test_the_sql_cutoff_agrees_with_the_overdue_rule_hour_by_hour():
    # Across the August bank holiday, Christmas and New Year, and the clocks going back.
    for start in (datetime(2025, 8, 18, tzinfo=UTC), datetime(2025, 12, 19, tzinfo=UTC),
                  datetime(2025, 10, 22, tzinfo=UTC)):
        arrivals = [start + timedelta(hours=h) for h in range(0, 14 * 24, 5)]
        for now in (start + timedelta(hours=h) for h in range(0, 16 * 24, 7)):
            cutoff = workflow.overdue_cutoff(now)
            for arrived in (a for a in arrivals if a <= now):
                assert workflow.is_overdue(_arrived(arrived), now) is (arrived < cutoff), (
                    arrived, now)


def test_queue_counts_count_open_and_overdue_in_one_statement(app):
    iro, other = factories.staff(StaffRole.IRO), factories.staff(StaffRole.IRO)
    mine = factories.child(iro)
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)  # a Thursday
    for days_ago, state in ((10, S.NEW), (1, S.NEW), (10, S.ACKNOWLEDGED), (10, S.RESOLVED)):
        db.session.add(HelpRequest(kind=K.ADVOCATE, source=RequestSource.CONSULTATION,
                                   state=state, child=mine,
                                   created_at=now - timedelta(days=days_ago)))
    db.session.add(HelpRequest(kind=K.ADVOCATE, source=RequestSource.CONSULTATION,
                               state=S.NEW, child=factories.child(other),
                               created_at=now - timedelta(days=10)))
    db.session.commit()

    assert workflow.queue_counts(iro, now) == workflow.QueueCounts(open=3, overdue=1)
    admin = factories.staff(StaffRole.ADMIN)
    assert workflow.queue_counts(admin, now) == workflow.QueueCounts(open=4, overdue=2)
    assert workflow.queue_counts(factories.staff(StaffRole.MANAGER), now) is None


def _urgent(at: datetime, state: RequestState = S.NEW, **fields) -> HelpRequest:
    return HelpRequest(kind=K.URGENT, source=RequestSource.HELP_PAGE, state=state,
                       created_at=at, **fields)


@pytest.mark.parametrize(("now", "overdue"), [
    (datetime(2026, 1, 14, 12, 59, tzinfo=UTC), False),  # Wednesday, 3h59 after
    (datetime(2026, 1, 14, 13, 0, tzinfo=UTC), True),  # 4 working hours after
    (datetime(2026, 1, 15, 9, 0, tzinfo=UTC), True),
])
def test_an_urgent_request_is_overdue_after_four_working_hours(app, now, overdue):
    request = _urgent(datetime(2026, 1, 14, 9, 0, tzinfo=UTC))

    assert workflow.acknowledge_by(request) == datetime(2026, 1, 14, 13, 0, tzinfo=UTC)
    assert workflow.is_overdue(request, now) is overdue
    assert not workflow.is_overdue(_urgent(request.created_at, S.ACKNOWLEDGED), now)


def test_an_urgent_request_sent_on_friday_evening_is_due_on_monday_at_one(app):
    request = _urgent(datetime(2026, 1, 16, 19, 30, tzinfo=UTC))

    assert workflow.acknowledge_by(request) == datetime(2026, 1, 19, 13, 0, tzinfo=UTC)
    assert not workflow.is_overdue(request, datetime(2026, 1, 19, 12, 30, tzinfo=UTC))
    assert workflow.is_overdue(request, datetime(2026, 1, 19, 13, 0, tzinfo=UTC))


def test_the_urgent_timescale_is_a_setting(app):
    app.config["URGENT_ACKNOWLEDGE_WORKING_HOURS"] = 1
    request = _urgent(datetime(2026, 1, 14, 9, 0, tzinfo=UTC))

    assert workflow.is_overdue(request, datetime(2026, 1, 14, 10, 0, tzinfo=UTC))


def test_urgent_requests_come_first_and_are_counted_with_the_overdue(app):
    iro = factories.staff(StaffRole.IRO)
    mine = factories.child(iro)
    now = datetime(2026, 1, 15, 16, tzinfo=UTC)  # a Thursday, 16:00
    old = HelpRequest(kind=K.ADVOCATE, source=RequestSource.CONSULTATION, state=S.NEW,
                      child=mine, created_at=now - timedelta(days=10))
    fresh_urgent = _urgent(now - timedelta(minutes=30), child=mine)
    late_urgent = _urgent(now - timedelta(hours=5), child=mine)
    done_urgent = _urgent(now - timedelta(days=1), S.RESOLVED, child=mine)
    newer = HelpRequest(kind=K.TALK_TO_IRO, source=RequestSource.CONSULTATION, state=S.NEW,
                        child=mine, created_at=now - timedelta(hours=1))
    db.session.add_all([old, fresh_urgent, late_urgent, done_urgent, newer])
    db.session.commit()

    rows = workflow.queue(iro, now=now).rows
    assert [row.request for row in rows] == [late_urgent, fresh_urgent, old, newer]
    assert [row.overdue for row in rows] == [True, False, True, False]
    assert workflow.queue_counts(iro, now) == workflow.QueueCounts(open=4, overdue=2, urgent=2)


def test_a_request_is_kept_through_the_one_cleaning_step(app):
    made = workflow.create_request(
        RequestKind.ADVOCATE, RequestSource.PUBLIC_FORM,
        message="I need\x00 help\u202e now\r\nplease", contact_name="Sam\r\nBcc: x",
        contact_detail="\u2066 07700 900123\u2069")
    db.session.commit()
    db.session.expire_all()
    assert (made.message, made.contact_name, made.contact_detail) == (
        "I need help now\nplease", "Sam Bcc: x", "07700 900123")
