from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from consult.models.base import Base, enum_type, utcnow


class AlertEvent(enum.StrEnum):
    NEW_SUBMISSION = "new_submission"
    NEW_REQUEST = "new_request"
    NEW_URGENT_REQUEST = "new_urgent_request"


class AlertOutbox(Base):
    """An email alert waiting to be sent, or sent: written in the same transaction as the
    submission or request it announces, and sent later by `flask send-alerts`.

    It holds no personal content: the event, the address, and the path of a staff page.
    """

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_sent_at_next_attempt_at",
                            "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[AlertEvent] = mapped_column(enum_type(AlertEvent, "alert_event"))
    recipient: Mapped[str] = mapped_column(String(254))
    staff_path: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[datetime | None]
    # The exception's class name only: an SMTP reply can echo the message back.
    last_error: Mapped[str | None] = mapped_column(String(60))
