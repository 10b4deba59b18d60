"""Periods of care: a child may be looked after more than once (SSDA903 episodes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base
from consult.models.children import Child


class CarePeriod(Base):
    """One period of being looked after, from the day it started (an episode with RNE = S
    in the 903 return) to the day it ended (the REC of its last episode), if it has.

    `short_breaks_only`: every episode of the period was a short break (legal status V3 or
    V4); such a period has no statutory reviews (DfE rule 399).
    """

    __tablename__ = "care_periods"
    __table_args__ = (UniqueConstraint("child_id", "started_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"),
                                          index=True)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    # Why it ended: the 903 reason episode ceased code (E11, E4A ...), or "closed" when
    # staff closed the record by hand.
    end_reason: Mapped[str | None] = mapped_column(String(8))
    short_breaks_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    child: Mapped[Child] = relationship(back_populates="periods")

    def includes(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)
