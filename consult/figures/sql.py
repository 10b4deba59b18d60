"""SQL expressions written once for SQLite and PostgreSQL, so every count stays in the database."""

from __future__ import annotations

from sqlalchemy import Date, Float, Integer, cast, extract
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):  # noqa: N801 - reads as the SQL function it stands for
    """The UTC calendar day of a timestamp (stored in UTC on both databases)."""

    type = Date()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


class month_start(FunctionElement):  # noqa: N801
    """The first day of a date's calendar month."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class seconds_between(FunctionElement):  # noqa: N801
    """Seconds from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw):
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    # As a float, like SQLite's: EXTRACT gives a numeric, many times slower to sort.
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


def day_number(column):
    """A date as the integer YYYYMMDD: the difference of two, divided by 10000, is an age."""
    return (cast(extract("year", column), Integer) * 10000
            + cast(extract("month", column), Integer) * 100
            + cast(extract("day", column), Integer))
