from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, enum_type, utcnow
from consult.models.children import Child


class ReviewType(enum.StrEnum):
    INITIAL = "initial"
    SECOND = "second"
    SUBSEQUENT = "subsequent"


class ReviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    review_type: Mapped[ReviewType] = mapped_column(enum_type(ReviewType, "review_type"))
    due_on: Mapped[date]
    scheduled_for: Mapped[datetime | None]
    held_on: Mapped[date | None]
    status: Mapped[ReviewStatus] = mapped_column(
        enum_type(ReviewStatus, "review_status"), default=ReviewStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    child: Mapped[Child] = relationship(back_populates="reviews")
    invitations: Mapped[list[Invitation]] = relationship(  # noqa: F821 - invitations.py
        back_populates="review", order_by="Invitation.id")

    @property
    def meeting_date(self) -> date:
        """The day the meeting happens, or is due to happen if no date is set yet."""
        if self.held_on:
            return self.held_on
        if self.scheduled_for:
            return self.scheduled_for.date()
        return self.due_on
