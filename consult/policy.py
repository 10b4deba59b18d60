"""Who may use each route, and what each member of staff may see: access decided in one place.

Every route declares its audience, and a test fails for any route that does not:
- `@public`: anyone, signed in or not (sign-in page, rights pages, a link's first opening);
- `@invitation_holder`: the person whose secret link opened this browser's session, for
  their own invitation only;
- `staff(...)` (applied by `consult.staff.access.staff_required`): signed-in staff of the
  named roles, or of any role when none is named.

Object-level rules are plain functions below, so a view asks "may this person read this
child?" and the answer is tested without a request.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask

from consult.models import Child, HelpRequest, StaffRole, StaffUser

View = TypeVar("View", bound=Callable)


class Audience(enum.Enum):
    PUBLIC = "public"
    INVITATION_HOLDER = "invitation_holder"
    STAFF = "staff"


@dataclass(frozen=True)
class Access:
    audience: Audience
    roles: frozenset[StaffRole] = frozenset()

    def admits(self, role: StaffRole) -> bool:
        return self.audience is Audience.STAFF and role in self.roles


_ATTRIBUTE = "access_policy"
# Routes Flask adds itself: static files carry nobody's data.
FRAMEWORK_ENDPOINTS = {"static": Access(Audience.PUBLIC)}


def declare(view: View, access: Access) -> View:
    setattr(view, _ATTRIBUTE, access)
    return view


def public(view: View) -> View:
    return declare(view, Access(Audience.PUBLIC))


def invitation_holder(view: View) -> View:
    return declare(view, Access(Audience.INVITATION_HOLDER))


def staff(*roles: StaffRole) -> Access:
    return Access(Audience.STAFF, frozenset(roles or StaffRole))


def access_of(app: Flask, endpoint: str) -> Access | None:
    """The declared access of a route, or None when it declares none (a test refuses that)."""
    if endpoint in FRAMEWORK_ENDPOINTS:
        return FRAMEWORK_ENDPOINTS[endpoint]
    return getattr(app.view_functions[endpoint], _ATTRIBUTE, None)


# Roles whose work needs what children wrote. Managers and admins never read it.
READS_CHILDRENS_WORDS = frozenset({StaffRole.IRO, StaffRole.SOCIAL_WORKER})
SEES_FIGURES = frozenset({StaffRole.IRO, StaffRole.MANAGER})
ADMINISTERS = frozenset({StaffRole.ADMIN})
# Who decides which IRO and social worker a child has: never a role that reads the words
# allocation opens (docs/security.md, "Allocation").
ALLOCATES = frozenset({StaffRole.ADMIN})
# Who records the questions aloud (consult.voices): admins, and IROs, at whose side the
# interpreters they book record; nothing on those pages is anyone's data.
RECORDS_VOICES = frozenset({StaffRole.ADMIN, StaffRole.IRO})


def may_read_child(user: StaffUser, child: Child) -> bool:
    """An IRO reads their own caseload; a social worker their own children."""
    return (
        (user.role is StaffRole.IRO and child.iro_id == user.id)
        or (user.role is StaffRole.SOCIAL_WORKER and child.social_worker_id == user.id)
    )


def may_read_only_for_iro(user: StaffUser, child: Child) -> bool:
    """What a child marked "only for my IRO" is for the child's IRO alone."""
    return user.role is StaffRole.IRO and child.iro_id == user.id


def may_invite(user: StaffUser, child: Child) -> bool:
    return may_read_only_for_iro(user, child)


def may_manage_caseload(user: StaffUser) -> bool:
    """Create children and import from the case-management system: an IRO for their own
    caseload (`consult.allocation.refusal` holds them to it), an admin for everyone's."""
    return user.role in (StaffRole.ADMIN, StaffRole.IRO)


def may_allocate(user: StaffUser) -> bool:
    """Put a child on any IRO's caseload, move them, or change their social worker."""
    return user.role in ALLOCATES


def may_edit_child(user: StaffUser, child: Child) -> bool:
    """Admins keep every record straight; an IRO edits their own children's."""
    return user.role is StaffRole.ADMIN or may_read_only_for_iro(user, child)


def may_open_child_record(user: StaffUser, child: Child) -> bool:
    """The record itself (name, dates, reviews): no one's words are on it."""
    return may_edit_child(user, child) or may_read_child(user, child)


def may_record_meeting(user: StaffUser, child: Child) -> bool:
    return may_read_only_for_iro(user, child)


def may_acknowledge_concern(user: StaffUser, child: Child) -> bool:
    """A concern raised by a child's answers is their IRO's to act on and acknowledge."""
    return may_read_only_for_iro(user, child)


def may_answer_rights_request(user: StaffUser, child: Child) -> bool:
    """Export or erase everything held about a child: their IRO, who already reads it all."""
    return may_read_only_for_iro(user, child)


def may_read_words(user: StaffUser, help_request: HelpRequest) -> bool:
    """A request's message, name and contact details: the child's IRO; while a request from
    the public form is linked to no child, the admins who triage the service inbox."""
    if help_request.child is None:
        return user.role is StaffRole.ADMIN
    return user.role is StaffRole.IRO and help_request.child.iro_id == user.id


def may_link_to_child(user: StaffUser, help_request: HelpRequest) -> bool:
    return user.role is StaffRole.ADMIN and help_request.child_id is None


def may_see_figures(user: StaffUser) -> bool:
    return user.role in SEES_FIGURES


def may_administer(user: StaffUser) -> bool:
    """Staff accounts, settings and the audit log; never a child's words."""
    return user.role in ADMINISTERS
