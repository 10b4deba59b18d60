"""A paper booklet typed in by the IRO: the same form and rules, stored like an online
response, shown as typed in from paper, counted as paper, and only once per person."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, text

from consult.extensions import db
from consult.figures.period import Period
from consult.figures.report import Scope, build_report
from consult.models import (
    AuditEvent,
    ConsultedRole,
    InviteeRole,
    PaperResponse,
    Response,
    ReviewStatus,
    ReviewViews,
    StaffRole,
    ViewsChannel,
)
from tests import factories
from tests.html_checks import csrf_token
from tests.staff.test_query_budget import counted_statements

CARER_WORDS = "Sleeps better since the new bedroom, loves football club"
CHILD_SECRET = "I am scared of my uncle at contact"


def _review(*, held: bool = False):
    iro = factories.staff(StaffRole.IRO, name="Imani Okafor")
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    review = factories.review(factories.child(iro, social_worker), days_ahead=0)
    if held:
        review.status, review.held_on = ReviewStatus.HELD, date.today()
    carer, _token = factories.invitation(review, InviteeRole.FOSTER_CARER, "Grace")
    db.session.commit()
    return iro, social_worker, review, carer


def _page(invitation) -> str:
    return f"/staff/invitations/{invitation.id}/paper"


def _type_in(client, invitation, answers: dict, *, key: str | None = None):
    page = client.get(_page(invitation)).get_data(as_text=True)
    posted_key = key or re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    return client.post(_page(invitation), data={
        "csrf_token": csrf_token(page), "idempotency_key": posted_key, **answers})


CARER_ANSWERS = {"changes": CARER_WORDS, "decisions_done": "yes",
                 "health_checks": ["dentist", "optician"], "stability": "stable"}


def test_a_typed_in_booklet_is_kept_like_an_online_form_and_shown_as_paper(client, app):
    iro, social_worker, review, carer = _review()
    factories.sign_in(client, iro)

    saved = _type_in(client, carer, CARER_ANSWERS)

    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/staff/reviews/{review.id}#views-received"
    db.session.expire_all()
    response = db.session.scalar(select(Response))
    assert response.invitation_id == carer.id and carer.sent_at is not None
    assert response.questionnaire_key == "foster_carer"
    assert {(a.question_key, a.value) for a in response.answers} >= {
        ("decisions_done", "yes"), ("health_checks", "dentist"), ("health_checks", "optician")}
    assert response.paper.typed_in_by_id == iro.id
    assert "decisions_not_done" not in response.asked  # a follow-up not asked, as online
    raw = db.session.execute(text("SELECT text FROM free_text_answers")).scalar_one()
    assert CARER_WORDS not in raw  # encrypted at rest, like any answer
    views = {row.role: row.channel for row in review.views_received}
    assert views == {ConsultedRole.FOSTER_CARER: ViewsChannel.PAPER}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response.typed_in"))
    assert event.actor_staff_id == iro.id and event.subject_id == carer.id
    assert CARER_WORDS not in str(event.details)

    review_page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    before = client.get(f"/staff/reviews/{review.id}/before-the-meeting").get_data(as_text=True)
    for page in (review_page, before):
        assert "Typed in from a paper booklet by Imani Okafor" in page
        assert CARER_WORDS in page and "Dentist" in page
    recording = client.get(f"/staff/reviews/{review.id}/record").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*id="views_foster_carer-1"|'
                     r'<input[^>]*id="views_foster_carer-1"[^>]*checked', recording)
    sw_browser = app.test_client()
    factories.sign_in(sw_browser, social_worker)
    assert "Typed in from a paper booklet by Imani Okafor" in sw_browser.get(
        f"/staff/reviews/{review.id}/before-the-meeting").get_data(as_text=True)


def test_a_childs_booklet_keeps_only_for_iro_words_from_the_social_worker(client, app):
    iro, social_worker, review, _carer = _review()
    child_invitation, _token = factories.invitation(review)
    db.session.commit()
    factories.sign_in(client, iro)

    saved = _type_in(client, child_invitation, {
        "attend_meeting": "yes", "co_chair": "no", "only_for_iro": CHILD_SECRET})

    assert saved.status_code == 303
    # The IRO's private copy has it; the meeting copy, to print or share, does not.
    iro_view = client.get(f"/staff/reviews/{review.id}/before-the-meeting/private").get_data(
        as_text=True)
    assert CHILD_SECRET in iro_view and "help run your meeting" in iro_view
    meeting_copy = client.get(f"/staff/reviews/{review.id}/before-the-meeting").get_data(
        as_text=True)
    assert CHILD_SECRET not in meeting_copy and "help run your meeting" in meeting_copy
    sw_browser = app.test_client()
    factories.sign_in(sw_browser, social_worker)
    sw_view = sw_browser.get(f"/staff/reviews/{review.id}/before-the-meeting").get_data(
        as_text=True)
    assert CHILD_SECRET not in sw_view and "Typed in from a paper booklet" in sw_view


def test_bad_input_is_explained_and_everything_typed_is_kept(client, app):
    iro, _social_worker, _review_, carer = _review()
    factories.sign_in(client, iro)
    too_long = "x" * 2001

    refused = _type_in(client, carer, {
        "changes": CARER_WORDS, "health_notes": too_long, "decisions_done": "yes",
        "decisions_not_done": "The PEP meeting", "health_checks": ["dentist"]})

    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "<title>Error: Type in the paper booklet of Grace" in html
    assert "must be 2,000 characters or fewer" in html
    assert ("Only if the answer to “Have the actions agreed at the last review been done?” "
            "is “No” or “Not sure”, so leave this empty or change that answer.") in html
    assert CARER_WORDS in html and too_long in html and "The PEP meeting" in html
    assert re.search(r'id="decisions_done-yes"[^>]*checked', html)
    assert re.search(r'id="health_checks-dentist"[^>]*checked', html)
    assert db.session.scalar(select(Response)) is None

    nothing = _type_in(client, carer, {})
    assert nothing.status_code == 400
    assert "Type in at least one answer from the booklet." in nothing.get_data(as_text=True)


def test_a_persons_views_are_kept_once_online_or_on_paper(client, app):
    iro, _social_worker, review, carer = _review()
    factories.sign_in(client, iro)
    page = client.get(_page(carer)).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)

    first = _type_in(client, carer, CARER_ANSWERS, key=key)
    again = _type_in(client, carer, CARER_ANSWERS, key=key)  # a double click: same page
    # Another page, opened before the first booklet was saved.
    other = _type_in(client, carer, {"changes": "A second booklet"},
                     key="another-page-opened-earlier")

    assert first.status_code == again.status_code == 303
    assert other.status_code == 409
    html = other.get_data(as_text=True)
    assert "Their views are in already, so this booklet was not saved." in html
    assert "A second booklet" in html  # given back, not lost
    assert db.session.scalar(select(Response.id).where(Response.invitation_id == carer.id))
    assert len(db.session.scalars(select(Response)).all()) == 1
    shown = client.get(_page(carer)).get_data(as_text=True)
    assert "Grace’s views are in already" in shown and "typed in from a paper booklet" in shown
    assert 'name="idempotency_key"' not in shown

    sent_online, _token = factories.invitation(review, InviteeRole.PARENT, "Mona")
    factories.send_answers(sent_online, {"child_doing": "well"})
    online = client.get(_page(sent_online)).get_data(as_text=True)
    assert "Mona’s views are in already</strong>: sent online" in online
    assert "Type in a paper booklet" not in client.get(
        f"/staff/reviews/{review.id}").get_data(as_text=True).split("Mona</th>", 1)[1]


def test_a_typed_in_booklet_counts_as_paper_in_the_figures(client, app):
    iro, _social_worker, review, carer = _review(held=True)
    child_invitation, _token = factories.invitation(review)
    factories.send_answers(child_invitation, {"went_well": "school"})
    factories.sign_in(client, iro)

    assert _type_in(client, carer, CARER_ANSWERS).status_code == 303

    period = Period.council_year_containing(date.today())
    table = build_report(period, Scope()).table("views_by_role")
    by_role = {row.key: [cell.count for cell in row.cells] for row in table.rows}
    # online, paper, verbal, advocate, any
    assert by_role["foster_carer"] == [0, 1, 0, 0, 1]
    assert by_role["child"] == [1, 0, 0, 0, 1]
    # Even without the IRO's record, a typed-in booklet is never counted as online.
    db.session.execute(ReviewViews.__table__.delete())
    db.session.commit()
    table = build_report(period, Scope()).table("views_by_role")
    by_role = {row.key: [cell.count for cell in row.cells] for row in table.rows}
    assert by_role["foster_carer"] == [0, 0, 0, 0, 0]


def test_only_the_childs_iro_may_type_in_a_booklet(client, app):
    _iro, _social_worker, review, carer = _review()
    others = [factories.staff(StaffRole.IRO, name="Stranger"),
              factories.staff(StaffRole.SOCIAL_WORKER), factories.staff(StaffRole.MANAGER),
              factories.staff(StaffRole.ADMIN), review.child.social_worker]
    db.session.commit()
    factories.assert_not_found_for(app, others, _page(carer), {"changes": CARER_WORDS})
    assert db.session.scalar(select(PaperResponse)) is None


def test_no_booklet_for_a_cancelled_review(client, app):
    iro, _social_worker, review, carer = _review()
    review.status = ReviewStatus.CANCELLED
    db.session.commit()
    factories.sign_in(client, iro)

    assert client.get(_page(carer)).status_code == 404


def test_the_booklet_page_costs_the_same_statements_for_a_short_or_a_long_form(client, app):
    iro, _social_worker, review, carer = _review()
    child_invitation, _token = factories.invitation(review)
    for number in range(5):
        factories.invitation(review, InviteeRole.FAMILY_MEMBER, f"Relative {number}")
    db.session.commit()
    factories.sign_in(client, iro)
    counts = []
    for invitation in (carer, child_invitation):
        path = _page(invitation)
        with counted_statements() as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))

    assert counts[0] == counts[1] <= 6
