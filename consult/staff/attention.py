"""What is waiting for the person signed in, counted for the header of every staff page.

Each item is one count linked to the list that holds it. The counts are read once per
request (the dashboard's request figures come from the same statement) and only when a
staff page is drawn for someone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, url_for
from sqlalchemy import select

from consult import concerns
from consult.extensions import db
from consult.models import utcnow
from consult.requests.workflow import QueueCounts, queue_count_columns
from consult.staff.access import current_staff


@dataclass(frozen=True)
class Waiting:
    """One count in the header: "2 urgent requests", linked to where they are."""

    count: int
    one: str
    many: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.count} {self.one if self.count == 1 else self.many}"


def _counts() -> tuple[QueueCounts | None, concerns.ConcernCounts | None]:
    """The signed-in person's requests and concerns, counted once per request and in one
    statement, whatever the page."""
    if "waiting_counts" not in g:
        user, now = current_staff(), utcnow()
        requests = queue_count_columns(user, now) if user is not None else None
        raised = concerns.open_concern_count_columns(user, now) if user is not None else None
        columns = (requests or []) + (raised or [])
        row = list(db.session.execute(select(*columns)).one()) if columns else []
        g.waiting_counts = (
            QueueCounts(*row[:3]) if requests is not None else None,
            concerns.ConcernCounts(*row[-2:]) if raised is not None else None)
    return g.waiting_counts


def request_counts() -> QueueCounts | None:
    """The signed-in person's open, overdue and urgent requests."""
    return _counts()[0]


def waiting() -> list[Waiting]:
    """The header's counts for the person signed in (none for roles that follow nothing)."""
    requests, raised = _counts()
    items = []
    if requests is not None:
        items.append(Waiting(requests.urgent, "open urgent request", "open urgent requests",
                             url_for("staff.help_requests")))
    if raised is not None:
        items.append(Waiting(raised.open, "open concern", "open concerns",
                             url_for("staff.dashboard")))
    return items
