"""Where a child stands in the review cycle, computed from their reviews without a request."""

from __future__ import annotations

from datetime import UTC, date, datetime

from consult.caseload import schedule_of
from consult.models import Child, Review, ReviewStatus, ReviewType
from consult.schedule import REGULATIONS_2010, ScheduleFlag


def _child(*reviews: Review) -> Child:
    return Child(looked_after_since=date(2025, 12, 10), reviews=list(reviews))


def test_a_new_child_is_due_an_initial_review_and_flagged_not_booked():
    plan = schedule_of(_child(), date(2026, 1, 2), REGULATIONS_2010, 14)
    assert (plan.review_type, plan.due_on) == (ReviewType.INITIAL, date(2026, 1, 12))
    assert plan.flags == {ScheduleFlag.DUE_SOON, ScheduleFlag.NOT_BOOKED}
    assert plan.next_review is None and plan.midway is None and plan.needs_attention


def test_after_a_held_review_the_second_is_due_with_a_midway_point_and_paperwork_flags():
    held = Review(status=ReviewStatus.HELD, held_on=date(2026, 1, 9), due_on=date(2026, 1, 12),
                  review_type=ReviewType.INITIAL, decisions_sent_on=date(2026, 1, 12))
    plan = schedule_of(_child(held), date(2026, 2, 20), REGULATIONS_2010, 14)
    assert (plan.review_type, plan.due_on) == (ReviewType.SECOND, date(2026, 4, 9))
    assert plan.midway == date(2026, 2, 23)
    assert plan.flags == {ScheduleFlag.NOT_BOOKED, ScheduleFlag.RECORD_OVERDUE}


def test_a_booked_review_after_its_due_date_is_flagged():
    booked = Review(status=ReviewStatus.SCHEDULED, due_on=date(2026, 1, 12),
                    review_type=ReviewType.INITIAL,
                    scheduled_for=datetime(2026, 1, 14, 10, tzinfo=UTC))
    cancelled = Review(status=ReviewStatus.CANCELLED, due_on=date(2026, 1, 5),
                       review_type=ReviewType.INITIAL)
    plan = schedule_of(_child(booked, cancelled), date(2025, 12, 15), REGULATIONS_2010, 14)
    assert plan.next_review is booked
    assert plan.flags == {ScheduleFlag.BOOKED_LATE}
