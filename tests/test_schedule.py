"""The review schedule against worked examples (England bank holidays from `holidays`)."""

from __future__ import annotations

from datetime import date

import pytest

from consult import schedule
from consult.models import ReviewStatus, ReviewType
from consult.schedule import ScheduleFlag, TimetableError, next_review, parse_timetable


@pytest.mark.parametrize(("looked_after_since", "first_due", "why"), [
    # Christmas Day, Boxing Day and New Year's Day 2026 do not count.
    (date(2025, 12, 10), date(2026, 1, 12), "across Christmas"),
    # Good Friday 3 April and Easter Monday 6 April 2026 do not count.
    (date(2026, 3, 25), date(2026, 4, 24), "across Easter"),
    # The summer bank holiday, Monday 31 August 2026, does not count.
    (date(2026, 8, 14), date(2026, 9, 14), "across the August bank holiday"),
    # A Saturday start: the first working day counted is Monday.
    (date(2026, 6, 6), date(2026, 7, 3), "from a weekend"),
])
def test_first_review_is_due_20_working_days_after_becoming_looked_after(
        looked_after_since, first_due, why):
    assert next_review(looked_after_since, []).due_on == first_due, why
    assert next_review(looked_after_since, []).review_type is ReviewType.INITIAL


@pytest.mark.parametrize(("held", "due"), [
    ([date(2025, 1, 31)], date(2025, 4, 30)),  # 31 January: April has no 31st
    ([date(2025, 11, 30)], date(2026, 2, 28)),  # into a short February
    ([date(2023, 11, 30)], date(2024, 2, 29)),  # into a leap-year February
    ([date(2023, 11, 29)], date(2024, 2, 29)),
])
def test_second_review_is_due_three_months_after_the_first_clamped_to_month_end(held, due):
    upcoming = next_review(date(2020, 1, 1), held)
    assert upcoming.review_type is ReviewType.SECOND
    assert upcoming.due_on == due


@pytest.mark.parametrize(("previous", "due"), [
    (date(2025, 8, 31), date(2026, 2, 28)),
    (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
    (date(2024, 2, 29), date(2024, 8, 29)),  # from a leap day
    (date(2026, 1, 31), date(2026, 7, 31)),
])
def test_later_reviews_are_due_six_months_after_the_previous(previous, due):
    upcoming = next_review(date(2020, 1, 1), [date(2021, 1, 5), date(2021, 4, 1), previous])
    assert upcoming.review_type is ReviewType.SUBSEQUENT
    assert upcoming.due_on == due


def test_midway_point_is_half_way_between_reviews():
    upcoming = next_review(date(2020, 1, 1), [date(2025, 1, 10), date(2025, 3, 1)])
    assert upcoming.due_on == date(2025, 9, 1)
    assert upcoming.midway() == date(2025, 6, 1)
    assert next_review(date(2025, 1, 1), []).midway() is None


def test_review_type_is_derived_from_the_reviews_held_before():
    assert [schedule.review_type_after(n) for n in range(4)] == [
        ReviewType.INITIAL, ReviewType.SECOND, ReviewType.SUBSEQUENT, ReviewType.SUBSEQUENT]


def test_an_older_timetable_is_configurable():
    older = parse_timetable("28d, 3m, 6m")
    assert next_review(date(2025, 12, 10), [], older).due_on == date(2026, 1, 7)
    assert next_review(date(2025, 1, 1), [date(2025, 1, 31)], older).due_on == date(2025, 4, 30)
    assert parse_timetable("4w,12w,26w").first.after(date(2026, 1, 1)) == date(2026, 1, 29)


@pytest.mark.parametrize("text", ["", "20wd,3m", "20wd,3m,6m,6m", "20x,3m,6m", "0wd,3m,6m",
                                  "wd,3m,6m", "-5d,3m,6m"])
def test_a_malformed_timetable_is_refused_with_the_setting_named(text):
    with pytest.raises(TimetableError, match="REVIEW_TIMETABLE"):
        parse_timetable(text)


def test_flags_overdue_due_soon_not_booked_and_booked_late():
    due = date(2026, 3, 20)

    def flags(today, meeting_on, status=ReviewStatus.SCHEDULED):
        return schedule.flags_for(status=status, due_on=due, meeting_on=meeting_on,
                                  today=today, due_soon_days=14)

    assert flags(date(2026, 3, 1), date(2026, 3, 18)) == set()
    assert flags(date(2026, 3, 6), date(2026, 3, 18)) == {ScheduleFlag.DUE_SOON}
    assert flags(date(2026, 3, 6), None) == {ScheduleFlag.DUE_SOON, ScheduleFlag.NOT_BOOKED}
    assert flags(date(2026, 3, 1), date(2026, 3, 23)) == {ScheduleFlag.BOOKED_LATE}
    assert flags(date(2026, 3, 21), None) == {ScheduleFlag.OVERDUE, ScheduleFlag.NOT_BOOKED}
    assert flags(date(2026, 4, 1), date(2026, 3, 18), ReviewStatus.HELD) == set()


def test_decisions_in_5_and_record_in_20_working_days_after_the_review():
    held = date(2025, 12, 19)  # a Friday before Christmas
    assert schedule.decisions_due(held) == date(2025, 12, 30)
    assert schedule.record_due(held) == date(2026, 1, 21)

    def flags(today, decisions_sent_on=None, record_sent_on=None):
        return schedule.paperwork_flags(held_on=held, decisions_sent_on=decisions_sent_on,
                                        record_sent_on=record_sent_on, today=today)

    assert flags(date(2025, 12, 30)) == set()
    assert flags(date(2025, 12, 31)) == {ScheduleFlag.DECISIONS_OVERDUE}
    assert flags(date(2026, 1, 22), decisions_sent_on=date(2025, 12, 22)) == {
        ScheduleFlag.RECORD_OVERDUE}
    assert flags(date(2026, 2, 1), date(2025, 12, 22), date(2026, 1, 20)) == set()


def test_a_decision_is_done_overdue_after_its_date_or_open():
    due = date(2026, 3, 10)
    assert schedule.decision_state(due_on=due, done_on=date(2026, 3, 12),
                                   today=date(2026, 4, 1)) is schedule.DecisionState.DONE
    assert schedule.decision_state(due_on=due, done_on=None,
                                   today=date(2026, 3, 10)) is schedule.DecisionState.OPEN
    assert schedule.decision_state(due_on=due, done_on=None,
                                   today=date(2026, 3, 11)) is schedule.DecisionState.OVERDUE


def test_the_next_decision_due_is_the_earliest_not_done():
    decisions = [(date(2026, 3, 1), date(2026, 2, 27)), (date(2026, 4, 1), None),
                 (date(2026, 3, 20), None)]
    assert schedule.next_decision_due(decisions) == date(2026, 3, 20)
    assert schedule.next_decision_due([(date(2026, 3, 1), date(2026, 3, 1))]) is None
    assert schedule.next_decision_due([]) is None
