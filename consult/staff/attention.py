"""What is waiting for the person signed in, counted for the header of every staff page.

Each item is one count linked to the list that holds it. The counts are read once per
request (the dashboard's request figures come from the same statement) and only when a
staff page is drawn for someone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, url_for

from consult import concerns
from consult.requests.workflow import QueueCounts, queue_counts
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


def request_counts() -> QueueCounts | None:
    """The signed-in person's open, overdue and urgent requests: one statement a request."""
    if "request_counts" not in g:
        user = current_staff()
        g.request_counts = queue_counts(user) if user is not None else None
    return g.request_counts


def waiting() -> list[Waiting]:
    """The header's counts for the person signed in (none for roles that follow nothing)."""
    items = []
    requests = request_counts()
    if requests is not None:
        items.append(Waiting(requests.urgent, "open urgent request", "open urgent requests",
                             url_for("staff.help_requests")))
    user = current_staff()
    counted = concerns.open_concern_counts(user) if user is not None else None
    if counted is not None:
        items.append(Waiting(counted.open, "open concern", "open concerns",
                             url_for("staff.dashboard")))
    return items
