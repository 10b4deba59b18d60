"""Which invitation this browser may act for.

The secret link is exchanged once for this session; after that the address bar holds
nothing secret. The session keeps the invitation's id and a fingerprint of its current
link, so revoking or re-issuing the link ends every session opened with the old one.

It also keeps which answers were written in the person's own words in this browser
session (each question's key with a keyed digest of what was saved, never the words): only
those answers are shown back. Anyone else who opens the link, say from the phone's message
history, sees that something was written and saved, not what; and words written later on
another device are not shown in this session either.

A session ends after `IDLE_SECONDS` without a request, so a phone left open on a shared
sofa does not stay in the child's form: opening the link (or typing the letter's code)
again carries on where they stopped, since every answer is in the server-side draft, and
whatever was typed on the page they send after the end is shown back to them. Ending it
also forgets which answers were written here, so earlier words are no longer shown back.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from flask import current_app, g, session
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from consult import i18n, invitations, secret_links
from consult.extensions import db
from consult.models import Invitation, Review, utcnow

INVITATION_ID = "invitation_id"
LINK_FINGERPRINT = "invitation_link"
WRITTEN_HERE = "written_here"
SEEN_AT = "invitation_seen_at"
# Set on `g` when this request found the session ended by itself, for the page that says so.
TIMED_OUT = "link_timed_out"
IDLE_SECONDS = 45 * 60

logger = logging.getLogger(__name__)


def start(invitation: Invitation) -> None:
    # The language someone picked is not theirs alone to protect; everything else goes.
    chosen_language = session.get(i18n.SESSION_KEY)
    fingerprint = secret_links.fingerprint(invitation.token_hash)
    # Opening the same link again in the same browser session keeps its own words in view.
    same = (session.get(INVITATION_ID) == invitation.id
            and session.get(LINK_FINGERPRINT) == fingerprint)
    kept = session.get(WRITTEN_HERE) if same else None
    session.clear()
    if kept:
        session[WRITTEN_HERE] = kept
    if chosen_language:
        session[i18n.SESSION_KEY] = chosen_language
        if invitation.chosen_language is None:
            invitation.chosen_language = chosen_language
    session[INVITATION_ID] = invitation.id
    session[LINK_FINGERPRINT] = fingerprint
    session[SEEN_AT] = int(time.time())
    forget_this_request()


def _digest(key: str, words: str) -> str:
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{key}\0{words}".encode(), hashlib.sha256).hexdigest()[:32]


def _written() -> dict[str, str]:
    written = session.get(WRITTEN_HERE)
    return written if isinstance(written, dict) else {}


def written_here(key: str, words: str) -> bool:
    """Whether these words were written as this answer in this browser session."""
    return hmac.compare_digest(_written().get(key, ""), _digest(key, words))


def remember_written_here(key: str, words: str) -> None:
    session[WRITTEN_HERE] = {**_written(), key: _digest(key, words)}



def _end_idle_session(now: int) -> bool:
    """End the session if it went unused too long (the chosen language stays); True if so."""
    seen_at = session.get(SEEN_AT)
    if isinstance(seen_at, int) and now - seen_at < IDLE_SECONDS:
        return False
    chosen_language = session.get(i18n.SESSION_KEY)
    session.clear()
    if chosen_language:
        session[i18n.SESSION_KEY] = chosen_language
    return True


def forget_this_request() -> None:
    """Forget what this request read of the session before `start` replaced it: the next
    question is answered from the new one."""
    for name in ("invitation", TIMED_OUT, i18n.INVITATION_LANGUAGE,
                 i18n.INVITATION_CHOSEN_LANGUAGE):
        g.pop(name, None)


def current_invitation() -> Invitation | None:
    """The invitation this session was opened for, while its link still works."""
    if "invitation" in g:
        return g.invitation
    invitation = None
    now = int(time.time())
    if INVITATION_ID in session and _end_idle_session(now):
        setattr(g, TIMED_OUT, True)
    invitation_id = session.get(INVITATION_ID)
    if isinstance(invitation_id, int):
        # One round trip for all that every page of the journey reads.
        candidate = db.session.get(Invitation, invitation_id, options=[
            joinedload(Invitation.review).joinedload(Review.child),
            joinedload(Invitation.draft)])
        if (candidate is not None
                and session.get(LINK_FINGERPRINT) == secret_links.fingerprint(candidate.token_hash)
                and (candidate.sent_at is not None
                     or invitations.is_usable(candidate, utcnow()))):
            invitation = candidate
            session[SEEN_AT] = now
    g.invitation = invitation
    if invitation is not None:
        setattr(g, i18n.INVITATION_LANGUAGE, invitation.language)
        setattr(g, i18n.INVITATION_CHOSEN_LANGUAGE, invitation.chosen_language)
    return invitation


def remember_chosen_language() -> None:
    """Keep a language picked with ?lang= on the invitation, so it follows the person."""
    chosen = i18n.requested_locale()
    invitation = current_invitation()
    if chosen and invitation is not None and invitation.chosen_language != chosen:
        invitation.chosen_language = chosen
        setattr(g, i18n.INVITATION_CHOSEN_LANGUAGE, chosen)
        try:
            db.session.commit()
        except SQLAlchemyError as error:
            # The session still holds the choice; the page must not fail for want of it.
            db.session.rollback()
            logger.warning("could not remember a chosen language: %s", type(error).__name__)
