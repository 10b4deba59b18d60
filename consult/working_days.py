"""Working days in England: the unit in which the regulations and local standards count.

Weekends and England's bank holidays (from the `holidays` package, GB subdivision ENG,
which follows each year's proclamations) are not working days. Working hours are 09:00 to
17:00 (England's time) on a working day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

ENGLAND = ZoneInfo("Europe/London")
# Office hours on a working day, in England's time: the unit of "same working day" timescales.
OPENS = time(9)
CLOSES = time(17)


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


def _office_hours(day: date) -> tuple[datetime, datetime]:
    return (datetime.combine(day, OPENS, tzinfo=ENGLAND),
            datetime.combine(day, CLOSES, tzinfo=ENGLAND))


def add_working_hours(start: datetime, hours: int) -> datetime:
    """The first instant by which `hours` working hours have passed since `start` (aware).

    Time outside working hours does not count: something arriving in the evening has its
    hours counted from the next working day's opening.
    """
    remaining = timedelta(hours=hours)
    day = start.astimezone(ENGLAND).date()
    while True:
        if is_working_day(day):
            opens, closes = _office_hours(day)
            begin = max(start, opens)
            if begin < closes or (begin == closes and not remaining):
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)


def working_hours_before(end: datetime, hours: int) -> datetime:
    """The latest instant from which `hours` working hours have passed by `end`.

    For any `start`, `start <= working_hours_before(end, h)` exactly when
    `add_working_hours(start, h) <= end`: what SQL compares a timestamp with.
    """
    remaining = timedelta(hours=hours)
    day = end.astimezone(ENGLAND).date()
    while True:
        if is_working_day(day):
            opens, closes = _office_hours(day)
            finish = min(end, closes)
            if finish >= opens:
                if finish - remaining >= opens:
                    return finish - remaining
                remaining -= finish - opens
        day -= timedelta(days=1)
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
