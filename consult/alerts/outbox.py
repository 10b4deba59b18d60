"""Queueing email: one row in the same transaction as the submission, request or
invitation it is about.

The web request never talks to the mail server, so a slow or broken one cannot slow or
fail what a child sends, and a queued email survives any outage until it is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import defer

from consult import council
from consult.extensions import db
from consult.models import (
    AlertEvent,
    AlertOutbox,
    Child,
    HelpRequest,
    Invitation,
    RequestKind,
    StaffUser,
)

logger = logging.getLogger(__name__)


def _staff_path(endpoint: str, **values: object) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _recipient(child: Child | None) -> str | None:
    """The child's IRO while their account is active, otherwise the service inbox."""
    if child is not None and child.iro is not None and child.iro.active:
        return child.iro.email
    return council.current().service_inbox_email or None


def _queue(event: AlertEvent, recipient: str | None, staff_path: str) -> AlertOutbox | None:
    if recipient is None:
        # Still visible in the staff queue; only the email is missing.
        logger.warning("no one to alert about a %s: set the service inbox in council settings",
                       event.value)
        return None
    alert = AlertOutbox(event=event, recipient=recipient, staff_path=staff_path)
    db.session.add(alert)
    return alert


def queue_submission_alert(invitation: Invitation) -> AlertOutbox | None:
    """Tell the child's IRO that views were sent for a review."""
    return _queue(AlertEvent.NEW_SUBMISSION, _recipient(invitation.review.child),
                  _staff_path("staff.review", review_id=invitation.review_id))


def queue_concern_alert(invitation: Invitation) -> AlertOutbox | None:
    """Tell the child's IRO that a child's answers need their attention: the review page,
    where the concerns are listed first."""
    return _queue(AlertEvent.NEW_CONCERN, _recipient(invitation.review.child),
                  _staff_path("staff.review", review_id=invitation.review_id) + "#concerns")


def queue_request_alert(help_request: HelpRequest) -> AlertOutbox | None:
    """Tell the child's IRO, or the service inbox for an unlinked request, that one arrived."""
    event = (AlertEvent.NEW_URGENT_REQUEST if help_request.kind is RequestKind.URGENT
             else AlertEvent.NEW_REQUEST)
    return _queue(event, _recipient(help_request.child),
                  _staff_path("staff.help_request", request_id=help_request.id))


def queue_sign_in_warning(user: StaffUser, *, code_was_wrong: bool) -> AlertOutbox:
    """Tell a staff member, at their own address, that guessing at their account was slowed."""
    return _queue(AlertEvent.CODE_FAILURES if code_was_wrong else AlertEvent.SIGN_IN_FAILURES,
                  user.email, _staff_path("staff.change_password"))


def queue_invitation_email(invitation: Invitation, address: str, token: str) -> AlertOutbox:
    """Email this invitation's link to the person. The token is kept, encrypted, until sent."""
    email = AlertOutbox(event=AlertEvent.INVITATION, recipient=address, invitation=invitation,
                        link_token=token)
    db.session.add(email)
    return email


def withdraw_invitation_emails(invitation: Invitation, now: datetime) -> None:
    """Stop any unsent email of this invitation and forget its link: it no longer works."""
    db.session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.invitation_id == invitation.id, AlertOutbox.sent_at.is_(None),
               AlertOutbox.withdrawn_at.is_(None))
        .values(withdrawn_at=now, link_token=None)
        .execution_options(synchronize_session=False))


def queue_setup_email(user: StaffUser, token: str, *, event: AlertEvent,
                      now: datetime) -> AlertOutbox:
    """Email this account its own set-up link, replacing any earlier one not yet sent. The
    token is kept, encrypted, until sent; no one else is ever shown it."""
    db.session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.staff_user_id == user.id, AlertOutbox.sent_at.is_(None),
               AlertOutbox.withdrawn_at.is_(None))
        .values(withdrawn_at=now, link_token=None)
        .execution_options(synchronize_session=False))
    email = AlertOutbox(event=event, recipient=user.email, staff_user=user, link_token=token)
    db.session.add(email)
    return email


def latest_invitation_emails(invitation_ids: list[int]) -> dict[int, AlertOutbox]:
    """The newest email of each of these invitations, by invitation id, in one statement."""
    return _latest_emails(AlertOutbox.invitation_id, invitation_ids)


def latest_setup_emails(user_ids: list[int]) -> dict[int, AlertOutbox]:
    """The newest set-up email of each of these accounts, by account id, in one statement."""
    return _latest_emails(AlertOutbox.staff_user_id, user_ids)


def _latest_emails(owner, ids: list[int]) -> dict[int, AlertOutbox]:
    if not ids:
        return {}
    emails = db.session.scalars(
        select(AlertOutbox).where(owner.in_(ids))
        # A staff page has no use for the link: it is neither read nor decrypted here.
        .options(defer(AlertOutbox.link_token, raiseload=True))
        .order_by(AlertOutbox.id))
    return {getattr(email, owner.key): email for email in emails}
