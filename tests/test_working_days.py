from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consult.working_days import (
    add_working_days,
    answer_by,
    is_late,
    is_working_day,
    late_if_arrived_before,
    working_days_between,
)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 12, 24), True),
    (date(2026, 12, 25), False),  # Christmas Day
    (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: substitute Monday
    (date(2026, 4, 3), False),  # Good Friday
    (date(2026, 4, 6), False),  # Easter Monday
    (date(2026, 8, 31), False),  # summer bank holiday in England
    (date(2026, 11, 28), False),  # Saturday
])
def test_weekends_and_england_bank_holidays_are_not_working_days(day, working):
    assert is_working_day(day) is working


def test_adding_working_days_skips_christmas_and_new_year():
    # Thu 24 Dec 2026 + 3: Fri 25 (holiday), Mon 28 (substitute), Tue 29, Wed 30, Thu 31.
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)


def test_counting_is_the_inverse_of_adding():
    start = date(2026, 3, 30)
    for count in range(0, 60):
        assert working_days_between(start, add_working_days(start, count)) == count


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1)


def test_working_hours_skip_evenings_weekends_and_bank_holidays():
    from datetime import UTC, datetime

    from consult.working_days import add_working_hours

    london = ZoneInfo("Europe/London")
    # Friday 22 August 2025, 15:00 in London (BST); Monday 25 was a bank holiday.
    friday = datetime(2025, 8, 22, 15, tzinfo=london)
    assert add_working_hours(friday, 4) == datetime(2025, 8, 26, 11, tzinfo=london)
    # 20:00 on a Tuesday counts from 09:00 on Wednesday.
    evening = datetime(2026, 1, 13, 20, tzinfo=UTC)
    assert add_working_hours(evening, 4) == datetime(2026, 1, 14, 13, tzinfo=london)
    # Within one working day it is plain addition.
    morning = datetime(2026, 1, 14, 9, 30, tzinfo=london)
    assert add_working_hours(morning, 4) == datetime(2026, 1, 14, 13, 30, tzinfo=london)
    assert add_working_hours(datetime(2026, 1, 14, 13, tzinfo=london), 4) == datetime(
        2026, 1, 14, 17, tzinfo=london)


@pytest.mark.parametrize("hours", [1, 4, 8, 11])
def test_the_cutoff_before_an_instant_is_the_inverse_of_adding_working_hours(hours):
    from datetime import UTC, datetime, timedelta

    from consult.working_days import add_working_hours, working_hours_before

    # Across the August bank holiday and the clocks going back in October, every 20 minutes.
    for start in (datetime(2025, 8, 21, tzinfo=UTC), datetime(2025, 10, 24, tzinfo=UTC)):
        instants = [start + timedelta(minutes=20 * step) for step in range(0, 6 * 72)]
        for now in instants[::7]:
            cutoff = working_hours_before(now, hours)
            for arrived in instants:
                assert (arrived <= cutoff) is (add_working_hours(arrived, hours) <= now), (
                    arrived, now, cutoff)


def test_answering_within_working_days_counts_from_the_day_it_arrived_in_england():
    # 23:30 UTC on Sunday 29 March 2026 is already Monday in London (summer time).
    arrived = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert answer_by(arrived, 1) == date(2026, 3, 31)
    # Maundy Thursday: Good Friday and Easter Monday are not working days.
    thursday = datetime(2026, 4, 2, 9, tzinfo=UTC)
    assert answer_by(thursday, 1) == date(2026, 4, 7)
    assert not is_late(thursday, 1, datetime(2026, 4, 7, 22, tzinfo=UTC))
    assert is_late(thursday, 1, datetime(2026, 4, 8, 8, tzinfo=UTC))


@pytest.mark.parametrize("within", [1, 2])
def test_the_cutoff_for_sql_agrees_with_is_late_for_every_hour_of_a_fortnight(within):
    now = datetime(2026, 4, 8, 10, tzinfo=UTC)
    cutoff = late_if_arrived_before(now, within)
    for hours in range(14 * 24):
        arrived = now - timedelta(hours=hours)
        assert (arrived < cutoff) is is_late(arrived, within, now), arrived
