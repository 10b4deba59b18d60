from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base
from consult.models.children import Child
from consult.models.encrypted import EncryptedText
from consult.models.responses import Response
from consult.models.staff import StaffUser


class RaisedConcern(Base):
    """An answer in a sent response that needs the child's IRO's attention, and what the IRO
    did about it.

    Raised in the transaction that saves the response (online or typed in from paper), one
    row per concern (`concern_key`, a `Concern.key` of the questionnaire data) and the
    question that raised it. `acknowledged_at` is when the IRO recorded what they did; the
    note of it is free text, encrypted like every other.
    """

    __tablename__ = "concerns"
    __table_args__ = (
        UniqueConstraint("response_id", "concern_key"),
        # The caseload and the header count find a child's open concerns; the figures count
        # the concerns raised in a period.
        Index("ix_concerns_child_id_acknowledged_at", "child_id", "acknowledged_at"),
        Index("ix_concerns_raised_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(60))
    concern_key: Mapped[str] = mapped_column(String(60))
    raised_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    action_taken: Mapped[str | None] = mapped_column(EncryptedText)

    response: Mapped[Response] = relationship()
    child: Mapped[Child] = relationship()
    acknowledged_by: Mapped[StaffUser | None] = relationship()
