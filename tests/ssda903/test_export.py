"""export-903-reviews: the Reviews table from the meeting records, checked against the DfE
review rules before it is written; each planted breach is refused until accepted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.imports.ssda903.apply import import_903
from consult.models import (
    CarePeriod,
    Child,
    ParticipationCode,
    RecordSource,
    Review,
    ReviewStatus,
    ReviewType,
)
from consult.schedule import REGULATIONS_2010
from tests.ssda903.conftest import TODAY, write, year_files

YEAR = ["--from", "2023-04-01", "--to", "2024-03-31"]


@pytest.fixture
def imported(generated, council):
    assert import_903(year_files(generated, 0), by=council, today=TODAY,
                      timetable=REGULATIONS_2010).errors == []
    db.session.commit()
    return generated


def _lines(text: str) -> list[str]:
    return text.strip().splitlines()


def test_the_export_of_the_imported_year_is_the_councils_reviews_table(imported, cli):
    done = cli.invoke(args=["export-903-reviews", *YEAR])

    assert done.exit_code == 0, done.output
    written = _lines(done.stdout)
    expected = _lines(imported.years[0].tables["Reviews"])
    assert written[0] == "CHILD,DOB,REVIEW,REVIEW_CODE"
    assert sorted(written[1:]) == sorted(expected[1:])
    assert done.stderr == ""


def _child(ref: str) -> Child:
    return db.session.scalar(select(Child).where(Child.case_ref == ref))


def _first_held(predicate) -> Review:
    return next(review for review in db.session.scalars(
        select(Review).where(Review.held_on.between(date(2023, 4, 1), date(2024, 3, 31)))
        .order_by(Review.id)) if predicate(review))


def _under_4(review: Review) -> bool:
    return review.child.age_on(review.held_on) < 4


def _plant(kind: str, generated) -> tuple[str, str, str]:
    """Plant one breach; (rule, CHILD, REVIEW) it should be named by."""
    if kind == "166":
        child = _child(generated.children[1].child_id)
        review = Review(child=child, status=ReviewStatus.HELD, review_type=ReviewType.SUBSEQUENT,
                        due_on=date(2024, 2, 1), participation_code=ParticipationCode.PN1,
                        record_source=RecordSource.STAFF)
        db.session.add(review)
        return "166", child.case_ref, ""
    if kind == "167":
        review = _first_held(lambda r: not _under_4(r))
        review.participation_code = None
    elif kind == "440":
        review = _first_held(lambda r: not _under_4(r) and r.child.age_on(r.held_on) > 4)
        review.participation_code = ParticipationCode.PN0
    elif kind == "441":
        review = _first_held(_under_4)
        review.participation_code = ParticipationCode.PN1
    elif kind == "399":
        true_child = next(c for c in generated.children if c.periods[0].short_breaks)
        child = _child(true_child.child_id)
        review = Review(child=child, status=ReviewStatus.HELD, review_type=ReviewType.INITIAL,
                        due_on=date(2024, 3, 20), held_on=date(2024, 3, 20),
                        participation_code=ParticipationCode.PN7)
        db.session.add(review)
    else:  # 1012: a child whose only period ended before the year, with a review in it
        child = Child(case_ref="OLD-1", preferred_name="Ola", date_of_birth=date(2010, 1, 1),
                      looked_after_since=date(2019, 1, 7), ceased_on=date(2020, 1, 6),
                      iro=_child(generated.children[0].child_id).iro,
                      periods=[CarePeriod(started_on=date(2019, 1, 7),
                                          ended_on=date(2020, 1, 6))])
        review = Review(child=child, status=ReviewStatus.HELD, review_type=ReviewType.INITIAL,
                        due_on=date(2023, 6, 1), held_on=date(2023, 6, 1),
                        participation_code=ParticipationCode.PN7)
        db.session.add(child)
    db.session.flush()
    return kind, review.child.case_ref, f"{review.held_on:%d/%m/%Y}"


@pytest.mark.parametrize("kind", ["166", "167", "399", "440", "441", "1012"])
def test_each_planted_breach_is_refused_until_accepted(imported, cli, kind):
    rule, child, review = _plant(kind, imported)
    db.session.commit()

    refused = cli.invoke(args=["export-903-reviews", *YEAR])
    accepted = cli.invoke(args=["export-903-reviews", *YEAR,
                                "--accept", f"{rule}:{child}:{review}"])

    assert refused.exit_code == 1 and refused.stdout == ""
    assert f"Rule {rule}: CHILD {child}, review {review or '(no date)'}" in refused.stderr
    assert "Nothing written: 1 breach(es)" in refused.stderr
    assert accepted.exit_code == 0, accepted.output
    assert f"Accepted: Rule {rule}: CHILD {child}" in accepted.stderr
    assert _lines(accepted.stdout)[0] == "CHILD,DOB,REVIEW,REVIEW_CODE"


def test_the_councils_header_finds_a_missing_child_and_a_different_dob(imported, cli,
                                                                      tmp_path):
    tables = imported.years[0].tables
    header = _lines(tables["Header"])
    reviewed = {line.split(",")[0] for line in _lines(tables["Reviews"])[1:]}
    dropped, changed = [line for line in header[1:] if line.split(",")[0] in reviewed][:2]
    wrong_dob = changed.replace(changed.split(",")[2], "01/01/2001")
    council_header = "\r\n".join(
        line if line != changed else wrong_dob for line in header if line != dropped) + "\r\n"
    paths = write(tmp_path, [("header.csv", council_header.encode()),
                             ("episodes.csv", tables["Episodes"].encode())])

    refused = cli.invoke(args=["export-903-reviews", *YEAR, *(
        arg for path in paths for arg in ("--check-against", path))])
    accepted = cli.invoke(args=["export-903-reviews", *YEAR, "--accept", "INT08",
                                "--accept", "INT17", *(
        arg for path in paths for arg in ("--check-against", path))])

    assert refused.exit_code == 1
    assert f"Rule INT08: CHILD {dropped.split(',')[0]}" in refused.stderr
    assert f"Rule INT17: CHILD {changed.split(',')[0]}" in refused.stderr
    assert {line.split(":")[0] for line in refused.stderr.splitlines()
            if line.startswith("Rule")} == {"Rule INT08", "Rule INT17"}
    assert accepted.exit_code == 0 and accepted.stdout.startswith("CHILD,DOB")
