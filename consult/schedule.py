"""The statutory review schedule, as plain functions over dates.

Care Planning, Placement and Case Review (England) Regulations 2010, reg. 33: the first
review within 20 working days of the child becoming looked after, the second within three
months of the first, each later one within six months of the one before. Some councils
still run older timetables, so the three intervals are a setting (REVIEW_TIMETABLE) read
by `parse_timetable`. After a review, the decisions are due within 5 working days and the
full record within 20 (a local standard the seed report tracks): those deadlines are for
sending the paperwork and run from the meeting. Each decision recorded at the review has its
own date to be done by; the earliest one not yet done is the review's next decision due,
and one past its date is overdue (`decision_state`, `next_decision_due`).

Each period of care has its own cycle: reviews are numbered, typed and timed from the
start of the period they fall in (`held_in_period`).

Months are calendar months clamped to the month's end: one month after 31 January is
28 (or 29) February, as `dateutil.relativedelta` counts them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from consult.models import ReviewStatus, ReviewType
from consult.working_days import add_working_days

DEFAULT_TIMETABLE = "20wd,3m,6m"
DECISIONS_WORKING_DAYS = 5
RECORD_WORKING_DAYS = 20


class TimetableError(ValueError):
    pass


class IntervalUnit(enum.StrEnum):
    WORKING_DAYS = "wd"
    DAYS = "d"
    WEEKS = "w"
    MONTHS = "m"


@dataclass(frozen=True)
class Interval:
    count: int
    unit: IntervalUnit

    def after(self, start: date) -> date:
        if self.unit is IntervalUnit.WORKING_DAYS:
            return add_working_days(start, self.count)
        if self.unit is IntervalUnit.DAYS:
            return start + timedelta(days=self.count)
        if self.unit is IntervalUnit.WEEKS:
            return start + timedelta(weeks=self.count)
        return start + relativedelta(months=self.count)

    def __str__(self) -> str:
        names = {IntervalUnit.WORKING_DAYS: "working days", IntervalUnit.DAYS: "days",
                 IntervalUnit.WEEKS: "weeks", IntervalUnit.MONTHS: "months"}
        return f"{self.count} {names[self.unit]}"


@dataclass(frozen=True)
class Timetable:
    """How long after the previous event each review is due."""

    first: Interval  # after the child became looked after
    second: Interval  # after the first review
    later: Interval  # after the previous review


_INTERVAL = re.compile(r"\s*(\d{1,3})\s*(wd|d|w|m)\s*")


def parse_timetable(text: str) -> Timetable:
    """'20wd,3m,6m' (the 2010 regulations) or e.g. '28d,3m,6m' for an older timetable."""
    parts = text.split(",")
    if len(parts) != 3:
        raise TimetableError(
            f"REVIEW_TIMETABLE needs three intervals such as {DEFAULT_TIMETABLE}, not {text!r}.")
    intervals = []
    for part in parts:
        match = _INTERVAL.fullmatch(part)
        if match is None or int(match[1]) == 0:
            raise TimetableError(
                f"REVIEW_TIMETABLE: {part.strip()!r} is not an interval such as 20wd, 28d, 4w "
                "or 3m (working days, days, weeks, months).")
        intervals.append(Interval(int(match[1]), IntervalUnit(match[2])))
    return Timetable(*intervals)


REGULATIONS_2010 = parse_timetable(DEFAULT_TIMETABLE)


def review_type_after(held_before: int) -> ReviewType:
    """The type of a review, from how many of the child's reviews were held before it."""
    if held_before == 0:
        return ReviewType.INITIAL
    if held_before == 1:
        return ReviewType.SECOND
    return ReviewType.SUBSEQUENT


def due_date(review_type: ReviewType, *, looked_after_since: date,
             previous_held_on: date | None, timetable: Timetable = REGULATIONS_2010) -> date:
    """The last day on which a review of this type is within timescale."""
    if review_type is ReviewType.INITIAL or previous_held_on is None:
        return timetable.first.after(looked_after_since)
    if review_type is ReviewType.SECOND:
        return timetable.second.after(previous_held_on)
    return timetable.later.after(previous_held_on)


