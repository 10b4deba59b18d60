"""The schedule's deadlines as SQL, for the caseload list: the cut-off days that say which
children are overdue or due soon, and a review's due date worked out by the database.

A deadline never falls earlier for a later start, and always after it, so "due before X" is
"started on or before the last day whose deadline is before X" (`last_start`), worked out
here with the schedule's own functions (`consult.schedule`). SQLite and PostgreSQL differ in
date arithmetic; the few expressions below hide that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

from sqlalchemy import (
    Date,
    Integer,
    case,
    cast,
    extract,
    func,
)

from consult import concerns, schedule, working_days
from consult.extensions import db

# The cut-off days -------------------------------------------------------------------------


def last_start(deadline: Callable[[date], date], on_or_before: date) -> date:
    """The latest start whose deadline falls on or before the given day. Deadlines never
    fall earlier for a later start, and always after it, so every earlier start's does too."""
    day = on_or_before - timedelta(days=1)
    while deadline(day) > on_or_before:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Cutoffs:
    """Today's cut-off days: a start on or before one has its deadline passed (or near)."""

    today: date
    soon_until: date
    # Per interval of the timetable (first, second, later): the last start whose review is
    # overdue today, and the last whose review is due by `soon_until`.
    overdue: tuple[date, date, date]
    soon: tuple[date, date, date]
    decisions_overdue: date  # the last review day whose decisions are overdue today
    record_overdue: date

    @classmethod
    @lru_cache(maxsize=16)  # the same all day: a few hundred deadlines worked out each time
    def on(cls, today: date, timetable: schedule.Timetable, due_soon_days: int) -> Cutoffs:
        intervals = (timetable.first, timetable.second, timetable.later)
        yesterday, soon_until = today - timedelta(days=1), today + timedelta(days=due_soon_days)
        return cls(
            today=today, soon_until=soon_until,
            overdue=tuple(last_start(i.after, yesterday) for i in intervals),
            soon=tuple(last_start(i.after, soon_until) for i in intervals),
            decisions_overdue=last_start(schedule.decisions_due, yesterday),
            record_overdue=last_start(schedule.record_due, yesterday))


def concern_late_before(now: datetime) -> datetime:
    """A concern that arrived before this is late in being acknowledged now."""
    return working_days.late_if_arrived_before(now, concerns.ACKNOWLEDGE_WITHIN_WORKING_DAYS)


# Dates in SQL (the two databases differ) --------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _add_days(day, days):
    if _dialect() == "sqlite":
        return func.date(day, func.printf("%+d days", days))
    return day + days


def day_of(moment):
    """The UTC day of a stored instant, as `moment.date()` reads it in `schedule_of`."""
    if _dialect() == "sqlite":
        return func.date(moment)
    return cast(func.timezone("UTC", moment), Date)


def _weekday(day):
    """1 (Monday) to 7 (Sunday)."""
    if _dialect() == "sqlite":
        sunday_first = cast(func.strftime("%w", day), Integer)
        return case((sunday_first == 0, 7), else_=sunday_first)
    return cast(extract("isodow", day), Integer)


HOLIDAY_WINDOW_DAYS = 800  # starts this far back (and a month ahead) count bank holidays


@cache
def bank_holiday_runs(count: int, first: date, last: date) -> tuple[tuple[date, date, int], ...]:
    """For starts from `first` to `last`: the runs of starts whose `count` working days
    span `extra` weekday bank holidays, as (from, to, extra) with extra > 0. Adding
    `count + extra` weekdays to such a start lands on `add_working_days(start, count)`."""
    runs: list[tuple[date, date, int]] = []
    day = first
    while day <= last:
        due = working_days.add_working_days(day, count)
        weekdays = sum(1 for n in range(1, (due - day).days + 1)
                       if (day + timedelta(days=n)).weekday() < 5)
        extra = weekdays - count
        if extra and runs and runs[-1][2] == extra and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day, extra)
        elif extra:
            runs.append((day, day, extra))
        day += timedelta(days=1)
    return tuple(runs)


def _add_weekdays(day, count: int):
    """`day` plus `count` weekdays (from a weekend, counted as from the Friday before)."""
    weekday = _weekday(day)
    weeks, rest = divmod(count, 5)
    friday_back = case((weekday > 5, weekday - 5), else_=0)
    working_weekday = case((weekday > 5, 5), else_=weekday)
    return 7 * weeks + rest + case((working_weekday + rest > 5, 2), else_=0) - friday_back


def due_after(interval: schedule.Interval, day, today: date):
    """`interval.after(day)` in SQL, for sorting by due date. Working days skip weekends and
    the bank holidays of starts from `HOLIDAY_WINDOW_DAYS` back to a month ahead; an
    older start (a review long overdue) may sort a day or two out, never a filter."""
    count, unit = interval.count, interval.unit
    if unit is schedule.IntervalUnit.DAYS:
        return _add_days(day, count)
    if unit is schedule.IntervalUnit.WEEKS:
        return _add_days(day, 7 * count)
    if unit is schedule.IntervalUnit.MONTHS:
        if _dialect() == "sqlite":
            moved = func.date(day, f"+{count} months")
            month_end = func.date(day, "start of month", f"+{count + 1} months", "-1 day")
            # SQLite rolls 31 January + 1 month over into March; clamp to the month's end.
            return case((func.strftime("%d", moved) == func.strftime("%d", day), moved),
                        else_=month_end)
        return cast(day + func.make_interval(0, count), Date)
    runs = bank_holiday_runs(count, today - timedelta(days=HOLIDAY_WINDOW_DAYS),
                             today + timedelta(days=31))
    if not runs:
        return _add_days(day, _add_weekdays(day, count))
    return _add_days(day, case(
        *[(day.between(start, end), _add_weekdays(day, count + extra))
          for start, end, extra in runs], else_=_add_weekdays(day, count)))


