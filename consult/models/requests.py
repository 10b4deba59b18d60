from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, enum_type, utcnow
from consult.models.children import Child
from consult.models.encrypted import EncryptedText
from consult.models.invitations import Invitation
from consult.models.staff import StaffUser


class RequestKind(enum.StrEnum):
    INDEPENDENT_VISITOR = "independent_visitor"
    ADVOCATE = "advocate"
    TALK_TO_IRO = "talk_to_iro"
    URGENT = "urgent"  # "I'm worried or feel unsafe now", sent from the help page


class RequestState(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    REFERRED = "referred"
    MATCHED = "matched"
    RESOLVED = "resolved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class RequestSource(enum.StrEnum):
    CONSULTATION = "consultation"  # from a child's secret link
    PUBLIC_FORM = "public_form"  # no link: the person gave a name and a way to reach them
    HELP_PAGE = "help_page"


class HelpRequest(Base):
    """A child asking for an independent visitor, an advocate or a talk with their IRO.

    `child_id` is known when the request came through a consultation link; a public
    form's request carries only what the person typed until staff link it to a child.
    """

    __tablename__ = "help_requests"
    # created_at alone: the participation figures count the requests made in a period.
    __table_args__ = (Index("ix_help_requests_state_created_at", "state", "created_at"),
                      Index("ix_help_requests_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequestKind] = mapped_column(enum_type(RequestKind, "request_kind"))
    state: Mapped[RequestState] = mapped_column(
        enum_type(RequestState, "request_state"), default=RequestState.NEW)
    source: Mapped[RequestSource] = mapped_column(enum_type(RequestSource, "request_source"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    # Encrypted at rest: the child's own words and how to reach them.
    message: Mapped[str | None] = mapped_column(EncryptedText)
    contact_name: Mapped[str | None] = mapped_column(EncryptedText)
    contact_detail: Mapped[str | None] = mapped_column(EncryptedText)
    # The language the person asked in, so staff know how to reply.
    language: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    child: Mapped[Child | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    events: Mapped[list[HelpRequestEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="HelpRequestEvent.id")


class HelpRequestEvent(Base):
    """One change of a request's state: when, from what, to what, and by whom."""

    __tablename__ = "help_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[RequestState | None] = mapped_column(
        enum_type(RequestState, "request_event_from_state"))
    to_state: Mapped[RequestState] = mapped_column(
        enum_type(RequestState, "request_event_to_state"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    request: Mapped[HelpRequest] = relationship(back_populates="events")
    staff: Mapped[StaffUser | None] = relationship()
