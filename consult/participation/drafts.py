"""A person's answers on their way to being sent: the server-side draft, and sending it.

Plain functions over the database session, so the journey's rules (which form, what is
kept, sent exactly once) are tested without a request.
"""

from __future__ import annotations

import enum
import logging
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from consult import audit, invitations
from consult.alerts.outbox import queue_submission_alert
from consult.extensions import db
from consult.models import Invitation, Response, ResponseDraft
from consult.questionnaires import definitions, runner
from consult.questionnaires.model import Facts, Questionnaire, Value

logger = logging.getLogger(__name__)

_WELL_FORMED_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SendOutcome(enum.Enum):
    SAVED = enum.auto()
    ALREADY_SENT = enum.auto()
    NOT_SAVED = enum.auto()


def facts_for(invitation: Invitation) -> Facts:
    review = invitation.review
    child = review.child
    return Facts(age_at_review=child.age_on(review.meeting_date),
                 unaccompanied_asylum_seeking=child.unaccompanied_asylum_seeking)


def find_draft(invitation: Invitation) -> ResponseDraft | None:
    return db.session.scalar(
        select(ResponseDraft).where(ResponseDraft.invitation_id == invitation.id))


def _current_draft_locked(invitation: Invitation) -> ResponseDraft | None:
    """The draft as saved now, locked until this transaction ends.

    A save rewrites the draft's answers whole, so two tabs saving at once would each drop
    the other's answer. With the row locked (PostgreSQL), the second save waits and then
    reads the first one's answers; populate_existing replaces a copy loaded earlier in the
    request, which may be out of date.
    """
    return db.session.scalar(
        select(ResponseDraft).where(ResponseDraft.invitation_id == invitation.id)
        .with_for_update().execution_options(populate_existing=True))


def questionnaire_for(invitation: Invitation, draft: ResponseDraft | None) -> Questionnaire:
    """The form this person answers. Once started, they keep the version they started with."""
    if draft is not None:
        started = definitions.version(draft.questionnaire_key, draft.questionnaire_version)
        if started is not None:
            return started
    return definitions.choose(invitation.role, invitation.purpose,
                              facts_for(invitation).age_at_review)


def new_draft(invitation: Invitation, questionnaire: Questionnaire) -> ResponseDraft:
    draft = ResponseDraft(
        invitation_id=invitation.id, questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version, answers={},
        idempotency_key=secrets.token_urlsafe(24))
    db.session.add(draft)
    return draft


def record_answer(draft: ResponseDraft, key: str, value: Value, resume_at: str | None) -> None:
    """Keep one answer (or forget it, when left empty) and where to pick up next time."""
    answers = {k: v for k, v in (draft.answers or {}).items() if k != key}
    if value:
        answers[key] = value
    # A new dict, not an edit in place: the JSON column only notices reassignment.
    draft.answers = answers
    draft.resume_at = resume_at


def save_answer(invitation: Invitation, questionnaire: Questionnaire, key: str, value: Value,
                resume_at: str | None) -> bool:
    """Save one answer to the draft and commit; False (and nothing saved) if that failed."""
    for _attempt in range(2):
        try:
            draft = _current_draft_locked(invitation) or new_draft(invitation, questionnaire)
            record_answer(draft, key, value, resume_at)
            db.session.commit()
            return True
        except IntegrityError:
            # Two pages of the same person created the draft at once: use the other one.
            db.session.rollback()
        except SQLAlchemyError as error:
            db.session.rollback()
            logger.error("could not save a draft answer: %s", type(error).__name__)
            return False
    return False


def ensure_draft(invitation: Invitation, questionnaire: Questionnaire) -> ResponseDraft:
    """The draft, made now if the person goes to Check answers without answering anything."""
    draft = find_draft(invitation)
    if draft is None:
        draft = new_draft(invitation, questionnaire)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            draft = find_draft(invitation)
    return draft


def sent_with_key(invitation: Invitation, idempotency_key: str) -> bool:
    """Whether this very send (same page, same key) already saved the response."""
    return db.session.scalar(select(Response.id).where(
        Response.invitation_id == invitation.id,
        Response.idempotency_key == idempotency_key)) is not None


def usable_key(posted: str | None) -> str:
    return posted if posted and _WELL_FORMED_KEY.fullmatch(posted) else secrets.token_urlsafe(24)


def send(invitation: Invitation, questionnaire: Questionnaire, values: dict[str, Value],
         *, idempotency_key: str, language: str, now: datetime) -> SendOutcome:
    """Save the response and end the draft in one transaction, exactly once.

    Two guards: the conditional claim on the invitation lets one request through, and the
    unique idempotency key and invitation on `responses` refuse any second row even if a
    claim were ever skipped. Nothing is half-saved: a failure rolls back all of it.
    """
    facts = facts_for(invitation)
    kept = runner.kept_values(questionnaire, facts, values)
    asked = [q.key for q in runner.applicable(questionnaire, facts, kept)]
    try:
        if not invitations.claim_submission(invitation, now):
            db.session.rollback()
            return SendOutcome.ALREADY_SENT
        response = runner.build_response(
            questionnaire, kept, asked=asked, invitation=invitation, language=language,
            submitted_at=now, idempotency_key=idempotency_key)
        db.session.add(response)
        draft = find_draft(invitation)
        if draft is not None:
            db.session.delete(draft)
        audit.record("response.submitted", invitation=invitation, subject=invitation,
                     questionnaire=questionnaire.key, version=questionnaire.version)
        queue_submission_alert(invitation)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return SendOutcome.ALREADY_SENT
    except SQLAlchemyError as error:
        db.session.rollback()
        # The class is enough to diagnose; the message could hold what the person wrote.
        logger.error("could not save a response: %s", type(error).__name__)
        return SendOutcome.NOT_SAVED
    return SendOutcome.SAVED
