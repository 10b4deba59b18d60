"""Administration and reading children's words are apart (issue 22): an admin who invites
an account, resets the child's IRO and re-allocates the child to the new account still
reaches no word, walking every route of the app and every link on the pages it gets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from consult.extensions import db
from consult.models import AlertOutbox, Child, StaffUser
from tests import factories
from tests.html_checks import csrf_token, parse
from tests.test_policy import ADMIN, CARER_WORDS, CHILD_WORDS, _browser, _data_set, _requests

ONLY_FOR_IRO_WORDS = "Only-for-iro-3W8"
CHILD_ANSWER_WORDS = "Child-answer-5P1"
# Signing out ends the walk; a secret link's own routes take a token the admin never holds
# (the outbox check below proves it for set-up links; invitation links are shown only to
# the child's IRO), and opening one would replace the admin's session.
SKIPPED = ("staff.sign_out", "staff.open_setup_link", "participation.open_link")


def _child_form(child: Child, **changes) -> dict[str, str]:
    return {"case_ref": child.case_ref, "preferred_name": child.preferred_name,
            "date_of_birth": child.date_of_birth.isoformat(),
            "preferred_language": child.preferred_language,
            "looked_after_since": child.looked_after_since.isoformat(), "ceased_on": "",
            **changes}


def test_an_admin_cannot_reach_any_childs_words_by_any_path(app: Flask):
    data = _data_set(app)
    child = db.session.get(Child, data["values"]["child_id"])
    child_invitation = next(invitation for review in child.reviews
                            for invitation in review.invitations
                            if invitation.role.value == "child")
    factories.send_answers(child_invitation, {"went_well": CHILD_ANSWER_WORDS,
                                              "only_for_iro": ONLY_FOR_IRO_WORDS})
    words = (CHILD_WORDS, CARER_WORDS, ONLY_FOR_IRO_WORDS, CHILD_ANSWER_WORDS)
    admin = _browser(app, ADMIN, data)
    pages: list[str] = []

    def keep(response) -> None:
        assert response.status_code < 500
        pages.append(response.get_data(as_text=True))

    # Everything an admin might try to get an account that reads this child.
    keep(factories.post_form(admin, "/staff/admin/users/invite", {
        "email": "mine@council.example", "name": "Mine", "role": "iro"}))
    mine = db.session.scalar(select(StaffUser).where(StaffUser.email == "mine@council.example"))
    keep(factories.post_form(admin, f"/staff/admin/users/{child.iro_id}/reset", {},
                             page_url="/staff/admin/users"))
    moved = factories.post_form(admin, f"/staff/children/{child.id}/edit", _child_form(
        child, iro_id=str(mine.id), social_worker_id="0"))
    assert moved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Child, child.id).iro_id == mine.id

    # Every route with real ids, every method; then every link on every page it got.
    token = csrf_token(admin.get("/staff/sign-in").get_data(as_text=True))
    walked = []
    for endpoint, method, url in _requests(app, data["values"]):
        if endpoint in SKIPPED:
            continue
        walked.append(url)
        keep(admin.post(url, data={"csrf_token": token}) if method == "POST"
             else admin.open(url, method=method))
    seen = set(walked)
    for page in list(pages):
        if not page.lstrip().startswith("<!DOCTYPE"):
            continue
        for anchor in parse(page).iter("a"):
            href = urlsplit(anchor.get("href") or "")
            path = href.path + (f"?{href.query}" if href.query else "")
            if href.netloc or not path.startswith("/") or path in seen:
                continue
            seen.add(path)
            keep(admin.get(path))
    assert len(seen) > 80

    for page in pages:
        for word in words:
            assert word not in page
        assert "/staff/set-password/" not in page
    # The links the admin set off went only to each account's own address.
    emails = db.session.scalars(select(AlertOutbox).where(
        AlertOutbox.staff_user_id.is_not(None))).all()
    assert len(emails) == 3  # the invitation, the IRO's reset, the walk's reset of a user
    for email in emails:
        assert email.recipient == email.staff_user.email
        assert email.link_token and not any(email.link_token in page for page in pages)
