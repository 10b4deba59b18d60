"""reconcile-903 names each planted difference between the council's Reviews table and ours."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from consult.extensions import db
from consult.imports.ssda903.apply import import_903
from consult.imports.ssda903.reconcile import Kind, reconcile
from consult.models import ParticipationCode, Review
from consult.schedule import REGULATIONS_2010
from tests.ssda903.conftest import TODAY, write, year_files

FIRST, LAST = date(2023, 4, 1), date(2024, 3, 31)


def _imported(generated, council) -> list[str]:
    assert import_903(year_files(generated, 0), by=council, today=TODAY,
                      timetable=REGULATIONS_2010).errors == []
    db.session.commit()
    return generated.years[0].tables["Reviews"].splitlines()


def test_the_councils_own_table_matches_what_was_imported(generated, council):
    lines = _imported(generated, council)

    result = reconcile("reviews.csv", "\r\n".join(lines).encode(), FIRST, LAST)

    assert result.problems == [] and result.differences == []
    assert result.ours == result.theirs == len(lines) - 1


def test_each_planted_difference_is_named(generated, council, cli, tmp_path):
    lines = _imported(generated, council)
    header, rows = lines[0], lines[1:]
    only_theirs, moved, dropped = rows[0], rows[3], rows[9]
    recoded = next(row for row in rows[10:] if not row.endswith("PN0"))
    child, dob, day, code = moved.split(",")
    moved_day = date(int(day[6:]), int(day[3:5]), int(day[:2]))
    new_day = moved_day.replace(day=1) if moved_day.day > 3 else moved_day.replace(day=5)
    council_rows = [row for row in rows if row not in (dropped, moved, recoded)]
    council_rows.append(f"{child},{dob},{new_day:%d/%m/%Y},{code}")
    r_child, r_dob, r_day, r_code = recoded.split(",")
    other_code = "PN7" if r_code != "PN7" else "PN6"
    council_rows.append(f"{r_child},{r_dob},{r_day},{other_code}")
    # A review only in ours: remove it from the council's file. One only in theirs: delete
    # it from ours.
    t_child, _dob, t_day, _code = only_theirs.split(",")
    ours_gone = next(r for r in db.session.scalars(select(Review))
                     if r.child.case_ref == t_child and f"{r.held_on:%d/%m/%Y}" == t_day)
    db.session.delete(ours_gone)
    db.session.commit()
    path = write(tmp_path, [("reviews.csv", "\r\n".join([header, *council_rows]).encode())])[0]

    result = reconcile("reviews.csv", (tmp_path / "reviews.csv").read_bytes(), FIRST, LAST)
    shown = cli.invoke(args=["reconcile-903", path, "--from", "2023-04-01",
                             "--to", "2024-03-31"])

    found = {(d.kind, d.child) for d in result.differences}
    assert (Kind.ONLY_THEIRS, t_child) in found
    assert (Kind.ONLY_OURS, dropped.split(",")[0]) in found
    assert (Kind.DATE, child) in found
    assert (Kind.CODE, r_child) in found
    assert len(result.differences) == 4
    assert shown.exit_code == 0
    for difference in result.differences:
        assert str(difference) in shown.output
    assert (f"CHILD {child}: the review is on {moved_day:%d/%m/%Y} in ours, "
            f"{new_day:%d/%m/%Y} in the council's.") in shown.output


def test_a_pn_code_changed_in_ours_is_named(generated, council):
    lines = _imported(generated, council)
    review = db.session.scalars(select(Review).where(
        Review.participation_code == ParticipationCode.PN5)).first()
    review.participation_code = ParticipationCode.PN6
    db.session.commit()

    result = reconcile("reviews.csv", "\r\n".join(lines).encode(), FIRST, LAST)

    assert [str(d) for d in result.differences] == [
        f"CHILD {review.child.case_ref}: review of {review.held_on:%d/%m/%Y} has PN6 in ours, "
        "PN5 in the council's."]
