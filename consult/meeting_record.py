"""Recording a held review: who attended, how the child took part, how views arrived (by one
channel or several), the decisions made, and the IRO's answer to each thing the child asked
for ("you said, we did").

The participation codes are the DfE SSDA903 return's; their wording here follows the
return's guidance, in plain words for the IRO choosing one.
"""

from __future__ import annotations

import dataclasses
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
    Response,
    Review,
    ReviewAttendance,
    ReviewDecision,
    ReviewStatus,
    ReviewViews,
    StaffUser,
    ViewsChannel,
    WishAnswer,
)
from consult.questionnaires import reading

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


# The codes under which an advocate spoke for the child (PN2) or was briefed by them (PN5).
ADVOCATE_CODES = {ParticipationCode.PN2, ParticipationCode.PN5}
# What the child asked for in their before-the-review form, which the IRO answers ("you said,
# we did"): the questions in their own words about what should change. Keys a questionnaire
# does not have are simply absent.
WISH_KEYS = ("needs_to_change", "plan_change", "family_time_change", "education_help",
             "see_more", "see_less", "talk_about", "anything_else")
WHAT_MAX_LENGTH = 500
WHO_MAX_LENGTH = 120
WISH_ANSWER_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Decision:
    """One decision as typed: any part may still be missing (`problems` says which)."""

    what: str
    who: str
    due_on: date | None
    done_on: date | None = None


@dataclass(frozen=True)
class MeetingRecord:
    held_on: date
    attended: frozenset[AttendeeRole]
    participation_code: ParticipationCode
    # Each role's channels: one or more of online, paper, verbal and advocate, or none alone.
    views: dict[ConsultedRole, frozenset[ViewsChannel]]
    decisions_sent_on: date | None = None
    record_sent_on: date | None = None
    decisions: tuple[Decision, ...] = ()
    # question key -> the IRO's answer to what the child asked there; empty answers left out
    wish_answers: dict[str, str] = dataclasses.field(default_factory=dict)


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
    recorded = [row for row in review.views_received if row.role is role]
    if any(row.channel is ViewsChannel.PAPER for row in recorded):
        return
    # Paper now, as well as any other way already recorded ("none" no longer holds).
    for row in recorded:
        if row.channel is ViewsChannel.NONE:
            review.views_received.remove(row)
    review.views_received.append(ReviewViews(role=role, channel=ViewsChannel.PAPER))


def recorded_views(review: Review) -> dict[ConsultedRole, frozenset[ViewsChannel]]:
    """The channels recorded for each role (roles with nothing recorded left out)."""
    found: dict[ConsultedRole, set[ViewsChannel]] = {}
    for row in review.views_received:
        found.setdefault(row.role, set()).add(row.channel)
    return {role: frozenset(channels) for role, channels in found.items()}


