"""Recording audit events: who did what to which record, and never what anyone wrote.

`details` only takes numbers, booleans and short machine codes, so a child's words cannot
end up in the audit trail even by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import insert

from consult.extensions import db
from consult.models import AuditEvent, Invitation, StaffUser

_CODE = re.compile(r"[a-z0-9_.:-]{0,60}")


class UnsafeAuditDetail(ValueError):
    pass


def _checked(details: dict[str, object]) -> dict[str, object]:
    for key, value in details.items():
        if value is None or isinstance(value, bool | int):
            continue
        if isinstance(value, str) and _CODE.fullmatch(value):
            continue
        raise UnsafeAuditDetail(f"audit detail {key!r} must be a number or a short code")
    return details


def record(
    action: str,
    *,
    staff: StaffUser | None = None,
    invitation: Invitation | None = None,
    subject: object | None = None,
    **details: object,
) -> AuditEvent:
    """Add an event to the current transaction; it is saved with the change it describes."""
    event = AuditEvent(
        action=action,
        actor_staff_id=staff.id if staff else None,
        actor_invitation_id=invitation.id if invitation else None,
        subject_type=type(subject).__tablename__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        details=_checked(details),
    )
    db.session.add(event)
    return event


def record_many(action: str, *, staff: StaffUser, subjects: Sequence[object],
                **details: object) -> None:
    """The same event about many records, written in one statement."""
    record_each(action, staff=staff, events=[(subject, details) for subject in subjects])


def record_each(action: str, *, staff: StaffUser | None,
                events: Sequence[tuple[object, dict[str, object]]]) -> None:
    """One event per record, each with its own details, written in one statement."""
    if not events:
        return
    db.session.execute(insert(AuditEvent), [
        {"action": action, "actor_staff_id": staff.id if staff else None,
         "subject_type": type(subject).__tablename__, "subject_id": subject.id,
         "details": _checked(details)}
        for subject, details in events
    ])
