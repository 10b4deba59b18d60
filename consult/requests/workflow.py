"""How a request for help is made and moves to its outcome, every step timestamped.

new → acknowledged → referred → matched or resolved; declined or withdrawn from any open
state. Only independent visitor and advocate requests can be "matched" (with a visitor or
an advocate). `acknowledged_at` is when staff first answered (the request left "new",
whatever the answer): the figure "time to acknowledge" is measured to it. `closed_at` is
when it reached an outcome. Closed requests never change again.

An urgent request (from the help-now page) is acknowledged the same working day: it is
overdue once `URGENT_ACKNOWLEDGE_WORKING_HOURS` working hours have passed; any other
request within 2 working days. Urgent requests come first in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from consult import audit, working_days
from consult.alerts import outbox
from consult.extensions import db
from consult.inputs import clean_text
from consult.models import (
    Child,
    HelpRequest,
    HelpRequestEvent,
    Invitation,
    RequestKind,
    RequestSource,
    RequestState,
    StaffUser,
    utcnow,
)
from consult.requests.access import visible_requests
from consult.working_days import add_working_hours, working_hours_before

S = RequestState
TRANSITIONS: dict[RequestState, tuple[RequestState, ...]] = {
    S.NEW: (S.ACKNOWLEDGED, S.DECLINED, S.WITHDRAWN),
    S.ACKNOWLEDGED: (S.REFERRED, S.RESOLVED, S.DECLINED, S.WITHDRAWN),
    S.REFERRED: (S.MATCHED, S.RESOLVED, S.DECLINED, S.WITHDRAWN),
    S.MATCHED: (),
    S.RESOLVED: (),
    S.DECLINED: (),
    S.WITHDRAWN: (),
}
OPEN_STATES = frozenset(state for state, onward in TRANSITIONS.items() if onward)
CLOSED_STATES = frozenset(RequestState) - OPEN_STATES
MATCHABLE_KINDS = frozenset({RequestKind.INDEPENDENT_VISITOR, RequestKind.ADVOCATE})

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 2
URGENT_WITHIN_HOURS_SETTING = "URGENT_ACKNOWLEDGE_WORKING_HOURS"
MESSAGE_MAX_LENGTH = 2000


class IllegalTransition(ValueError):
    """A state change the workflow does not allow; the message says why, for staff."""

    def __init__(self, kind: RequestKind, from_state: RequestState, to_state: RequestState):
        self.kind, self.from_state, self.to_state = kind, from_state, to_state
        if from_state in CLOSED_STATES:
            reason = f"it is already {from_state.value} and closed requests do not change"
        elif to_state is S.MATCHED and kind not in MATCHABLE_KINDS:
            reason = "only independent visitor and advocate requests can be matched"
        elif from_state is to_state:
            reason = f"it is already {from_state.value}"
        else:
            onward = ", ".join(s.value for s in next_states(kind, from_state))
            reason = f"from {from_state.value} it can only become {onward}"
        super().__init__(f"This request cannot be marked {to_state.value}: {reason}.")


def next_states(kind: RequestKind, state: RequestState) -> tuple[RequestState, ...]:
    return tuple(onward for onward in TRANSITIONS[state]
                 if onward is not S.MATCHED or kind in MATCHABLE_KINDS)


def clean_message(text: str | None, *, multiline: bool = True) -> str | None:
    """The one cleaning step for typed text (`consult.inputs`); None when nothing was written."""
    return clean_text(text, multiline=multiline) or None


def create_request(
    kind: RequestKind,
    source: RequestSource,
    *,
    invitation: Invitation | None = None,
    message: str | None = None,
    contact_name: str | None = None,
    contact_detail: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> HelpRequest:
    """Record a request with its first event, and queue the alert in the same transaction."""
    now = now or utcnow()
    child = invitation.review.child if invitation is not None else None
    help_request = HelpRequest(
        kind=kind, source=source, state=S.NEW, child=child, invitation=invitation,
        message=clean_message(message),
        contact_name=clean_message(contact_name, multiline=False),
        contact_detail=clean_message(contact_detail, multiline=False), language=language,
        created_at=now)
    help_request.events.append(HelpRequestEvent(from_state=None, to_state=S.NEW, occurred_at=now))
    db.session.add(help_request)
    db.session.flush()
    audit.record("request.created", invitation=invitation, subject=help_request,
                 kind=kind.value, source=source.value, linked=child is not None)
    outbox.queue_request_alert(help_request)
    return help_request


def change_state(help_request: HelpRequest, to_state: RequestState, *, staff: StaffUser,
                 now: datetime | None = None) -> HelpRequestEvent:
    """Move the request on, or raise IllegalTransition and change nothing."""
    from_state = help_request.state
    if to_state not in next_states(help_request.kind, from_state):
        raise IllegalTransition(help_request.kind, from_state, to_state)
    now = now or utcnow()
    help_request.state = to_state
    if from_state is S.NEW and help_request.acknowledged_at is None:
        help_request.acknowledged_at = now
    if to_state in CLOSED_STATES:
        help_request.closed_at = now
    event = HelpRequestEvent(from_state=from_state, to_state=to_state, staff=staff,
                             occurred_at=now)
    help_request.events.append(event)
    audit.record("request.state_changed", staff=staff, subject=help_request,
                 from_state=from_state.value, to_state=to_state.value)
    return event


def link_to_child(help_request: HelpRequest, child: Child, *, staff: StaffUser) -> None:
    """A public request turns out to be from (or about) a child we know: their IRO takes it."""
    if help_request.child_id is not None:
        raise ValueError("this request is already linked to a child")
    help_request.child = child
    audit.record("request.linked", staff=staff, subject=help_request)
    db.session.flush()
    outbox.queue_request_alert(help_request)


def urgent_within_hours() -> int:
    """Working hours within which an urgent request must be acknowledged (a setting)."""
    return current_app.config[URGENT_WITHIN_HOURS_SETTING]


def acknowledge_by(help_request: HelpRequest) -> date | datetime:
    """When acknowledging is due: for an urgent request the instant its working hours run
    out; for any other, the last day on time, 2 working days after it arrived."""
    if help_request.kind is RequestKind.URGENT:
        return add_working_hours(help_request.created_at, urgent_within_hours())
    return working_days.answer_by(help_request.created_at, ACKNOWLEDGE_WITHIN_WORKING_DAYS)


def overdue_cutoff(now: datetime) -> datetime:
    """A request still new (not urgent) that arrived before this instant is overdue, so SQL
    can count them."""
    return working_days.late_if_arrived_before(now, ACKNOWLEDGE_WITHIN_WORKING_DAYS)


def urgent_overdue_cutoff(now: datetime) -> datetime:
    """An urgent request still new that arrived at or before this instant is overdue."""
    return working_hours_before(now, urgent_within_hours())


def overdue_clause(now: datetime):
    """The one rule for "overdue", as a WHERE clause: still new, and past its timescale."""
    urgent = HelpRequest.kind == RequestKind.URGENT
    return and_(HelpRequest.state == S.NEW, or_(
        and_(urgent, HelpRequest.created_at <= urgent_overdue_cutoff(now)),
        and_(~urgent, HelpRequest.created_at < overdue_cutoff(now))))


def is_overdue(help_request: HelpRequest, now: datetime) -> bool:
    if help_request.state is not S.NEW:
        return False
    if help_request.kind is RequestKind.URGENT:
        return help_request.created_at <= urgent_overdue_cutoff(now)
    return working_days.is_late(help_request.created_at, ACKNOWLEDGE_WITHIN_WORKING_DAYS, now)


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int
    urgent: int = 0


def queue_count_columns(user: StaffUser, now: datetime | None = None) -> list | None:
    """The open, overdue and urgent counts of the requests this person follows, as scalar
    subqueries, so a page can read them in the same statement as other counts; None for
    someone who follows no requests."""
    visible = visible_requests(user)
    if visible is None:
        return None

    def counted(*only):
        return (select(func.count()).select_from(HelpRequest)
                .where(visible, HelpRequest.state.in_(OPEN_STATES), *only).scalar_subquery())

    return [counted(), counted(overdue_clause(now or utcnow())),
            counted(HelpRequest.kind == RequestKind.URGENT)]


def queue_counts(user: StaffUser, now: datetime | None = None) -> QueueCounts | None:
    """How many requests this person follows are open, how many of those are overdue and
    how many urgent, in one statement."""
    columns = queue_count_columns(user, now)
    if columns is None:
        return None
    return QueueCounts(*db.session.execute(select(*columns)).one())


@dataclass(frozen=True)
class QueueRow:
    request: HelpRequest
    overdue: bool
    acknowledge_by: date | datetime

    @property
    def urgent(self) -> bool:
        return self.request.kind is RequestKind.URGENT


def _rows(requests, now: datetime) -> list[QueueRow]:
    return [QueueRow(r, is_overdue(r, now), acknowledge_by(r)) for r in requests]


QUEUE_VIEWS = ("open", "closed", "all")
QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: int
    more: bool


def queue(user: StaffUser, *, view: str = "open", page: int = 1,
          now: datetime | None = None) -> QueuePage:
    """One page of the requests this person follows: open ones urgent first, then overdue
    ones, each group oldest first; closed ones and all of them newest first. Two
    statements whatever the size."""
    now = now or utcnow()
    visible = visible_requests(user)
    if visible is None:
        return QueuePage([], page, False)
    query = select(HelpRequest).where(visible).options(selectinload(HelpRequest.child))
    if view == "open":
        urgent = HelpRequest.kind == RequestKind.URGENT
        query = query.where(HelpRequest.state.in_(OPEN_STATES)).order_by(
            case((urgent, 0), else_=1), case((overdue_clause(now), 0), else_=1),
            HelpRequest.created_at, HelpRequest.id)
    elif view == "closed":
        query = query.where(HelpRequest.state.in_(CLOSED_STATES)).order_by(
            HelpRequest.closed_at.desc(), HelpRequest.id.desc())
    else:
        query = query.order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    found = list(db.session.scalars(
        query.offset((page - 1) * QUEUE_PAGE_SIZE).limit(QUEUE_PAGE_SIZE + 1)))
    return QueuePage(_rows(found[:QUEUE_PAGE_SIZE], now), page, len(found) > QUEUE_PAGE_SIZE)


def requests_for_child(child: Child, now: datetime | None = None) -> list[QueueRow]:
    """Every request linked to this child, newest first, for the child's page."""
    requests = db.session.scalars(
        select(HelpRequest).where(HelpRequest.child_id == child.id)
        .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc()))
    return _rows(requests, now or utcnow())


def request_for(user: StaffUser, request_id: int) -> HelpRequest | None:
    """The request with its history, if this person may see it."""
    visible = visible_requests(user)
    if visible is None:
        return None
    return db.session.scalar(
        select(HelpRequest).where(HelpRequest.id == request_id, visible)
        .options(selectinload(HelpRequest.child),
                 selectinload(HelpRequest.events).selectinload(HelpRequestEvent.staff)))