def suggested_views(review: Review) -> dict[ConsultedRole, frozenset[ViewsChannel]]:
    """What the form offers before the IRO changes anything: what was recorded, else online
    for a role that sent views through Have Your Say (nothing ticked for the others)."""
    recorded = recorded_views(review)
    online = sent_online(review)
    return {role: recorded.get(role, frozenset({ViewsChannel.ONLINE} if role in online else ()))
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
        for role, channels in record.views.items():
            if ViewsChannel.ONLINE in channels and role not in online:
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
    for name, message in _added_problems(record, today).items():
        found.setdefault(name, message)
    return found


def _added_problems(record: MeetingRecord, today: date) -> dict[str, str]:
    """The checks of channels, the advocate, the decisions and "you said, we did"."""
    found: dict[str, str] = {}
    for role, channels in record.views.items():
        label = vocabulary.CONSULTED_LABELS[role].lower()
        if not channels:
            found[f"views_{role.value}"] = (
                f"Tick how the {label}'s views reached the review, or that they were not given.")
        elif ViewsChannel.NONE in channels and len(channels) > 1:
            found[f"views_{role.value}"] = (
                f"The {label}'s views cannot be both not given and given another way: untick "
                "one.")
    code = record.participation_code
    if (code in ADVOCATE_CODES and AttendeeRole.ADVOCATE not in record.attended
            and ViewsChannel.ADVOCATE not in record.views.get(ConsultedRole.CHILD, ())):
        found["participation_code"] = (
            f"{code.value} means an advocate spoke for the child: tick an advocate under who "
            "attended, or the child's views coming through an advocate.")
    for index, decision in enumerate(record.decisions):
        prefix = f"decision_{index}_"
        if not decision.what.strip():
            found[prefix + "what"] = "Say what was decided."
        elif len(decision.what) > WHAT_MAX_LENGTH:
            found[prefix + "what"] = (
                f"Say what was decided in {WHAT_MAX_LENGTH} characters or fewer.")
        if not decision.who.strip():
            found[prefix + "who"] = "Say who will do it."
        elif len(decision.who) > WHO_MAX_LENGTH:
            found[prefix + "who"] = f"Say who will do it in {WHO_MAX_LENGTH} characters or fewer."
        if decision.due_on is None:
            found[prefix + "due_on"] = "Enter the date it is to be done by."
        elif decision.due_on < record.held_on:
            found[prefix + "due_on"] = "This date cannot be before the review was held."
        if decision.done_on is not None and decision.done_on < record.held_on:
            found[prefix + "done_on"] = "This date cannot be before the review was held."
        elif decision.done_on is not None and decision.done_on > today:
            found[prefix + "done_on"] = "This date cannot be in the future."
    for key, answer in record.wish_answers.items():
        if len(answer) > WISH_ANSWER_MAX_LENGTH:
            found[f"we_did_{key}"] = (
                f"Keep the answer to {WISH_ANSWER_MAX_LENGTH} characters or fewer.")
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
    if recorded_views(review) != {role: channels for role, channels in record.views.items()
                                  if channels}:
        review.views_received = [ReviewViews(role=role, channel=channel)
                                 for role, channels in record.views.items()
                                 for channel in sorted(channels)]
    _keep_decisions(review, record.decisions)
    _keep_wish_answers(review, record.wish_answers)
    audit.record("review.recorded", staff=by, subject=review,
                 code=record.participation_code.value.lower())


def _keep_decisions(review: Review, decisions: tuple[Decision, ...]) -> None:
    """The review's decisions become those given, in their order; unchanged rows are kept."""
    kept = [(row.what, row.who, row.due_on, row.done_on) for row in review.decisions]
    given = [(d.what.strip(), d.who.strip(), d.due_on, d.done_on) for d in decisions]
    if kept == given:
        return
    review.decisions = [ReviewDecision(position=position, what=what, who=who, due_on=due_on,
                                       done_on=done_on)
                        for position, (what, who, due_on, done_on) in enumerate(given)]


def _keep_wish_answers(review: Review, answers: dict[str, str]) -> None:
    given = {key: answer.strip() for key, answer in answers.items() if answer.strip()}
    if {row.question_key: row.answer for row in review.wish_answers} == given:
        return
    review.wish_answers = [WishAnswer(question_key=key, answer=answer)
                           for key, answer in sorted(given.items())]


@dataclass(frozen=True)
class Wish:
    """One thing the child asked for: the question and their words."""

    key: str
    question: str
    words: str


def child_wishes(review: Review) -> tuple[Response | None, tuple[Wish, ...]]:
    """What the child asked for in the last before-the-review form they sent for this review
    (never the feedback form, never what they wrote only for their IRO), with that response;
    (None, ()) when there is none."""
    sent = [invitation for invitation in review.invitations
            if invitation.role is InviteeRole.CHILD
            and invitation.purpose is vocabulary.VIEWS_ONLINE_PURPOSE
            and invitation.response is not None and invitation.sent_at is not None]
    if not sent:
        return None, ()
    response = sent[-1].response
    shown = {answer.key: answer for answer in reading.prepare_submission(
        response, include_only_for_iro=False, for_meeting=True).answers
        if answer.words.strip()}
    return response, tuple(Wish(key, shown[key].question, shown[key].words)
                              for key in WISH_KEYS if key in shown)


def previous_held(review: Review) -> Review | None:
    """The child's review held last before this one (by the day held), if any."""
    held = [other for other in review.child.reviews
            if other.id != review.id and other.status is ReviewStatus.HELD
            and other.held_on is not None and other.held_on <= review.meeting_date]
    return max(held, key=lambda other: (other.held_on, other.id), default=None)
