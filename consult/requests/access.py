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
from consult.policy import may_link_to_child, may_read_words  # noqa: F401 - one policy


def visible_requests(user: StaffUser) -> ColumnElement[bool] | None:
    """A WHERE clause for the requests this person may see, or None for none at all."""
    if user.role is StaffRole.ADMIN:
        return true()
    if user.role is StaffRole.IRO:
        return HelpRequest.child_id.in_(select(Child.id).where(Child.iro_id == user.id))
    return None
