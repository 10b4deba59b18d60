"""What a member of staff may see of their children and reviews, as plain queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consult import care_periods, schedule
from consult.extensions import db
from consult.models import (
    Child,
    HelpRequest,
    Invitation,
    RaisedConcern,
    RequestState,
    Response,
    Review,
    ReviewStatus,
    ReviewType,
    StaffUser,
)
from consult.policy import may_open_child_record, may_read_child
from consult.schedule import ScheduleFlag

OPEN_REQUEST_STATES = (RequestState.NEW, RequestState.ACKNOWLEDGED, RequestState.REFERRED)


def review_for(user: StaffUser, review_id: int) -> Review | None:
    """The review, with everything its page shows, if this person may read it."""
    review = db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            # Joined into the child's reviews: the decisions of each (this one's and those
            # agreed last time) cost no statement of their own.
            selectinload(Review.child).options(
                selectinload(Child.reviews).joinedload(Review.decisions),
                joinedload(Child.periods)),
            selectinload(Review.attendance), selectinload(Review.views_received),
            selectinload(Review.invitations).selectinload(Invitation.response).options(
                selectinload(Response.answers), selectinload(Response.free_texts),
                # Joined into the responses' own statement: the concerns panel costs nothing.
                joinedload(Response.concerns).joinedload(RaisedConcern.acknowledged_by)),
        )
    )
    if review is None or not may_read_child(user, review.child):
        return None
    return review


def open_requests(child: Child) -> list[HelpRequest]:
    return list(db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.child_id == child.id, HelpRequest.state.in_(OPEN_REQUEST_STATES))
        .order_by(HelpRequest.created_at)))


def review_record_for(user: StaffUser, review_id: int) -> Review | None:
    """The review without anyone's answers: for recording the meeting and setting dates."""
    review = db.session.scalar(
        select(Review).where(Review.id == review_id).options(
            selectinload(Review.child).options(
                selectinload(Child.reviews), joinedload(Child.periods)),
            selectinload(Review.attendance), selectinload(Review.views_received),
            selectinload(Review.invitations).selectinload(Invitation.response)))
    if review is None or not may_read_child(user, review.child):
        return None
    return review


def invitation_for(user: StaffUser, invitation_id: int) -> Invitation | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not may_read_child(user, invitation.review.child):
        return None
    return invitation


def child_for(user: StaffUser, child_id: int) -> Child | None:
    child = db.session.scalars(select(Child).where(Child.id == child_id).options(
        selectinload(Child.reviews), joinedload(Child.periods), selectinload(Child.iro),
        selectinload(Child.social_worker))).unique().first()
    if child is None or not may_open_child_record(user, child):
        return None
    return child


@dataclass(frozen=True)
class ChildSchedule:
    """Where a child stands in the review cycle, as the caseload list shows it."""

    next_review: Review | None  # the booked (scheduled) review, if any
    review_type: ReviewType
    due_on: date
    midway: date | None
    last_held: Review | None
    flags: frozenset[ScheduleFlag]
    # False when the current period is short breaks only: no statutory reviews, no flags.
    reviewed: bool = True

    @property
    def needs_attention(self) -> bool:
        return bool(self.flags - {ScheduleFlag.DUE_SOON})


def schedule_of(child: Child, today: date, timetable: schedule.Timetable,
                due_soon_days: int) -> ChildSchedule:
    """The next review (booked or only due), its flags, and late paperwork from the last one.

    Reads `child.reviews` as loaded, so a whole caseload costs no extra queries.
    """
    held = sorted((r for r in child.reviews if r.status is ReviewStatus.HELD and r.held_on),
                  key=lambda r: r.held_on)
    booked = sorted((r for r in child.reviews if r.status is ReviewStatus.SCHEDULED),
                    key=lambda r: (r.due_on, r.id))
    planned = schedule.next_review(child.looked_after_since, [r.held_on for r in held], timetable)
    if not care_periods.is_reviewed(child):
        return ChildSchedule(None, planned.review_type, planned.due_on, None,
                             held[-1] if held else None, frozenset(), reviewed=False)
    upcoming = booked[0] if booked else None
    due_on = upcoming.due_on if upcoming else planned.due_on
    review_type = upcoming.review_type if upcoming else planned.review_type
    meeting_on = upcoming.scheduled_for.date() if upcoming and upcoming.scheduled_for else None
    flags = schedule.flags_for(status=ReviewStatus.SCHEDULED, due_on=due_on,
                               meeting_on=meeting_on, today=today, due_soon_days=due_soon_days)
    last_held = held[-1] if held else None
    if last_held is not None:
        flags |= schedule.paperwork_flags(
            held_on=last_held.held_on, decisions_sent_on=last_held.decisions_sent_on,
            record_sent_on=last_held.record_sent_on, today=today)
    midway = schedule.NextReview(review_type, due_on, planned.previous_held_on).midway()
    return ChildSchedule(upcoming, review_type, due_on, midway, last_held, frozenset(flags))
