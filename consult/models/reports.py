"""A rollup for the participation figures: one narrow row per held review.

Counting a year of a national service from reviews, attendance, views and invitations
means joining millions of rows on every report; this table holds what the figures count
about each held review, so a report reads one narrow row per review instead. Database
triggers (in the migration that creates these tables) put the id of every review whose
facts may have changed into `review_figures_stale`; the reports bring those rows up to
date before they count (`consult.reports.figures.refresh_review_figures`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.models.base import Base

FIGURE_COLUMNS = (
    "review_type", "in_time", "participation_code", "iro_id", "language", "age_band",
    "att_child", "att_foster_carer", "att_parent_or_family", "att_supervising_social_worker",
    "att_partner_agency", "views_child", "views_foster_carer", "views_parent_or_family",
)


class ReviewFigures(Base):
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
    att_child: Mapped[int] = mapped_column(SmallInteger)
    att_foster_carer: Mapped[int] = mapped_column(SmallInteger)
    att_parent_or_family: Mapped[int] = mapped_column(SmallInteger)
    att_supervising_social_worker: Mapped[int] = mapped_column(SmallInteger)
    att_partner_agency: Mapped[int] = mapped_column(SmallInteger)
    # The channel by which that role's views reached the review, or None if they did not.
    views_child: Mapped[str | None] = mapped_column(String(10))
    views_foster_carer: Mapped[str | None] = mapped_column(String(10))
    views_parent_or_family: Mapped[str | None] = mapped_column(String(10))


class ReviewFiguresStale(Base):
    """Reviews whose row in review_figures must be worked out again. Filled by triggers."""

    __tablename__ = "review_figures_stale"

    review_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
