"""A person's answers on their way to being sent: the server-side draft, and sending it.

Plain functions over the database session, so the journey's rules (which form, what is
kept, sent exactly once) are tested without a request.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from consult import audit
from consult.alerts.outbox import queue_submission_alert
from consult.extensions import db
from consult.models import Invitation, ResponseDraft
from consult.questionnaires import definitions
from consult.questionnaires.model import Facts, Questionnaire, Value
from consult.submissions import SaveOutcome, new_idempotency_key, save_once

logger = logging.getLogger(__name__)


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
    return definitions.for_invitation(invitation)


def new_draft(invitation: Invitation, questionnaire: Questionnaire) -> ResponseDraft:
    draft = ResponseDraft(
        invitation_id=invitation.id, questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version, answers={},
        idempotency_key=new_idempotency_key())
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


def send(invitation: Invitation, questionnaire: Questionnaire, facts: Facts,
         answers: dict[str, Value], *, idempotency_key: str, language: str, now: datetime
         ) -> SaveOutcome:
    """Save the response and end the draft in one transaction, exactly once, and tell the
    child's IRO that views arrived. `facts` are the invitation's (definitions.facts_for),
    worked out once by the caller."""

    def announce(_response) -> None:
        audit.record("response.submitted", invitation=invitation, subject=invitation,
                     questionnaire=questionnaire.key, version=questionnaire.version)
        queue_submission_alert(invitation)

    return save_once(invitation, questionnaire, facts, answers,
                     language=language, idempotency_key=idempotency_key, now=now,
                     with_response=announce)
