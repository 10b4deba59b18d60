"""Invitations: creating a person's secret link, finding it again, and its state.

Plain functions over the session, callable from views, the CLI and tests alike.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update

from consult import audit, secret_links, short_codes
from consult.alerts import outbox
from consult.extensions import db
from consult.models import (
    AlertOutbox,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    Review,
    StaffUser,
)


class InvitationState(enum.StrEnum):
    NOT_SENT = "not_sent"  # created, but the IRO has not yet given it to the person
    NOT_OPENED = "not_opened"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"  # a draft is saved but not sent
    SENT = "sent"
    REVOKED = "revoked"
    EXPIRED = "expired"


def expiry_for(review: Review, days_after_review: int) -> datetime:
    """Links work until the end of the day, `days_after_review` days after the meeting."""
    last_day = review.meeting_date + timedelta(days=days_after_review)
    return datetime.combine(last_day, time.max, tzinfo=UTC)


def create_invitation(
    review: Review,
    *,
    role: InviteeRole,
    invitee_name: str,
    language: str,
    created_by: StaffUser | None,
    days_after_review: int,
    purpose: InvitationPurpose = InvitationPurpose.VIEWS,
) -> tuple[Invitation, str]:
    """A new invitation and its token. The token exists only in the return value."""
    token = secret_links.new_token()
    invitation = Invitation(
        review=review,
        role=role,
        purpose=purpose,
        invitee_name=invitee_name,
        language=language,
        token_hash=secret_links.token_hash(token),
        expires_at=expiry_for(review, days_after_review),
        created_by=created_by,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation.created", staff=created_by, subject=invitation, role=role.value,
                 purpose=purpose.value)
    return invitation, token


def reissue_token(invitation: Invitation) -> str:
    """Replace the link: the old one, and every session opened with it, stop working."""
    token = secret_links.new_token()
    invitation.token_hash = secret_links.token_hash(token)
    return token


def issue_short_code(invitation: Invitation, key: str) -> str:
    """A new code to type at /code for this invitation; any earlier code stops working."""
    code = short_codes.new_code()
    invitation.short_code_hash = short_codes.code_hash(code, key)
    return code


def reissue(invitation: Invitation, by: StaffUser, key: str, now: datetime
            ) -> tuple[str, str]:
    """A new link and code for a lost or leaked one, for a letter printed again.

    The person is given the new one anew, so the invitation is "not sent" until then; an
    email of the old link that has not gone yet never goes.
    """
    token = reissue_token(invitation)
    code = issue_short_code(invitation, key)
    invitation.revoked_at = None
    invitation.handed_over_at = None
    outbox.withdraw_invitation_emails(invitation, now)
    audit.record("invitation.reissued", staff=by, subject=invitation)
    return token, code


def may_be_emailed(invitation: Invitation, now: datetime) -> bool:
    """Adults only: a child gets their link from their IRO, on a letter or in person.

    An invitation whose answers are in, or whose time is up, has nothing left to send.
    """
    return (invitation.role is not InviteeRole.CHILD
            and state_of(invitation, now) not in (InvitationState.SENT, InvitationState.EXPIRED))


def email_invitation(invitation: Invitation, address: str, by: StaffUser, now: datetime
                     ) -> AlertOutbox:
    """Queue an email of a new link to the person, in this transaction.

    The new link replaces the old one and there is no code to type any more, so a letter
    printed before stops working: one live way in at a time. The invitation counts as given
    to the person once the email has gone (the sender marks it then).
    """
    outbox.withdraw_invitation_emails(invitation, now)
    token = reissue_token(invitation)
    invitation.short_code_hash = None
    invitation.revoked_at = None
    invitation.handed_over_at = None
    audit.record("invitation.emailed", staff=by, subject=invitation, role=invitation.role.value)
    return outbox.queue_invitation_email(invitation, address, token)


def find_by_short_code(typed: str, key: str) -> Invitation | None:
    code = short_codes.normalised(typed)
    if code is None:
        return None
    return db.session.scalar(select(Invitation).where(
        Invitation.short_code_hash == short_codes.code_hash(code, key)))


def mark_handed_over(invitation: Invitation, by: StaffUser, now: datetime) -> None:
    if invitation.handed_over_at is None:
        invitation.handed_over_at = now
        audit.record("invitation.handed_over", staff=by, subject=invitation)


def is_usable(invitation: Invitation, now: datetime) -> bool:
    return invitation.revoked_at is None and invitation.expires_at > now


def find_by_token(token: str) -> Invitation | None:
    digest = secret_links.hash_if_well_formed(token)
    if digest is None:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))


def mark_opened(invitation: Invitation, now: datetime) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = now
        audit.record("invitation.opened", invitation=invitation, subject=invitation)


def claim_send(invitation: Invitation, now: datetime) -> bool:
    """Mark the invitation sent, exactly once even when two requests race to do it.

    The conditional UPDATE is the arbiter: only the request whose statement changes the
    row may go on to save its answers in the same transaction.
    """
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        invitation.sent_at = now
    return bool(claimed)


def revoke(invitation: Invitation, by: StaffUser, now: datetime) -> None:
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        outbox.withdraw_invitation_emails(invitation, now)
        audit.record("invitation.revoked", staff=by, subject=invitation)


def state_of(invitation: Invitation, now: datetime) -> InvitationState:
    if invitation.sent_at is not None:
        return InvitationState.SENT
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    if invitation.response is not None:
        return InvitationState.IN_PROGRESS
    if invitation.opened_at is not None:
        return InvitationState.OPENED
    if invitation.handed_over_at is None:
        return InvitationState.NOT_SENT
    return InvitationState.NOT_OPENED
