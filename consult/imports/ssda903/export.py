"""The Reviews table of the 903 return, written from the IROs' meeting records.

One row per review held in the period: CHILD (our case reference), DOB, REVIEW (the day
it was held) and REVIEW_CODE (the PN code), dates as DD/MM/YYYY. Before it is written it
is checked against the DfE's review rules; the Header and Episodes it is checked against
are ours (each child's date of birth, and their periods of care in the period as
episodes), or the council's own 903 files when given.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from consult import care_periods
from consult.extensions import db
from consult.imports.ssda903.read import Files, read_files
from consult.imports.ssda903.rules import Breach, EpisodeDates, ReviewRow, check_reviews
from consult.models import Child, Review, ReviewStatus

COLUMNS = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
SHORT_BREAKS = "V3"  # how a short-breaks-only period is written as an episode


@dataclass
class ReviewsExport:
    rows: list[ReviewRow]
    breaches: list[Breach]
    problems: list[str]  # the council's files could not be read

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows((row.child, row.dob, row.review, row.code) for row in self.rows)
        return out.getvalue()


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def held_reviews(first: date, last: date) -> list[Review]:
    """Reviews held in the period, and any marked held without a date but due in it."""
    return list(db.session.scalars(
        select(Review).join(Child).where(
            Review.status == ReviewStatus.HELD,
            or_(Review.held_on.between(first, last),
                and_(Review.held_on.is_(None), Review.due_on.between(first, last))))
        .options(selectinload(Review.child).selectinload(Child.periods))
        .order_by(Child.case_ref, Review.held_on)))


def review_rows(reviews: list[Review]) -> list[ReviewRow]:
    return [ReviewRow(review.child.case_ref, _dmy(review.child.date_of_birth),
                      _dmy(review.held_on),
                      review.participation_code.value if review.participation_code else "")
            for review in reviews]


def _our_tables(reviews: list[Review], first: date, last: date):
    """Our Header (each child's date of birth) and Episodes (their periods of care that
    overlap the period, a short-breaks-only one with legal status V3)."""
    header, episodes = {}, {}
    for review in reviews:
        child = review.child
        header[child.case_ref] = _dmy(child.date_of_birth)
        episodes[child.case_ref] = [
            EpisodeDates(SHORT_BREAKS if period.short_breaks_only else "C2")
            for period in care_periods.periods_of(child) if period.started_on <= last
            and (period.ended_on is None or period.ended_on >= first)]
    return header, episodes


def _council_tables(found: Files):
    header = {row.cells["CHILD"]: row.cells["DOB"] for row in found.rows("Header")}
    episodes = defaultdict(list)
    for row in found.rows("Episodes"):
        episodes[row.cells["CHILD"]].append(EpisodeDates(row.cells["LS"]))
    return header, episodes


def export_reviews(first: date, last: date,
                   council_files: list[tuple[str, bytes]] | None = None) -> ReviewsExport:
    reviews = held_reviews(first, last)
    rows = review_rows(reviews)
    header, episodes = _our_tables(reviews, first, last)
    problems: list[str] = []
    if council_files:
        found = read_files(council_files)
        problems = [str(error) for error in found.errors]
        theirs_header, theirs_episodes = _council_tables(found)
        if "Header" in found.tables:
            header = theirs_header
        if "Episodes" in found.tables:
            episodes = theirs_episodes
    return ReviewsExport(rows, check_reviews(rows, header, episodes), problems)
