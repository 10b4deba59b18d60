"""The participation figures an IRO service reports (seed §3.2 to §3.4), counted in SQL.

One report is every table for a period and a scope, built from the parts of this package:
`measures` (what held reviews count, from the rollups), `layout` (their tables), `requests`
(requests for help and concerns), `answers` (structured answers) and `quotes`; `rollups`
keeps the rollups they read. What each figure counts is said once, beside it on every
page and export.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from consult.figures.answers import _answers
from consult.figures.layout import (
    _attendance,
    _breakdowns,
    _participation_codes,
    _reviews_by_type,
    _views_by_role,
)
from consult.figures.measures import _review_aggregates
from consult.figures.period import Period
from consult.figures.requests import _requests_and_concerns
from consult.figures.tables import Table, no_cycle_collection, suppress


@dataclass(frozen=True)
class Scope:
    """Whose reviews: the whole service, or those one IRO chaired."""

    iro_id: int | None = None
    label: str = "the whole service"
    by_iro: bool = False


@dataclass(frozen=True)
class Report:
    period: Period
    scope: Scope
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)


def build_report(period: Period, scope: Scope) -> Report:
    """Every table for the period and scope, read from the rollups as they stand (they are
    brought up to date by the writes, `consult.figures.rollups`); it writes nothing."""
    with no_cycle_collection():
        aggregates = _review_aggregates(period, scope)
        totals = aggregates.get(("all", ""), {})
        by_type = {value: row for (dim, value), row in aggregates.items()
                   if dim == "review_type"}
        tables = [
            _reviews_by_type(totals, by_type),
            _views_by_role(totals),
            _attendance(totals),
            _participation_codes(totals),
            *_breakdowns(aggregates, scope),
            *_requests_and_concerns(period, scope),
            *_answers(period, scope),
        ]
    return Report(period, scope, tuple(tables))


def suppressed(report: Report, threshold: int) -> Report:
    """The report as it may leave the IRO's own screen."""
    with no_cycle_collection():
        return replace(report, tables=tuple(suppress(table, threshold)
                                            for table in report.tables))
