"""The period a report covers: by default the council year, 1 April to 31 March."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from consult.inputs import DATE_RANGE_MESSAGE, is_sane_date

COUNCIL_YEAR_STARTS = (4, 1)  # 1 April
LONGEST_PERIOD_DAYS = 366 * 10


class PeriodError(ValueError):
    """The dates asked for make no report; the message says which and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    """Both days included."""

    start: date
    end: date

    @classmethod
    def council_year(cls, first_year: int) -> Period:
        return cls(date(first_year, *COUNCIL_YEAR_STARTS),
                   date(first_year + 1, *COUNCIL_YEAR_STARTS) - timedelta(days=1))

    @classmethod
    def council_year_containing(cls, day: date) -> Period:
        first_year = day.year if (day.month, day.day) >= COUNCIL_YEAR_STARTS else day.year - 1
        return cls.council_year(first_year)

    @property
    def is_council_year(self) -> bool:
        return self == Period.council_year(self.start.year)

    @property
    def label(self) -> str:
        if self.is_council_year:
            return f"{self.start.year}/{self.end.year}"
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def starts_at(self) -> datetime:
        """The first instant of the period, for comparing timestamps (kept in UTC)."""
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def is_whole_months(self) -> bool:
        """From the first day of a calendar month to the last day of one."""
        return self.start.day == 1 and (self.end + timedelta(days=1)).day == 1

    @property
    def whole_months(self) -> tuple[date, date] | None:
        """The first days of the first and last calendar months wholly inside the period."""
        first = self.start if self.start.day == 1 else _next_month(self.start)
        after = self.end + timedelta(days=1)
        last = _previous_month(after if after.day == 1 else after.replace(day=1))
        return (first, last) if first <= last else None

    @property
    def days_outside_whole_months(self) -> tuple[Period, ...]:
        """The days before the first whole month and after the last (all, if none)."""
        months = self.whole_months
        if months is None:
            return (self,)
        first, last = months
        edges = (Period(self.start, first - timedelta(days=1)),
                 Period(_next_month(last), self.end))
        return tuple(edge for edge in edges if edge.start <= edge.end)


def require_whole_months(period: Period, today: date) -> Period:
    """The period, if figures with small numbers hidden may cover it; else why not.

    Hidden figures cover whole calendar months that are over, so that two periods anyone
    may compare differ by whole months, never by the few days of one child's review, and
    a month's figures do not grow review by review while someone watches
    (docs/reports.md, "Periods of hidden figures").
    """
    rule = "Figures that hide small numbers cover whole calendar months that are over"
    if period.start.day != 1:
        raise PeriodError("from", f"{rule}: start on the first day of a month, such as "
                          f"{period.start.replace(day=1).isoformat()}")
    if not period.is_whole_months:
        last_day = _next_month(period.end) - timedelta(days=1)
        raise PeriodError("to", f"{rule}: end on the last day of a month, such as "
                          f"{last_day.isoformat()}")
    last_month_ended = today.replace(day=1) - timedelta(days=1)
    if period.end > last_month_ended:
        raise PeriodError("to", f"{rule}: end on or before {last_month_ended.isoformat()}, "
                          "the last day of last month")
    return period


def months_over(period: Period, today: date) -> Period | None:
    """The period cut at the end of last month; None when none of it is over yet."""
    last_month_ended = today.replace(day=1) - timedelta(days=1)
    if last_month_ended < period.start:
        return None
    return Period(period.start, min(period.end, last_month_ended))


def hidden_figures_default(today: date) -> Period:
    """The period figures with small numbers hidden cover when none is asked for: this
    council year up to the end of last month, or the last council year in its first month."""
    year = Period.council_year_containing(today)
    return months_over(year, today) or Period.council_year(year.start.year - 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(first_day: date) -> date:
    return (first_day - timedelta(days=1)).replace(day=1)


def _parse_day(raw: str, field: str, name: str) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise PeriodError(field, f"{name} must be a real date, like 2016-03-31") from None
    if not is_sane_date(day):
        raise PeriodError(field, f"{name} {DATE_RANGE_MESSAGE}")
    return day


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> Period:
    """The period from two ISO dates; either left out means the current council year."""
    if not (raw_from or "").strip() and not (raw_to or "").strip():
        return Period.council_year_containing(today)
    if not (raw_from or "").strip():
        raise PeriodError("from", "Enter the first day of the period")
    if not (raw_to or "").strip():
        raise PeriodError("to", "Enter the last day of the period")
    start = _parse_day(raw_from, "from", "The first day")
    end = _parse_day(raw_to, "to", "The last day")
    if end < start:
        raise PeriodError("to", "The last day must be the same as or after the first day")
    if (end - start).days > LONGEST_PERIOD_DAYS:
        raise PeriodError("to", "A report covers at most 10 years")
    return Period(start, end)
