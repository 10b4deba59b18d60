from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.models.base import Base, utcnow
from consult.models.invitations import Invitation


class Response(Base):
    """What one invited person answered, in the questionnaire version they saw."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    questionnaire_key: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[int]
    language: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    submitted_at: Mapped[datetime | None]

    invitation: Mapped[Invitation] = relationship(back_populates="response")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id")
    free_texts: Mapped[list[FreeTextAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="FreeTextAnswer.id")


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
    text: Mapped[str] = mapped_column(Text)
    only_for_iro: Mapped[bool] = mapped_column(default=False, server_default=false())

    response: Mapped[Response] = relationship(back_populates="free_texts")