@dataclass(frozen=True)
class NextReview:
    review_type: ReviewType
    due_on: date
    previous_held_on: date | None

    def midway(self) -> date | None:
        """Half-way between the last review and this one: good practice for a check-in."""
        if self.previous_held_on is None:
            return None
        return self.previous_held_on + (self.due_on - self.previous_held_on) / 2


def held_in_period(period_started_on: date, held_on: Iterable[date]) -> list[date]:
    """The days reviews were held in the period that started on `period_started_on`, in
    order: a review on the day the period starts is its first; earlier ones belong to an
    earlier period, and count for nothing in this one."""
    return sorted(day for day in held_on if day >= period_started_on)


def next_review(looked_after_since: date, held_on: Iterable[date],
                timetable: Timetable = REGULATIONS_2010) -> NextReview:
    """The review that comes next in the period of care that started on
    `looked_after_since`, given the days the child's reviews were held.

    Numbering restarts with each period: a child who comes back into care has a new
    initial review, due 20 working days (by the timetable) after the new start.
    """
    held = held_in_period(looked_after_since, held_on)
    previous = held[-1] if held else None
    review_type = review_type_after(len(held))
    return NextReview(review_type, due_date(
        review_type, looked_after_since=looked_after_since, previous_held_on=previous,
        timetable=timetable), previous)


class ScheduleFlag(enum.StrEnum):
    OVERDUE = "overdue"  # past its due date and not held
    BOOKED_LATE = "booked_late"  # the date set is after the due date
    DUE_SOON = "due_soon"
    NOT_BOOKED = "not_booked"  # no meeting date set yet
    DECISIONS_OVERDUE = "decisions_overdue"
    RECORD_OVERDUE = "record_overdue"


def flags_for(*, status: ReviewStatus, due_on: date, meeting_on: date | None, today: date,
              due_soon_days: int) -> set[ScheduleFlag]:
    """What needs the IRO's attention about a review that is not held yet."""
    flags: set[ScheduleFlag] = set()
    if status is not ReviewStatus.SCHEDULED:
        return flags
    if today > due_on:
        flags.add(ScheduleFlag.OVERDUE)
    elif (due_on - today).days <= due_soon_days:
        flags.add(ScheduleFlag.DUE_SOON)
    if meeting_on is None:
        flags.add(ScheduleFlag.NOT_BOOKED)
    elif meeting_on > due_on:
        flags.add(ScheduleFlag.BOOKED_LATE)
    return flags


def decisions_due(held_on: date) -> date:
    return add_working_days(held_on, DECISIONS_WORKING_DAYS)


def record_due(held_on: date) -> date:
    return add_working_days(held_on, RECORD_WORKING_DAYS)


def paperwork_flags(*, held_on: date, decisions_sent_on: date | None,
                    record_sent_on: date | None, today: date) -> set[ScheduleFlag]:
    """Decisions or record not yet sent although their local deadline has passed."""
    flags: set[ScheduleFlag] = set()
    if decisions_sent_on is None and today > decisions_due(held_on):
        flags.add(ScheduleFlag.DECISIONS_OVERDUE)
    if record_sent_on is None and today > record_due(held_on):
        flags.add(ScheduleFlag.RECORD_OVERDUE)
    return flags


class DecisionState(enum.StrEnum):
    DONE = "done"
    OVERDUE = "overdue"  # not done, and its date to be done by has passed
    OPEN = "open"


def decision_state(*, due_on: date, done_on: date | None, today: date) -> DecisionState:
    if done_on is not None:
        return DecisionState.DONE
    return DecisionState.OVERDUE if today > due_on else DecisionState.OPEN


def next_decision_due(decisions: Iterable[tuple[date, date | None]]) -> date | None:
    """The earliest date to be done by among decisions not done yet ((due_on, done_on)
    pairs), or None when every one is done."""
    return min((due_on for due_on, done_on in decisions if done_on is None), default=None)


def within_timescale(held_on: date, due_on: date) -> bool:
    return held_on <= due_on
