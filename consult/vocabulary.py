"""The review's words, in one place: who counts as whom, what "views given online" means,
and the English labels staff read for roles, channels and participation codes.

The meeting record, the figures (their SQL included), the staff pages and the exports all
take these from here, so that an IRO's form and the annual figures cannot mean two things
by one word. Plain data and plain functions: no request, no database session.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from consult.models import (
    AttendeeRole,
    ConsultedRole,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    ParticipationCode,
    ViewsChannel,
)

# Who an invitation was for.
INVITEE_LABELS = {
    InviteeRole.CHILD: "Child or young person",
    InviteeRole.FOSTER_CARER: "Foster carer",
    InviteeRole.PARENT: "Parent",
    InviteeRole.FAMILY_MEMBER: "Family member",
    InviteeRole.SOCIAL_WORKER: "Social worker",
    InviteeRole.OTHER: "Someone else",
}

# Whose views the review records (SSDA903's and the annual report's three), and which
# invitees' forms stand for each.
CONSULTED_LABELS = {
    ConsultedRole.CHILD: "Child or young person",
    ConsultedRole.FOSTER_CARER: "Foster carer",
    ConsultedRole.PARENT_OR_FAMILY: "Parent or family member",
}
CONSULTED_INVITEES = {
    ConsultedRole.CHILD: (InviteeRole.CHILD,),
    ConsultedRole.FOSTER_CARER: (InviteeRole.FOSTER_CARER,),
    ConsultedRole.PARENT_OR_FAMILY: (InviteeRole.PARENT, InviteeRole.FAMILY_MEMBER),
}

# How views reached the review: the form's wording, and the figures' shorter column heading.
CHANNEL_LABELS = {
    ViewsChannel.ONLINE: "Online, through Have Your Say",
    ViewsChannel.PAPER: "On paper (a consultation booklet)",
    ViewsChannel.VERBAL: "Spoken, to the IRO or at the meeting",
    ViewsChannel.ADVOCATE: "Through an advocate",
    ViewsChannel.NONE: "Views not given",
}
CHANNEL_HEADINGS = {
    ViewsChannel.ONLINE: "Online",
    ViewsChannel.PAPER: "On paper",
    ViewsChannel.VERBAL: "Spoken to the IRO",
    ViewsChannel.ADVOCATE: "Through an advocate",
}

ATTENDEE_LABELS = {
    AttendeeRole.CHILD: "The child or young person",
    AttendeeRole.FOSTER_CARER: "Foster carer",
    AttendeeRole.PARENT: "Parent",
    AttendeeRole.FAMILY_MEMBER: "Other family member",
    AttendeeRole.SUPERVISING_SOCIAL_WORKER: "Supervising social worker",
    AttendeeRole.PARTNER_AGENCY: "Partner agencies (school, health, others)",
    AttendeeRole.SOCIAL_WORKER: "The child's social worker",
    AttendeeRole.ADVOCATE: "An advocate",
    AttendeeRole.INTERPRETER: "An interpreter",
}

# The DfE SSDA903 participation codes, in the return's guidance put plainly.
PN_MEANINGS = {
    ParticipationCode.PN0: "Under 4 on the day of the review",
    ParticipationCode.PN1: "Attended and spoke for themselves",
    ParticipationCode.PN2: "Attended, and an advocate spoke for them",
    ParticipationCode.PN3: "Attended and conveyed their views without words",
    ParticipationCode.PN4: "Attended but did not convey their views",
    ParticipationCode.PN5: "Did not attend, and briefed an advocate to speak for them",
    ParticipationCode.PN6: "Did not attend, and conveyed their views another way "
                           "(for example a consultation form)",
    ParticipationCode.PN7: "Did not attend, and their views were not conveyed",
}
# The figures' shorter row labels for the same codes.
PN_HEADINGS = {
    ParticipationCode.PN0: "PN0: under 4 at the time of the review",
    ParticipationCode.PN1: "PN1: attends and speaks for self",
    ParticipationCode.PN2: "PN2: attends, an advocate speaks for them",
    ParticipationCode.PN3: "PN3: attends, conveys views non-verbally",
    ParticipationCode.PN4: "PN4: attends, does not convey views",
    ParticipationCode.PN5: "PN5: does not attend, briefs an advocate",
    ParticipationCode.PN6: "PN6: does not attend, conveys views another way",
    ParticipationCode.PN7: "PN7: does not attend, views not conveyed",
}

# "Views given online", the one rule. A form counts as its sender's views given online for
# a review when it is the form asking for views BEFORE the review (never the feedback form
# after it), it came through the person's link (a paper booklet typed in by staff came on
# paper), and it was sent on or before the day of the meeting (UTC). The figures' SQL
# (figures.measures) applies exactly this; tests/test_vocabulary.py holds the two together.
VIEWS_ONLINE_PURPOSE = InvitationPurpose.VIEWS


def consulted_role_of(invitee: InviteeRole) -> ConsultedRole | None:
    return next((role for role, invitees in CONSULTED_INVITEES.items() if invitee in invitees),
                None)


def counts_as_views_online(invitation: Invitation, by_day: date) -> bool:
    """Whether this invitation's form is its sender's views given online by `by_day`."""
    sent_at = invitation.sent_at
    if (invitation.purpose is not VIEWS_ONLINE_PURPOSE or sent_at is None
            or (invitation.response is not None and invitation.response.from_paper)):
        return False
    if sent_at.tzinfo is None:  # SQLite hands back naive UTC
        sent_at = sent_at.replace(tzinfo=UTC)
    return sent_at.astimezone(UTC).date() <= by_day


def views_online(invitations: list[Invitation], by_day: date) -> set[ConsultedRole]:
    """The consulted roles whose views were given online by `by_day`."""
    sent = {invitation.role for invitation in invitations
            if counts_as_views_online(invitation, by_day)}
    return {role for role, invitees in CONSULTED_INVITEES.items() if sent & set(invitees)}


def today_utc() -> date:
    return datetime.now(UTC).date()
