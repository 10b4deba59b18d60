"""How a request for help is made and moves to its outcome, every step timestamped.

new → acknowledged → referred → matched or resolved; declined or withdrawn from any open
state. Only independent visitor and advocate requests can be "matched" (with a visitor or
an advocate). `acknowledged_at` is when staff first answered (the request left "new",
whatever the answer): the figure "time to acknowledge" is measured to it. `closed_at` is
when it reached an outcome. Closed requests never change again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from consult import audit
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
from consult.working_days import add_working_days

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
LONDON = ZoneInfo("Europe/London")
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


def acknowledge_by(help_request: HelpRequest) -> date:
    """The last day on which acknowledging is on time: 2 working days after it arrived."""
    arrived = help_request.created_at.astimezone(LONDON).date()
    return add_working_days(arrived, ACKNOWLEDGE_WITHIN_WORKING_DAYS)


def is_overdue(help_request: HelpRequest, now: datetime) -> bool:
    return (help_request.state is S.NEW
            and now.astimezone(LONDON).date() > acknowledge_by(help_request))


def overdue_cutoff(now: datetime) -> datetime:
    """A request still new that arrived before this instant is overdue, so SQL can count them.

    Arrival days are walked back from today to the latest one whose deadline has passed;
    deadlines never fall earlier for a later arrival, so every earlier day is overdue too.
    """
    today = now.astimezone(LONDON).date()
    day = today
    while add_working_days(day, ACKNOWLEDGE_WITHIN_WORKING_DAYS) >= today:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int


def queue_counts(user: StaffUser, now: datetime | None = None) -> QueueCounts | None:
    """How many requests this person follows are open, and how many of those overdue."""
    visible = visible_requests(user)
    if visible is None:
        return None
    cutoff = overdue_cutoff(now or utcnow())
    open_count, overdue = db.session.execute(
        select(func.count(),
               func.count().filter(HelpRequest.state == S.NEW, HelpRequest.created_at < cutoff))
        .where(visible, HelpRequest.state.in_(OPEN_STATES))).one()
    return QueueCounts(open_count, overdue)


@dataclass(frozen=True)
class QueueRow:
    request: HelpRequest
    overdue: bool
    acknowledge_by: date


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
    """One page of the requests this person follows: open ones overdue first, then oldest
    first; closed ones and all of them newest first. Two statements whatever the size."""
    now = now or utcnow()
    visible = visible_requests(user)
    if visible is None:
        return QueuePage([], page, False)
    query = select(HelpRequest).where(visible).options(selectinload(HelpRequest.child))
    if view == "open":
        overdue = (HelpRequest.state == S.NEW) & (HelpRequest.created_at < overdue_cutoff(now))
        query = query.where(HelpRequest.state.in_(OPEN_STATES)).order_by(
            case((overdue, 0), else_=1), HelpRequest.created_at, HelpRequest.id)
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
