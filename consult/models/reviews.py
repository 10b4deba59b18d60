from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, enum_type, utcnow
from consult.models.children import Child
from consult.models.encrypted import EncryptedText
from consult.models.staff import StaffUser

# Meetings happen in England: the day of a meeting is its day on the clock in London.
LOCAL_TIME = ZoneInfo("Europe/London")


class ReviewType(enum.StrEnum):
    INITIAL = "initial"
    SECOND = "second"
    SUBSEQUENT = "subsequent"


class ReviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class ParticipationCode(enum.StrEnum):
    """How the child took part, as coded in the DfE SSDA903 return."""

    PN0 = "PN0"  # under 4 at the time of the review
    PN1 = "PN1"  # attends and speaks for self
    PN2 = "PN2"  # attends, an advocate speaks for them
    PN3 = "PN3"  # attends, conveys views non-verbally
    PN4 = "PN4"  # attends, does not convey views
    PN5 = "PN5"  # does not attend, briefs an advocate
    PN6 = "PN6"  # does not attend, conveys views by another medium
    PN7 = "PN7"  # does not attend, views not conveyed


class AttendeeRole(enum.StrEnum):
    CHILD = "child"
    FOSTER_CARER = "foster_carer"
    PARENT = "parent"
    FAMILY_MEMBER = "family_member"
    SUPERVISING_SOCIAL_WORKER = "supervising_social_worker"
    PARTNER_AGENCY = "partner_agency"
    SOCIAL_WORKER = "social_worker"  # the child's own social worker
    ADVOCATE = "advocate"
    INTERPRETER = "interpreter"


class ConsultedRole(enum.StrEnum):
    """The roles whose views the annual report counts (seed §3.3)."""

    CHILD = "child"
    FOSTER_CARER = "foster_carer"
    PARENT_OR_FAMILY = "parent_or_family"


class ViewsChannel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    VERBAL = "verbal"
    ADVOCATE = "advocate"
    NONE = "none"


class RecordSource(enum.StrEnum):
    """Who wrote a held review's meeting record: the IRO on the review page, or an import
    from the council's files (the 903 return carries only the date and PN code)."""

    STAFF = "staff"
    IMPORT = "import"


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
    # The IRO who chaired this review: the child's IRO may change between reviews.
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    participation_code: Mapped[ParticipationCode | None] = mapped_column(
        enum_type(ParticipationCode, "participation_code"))
    # None for a review not held, and for records kept before this was tracked (which an
    # import treats as the IRO's own).
    record_source: Mapped[RecordSource | None] = mapped_column(
        enum_type(RecordSource, "record_source"))
    decisions_sent_on: Mapped[date | None]
    record_sent_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    child: Mapped[Child] = relationship(back_populates="reviews")
    chair: Mapped[StaffUser | None] = relationship()
    attendance: Mapped[list[ReviewAttendance]] = relationship(
        back_populates="review", cascade="all, delete-orphan")
    views_received: Mapped[list[ReviewViews]] = relationship(
        back_populates="review", cascade="all, delete-orphan")
    invitations: Mapped[list[Invitation]] = relationship(  # noqa: F821 - invitations.py
        back_populates="review", order_by="Invitation.id")
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review", cascade="all, delete-orphan",
        order_by="ReviewDecision.position")
    wish_answers: Mapped[list[WishAnswer]] = relationship(
        back_populates="review", cascade="all, delete-orphan",
        order_by="WishAnswer.question_key")

    @property
    def meeting_date(self) -> date:
        """The day the meeting happens, or is due to happen if no date is set yet."""
        return meeting_day(self.held_on, self.scheduled_for, self.due_on)


def meeting_day(held_on: date | None, scheduled_for: datetime | None, due_on: date) -> date:
    """`Review.meeting_date` from the three columns, for code that reads them as rows."""
    if held_on:
        return held_on
    if scheduled_for:
        return scheduled_for.astimezone(LOCAL_TIME).date()
    return due_on


class ReviewAttendance(Base):
    """One role present at a held review: a row per role, so SQL counts attendance."""

    __tablename__ = "review_attendance"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[AttendeeRole] = mapped_column(
        enum_type(AttendeeRole, "attendee_role"), primary_key=True)

    review: Mapped[Review] = relationship(back_populates="attendance")


class ReviewViews(Base):
    """One channel by which one role's views reached a review, as the IRO recorded it after
    the meeting: a row per role and channel, since views often come more than one way (a
    form online and what the child said to the IRO). "none" stands alone for its role.

    This is the record the participation figures count; an online submission is
    offered as the default when the IRO records the meeting, but paper, verbal and
    advocate channels only exist here.
    """

    __tablename__ = "review_views"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[ConsultedRole] = mapped_column(
        enum_type(ConsultedRole, "consulted_role"), primary_key=True)
    channel: Mapped[ViewsChannel] = mapped_column(
        enum_type(ViewsChannel, "views_channel"), primary_key=True)

    review: Mapped[Review] = relationship(back_populates="views_received")


class ReviewDecision(Base):
    """One decision made at a held review: what, who does it, by when, and when it was done.

    What and who are free text, encrypted at rest like everything else people write. The
    next review's page lists them as "agreed last time".
    """

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    what: Mapped[str] = mapped_column(EncryptedText)
    who: Mapped[str] = mapped_column(EncryptedText)
    due_on: Mapped[date]
    done_on: Mapped[date | None]

    review: Mapped[Review] = relationship(back_populates="decisions")


class WishAnswer(Base):
    """The IRO's "you said, we did": their answer, encrypted, to one thing the child asked
    for in their before-the-review form (the answer to the question `question_key`)."""

    __tablename__ = "review_wish_answers"
    __table_args__ = (UniqueConstraint("review_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # key rotation walks rows by id
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(60))
    answer: Mapped[str] = mapped_column(EncryptedText)

    review: Mapped[Review] = relationship(back_populates="wish_answers")
