"""One meaning of "views given online", held by the meeting record and the figures alike.

The meeting record offers "Online" for a role, and the figures count a role's views as
online when the IRO recorded nothing, by the same rule (consult.vocabulary). These tests
plant every kind of form on both sides of the meeting day and check the two agree.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from consult import care_periods, meeting_record, vocabulary
from consult.extensions import db
from consult.figures.period import Period
from consult.figures.report import Scope, build_report
from consult.meeting_record import MeetingRecord
from consult.models import (
    AttendeeRole,
    ConsultedRole,
    InvitationPurpose,
    InviteeRole,
    PaperResponse,
    ParticipationCode,
    Response,
    ReviewStatus,
    StaffRole,
    ViewsChannel,
)
from tests import factories

HELD_ON = date(2025, 6, 10)
PERIOD = Period(date(2025, 6, 1), date(2025, 6, 30))


def _held_review(iro, *, purpose, paper, sent_day_offset):
    """A review held on HELD_ON whose child sent one form of `purpose`, `sent_day_offset`
    days from the meeting day (None: never sent), through the link or typed in from paper."""
    child = factories.child(iro, age=14)
    child.looked_after_since = date(2024, 1, 1)
    care_periods.sync_current_period(child)  # the period of care starts then too
    review = factories.review(child)
    invitation, _token = factories.invitation(review, purpose=purpose)
    if sent_day_offset is not None:
        sent_at = datetime.combine(HELD_ON + timedelta(days=sent_day_offset), time(23, 30),
                                   tzinfo=UTC)
        invitation.sent_at = sent_at
        response = Response(invitation=invitation, questionnaire_key="young_person",
                            questionnaire_version=1, language="en_GB")
        db.session.add(response)
        if paper:
            response.paper = PaperResponse(typed_in_by=iro)
    review.status, review.held_on = ReviewStatus.HELD, HELD_ON
    review.due_on, review.chair = HELD_ON, iro
    review.participation_code = ParticipationCode.PN6
    db.session.flush()
    return review


CASES = list(itertools.product(
    (InvitationPurpose.VIEWS, InvitationPurpose.FEEDBACK), (False, True), (-3, 0, 1, None)))


def test_the_meeting_record_and_the_figures_count_the_same_forms_as_online(app):
    iro = factories.staff(StaffRole.IRO)
    reviews = {case: _held_review(iro, purpose=case[0], paper=case[1], sent_day_offset=case[2])
               for case in CASES}
    db.session.commit()

    online_by_record = {case for case, review in reviews.items()
                        if ConsultedRole.CHILD in meeting_record.sent_online(review)}
    # Only a before-the-review form, sent through the link, on or before the meeting day.
    assert online_by_record == {(InvitationPurpose.VIEWS, False, -3),
                                (InvitationPurpose.VIEWS, False, 0)}

    views = build_report(PERIOD, Scope()).table("views_by_role")
    child_online = next(row for row in views.rows if row.key == "child").cells[0]
    assert child_online.count == len(online_by_record)
    assert child_online.denominator == len(CASES)


def test_a_feedback_only_form_is_not_offered_as_online_nor_counted(app, client):
    """The child sent only the feedback form about their last review: the meeting record
    does not suggest "Online", refuses it if chosen, and the figures do not count it."""
    iro = factories.staff(StaffRole.IRO)
    review = _held_review(iro, purpose=InvitationPurpose.FEEDBACK, paper=False,
                          sent_day_offset=-2)
    review.status, review.held_on, review.participation_code = ReviewStatus.SCHEDULED, None, None
    db.session.commit()

    assert meeting_record.suggested_views(review)[ConsultedRole.CHILD] == frozenset()
    chosen_online = MeetingRecord(
        held_on=HELD_ON, attended=frozenset({AttendeeRole.FOSTER_CARER}),
        participation_code=ParticipationCode.PN6,
        views={ConsultedRole.CHILD: frozenset({ViewsChannel.ONLINE}),
               ConsultedRole.FOSTER_CARER: frozenset({ViewsChannel.NONE}),
               ConsultedRole.PARENT_OR_FAMILY: frozenset({ViewsChannel.NONE})})
    problems = meeting_record.problems(review, chosen_online, today=HELD_ON)
    assert set(problems) == {"views_child"}

    recorded_as_given = MeetingRecord(
        held_on=HELD_ON, attended=frozenset({AttendeeRole.FOSTER_CARER}),
        participation_code=ParticipationCode.PN6,
        views={ConsultedRole.CHILD: frozenset({ViewsChannel.NONE}),
               ConsultedRole.FOSTER_CARER: frozenset({ViewsChannel.NONE}),
               ConsultedRole.PARENT_OR_FAMILY: frozenset({ViewsChannel.NONE})})
    assert meeting_record.problems(review, recorded_as_given, today=HELD_ON) == {}
    meeting_record.record_meeting(review, recorded_as_given, by=iro)
    db.session.commit()
    child_row = next(row for row in build_report(PERIOD, Scope()).table("views_by_role").rows
                     if row.key == "child")
    assert [cell.count for cell in child_row.cells] == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("role", list(InviteeRole))
def test_every_invitee_has_a_label_and_at_most_one_consulted_role(role):
    assert vocabulary.INVITEE_LABELS[role]
    holders = [c for c, invitees in vocabulary.CONSULTED_INVITEES.items() if role in invitees]
    assert len(holders) <= 1
    assert vocabulary.consulted_role_of(role) == (holders[0] if holders else None)


def test_every_code_channel_and_role_has_its_staff_words():
    assert set(vocabulary.PN_MEANINGS) == set(vocabulary.PN_HEADINGS) == set(ParticipationCode)
    assert set(vocabulary.CHANNEL_LABELS) == set(ViewsChannel)
    assert set(vocabulary.CONSULTED_LABELS) == set(ConsultedRole)
    assert set(vocabulary.ATTENDEE_LABELS) == set(AttendeeRole)
    # The labels read inside a sentence ("Views of the child or young person").
    assert not any(label.lower().startswith("the ")
                   for label in vocabulary.CONSULTED_LABELS.values())
