"""Saving a person's answers as their response, exactly once, however they came: sent
through their link or typed in by staff from a paper booklet. The rows it is saved as, and
the idempotency key that knows a second send of the same page, are made here too.

Two guards: the conditional claim on the invitation lets one request through, and the
unique invitation and idempotency key on `responses` refuse any second row even if a
claim were ever skipped. Nothing is half-saved: a failure rolls back all of it.
"""

from __future__ import annotations

import enum
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from consult import concerns, invitations
from consult.extensions import db
from consult.models import Answer, FreeTextAnswer, Invitation, Response, ResponseDraft
from consult.questionnaires import runner
from consult.questionnaires.model import Answers, Facts, Questionnaire, Value

logger = logging.getLogger(__name__)

_WELL_FORMED_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_idempotency_key() -> str:
    """Made with the page that sends a form, so a second send of that page is known."""
    return secrets.token_urlsafe(24)


def usable_idempotency_key(posted: str | None) -> str:
    return (posted if posted and _WELL_FORMED_KEY.fullmatch(posted)
            else new_idempotency_key())


def build_response(questionnaire: Questionnaire, answers: Answers, *, asked: list[str],
                   **fields) -> Response:
    """A response with one row per chosen value, and the words kept apart."""
    response = Response(
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        asked=asked,
        **fields,
    )
    for question in questionnaire.questions:
        value = answers.get(question.key)
        if not value or not runner.is_keepable(question, value):
            continue
        if question.is_free_text:
            response.free_texts.append(FreeTextAnswer(
                question_key=question.key, text=value, only_for_iro=question.only_for_iro))
        else:
            for chosen in value if isinstance(value, list) else [value]:
                response.answers.append(Answer(question_key=question.key, value=chosen))
    return response


class SaveOutcome(enum.Enum):
    SAVED = enum.auto()
    ALREADY_SENT = enum.auto()  # this person's views are in already
    NOT_SAVED = enum.auto()


def save_once(invitation: Invitation, questionnaire: Questionnaire, facts: Facts,
              answers: dict[str, Value], *, language: str, idempotency_key: str,
              now: datetime, with_response: Callable[[Response], None]) -> SaveOutcome:
    """Save the answers still asked, raise the concerns they carry (with their alert), end any
    draft, and let `with_response` add what this way of arriving needs (its audit event, an
    alert, the paper record) to the same transaction, then commit."""
    kept = runner.kept_answers(questionnaire, facts, answers)
    try:
        if not invitations.claim_send(invitation, now):
            db.session.rollback()
            return SaveOutcome.ALREADY_SENT
        response = build_response(
            questionnaire, kept.answers, asked=kept.asked, invitation=invitation,
            language=language, idempotency_key=idempotency_key)
        db.session.add(response)
        concerns.raise_concerns(response, questionnaire, kept.answers,
                                child=invitation.review.child, now=now)
        draft = db.session.scalar(
            select(ResponseDraft).where(ResponseDraft.invitation_id == invitation.id))
        if draft is not None:
            db.session.delete(draft)
        with_response(response)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return SaveOutcome.ALREADY_SENT
    except SQLAlchemyError as error:
        db.session.rollback()
        # The class is enough to diagnose; the message could hold what the person wrote.
        logger.error("could not save a response: %s", type(error).__name__)
        return SaveOutcome.NOT_SAVED
    return SaveOutcome.SAVED


def sent_with_key(invitation: Invitation, idempotency_key: str) -> bool:
    """Whether this very page (same key: a double click, a resend after a lost reply)
    already saved the response."""
    return db.session.scalar(select(Response.id).where(
        Response.invitation_id == invitation.id,
        Response.idempotency_key == idempotency_key)) is not None
