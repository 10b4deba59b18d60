"""Allocation: which IRO and social worker a child has, who may change it, and its record.

Allocating a child gives their IRO every word the child writes, "only for my IRO" text
included, and their social worker the rest. So it is a privilege (`policy.may_allocate`,
administrators): an IRO creates and updates only their own children, never moves a child
onto or off a caseload, and never touches another IRO's child or reviews. The one rule is
`refusal`, asked the same way by the staff pages, the CSV imports on the page and the
command line, and any later import; every change is audited by `record_changes` with from,
to, by and path, and listed for administrators on *Allocations*.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from consult import audit
from consult.extensions import db
from consult.models import AuditEvent, Child, StaffRole, StaffUser
from consult.policy import may_allocate

ACTION = "child.allocated"


class Refusal(enum.Enum):
    """Why a write about a child is refused, worded so it never says whose child it is."""

    NOT_YOUR_CHILD = "not_your_child"
    ANOTHER_CASELOAD = "another_caseload"
    REALLOCATION = "reallocation"

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Refusal.NOT_YOUR_CHILD: (
        "is not a child on your caseload. If they should be, ask an administrator to "
        "allocate them to you."),
    Refusal.ANOTHER_CASELOAD: (
        "Only an administrator can add a child to another IRO's caseload."),
    Refusal.REALLOCATION: (
        "Only an administrator can change a child's IRO or social worker."),
}


def refusal(by: StaffUser, child: Child | None, *, iro_id: int | None,
            social_worker_id: int | None) -> Refusal | None:
    """Why `by` may not create (`child` None) or update `child` so that its IRO and social
    worker are these; None when they may.

    An administrator may do anything. An IRO may create a child on their own caseload (with
    any social worker) and update their own children, leaving IRO and social worker as
    they are. Anyone else may do neither. A child not on `by`'s caseload is refused first,
    whatever else the write would change, so the answer never tells more.
    """
    if may_allocate(by):
        return None
    own = by.role is StaffRole.IRO
    if child is not None:
        if not own or child.iro_id != by.id:
            return Refusal.NOT_YOUR_CHILD
        if (iro_id, social_worker_id) != (child.iro_id, child.social_worker_id):
            return Refusal.REALLOCATION
        return None
    if not own or iro_id != by.id:
        return Refusal.ANOTHER_CASELOAD
    return None


@dataclass(frozen=True)
class Allocation:
    """A child's IRO and social worker at one moment (None for a child not yet created)."""

    iro_id: int | None = None
    social_worker_id: int | None = None

    @classmethod
    def of(cls, child: Child | None) -> Allocation:
        if child is None or child.id is None:
            return cls()
        return cls(child.iro_id, child.social_worker_id)


def record_changes(changes: Iterable[tuple[Child, Allocation]], *, by: StaffUser | None,
                   path: str) -> int:
    """Audit every child whose allocation differs from `before`, in one statement.

    `path` names the way in: the page's endpoint, or the command. Children must be flushed
    (they need their id). Returns how many changed.
    """
    events = []
    for child, before in changes:
        after = Allocation.of(child)
        if after != before:
            events.append((child, {
                "iro_from": before.iro_id, "iro_to": after.iro_id,
                "social_worker_from": before.social_worker_id,
                "social_worker_to": after.social_worker_id, "path": path}))
    audit.record_each(ACTION, staff=by, events=events)
    return len(events)


@dataclass(frozen=True)
class Change:
    """One allocation change as the admin page lists it."""

    event: AuditEvent
    child: Child | None  # None once the child was erased

    def staff_id(self, name: str) -> int | None:
        return self.event.details.get(name)


def history(*, page: int, page_size: int) -> tuple[list[Change], bool]:
    """One page of allocation changes, newest first, and whether there are more."""
    events = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == ACTION)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * page_size).limit(page_size + 1)))
    more = len(events) > page_size
    events = events[:page_size]
    children = {child.id: child for child in db.session.scalars(
        select(Child).where(Child.id.in_({event.subject_id for event in events})))}
    return [Change(event, children.get(event.subject_id)) for event in events], more
