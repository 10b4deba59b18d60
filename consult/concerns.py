"""Concerns: answers that need the child's IRO's attention soon, raised when a response is
saved and acknowledged by the IRO recording what they did.

Which answers raise which concern is data on the questionnaires' choices
(`Choice.concern`, explained in docs/concerns.md); this module raises them, tells the IRO
through the alert outbox (no name, no words, no reference), holds the timescale (1 working
day) and answers "what is open, for whom". Plain functions over the session, testable
without a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from consult import audit, working_days
from consult.alerts import outbox
from consult.extensions import db
from consult.models import Child, RaisedConcern, Response, StaffRole, StaffUser, utcnow
from consult.policy import may_acknowledge_concern
from consult.questionnaires import definitions
from consult.questionnaires.model import Answers, Questionnaire

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 1
ACTION_MAX_LENGTH = 500


def raise_concerns(response: Response, questionnaire: Questionnaire, answers: Answers, *,
                   child: Child, now: datetime) -> list[RaisedConcern]:
    """Add a concern for every answer in `answers` that raises one, in the transaction that
    saves the response, and queue one alert to the child's IRO if there are any."""
    raised: dict[str, RaisedConcern] = {}
    for question in questionnaire.questions:
        for concern in question.concerns_in(answers.get(question.key)):
            raised.setdefault(concern.key, RaisedConcern(
                response=response, child=child, question_key=question.key,
                concern_key=concern.key, raised_at=now))
    if raised:
        db.session.add_all(raised.values())
        db.session.flush()
        audit.record("concern.raised", subject=response, count=len(raised))
        outbox.queue_concern_alert(response.invitation)
    return list(raised.values())


def reason(concern: RaisedConcern) -> str:
    """Why it was raised, in English for staff."""
    known = definitions.concerns().get(concern.concern_key)
    return known.reason if known else concern.concern_key.replace("_", " ").capitalize()


def acknowledge_by(concern: RaisedConcern) -> date:
    """The last day on which acknowledging is on time: 1 working day after it was raised."""
    return working_days.answer_by(concern.raised_at, ACKNOWLEDGE_WITHIN_WORKING_DAYS)


def is_overdue(concern: RaisedConcern, now: datetime) -> bool:
    return concern.acknowledged_at is None and working_days.is_late(
        concern.raised_at, ACKNOWLEDGE_WITHIN_WORKING_DAYS, now)


class NotAcknowledged(ValueError):
    """Why a concern could not be acknowledged, in words for the IRO."""


def acknowledge(concern: RaisedConcern, action_taken: str, *, staff: StaffUser,
                now: datetime | None = None) -> None:
    """Record what the IRO did; the concern is then no longer open. Audited, without words."""
    if not may_acknowledge_concern(staff, concern.child):
        raise PermissionError("only the child's IRO acknowledges a concern")
    if concern.acknowledged_at is not None:
        raise NotAcknowledged("This concern has been acknowledged already.")
    text = (action_taken or "").replace("\r\n", "\n").strip()
    if not text:
        raise NotAcknowledged("Say what you did about this concern.")
    if len(text) > ACTION_MAX_LENGTH:
        raise NotAcknowledged(
            f"Say what you did in {ACTION_MAX_LENGTH} characters or fewer. It is {len(text)} now.")
    concern.action_taken = text
    concern.acknowledged_at = now or utcnow()
    concern.acknowledged_by = staff
    audit.record("concern.acknowledged", staff=staff, subject=concern,
                 concern=concern.concern_key,
                 on_time=not working_days.is_late(
                     concern.raised_at, ACKNOWLEDGE_WITHIN_WORKING_DAYS, concern.acknowledged_at))


@dataclass(frozen=True)
class ShownConcern:
    """One concern as a staff page lists it."""

    concern: RaisedConcern
    reason: str
    acknowledge_by: date
    overdue: bool

    @property
    def open(self) -> bool:
        return self.concern.acknowledged_at is None


def shown(concerns: Iterable[RaisedConcern], now: datetime | None = None) -> list[ShownConcern]:
    """Open ones first (overdue first among them), then in the order they were raised."""
    now = now or utcnow()
    rows = [ShownConcern(c, reason(c), acknowledge_by(c), is_overdue(c, now)) for c in concerns]
    return sorted(rows, key=lambda row: (not row.open, not row.overdue,
                                         row.concern.raised_at, row.concern.id))


def concern_for(user: StaffUser, concern_id: int) -> RaisedConcern | None:
    """The concern, if this person may acknowledge it."""
    concern = db.session.get(RaisedConcern, concern_id)
    if concern is None or not may_acknowledge_concern(user, concern.child):
        return None
    return concern


def _mine(user: StaffUser):
    """The concerns this person acts on: an IRO's children's. None for everyone else."""
    if user.role is not StaffRole.IRO:
        return None
    return RaisedConcern.child_id.in_(select(Child.id).where(Child.iro_id == user.id))


@dataclass(frozen=True)
class ConcernCounts:
    open: int
    overdue: int


def open_concern_count_columns(user: StaffUser, now: datetime | None = None) -> list | None:
    """How many concerns this person must acknowledge and how many of those are overdue, as
    scalar subqueries (to be read with other counts in one statement); None for anyone who
    does not acknowledge concerns."""
    mine = _mine(user)
    if mine is None:
        return None
    cutoff = working_days.late_if_arrived_before(now or utcnow(),
                                                 ACKNOWLEDGE_WITHIN_WORKING_DAYS)

    def counted(*only):
        return (select(func.count()).select_from(RaisedConcern)
                .where(mine, RaisedConcern.acknowledged_at.is_(None), *only).scalar_subquery())

    return [counted(), counted(RaisedConcern.raised_at < cutoff)]


def open_concern_counts(user: StaffUser, now: datetime | None = None) -> ConcernCounts | None:
    """How many concerns this person must acknowledge, and how many of those are overdue, in
    one statement; None for anyone who does not acknowledge concerns."""
    columns = open_concern_count_columns(user, now)
    if columns is None:
        return None
    return ConcernCounts(*db.session.execute(select(*columns)).one())


def open_concerns_count(user: StaffUser) -> int:
    """How many concerns wait for this person to acknowledge them (0 for anyone not an IRO):
    for a count in every staff page's header."""
    counts = open_concern_counts(user)
    return counts.open if counts else 0
