"""Who is signed in on the staff side, for how long, and the gate every staff route passes.

Every staff route declares the roles that may use it with `@staff_required(...)`, which
records the declaration in `consult.policy`; object checks (is this my child?) are the plain
functions there, re-exported here for the staff views.

A staff session ends after 30 minutes without a request or 12 hours after sign-in,
whichever comes first, and at once everywhere when the person signs out, changes their
password or is disabled: the session carries the account's `session_version`, which those
events raise on the server.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from consult import policy
from consult.extensions import db
from consult.models import StaffRole, StaffUser
from consult.policy import (  # noqa: F401 - the staff views' object checks
    may_acknowledge_concern,
    may_administer,
    may_allocate,
    may_answer_rights_request,
    may_edit_child,
    may_invite,
    may_manage_caseload,
    may_open_child_record,
    may_read_child,
    may_read_only_for_iro,
    may_record_meeting,
    may_see_figures,
)

STAFF_ID = "staff_id"
STAFF_VERSION = "staff_session_version"
SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
# Set when a session ends by itself, so the sign-in page can say why.
TIMED_OUT = "staff_timed_out"
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60


def sign_in(user: StaffUser) -> None:
    """Start a new session for this person; nothing from the session before survives."""
    session.clear()
    now = int(time.time())
    session[STAFF_ID] = user.id
    session[STAFF_VERSION] = user.session_version
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def _in_time(now: int) -> bool:
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    return (isinstance(signed_in_at, int) and isinstance(seen_at, int)
            and now - signed_in_at < ABSOLUTE_SECONDS and now - seen_at < IDLE_SECONDS)


def current_staff() -> StaffUser | None:
    if "staff" in g:
        return g.staff
    user = None
    staff_id = session.get(STAFF_ID)
    if isinstance(staff_id, int):
        now = int(time.time())
        in_time = _in_time(now)
        candidate = db.session.get(StaffUser, staff_id) if in_time else None
        if (candidate is not None and candidate.active
                and session.get(STAFF_VERSION) == candidate.session_version):
            user = candidate
            session[SEEN_AT] = now
        else:
            session.clear()
            session[TIMED_OUT] = not in_time
    g.staff = user
    return user


def staff_required(*roles: StaffRole):
    """Signed-in staff of these roles (any role when none is named); others get 404."""
    access = policy.staff(*roles)

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_staff()
            if user is None:
                return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
            if not access.admits(user.role):
                abort(404)
            return view(*args, **kwargs)
        return policy.declare(wrapper, access)
    return decorate
