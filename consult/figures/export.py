"""Figures leaving the app: CSV with formula-safe cells, JSON for analysts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from consult.figures.report import Report
from consult.figures.tables import as_json, body, header, no_cycle_collection

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_writer() -> tuple[io.StringIO, object]:
    out = io.StringIO()
    return out, csv.writer(out, lineterminator="\r\n")


def csv_text(lines: Iterable[Iterable[object]]) -> str:
    out, writer = _csv_writer()
    for line in lines:
        writer.writerow([guard_cell(value) for value in line])
    return out.getvalue()


def table_csv(report: Report, key: str) -> str:
    table = report.table(key)
    return csv_text([header(table), *body(table)])


def report_csv(report: Report) -> str:
    """Every table in one file, one figure a line, for scheduled jobs and analysts."""
    # Each table's key and each row's and column's label guarded once, not on every line:
    # the whole service's tables are some 50,000 lines.
    out, writer = _csv_writer()
    writer.writerow(["table", "row", "column", "value", "percent"])
    with no_cycle_collection():
        for table in report.tables:
            key = guard_cell(table.key)
            columns = [(guard_cell(column.label), column.share) for column in table.columns]
            for row in table.rows:
                label = guard_cell(row.label)
                writer.writerows(
                    (key, label, column_label, guard_cell(cell.shown_count()),
                     guard_cell(cell.shown_percent().rstrip("%")) if share else "")
                    for (column_label, share), cell in zip(columns, row.cells, strict=True))
    return out.getvalue()


def report_json(report: Report, threshold: int) -> str:
    """On one line: indented, the whole service's tables took seven times as long to write
    (Python's fast encoder does not indent). `jq .` lays it out for reading."""
    with no_cycle_collection():
        return json.dumps({
            "period": {"from": report.period.start.isoformat(),
                       "to": report.period.end.isoformat()},
            "scope": report.scope.label,
            "suppression_threshold": threshold,
            "suppressed_marker": "suppressed: true",
            "tables": [as_json(table) for table in report.tables],
        }, ensure_ascii=False)
