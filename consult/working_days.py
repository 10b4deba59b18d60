"""Working days in England: the unit in which the regulations and local standards count.

Weekends and England's bank holidays (from the `holidays` package, GB subdivision ENG,
which follows each year's proclamations) are not working days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

ENGLAND = ZoneInfo("Europe/London")


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (the start day itself never counts)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def answer_by(arrived_at: datetime, within: int) -> date:
    """The last day on which answering something that arrived then is on time: `within`
    working days after the day it arrived in England."""
    return add_working_days(arrived_at.astimezone(ENGLAND).date(), within)


def is_late(arrived_at: datetime, within: int, now: datetime) -> bool:
    return now.astimezone(ENGLAND).date() > answer_by(arrived_at, within)


def late_if_arrived_before(now: datetime, within: int) -> datetime:
    """Something still unanswered that arrived before this instant is late, so SQL can count
    them. Arrival days are walked back from today to the latest one whose deadline has
    passed; deadlines never fall earlier for a later arrival, so every earlier day is late."""
    today = now.astimezone(ENGLAND).date()
    day = today
    while add_working_days(day, within) >= today:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ENGLAND)
