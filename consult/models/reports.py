"""Rollups for the participation figures.

`review_figures`: one narrow row per held review.

Counting a year of a national service from reviews, attendance, views and invitations
means joining millions of rows on every report; this table holds what the figures count
about each held review, so a report reads one narrow row per review instead. Database
triggers (in the migration that creates these tables) put the id of every review whose
facts may have changed into `review_figures_stale`; those rows are brought up to date
after the commit that marked them, or by the `refresh-figures` command
(`consult.figures.rollups`), and the reports only read.

`review_figures_monthly` and `review_figures_iro_monthly`: the sums of `review_figures`
per calendar month (and review type, age band and language; or IRO), so a year of the
whole service reads a few thousand rows, not one per review; `review_figures_daily` the
same per day, for the days of a period outside its whole months. Triggers on `review_figures`
add each row written there and take away each row deleted (also when a review is
erased), so these are never stale once `review_figures` is up to date.

`answer_figures`: the structured answers counted per day sent, audience, questionnaire,
question and value, so the whole service's answers are not counted from millions of
answer rows on each report. Triggers on invitations, responses and answers put every day
whose count may have changed into `answer_figures_stale`; those days are counted again
in the same way. `answer_figures_monthly` sums it per month, kept by triggers on
`answer_figures` as `review_figures_monthly` is.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.models.base import Base

# What the figures count about each review: whose views came by each channel (a role's views
# may come by several), and who attended (each role group once).
VIEWS_ROLES = ("child", "foster_carer", "parent_or_family")
VIEWS_GIVEN = ("online", "paper", "verbal", "advocate")
ATTENDANCE_KEYS = ("att_child", "att_foster_carer", "att_parent_or_family",
                   "att_supervising_social_worker", "att_partner_agency", "att_social_worker",
                   "att_advocate", "att_interpreter")
VIEWS_COLUMNS = tuple(f"views_{role}_{channel}" for role in VIEWS_ROLES
                      for channel in VIEWS_GIVEN)
FIGURE_COLUMNS = (
    "review_type", "in_time", "participation_code", "iro_id", "language", "age_band",
    *ATTENDANCE_KEYS, *VIEWS_COLUMNS,
)
# A mixin of one small integer column (0 or 1) per attendance group and per role's channel.
ReviewFlags = type("ReviewFlags", (), {
    name: mapped_column(SmallInteger, nullable=False)
    for name in (*ATTENDANCE_KEYS, *VIEWS_COLUMNS)})


class ReviewFigures(ReviewFlags, Base):
    __tablename__ = "review_figures"
    __table_args__ = (
        Index("ix_review_figures_held_on", "held_on", postgresql_include=list(FIGURE_COLUMNS)),
        Index("ix_review_figures_iro_id_held_on", "iro_id", "held_on"),
    )

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    held_on: Mapped[date]
    review_type: Mapped[str] = mapped_column(String(12))
    in_time: Mapped[int] = mapped_column(SmallInteger)
    participation_code: Mapped[str | None] = mapped_column(String(3))
    iro_id: Mapped[int]
    language: Mapped[str] = mapped_column(String(10))
    age_band: Mapped[str] = mapped_column(String(12))
    # att_*: 1 when someone of that role group attended. views_<role>_<channel>: 1 when that
    # role's views reached the review by that channel (several may be 1, or none).

    # 1 when the meeting record was imported with neither attendance nor views (the 903
    # return has only the date and PN code): those are not recorded, rather than none.
    unrecorded: Mapped[int] = mapped_column(SmallInteger)


class ReviewFiguresStale(Base):
    """Reviews whose row in review_figures must be worked out again. Filled by triggers."""

    __tablename__ = "review_figures_stale"

    review_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


# What the monthly sums hold: how many held reviews, and of those how many had each value.
# The review figures are worked out from these; views_<role>_any: by one channel or more.
PARTICIPATION_CODES = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
MONTHLY_MEASURES = (
    "held", "in_time", *ATTENDANCE_KEYS, *VIEWS_COLUMNS,
    *(f"views_{role}_any" for role in VIEWS_ROLES),
    *(f"pn_{code.lower()}" for code in PARTICIPATION_CODES), "pn_none", "unrecorded",
)


# A mixin holding one integer column per measure (SQLAlchemy copies them to each table).
MonthlyMeasures = type("MonthlyMeasures", (), {
    name: mapped_column(Integer, nullable=False) for name in MONTHLY_MEASURES})


class ReviewFiguresMonthly(MonthlyMeasures, Base):
    """Sums of review_figures per month (its first day), review type, age band and language."""

    __tablename__ = "review_figures_monthly"

    month: Mapped[date] = mapped_column(primary_key=True)
    review_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(12), primary_key=True)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)


class ReviewFiguresDaily(MonthlyMeasures, Base):
    """Sums of review_figures per day held, review type, age band and language: for the days
    of a period outside its whole months."""

    __tablename__ = "review_figures_daily"

    held_on: Mapped[date] = mapped_column(primary_key=True)
    review_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(12), primary_key=True)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)


class ReviewFiguresIroMonthly(MonthlyMeasures, Base):
    """Sums of review_figures per month (its first day) and IRO."""

    __tablename__ = "review_figures_iro_monthly"

    month: Mapped[date] = mapped_column(primary_key=True)
    iro_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class AnswerFigures(Base):
    """Structured answers per UTC day sent, audience, questionnaire, kind, question and value.

    kind 'respondents': the forms sent (question and value empty); 'question': the forms in
    which the question was answered (value empty); 'value': the forms with that answer.
    """

    __tablename__ = "answer_figures"

    sent_on: Mapped[date] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    questionnaire_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(60), primary_key=True)
    forms: Mapped[int]


class AnswerFiguresMonthly(Base):
    """Sums of answer_figures per month (its first day)."""

    __tablename__ = "answer_figures_monthly"

    month: Mapped[date] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    questionnaire_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(60), primary_key=True)
    forms: Mapped[int]


class AnswerFiguresStale(Base):
    """Days whose rows in answer_figures must be counted again. Filled by triggers."""

    __tablename__ = "answer_figures_stale"

    sent_on: Mapped[date] = mapped_column(primary_key=True)
