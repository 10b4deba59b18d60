from datetime import date

import pytest

from consult.working_days import add_working_days, is_working_day, working_days_between


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
