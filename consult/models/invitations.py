from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, enum_type, utcnow
from consult.models.reviews import Review
from consult.models.staff import StaffUser


class InviteeRole(enum.StrEnum):
    CHILD = "child"
    FOSTER_CARER = "foster_carer"
    PARENT = "parent"
    FAMILY_MEMBER = "family_member"
    SOCIAL_WORKER = "social_worker"
    OTHER = "other"


class InvitationPurpose(enum.StrEnum):
    VIEWS = "views"  # before the review: what the person wants the review to hear
    FEEDBACK = "feedback"  # after the review: how the review and the IRO service were


class Invitation(Base):
    """One person's secret link to give their views before one review.

    The link's token is never stored: only its SHA-256, which is enough to find the row
    when the link is opened and useless to anyone who reads the database.
    """

    __tablename__ = "invitations"
    # Feedback forms by the day they were sent, for the quotes in the annual report pack:
    # a few in a hundred invitations, which the planner cannot find by sent_at alone.
    __table_args__ = (Index("ix_invitations_feedback_sent_at", "sent_at",
                            postgresql_where=text("purpose = 'feedback'"),
                            sqlite_where=text("purpose = 'feedback'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    role: Mapped[InviteeRole] = mapped_column(enum_type(InviteeRole, "invitee_role"))
    purpose: Mapped[InvitationPurpose] = mapped_column(
        enum_type(InvitationPurpose, "invitation_purpose"),
        default=InvitationPurpose.VIEWS, server_default=InvitationPurpose.VIEWS.value)
    invitee_name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(10))  # set by the IRO when creating the link
    # The language the person picked themselves, so it follows them to another device.
    chosen_language: Mapped[str | None] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The short code printed on a letter, to type in at /code: only its keyed hash is kept.
    short_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When the IRO gave the link or letter to the person; until then it is "not sent".
    handed_over_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    # When the person's form was sent (or their paper booklet typed in): the one time every
    # reader uses. Set once, by the claim that lets one send through (invitations.claim_send).
    # Indexed: the participation figures count forms by the day they were sent.
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    review: Mapped[Review] = relationship(back_populates="invitations")
    created_by: Mapped[StaffUser | None] = relationship()
    response: Mapped[Response | None] = relationship(  # noqa: F821 - responses.py
        back_populates="invitation")
    # Read with the invitation in one query on every page of the journey
    # (participation.session); written only through consult.drafts.
    draft: Mapped[ResponseDraft | None] = relationship(viewonly=True)  # noqa: F821 - responses.py
