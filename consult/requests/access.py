"""Who follows which requests, and who may read the words in them.

An IRO follows the requests of the children they review. Requests not linked to a child
(from the public form) go to the service inbox: admins see them, with their words and
contact details, until they link them to a child, after which only that child's IRO reads
the words. Admins see every request in the queue, but a linked request's words only reach
the child's IRO.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from consult.models import Child, HelpRequest, StaffRole, StaffUser


def visible_requests(user: StaffUser) -> ColumnElement[bool] | None:
    """A WHERE clause for the requests this person may see, or None for none at all."""
    if user.role is StaffRole.ADMIN:
        return true()
    if user.role is StaffRole.IRO:
        return HelpRequest.child_id.in_(select(Child.id).where(Child.iro_id == user.id))
    return None


def may_read_words(user: StaffUser, help_request: HelpRequest) -> bool:
    """The message, name and contact details: the child's IRO, or an admin for the inbox."""
    if help_request.child is None:
        return user.role is StaffRole.ADMIN
    return user.role is StaffRole.IRO and help_request.child.iro_id == user.id


def may_link_to_child(user: StaffUser, help_request: HelpRequest) -> bool:
    return user.role is StaffRole.ADMIN and help_request.child_id is None
