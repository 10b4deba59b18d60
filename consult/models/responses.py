from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, utcnow
from consult.models.encrypted import EncryptedJSON, EncryptedText
from consult.models.invitations import Invitation
from consult.models.staff import StaffUser


class Response(Base):
    """What one invited person answered, in the questionnaire version they saw. When it was
    sent is the invitation's `sent_at`."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    questionnaire_key: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[int]
    language: Mapped[str] = mapped_column(String(10))
    # Made when the person reached "Check your answers" and sent with the form: a second
    # send of the same page (a double click, a resend after a lost reply) finds this row.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The keys of the questions the person was asked (their conditions held), so a
    # question left out reads as "not answered" and one never asked is not shown at all.
    asked: Mapped[list[str] | None] = mapped_column(JSON)

    invitation: Mapped[Invitation] = relationship(back_populates="response")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id")
    free_texts: Mapped[list[FreeTextAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="FreeTextAnswer.id")
    # Joined, not a query of its own: every page that shows a response says how it came.
    paper: Mapped[PaperResponse | None] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="joined")
    # The concerns its answers raised (the database deletes them with it).
    concerns: Mapped[list[RaisedConcern]] = relationship(  # noqa: F821 - in concerns.py
        order_by="RaisedConcern.id", viewonly=True)

    @property
    def from_paper(self) -> bool:
        return self.paper is not None


class Answer(Base):
    """A structured answer: one row per chosen option, so SQL can count them by key and value."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_key", "value"),
        Index("ix_answers_question_key_value", "question_key", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(60))

    response: Mapped[Response] = relationship(back_populates="answers")


class FreeTextAnswer(Base):
    """What someone wrote in their own words, kept apart from the countable answers.

    These are the most sensitive rows we hold: they never go into logs, emails or
    aggregates, and `only_for_iro` text is never shown to anyone but the child's IRO.
    """

    __tablename__ = "free_text_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(EncryptedText)
    only_for_iro: Mapped[bool] = mapped_column(default=False, server_default=false())

    response: Mapped[Response] = relationship(back_populates="free_texts")


class ResponseDraft(Base):
    """Answers saved at every Next, on the server, until they are sent.

    Kept apart from `responses` so that everything counted or read by staff has been sent,
    and nothing of a child's stays on the device they used: they resume from any browser
    by opening their link again. Deleted in the transaction that saves the response.
    """

    __tablename__ = "response_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    questionnaire_key: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[int]
    # Encrypted at rest like sent answers: it holds what the person has typed so far.
    answers: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    # The question to show when the person comes back; None: the check-your-answers page.
    resume_at: Mapped[str | None] = mapped_column(String(60))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now())


class PaperResponse(Base):
    """A response typed in by staff from a paper booklet, not sent through a link.

    Its answers are stored like any other response's; this row says who typed them in, so
    staff see where they came from and the figures count the paper channel, not online.
    """

    __tablename__ = "paper_responses"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    # When: the invitation's sent_at, set in the same transaction.
    typed_in_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))

    response: Mapped[Response] = relationship(back_populates="paper")
    typed_in_by: Mapped[StaffUser] = relationship(lazy="joined")
