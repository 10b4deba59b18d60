"""Recording a held review: who attended, how the child took part, how views arrived.

The participation codes are the DfE SSDA903 return's; their wording here follows the
return's guidance, in plain words for the IRO choosing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from consult import audit, care_periods, vocabulary
from consult.models import (
    AttendeeRole,
    Child,
    ConsultedRole,
    InviteeRole,
    ParticipationCode,
    RecordSource,
    Review,
    ReviewAttendance,
    ReviewStatus,
    ReviewViews,
    StaffUser,
    ViewsChannel,
)

ATTENDED_CODES = {ParticipationCode.PN1, ParticipationCode.PN2, ParticipationCode.PN3,
                  ParticipationCode.PN4}


def pn0_rule(born: date, held_on: date, code: ParticipationCode | None) -> str | None:
    """DfE rules 440 and 441: PN0 until the 4th birthday, PN1 to PN7 from it. On the
    birthday itself either is accepted, as the DfE's validator accepts it."""
    fourth_birthday = fourth_birthday_of(born)
    if code is ParticipationCode.PN0 and held_on > fourth_birthday:
        return "PN0 is only for a child under 4 (or turning 4) on the day of the review."
    if code is not None and code is not ParticipationCode.PN0 and held_on < fourth_birthday:
        return "The child was under 4 on the day: choose PN0."
    return None


def fourth_birthday_of(born: date) -> date:
    # Someone born on 29 February turns 4 on 28 February, as the DfE's validator counts.
    return born + relativedelta(years=4)


@dataclass(frozen=True)
class MeetingRecord:
    held_on: date
    attended: frozenset[AttendeeRole]
    participation_code: ParticipationCode
    views: dict[ConsultedRole, ViewsChannel]
    decisions_sent_on: date | None = None
    record_sent_on: date | None = None


def sent_online(review: Review, by_day: date | None = None) -> set[ConsultedRole]:
    """The consulted roles whose views were given online for this review, by the rule the
    figures count by (vocabulary.counts_as_views_online): before-the-review forms sent
    through the link by the day of the meeting, or by today while it has not been held."""
    if by_day is None:
        by_day = review.held_on or vocabulary.today_utc()
    return vocabulary.views_online(list(review.invitations), by_day)


def record_paper_views(review: Review, invitee: InviteeRole) -> None:
    """A paper booklet of this person's was typed in: their role's views came on paper.

    Set at once, before or after the meeting, so the figures count it without the IRO
    having to remember it when recording the meeting (where it is offered as recorded).
    """
    role = vocabulary.consulted_role_of(invitee)
    if role is None:
        return
    recorded = next((row for row in review.views_received if row.role is role), None)
    if recorded is None:
        review.views_received.append(ReviewViews(role=role, channel=ViewsChannel.PAPER))
    else:
        recorded.channel = ViewsChannel.PAPER


def suggested_views(review: Review) -> dict[ConsultedRole, ViewsChannel]:
    """What the form offers before the IRO changes anything: what was recorded, else online
    for a role that sent views through Have Your Say."""
    recorded = {row.role: row.channel for row in review.views_received}
    online = sent_online(review)
    return {role: recorded.get(role, ViewsChannel.ONLINE if role in online else None)
            for role in ConsultedRole}


# The checks of a meeting record, one function per rule, shared by the staff form (through
# `problems`) and the reviews import, which report their messages as they are.

def care_problem(child: Child, on: date) -> str | None:
    """A review must fall in one of the child's periods of care."""
    periods = care_periods.periods_of(child)
    if on < periods[0].started_on:
        return "The review cannot be before the child became looked after."
    if care_periods.period_on(periods, on) is None:
        return "The child was not looked after on that day."
    return None


def held_on_problem(child: Child, held_on: date, today: date) -> str | None:
    """The day a review was held: not in the future, and in one of the child's periods."""
    if held_on > today:
        return "The date the review was held cannot be in the future."
    return care_problem(child, held_on)


def participation_problem(born: date, held_on: date, code: ParticipationCode | None,
                          attended: frozenset[AttendeeRole]) -> str | None:
    """The PN code fits the child's age on the day (pn0_rule) and agrees with whether the
    child attended: PN1 to PN4 say they did, PN5 to PN7 that they did not."""
    problem = pn0_rule(born, held_on, code)
    if problem or code is None:
        return problem
    if code in ATTENDED_CODES and AttendeeRole.CHILD not in attended:
        return (f"{code.value} means the child attended: record the child as attending, "
                "or choose PN5, PN6 or PN7.")
    if (code not in ATTENDED_CODES and code is not ParticipationCode.PN0
            and AttendeeRole.CHILD in attended):
        return (f"{code.value} means the child did not attend, but the child is recorded as "
                "attending: choose PN1 to PN4.")
    return None


def problems(review: Review, record: MeetingRecord, today: date) -> dict[str, str]:
    """What is wrong with a meeting record, by form field; empty when it can be saved."""
    found: dict[str, str] = {}
    child = review.child
    if problem := held_on_problem(child, record.held_on, today):
        found["held_on"] = problem
    if problem := participation_problem(child.date_of_birth, record.held_on,
                                        record.participation_code, record.attended):
        found["participation_code"] = problem
    if "held_on" not in found:
        online = sent_online(review, record.held_on)
        for role, channel in record.views.items():
            if channel is ViewsChannel.ONLINE and role not in online:
                found[f"views_{role.value}"] = (
                    f"No form asking for the {vocabulary.CONSULTED_LABELS[role].lower()}'s "
                    "views before the review was sent through Have Your Say by the day it was "
                    "held, so their views did not come online: choose how they did come.")
    for field, sent in (("decisions_sent_on", record.decisions_sent_on),
                        ("record_sent_on", record.record_sent_on)):
        if sent is not None and sent < record.held_on:
            found[field] = "This date cannot be before the review was held."
        elif sent is not None and sent > today:
            found[field] = "This date cannot be in the future."
    return found


def record_meeting(review: Review, record: MeetingRecord, by: StaffUser) -> None:
    """Save the record on the review: it is now held, chaired by the person recording it."""
    review.status = ReviewStatus.HELD
    review.held_on = record.held_on
    review.chair = by
    review.participation_code = record.participation_code
    review.record_source = RecordSource.STAFF
    review.decisions_sent_on = record.decisions_sent_on
    review.record_sent_on = record.record_sent_on
    if {row.role for row in review.attendance} != record.attended:
        review.attendance = [ReviewAttendance(role=role) for role in sorted(record.attended)]
    if {row.role: row.channel for row in review.views_received} != record.views:
        review.views_received = [ReviewViews(role=role, channel=channel)
                                 for role, channel in record.views.items()]
    audit.record("review.recorded", staff=by, subject=review,
                 code=record.participation_code.value.lower())
