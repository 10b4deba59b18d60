from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, enum_type, utcnow
from consult.models.encrypted import EncryptedText
from consult.models.invitations import Invitation
from consult.models.staff import StaffUser


class AlertEvent(enum.StrEnum):
    NEW_SUBMISSION = "new_submission"
    NEW_REQUEST = "new_request"
    NEW_URGENT_REQUEST = "new_urgent_request"
    NEW_CONCERN = "new_concern"  # a sent response's answers raised a concern
    # Not an alert to staff: an invitation emailed to a foster carer, parent or other adult.
    INVITATION = "invitation"
    # A staff account's own one-time set-up link, to its own address: when invited, and
    # when an administrator resets its sign-in. No administrator ever sees the link.
    STAFF_WELCOME = "staff_welcome"
    STAFF_RESET = "staff_reset"
    # To a staff member about their own account: attempts to sign in to it were slowed,
    # after wrong passwords or (the password being right) wrong codes.
    SIGN_IN_FAILURES = "sign_in_failures"
    CODE_FAILURES = "code_failures"


# A staff account's own set-up link, kept encrypted only until sent or withdrawn.
STAFF_SETUP_EVENTS = frozenset({AlertEvent.STAFF_WELCOME, AlertEvent.STAFF_RESET})


class AlertOutbox(Base):
    """An email waiting to be sent, or sent: written in the same transaction as what it
    announces, and sent later by `flask send-alerts`.

    An alert to staff holds no personal content: the event, the address, and the path of a
    staff page. An emailed invitation holds its invitation and the one thing that cannot be
    rebuilt, the link's token, encrypted and only until the email is sent or withdrawn; a
    staff set-up email the same, with its account instead of an invitation.
    """

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_sent_at_next_attempt_at",
                            "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[AlertEvent] = mapped_column(enum_type(AlertEvent, "alert_event"))
    recipient: Mapped[str] = mapped_column(String(254))
    # The staff page an alert links to; None for an emailed invitation.
    staff_path: Mapped[str | None] = mapped_column(String(200))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    # The secret link's token (an invitation's or a set-up link's): set to NULL once sent or
    # withdrawn, so the database never keeps a usable link longer than it takes to send it.
    link_token: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[datetime | None]
    # An emailed invitation whose link was replaced or withdrawn before it went: never sent.
    withdrawn_at: Mapped[datetime | None]
    # The exception's class name only: an SMTP reply can echo the message back.
    last_error: Mapped[str | None] = mapped_column(String(60))

    invitation: Mapped[Invitation | None] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship()
