"""Saving a person's answers as their response, exactly once, however they came: sent
through their link or typed in by staff from a paper booklet.

Two guards: the conditional claim on the invitation lets one request through, and the
unique invitation and idempotency key on `responses` refuse any second row even if a
claim were ever skipped. Nothing is half-saved: a failure rolls back all of it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from consult import concerns, invitations
from consult.extensions import db
from consult.models import Invitation, Response, ResponseDraft
from consult.questionnaires import runner
from consult.questionnaires.model import Facts, Questionnaire, Value

logger = logging.getLogger(__name__)


class SaveOutcome(enum.Enum):
    SAVED = enum.auto()
    ALREADY_SENT = enum.auto()  # this person's views are in already
    NOT_SAVED = enum.auto()


def save_once(invitation: Invitation, questionnaire: Questionnaire, facts: Facts,
              values: dict[str, Value], *, language: str, idempotency_key: str,
              now: datetime, with_response: Callable[[Response], None]) -> SaveOutcome:
    """Save the answers still asked, raise the concerns they carry (with their alert), end any
    draft, and let `with_response` add what this way of arriving needs (its audit event, an
    alert, the paper record) to the same transaction, then commit."""
    kept = runner.kept_values(questionnaire, facts, values)
    asked = [q.key for q in runner.applicable(questionnaire, facts, kept)]
    try:
        if not invitations.claim_send(invitation, now):
            db.session.rollback()
            return SaveOutcome.ALREADY_SENT
        response = runner.build_response(
            questionnaire, kept, asked=asked, invitation=invitation, language=language,
            sent_at=now, idempotency_key=idempotency_key)
        db.session.add(response)
        concerns.raise_concerns(response, questionnaire, kept, child=invitation.review.child,
                                now=now)
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
