"""Invitation rules as plain functions: expiry, state, and the single claim on sending."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from consult import invitations
from consult.models import Invitation, Response, Review
from tests import factories


def test_a_link_works_to_the_end_of_the_day_some_days_after_the_meeting():
    review = Review(due_on=date(2026, 3, 31), scheduled_for=datetime(2026, 3, 20, 10, tzinfo=UTC))
    expiry = invitations.expiry_for(review, 14)
    assert expiry.date() == date(2026, 4, 3)
    assert (expiry.hour, expiry.minute) == (23, 59)


def test_states_follow_what_happened_to_the_link():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    invitation = Invitation(expires_at=now + timedelta(days=1))
    assert invitations.state_of(invitation, now) is invitations.InvitationState.NOT_SENT
    invitation.handed_over_at = now
    assert invitations.state_of(invitation, now) is invitations.InvitationState.NOT_OPENED
    invitation.opened_at = now
    assert invitations.state_of(invitation, now) is invitations.InvitationState.OPENED
    assert invitations.state_of(invitation, now + timedelta(days=2)) is (
        invitations.InvitationState.EXPIRED)
    invitation.revoked_at = now
    assert invitations.state_of(invitation, now) is invitations.InvitationState.REVOKED
    invitation.sent_at = now
    assert invitations.state_of(invitation, now) is invitations.InvitationState.SENT


def test_only_the_first_claim_on_sending_succeeds(app):
    invitation, _token = factories.child_with_link()
    now = datetime.now(UTC)

    assert invitations.claim_send(invitation, now) is True
    assert invitations.claim_send(invitation, now) is False


def test_a_reissued_link_replaces_the_old_one(app):
    invitation, old_token = factories.child_with_link()

    new_token = invitations.reissue_token(invitation)

    assert invitations.find_by_token(new_token) is invitation
    assert invitations.find_by_token(old_token) is None


def test_a_saved_draft_shows_the_invitation_in_progress():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    invitation = Invitation(expires_at=now + timedelta(days=1), opened_at=now)
    invitation.response = Response(questionnaire_key="young_person", questionnaire_version=1,
                                   language="en_GB")
    assert invitations.state_of(invitation, now) is invitations.InvitationState.IN_PROGRESS
