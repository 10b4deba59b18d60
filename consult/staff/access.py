"""Who is signed in on the staff side, and what they may open.

Every staff route declares the roles that may use it with `@staff_required(...)`; object
checks (is this my child?) are plain functions here, so they can be tested alone.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from consult.extensions import db
from consult.models import Child, StaffRole, StaffUser

STAFF_ID = "staff_id"
STAFF_VERSION = "staff_session_version"


def sign_in(user: StaffUser) -> None:
    session.clear()
    session[STAFF_ID] = user.id
    session[STAFF_VERSION] = user.session_version


def end_all_sessions(user: StaffUser) -> None:
    """Every session this person has, on any device, stops working."""
    user.session_version += 1


def current_staff() -> StaffUser | None:
    if "staff" in g:
        return g.staff
    user = None
    staff_id = session.get(STAFF_ID)
    if isinstance(staff_id, int):
        candidate = db.session.get(StaffUser, staff_id)
        if (candidate is not None and candidate.active
                and session.get(STAFF_VERSION) == candidate.session_version):
            user = candidate
    g.staff = user
    return user


def staff_required(*roles: StaffRole):
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_staff()
            if user is None:
                return redirect(url_for("staff.sign_in", next=request.path))
            if roles and user.role not in roles:
                abort(404)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def may_read_child(user: StaffUser, child: Child) -> bool:
    return (
        (user.role is StaffRole.IRO and child.iro_id == user.id)
        or (user.role is StaffRole.SOCIAL_WORKER and child.social_worker_id == user.id)
    )


def may_read_only_for_iro(user: StaffUser, child: Child) -> bool:
    return user.role is StaffRole.IRO and child.iro_id == user.id


def may_invite(user: StaffUser, child: Child) -> bool:
    return may_read_only_for_iro(user, child)


def may_manage_caseload(user: StaffUser) -> bool:
    """Create children, allocate them and import from the case-management system."""
    return user.role in (StaffRole.ADMIN, StaffRole.IRO)


def may_edit_child(user: StaffUser, child: Child) -> bool:
    """Admins keep every record straight; an IRO edits their own children's."""
    return user.role is StaffRole.ADMIN or may_read_only_for_iro(user, child)


def may_open_child_record(user: StaffUser, child: Child) -> bool:
    """The record itself (name, dates, reviews): no one's words are on it."""
    return may_edit_child(user, child) or may_read_child(user, child)


def may_record_meeting(user: StaffUser, child: Child) -> bool:
    return may_read_only_for_iro(user, child)
