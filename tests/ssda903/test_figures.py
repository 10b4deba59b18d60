"""`report --format json` over the generated 903 files gives the figures that follow from
them, counted here from the generator's own truth."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from consult.extensions import db
from consult.imports.ssda903.apply import import_903
from consult.schedule import REGULATIONS_2010
from tests.ssda903.conftest import TODAY, year_files


def _shown(count: int) -> dict:
    return {"count": count}


def _counts(cells: list[dict]) -> list[dict]:
    return [{key: value for key, value in cell.items() if key != "percent"} for cell in cells]


@pytest.mark.parametrize("start_year", [2023, 2024])
def test_the_report_counts_what_the_generated_files_hold(generated, council, app, cli,
                                                         start_year):
    # Exact figures, for checking: a threshold of 1 hides no count.
    app.config["REPORT_SUPPRESSION_THRESHOLD"] = 1
    for index in (0, 1):
        assert import_903(year_files(generated, index), by=council, today=TODAY,
                          timetable=REGULATIONS_2010).errors == []
    db.session.commit()
    reviews = [review for _child, review in generated.reviews_in(start_year)]
    held = Counter(review.review_type for review in reviews)
    in_time = Counter(review.review_type for review in reviews if review.in_time)
    codes = Counter(review.code for review in reviews)
    assert held["initial"] and held["subsequent"] and codes["PN0"], "a varied year"

    done = cli.invoke(args=["report", "--from", f"{start_year}-04-01",
                            "--to", f"{start_year + 1}-03-31", "--format", "json"])

    assert done.exit_code == 0, done.output
    tables = {table["key"]: table for table in json.loads(done.output)["tables"]}
    by_type = {row["key"]: _counts(row["cells"]) for row in tables["reviews_by_type"]["rows"]}
    for review_type in ("initial", "second", "subsequent"):
        assert by_type[review_type] == [_shown(held[review_type]), _shown(in_time[review_type])]
    assert by_type["all"] == [_shown(len(reviews)), _shown(sum(in_time.values()))]
    by_code = {row["key"]: _counts(row["cells"])
               for row in tables["participation_codes"]["rows"]}
    for code in ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"):
        assert by_code[code] == [_shown(codes[code])], code
    assert by_code["none"] == [_shown(0)]


def test_what_the_903_lacks_is_counted_as_not_recorded_never_as_none(generated, council, app,
                                                                    cli):
    from consult.figures.period import Period
    from consult.figures.report import Scope, build_report

    assert import_903(year_files(generated, 0), by=council, today=TODAY,
                      timetable=REGULATIONS_2010).errors == []
    db.session.commit()
    held = len(generated.reviews_in(2023))

    report = build_report(Period.council_year(2023), Scope())

    attendance = {row.key: row.cells[0] for row in report.table("attendance_by_role").rows}
    assert (attendance["not_recorded"].count, attendance["not_recorded"].denominator) == (
        held, held)
    assert attendance["child"].count == 0 and attendance["child"].percent is None
    views = {row.key: row.cells for row in report.table("views_by_role").rows}
    assert views["not_recorded"][-1].count == held
    assert all(cell.percent is None for cell in views["child"])
    by_type = report.table("by_review_type").rows
    assert all(row.cells[5].percent is None for row in by_type)  # the child attended
