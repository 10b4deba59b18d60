"""No one reaches another IRO's children by changing an id in the URL: 404, never 403,
so a guessed id does not even confirm that the record exists."""

from __future__ import annotations

import pytest

from consult.extensions import db
from consult.models import StaffRole
from tests import factories


@pytest.fixture
def someone_elses(app):
    owner = factories.staff(StaffRole.IRO, name="Owner")
    child = factories.child(owner, name="NotYours")
    review = factories.review(child)
    invitation, _token = factories.invitation(review)
    factories.send_answers(invitation, {"went_well": "secret words"})
    return child, review, invitation


def test_an_iro_cannot_open_another_iros_child_review_invitation_or_submission(
        client, someone_elses):
    child, review, invitation = someone_elses
    stranger = factories.staff(StaffRole.IRO, name="Stranger")
    db.session.commit()
    factories.sign_in(client, stranger)

    for path in (f"/staff/children/{child.id}", f"/staff/children/{child.id}/edit",
                 f"/staff/children/{child.id}/close", f"/staff/children/{child.id}/reviews/new",
                 f"/staff/reviews/{review.id}", f"/staff/reviews/{review.id}/before-the-meeting",
                 f"/staff/reviews/{review.id}/record", f"/staff/reviews/{review.id}/date"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "NotYours" not in response.get_data(as_text=True)
    token_page = client.get("/staff/")
    for path in (f"/staff/invitations/{invitation.id}/revoke",
                 f"/staff/invitations/{invitation.id}/reissue",
                 f"/staff/invitations/{invitation.id}/handed-over",
                 f"/staff/reviews/{review.id}/invitations",
                 f"/staff/reviews/{review.id}/record"):
        response = factories.post_form(client, path, {"role": "child", "invitee_name": "X",
                                                       "language": "en_GB"}, page_url="/staff/")
        assert response.status_code == 404, path
    assert "secret words" not in token_page.get_data(as_text=True)


def test_an_unknown_id_looks_the_same_as_someone_elses(client):
    iro = factories.staff(StaffRole.IRO)
    db.session.commit()
    factories.sign_in(client, iro)

    assert client.get("/staff/children/999999").status_code == 404
    assert client.get("/staff/reviews/999999/before-the-meeting").status_code == 404


def test_managers_and_admins_read_no_submission(client, someone_elses):
    _child, review, _invitation = someone_elses
    for role in (StaffRole.MANAGER, StaffRole.ADMIN):
        user = factories.staff(role)
        db.session.commit()
        browser = client.application.test_client()
        factories.sign_in(browser, user)
        for path in (f"/staff/reviews/{review.id}",
                     f"/staff/reviews/{review.id}/before-the-meeting"):
            response = browser.get(path)
            assert response.status_code == 404
            assert "secret words" not in response.get_data(as_text=True)
