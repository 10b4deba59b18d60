from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.i18n import SOURCE_LOCALE
from consult.models.base import Base, utcnow
from consult.models.staff import StaffUser


class Child(Base):
    """A child looked after: only what their reviews need. No address, no surname."""

    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(40), unique=True)
    preferred_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date]
    preferred_language: Mapped[str] = mapped_column(String(10), default=SOURCE_LOCALE)
    # The start and end of the current (latest) period of care; every period, earlier ones
    # included, is in `periods` (kept in step by consult.care_periods).
    looked_after_since: Mapped[date]
    ceased_on: Mapped[date | None]
    # Unaccompanied asylum-seeking children get the questions about the asylum process,
    # interpreters and family tracing.
    unaccompanied_asylum_seeking: Mapped[bool] = mapped_column(
        default=False, server_default=false())
    iro_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    iro: Mapped[StaffUser] = relationship(foreign_keys=[iro_id])
    social_worker: Mapped[StaffUser | None] = relationship(foreign_keys=[social_worker_id])
    reviews: Mapped[list[Review]] = relationship(  # noqa: F821 - defined in reviews.py
        back_populates="child", order_by="Review.due_on")
    periods: Mapped[list[CarePeriod]] = relationship(  # noqa: F821 - defined in care.py
        back_populates="child", order_by="CarePeriod.started_on",
        cascade="all, delete-orphan", passive_deletes=True)
    # Concerns from the child's answers that their IRO has not acknowledged yet, oldest first.
    open_concerns: Mapped[list[RaisedConcern]] = relationship(  # noqa: F821 - in concerns.py
        primaryjoin="and_(Child.id == RaisedConcern.child_id, "
                    "RaisedConcern.acknowledged_at.is_(None))",
        order_by="(RaisedConcern.raised_at, RaisedConcern.id)", viewonly=True)

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday
