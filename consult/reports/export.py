"""Figures leaving the app: CSV with formula-safe cells, JSON for analysts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from consult.reports.figures import Report
from consult.reports.tables import as_json, body, header

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(lines: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in lines:
        writer.writerow([guard_cell(value) for value in line])
    return out.getvalue()


def table_csv(report: Report, key: str) -> str:
    table = report.table(key)
    return csv_text([header(table), *body(table)])


def report_csv(report: Report) -> str:
    """Every table in one file, one figure a line, for scheduled jobs and analysts."""
    lines = [["table", "row", "column", "value", "percent"]]
    for table in report.tables:
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                lines.append([table.key, row.label, column.label, cell.shown_count(),
                              cell.shown_percent().rstrip("%") if column.share else ""])
    return csv_text(lines)


def report_json(report: Report, threshold: int) -> str:
    return json.dumps({
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "scope": report.scope.label,
        "suppression_threshold": threshold,
        "suppressed_marker": "suppressed: true",
        "tables": [as_json(table) for table in report.tables],
    }, ensure_ascii=False, indent=2)
