"""Which invitation this browser may act for.

The secret link is exchanged once for this session; after that the address bar holds
nothing secret. The session keeps the invitation's id and a fingerprint of its current
link, so revoking or re-issuing the link ends every session opened with the old one.
"""

from __future__ import annotations

from flask import g, session

from consult import invitations, secret_links
from consult.extensions import db
from consult.models import Invitation, utcnow

INVITATION_ID = "invitation_id"
LINK_FINGERPRINT = "invitation_link"


def start(invitation: Invitation) -> None:
    session.clear()
    session[INVITATION_ID] = invitation.id
    session[LINK_FINGERPRINT] = secret_links.fingerprint(invitation.token_hash)


def current_invitation() -> Invitation | None:
    """The invitation this session was opened for, while its link still works."""
    if "invitation" in g:
        return g.invitation
    invitation = None
    invitation_id = session.get(INVITATION_ID)
    if isinstance(invitation_id, int):
        candidate = db.session.get(Invitation, invitation_id)
        if (candidate is not None
                and session.get(LINK_FINGERPRINT) == secret_links.fingerprint(candidate.token_hash)
                and (candidate.submitted_at is not None
                     or invitations.is_usable(candidate, utcnow()))):
            invitation = candidate
    g.invitation = invitation
    if invitation is not None:
        g.invitation_language = invitation.language
    return invitation
