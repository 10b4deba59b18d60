"""Suppression of small numbers, formula-safe CSV, and the `report` command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.figures.export import csv_text, guard_cell
from consult.figures.tables import Cell, Column, Row, Table, suppress
from consult.models import AuditEvent
from tests.reports.dataset import build_year


def _table(counts, total, partitions=True):
    rows = tuple(Row(str(n), f"Row {n}", (Cell(count, total),)) for n, count in enumerate(counts))
    return Table(key="t", title="T", definition="", numerator="", denominator="",
                 columns=(Column("n", "N", share=True),), rows=rows,
                 partitions=((tuple((r, 0) for r in range(len(counts)))),) if partitions else ())


def shown(table):
    return [row.cells[0].shown_count() for row in table.rows]


def test_counts_below_the_threshold_are_hidden_zero_is_not():
    table = suppress(_table([0, 4, 20, 30], 54, partitions=False), 5)
    assert shown(table) == ["0", "[c]", "20", "30"]
    assert [row.cells[0].shown_percent() for row in table.rows] == ["0%", "[c]", "37%", "56%"]


def test_a_lone_hidden_cell_in_a_total_takes_the_next_smallest_with_it():
    # 54 - 20 - 30 would give the 4 away; hiding the 20 as well protects it.
    assert shown(suppress(_table([4, 20, 30], 54), 5)) == ["[c]", "[c]", "30"]
    # Two hidden cells already protect each other.
    assert shown(suppress(_table([4, 3, 30], 37), 5)) == ["[c]", "[c]", "30"]


def test_zeros_are_hidden_where_they_would_point_at_the_few():
    # Three reviews in all: showing the zeros would say which row all three are in.
    assert shown(suppress(_table([0, 3, 0, 0], 3), 5)) == ["[c]"] * 4
    # Among many, a zero points at no one and is shown.
    assert shown(suppress(_table([0, 3, 4, 30], 37), 5)) == ["0", "[c]", "[c]", "30"]


def test_a_total_row_cannot_rebuild_a_hidden_kind(app):
    from datetime import UTC, datetime

    from consult.figures.period import Period
    from consult.figures.report import Scope, build_report, suppressed
    from consult.models import HelpRequest, RequestKind, RequestSource, RequestState
    for kind, how_many in ((RequestKind.INDEPENDENT_VISITOR, 9), (RequestKind.ADVOCATE, 2),
                           (RequestKind.TALK_TO_IRO, 7), (RequestKind.URGENT, 6)):
        for _ in range(how_many):
            db.session.add(HelpRequest(kind=kind, state=RequestState.NEW,
                                       source=RequestSource.PUBLIC_FORM,
                                       created_at=datetime(2015, 5, 4, tzinfo=UTC)))
    db.session.commit()
    report = suppressed(build_report(Period.council_year(2015), Scope()), 5)
    requests = report.table("requests")
    # 24 in all, less 9, 7 and 6, would give the 2 advocate requests away.
    assert [row.cells[0].shown_count() for row in requests.rows] == [
        "9", "[c]", "7", "[c]", "24"]


def test_a_share_of_a_hidden_count_is_hidden():
    table = Table(key="t", title="T", definition="", numerator="", denominator="",
                  columns=(Column("held", "Held"), Column("in_time", "In time", share=True)),
                  rows=(Row("a", "A", (Cell(3), Cell(3, 3))), Row("b", "B", (Cell(9), Cell(6, 9)))),
                  partitions=(((0, 0), (1, 0)),),
                  denominators=(((0, 1), (0, 0)), ((1, 1), (1, 0))))
    result = suppress(table, 5)
    # 3 is small; 9 goes with it (a total elsewhere would give 3 away), and so do their shares.
    assert [[cell.shown_count() for cell in row.cells] for row in result.rows] == [
        ["[c]", "[c]"], ["[c]", "[c]"]]


def test_a_threshold_of_one_hides_nothing():
    assert shown(suppress(_table([1, 2, 3], 6), 1)) == ["1", "2", "3"]


def test_csv_cells_cannot_start_a_formula():
    for dangerous in ("=1+1", "+44", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert guard_cell(dangerous) == "'" + dangerous
    assert guard_cell("Foster carer") == "Foster carer"
    assert guard_cell(12) == "12"
    rows = list(csv.reader(io.StringIO(csv_text([["=HYPERLINK(\"x\")", "3"]]))))
    assert rows == [["'=HYPERLINK(\"x\")", "3"]]


def test_cli_prints_suppressed_json_and_audits(cli, app):
    build_year()
    result = cli.invoke(args=["report", "--from", "2015-04-01", "--to", "2016-03-31",
                              "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == {"from": "2015-04-01", "to": "2016-03-31"}
    assert data["suppression_threshold"] == 5
    by_type = next(table for table in data["tables"] if table["key"] == "reviews_by_type")
    assert by_type["rows"][3]["cells"][0] == {"count": 5, "percent": 100}
    assert by_type["rows"][0]["cells"][0] == {"suppressed": True}
    assert "Amanuel" not in result.output and "listens to me" not in result.output
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.exported")).one()
    assert event.details["source"] == "cli" and event.actor_staff_id is None


def test_cli_prints_csv_for_one_iro(cli, app):
    year = build_year()
    result = cli.invoke(args=["report", "--from", "2015-04-01", "--to", "2016-03-31",
                              "--format", "csv", "--iro", year.iro_a.email])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["table", "row", "column", "value", "percent"]
    assert ["attendance_by_role", "Foster carer", "Reviews attended", "[c]", "[c]"] in rows


def test_cli_refuses_bad_input_with_a_message(cli, app):
    result = cli.invoke(args=["report", "--from", "2016-04-01", "--to", "2015-04-01"])
    assert result.exit_code == 2
    assert "must be the same as or after the first day" in result.output
    unknown = cli.invoke(args=["report", "--iro", "nobody@example.com"])
    assert unknown.exit_code == 2 and "no IRO has this email address" in unknown.output


def test_the_cycle_collector_is_paused_only_while_a_report_is_made():
    import gc

    from consult.figures.tables import no_cycle_collection
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), no_cycle_collection():
        assert not gc.isenabled()
        1 / 0  # noqa: B018 - fails inside, and the collector still comes back
    assert gc.isenabled()
    gc.disable()
    try:
        with no_cycle_collection():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_refresh_figures_brings_the_rollups_up_to_date_before_any_report(cli, app):
    from consult.models import AnswerFiguresStale, ReviewFigures, ReviewFiguresStale
    from tests.reports.dataset import mark_everything

    build_year()  # brought up to date as it commits; then marked as a migration marks
    mark_everything()
    marked = db.session.scalar(select(db.func.count()).select_from(ReviewFiguresStale))
    days = db.session.scalar(select(db.func.count()).select_from(AnswerFiguresStale))
    assert marked > 0 and days > 0
    result = cli.invoke(args=["refresh-figures"])
    assert result.exit_code == 0, result.output
    assert f"Brought the figures of {marked} reviews and {days} days of answers" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(ReviewFiguresStale)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(AnswerFiguresStale)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(ReviewFigures)) > 0
    again = cli.invoke(args=["refresh-figures"])
    assert "Brought the figures of 0 reviews and 0 days of answers" in again.output
