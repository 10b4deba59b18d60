"""A child's periods of care: which one a day falls in, and keeping them in step.

`Child.looked_after_since` and `Child.ceased_on` are the current (latest) period's start
and end, the dates staff type on the child's form; `Child.periods` holds every period,
earlier ones included. `sync_current_period` is the one place that makes the periods
follow the form: a new start after the latest period ended is a re-entry (a new period),
otherwise the latest period is corrected. An import of 903 episodes sets every period at
once with `merge_periods`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from consult.models import CarePeriod, Child

CLOSED_BY_STAFF = "closed"


@dataclass(frozen=True)
class PeriodDates:
    started_on: date
    ended_on: date | None = None
    end_reason: str | None = None
    short_breaks_only: bool = False

    def includes(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


def date_problems(born: date | None, since: date | None, ceased: date | None
                  ) -> dict[str, str]:
    """What is wrong with a child's dates, by field (the child form's and the children
    import's names); a date not given is not checked. The one rule for the form, closing a
    child's record and the import."""
    found = {}
    if born and since and since < born:
        found["looked_after_since"] = "Looked after since cannot be before the date of birth."
    if since and ceased and ceased < since:
        found["ceased_on"] = "Ceased on cannot be before looked after since."
    return found


def period_on(periods: Iterable[CarePeriod | PeriodDates], day: date):
    """The period `day` falls in (the later one, when one ends the day the next starts)."""
    found = [period for period in periods if period.started_on <= day
             and (period.ended_on is None or day <= period.ended_on)]
    return max(found, key=lambda period: period.started_on, default=None)


def periods_of(child: Child) -> list[CarePeriod | PeriodDates]:
    """The child's periods, oldest first; a child saved before periods were kept (or not
    flushed yet) has the one period its own dates give."""
    if child.periods:
        return sorted(child.periods, key=lambda period: period.started_on)
    return [PeriodDates(child.looked_after_since, child.ceased_on)]


def current_period(child: Child) -> CarePeriod | PeriodDates:
    return periods_of(child)[-1]


def is_reviewed(child: Child) -> bool:
    """Whether the child's current period has statutory reviews: not for short breaks only."""
    return not current_period(child).short_breaks_only


def sync_current_period(child: Child) -> None:
    """Make the latest period follow the child's looked_after_since and ceased_on."""
    since, ceased = child.looked_after_since, child.ceased_on
    periods = sorted(child.periods, key=lambda period: period.started_on)
    same_start = next((period for period in periods if period.started_on == since), None)
    latest = periods[-1] if periods else None
    if same_start is not None:
        period = same_start
    elif latest is not None and not (latest.ended_on is not None and since > latest.ended_on):
        period = latest
        period.started_on = since
    else:  # the first period, or a re-entry after the latest one ended
        period = CarePeriod(started_on=since)
        child.periods.append(period)
    if period.ended_on != ceased:
        period.ended_on = ceased
        period.end_reason = CLOSED_BY_STAFF if ceased is not None else None


def merge_periods(child: Child, periods: Sequence[PeriodDates], *,
                  known_until: date | None = None) -> bool:
    """Add these periods to the child's or update those that start on the same day (a
    later year's file ends a period an earlier one left open); others are kept. True if
    anything changed. The child's own dates become the latest period's.

    A period these dates leave open keeps an end stored from a file that knew more: one
    after `known_until`, the last day these dates know of (an earlier year imported again).
    """
    wanted = {period.started_on: period for period in periods}
    changed = False
    stored_by_start = {period.started_on: period for period in child.periods}
    for started_on, dates in wanted.items():
        stored = stored_by_start.get(started_on)
        if stored is None:
            stored = CarePeriod(started_on=started_on)
            child.periods.append(stored)
            changed = True
        if (dates.ended_on is None and stored.ended_on is not None and known_until
                and stored.ended_on > known_until):
            continue
        for name in ("ended_on", "end_reason", "short_breaks_only"):
            if getattr(stored, name) != getattr(dates, name):
                setattr(stored, name, getattr(dates, name))
                changed = True
    latest = max(child.periods, key=lambda period: period.started_on)
    if (child.looked_after_since, child.ceased_on) != (latest.started_on, latest.ended_on):
        child.looked_after_since, child.ceased_on = latest.started_on, latest.ended_on
        changed = True
    return changed
