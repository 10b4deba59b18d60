"""Before the meeting (everyone's views on one printable page) and recording it after."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from consult import assets
from consult.config import PROJECT_ROOT
from consult.extensions import db
from consult.models import (
    AuditEvent,
    ConsultedRole,
    HelpRequest,
    InviteeRole,
    ParticipationCode,
    RequestKind,
    RequestSource,
    ReviewStatus,
    StaffRole,
    ViewsChannel,
)
from tests import factories
from tests.html_checks import check_page


def _review_with_views(app):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER, name="Sam")
    child = factories.child(iro, social_worker, name="Layla")
    review = factories.review(child, days_ahead=-1)
    child_invite, _child_token = factories.invitation(review, InviteeRole.CHILD, "Layla")
    carer, _carer_token = factories.invitation(review, InviteeRole.FOSTER_CARER, "Grace")
    db.session.add(HelpRequest(kind=RequestKind.ADVOCATE, source=RequestSource.CONSULTATION,
                               child=child, invitation=child_invite))
    db.session.commit()
    factories.send_answers(child_invite, {"attend_meeting": "yes", "went_well": "my football",
                                          "only_for_iro": "private words"})
    factories.send_answers(carer, {"changes": "settled well"})
    return iro, social_worker, review


def test_the_pre_meeting_view_has_everyones_views_preferences_and_requests(client, app):
    iro, _sw, review = _review_with_views(app)
    factories.sign_in(client, iro)

    html = client.get(f"/staff/reviews/{review.id}/before-the-meeting").get_data(as_text=True)

    assert "Meeting copy: before Layla’s subsequent review" in html
    assert "my football" in html and "settled well" in html
    assert "Would you like to come to your review meeting?" in html  # meeting preferences
    assert "Advocate: new since" in html
    # By its content-hashed name (consult/assets.py).
    print_css = assets.hashed_name(PROJECT_ROOT / "consult" / "static", "css/print.css")
    assert 'media="print"' in html and f"/static/{print_css}" in html


IRO_ONLY_MARKER = "MARKER-IRO-ONLY-7f3a"
NOT_SHARED_MARKER = "MARKER-NOT-SHARED-91c2"


def _review_with_private_words(app):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER, name="Sam")
    review = factories.review(factories.child(iro, social_worker, name="Layla"))
    child_invite, _token = factories.invitation(review, InviteeRole.CHILD, "Layla")
    carer, _carer_token = factories.invitation(review, InviteeRole.FOSTER_CARER, "Grace")
    db.session.commit()
    factories.send_answers(child_invite, {"went_well": "my football", "home_safe": "no",
                                          "only_for_iro": f"I am scared {IRO_ONLY_MARKER}"})
    factories.send_answers(carer, {"changes": "settled well",
                                   "not_for_parents": f"Dad's address {NOT_SHARED_MARKER}"})
    return iro, social_worker, review


def _main_text(html: str) -> str:
    return " ".join(check_page(html).find(".//main").itertext())


def test_the_meeting_copy_leaves_out_iro_only_and_not_to_be_shared_words(client, app):
    iro, social_worker, review = _review_with_private_words(app)
    for reader in (iro, social_worker):
        browser = app.test_client()
        factories.sign_in(browser, reader)
        page = browser.get(f"/staff/reviews/{review.id}/before-the-meeting")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        text = _main_text(html)
        assert "my football" in text and "settled well" in text
        # Not in the page at all, not even hidden or in an attribute.
        assert IRO_ONLY_MARKER not in html and NOT_SHARED_MARKER not in html
        assert "Is there anything that must not be shared" not in text
        assert "Private – not for the meeting" not in text
        # The concerns and what the IRO did about them are for the private copy.
        assert check_page(html).find(".//*[@id='concerns']") is None


def test_the_private_copy_has_everything_and_is_marked_on_every_printed_page(client, app):
    iro, _sw, review = _review_with_private_words(app)
    factories.sign_in(client, iro)

    html = client.get(f"/staff/reviews/{review.id}/before-the-meeting/private").get_data(
        as_text=True)

    root = check_page(html)
    text = _main_text(html)
    assert IRO_ONLY_MARKER in text and NOT_SHARED_MARKER in text
    assert "Private – not for the meeting" in text
    assert "Concern: Does not feel safe where they live" in " ".join(
        root.find(".//*[@id='concerns']").itertext())
    private_css = assets.hashed_name(PROJECT_ROOT / "consult" / "static", "css/print-private.css")
    link = [element for element in root.iter("link") if element.get("href", "").endswith(
        private_css)]
    assert link and link[0].get("media") == "print"
    stylesheet = (PROJECT_ROOT / "consult" / "static" / "css" / "print-private.css").read_text()
    assert re.search(r"@page\s*{\s*@top-center\s*{[^}]*content:\s*\"Private \\2013  not for "
                     r"the meeting\"", stylesheet)


def test_only_the_childs_iro_gets_the_private_copy(client, app):
    iro, social_worker, review = _review_with_private_words(app)
    other_iro = factories.staff(StaffRole.IRO)
    db.session.commit()
    for reader in (social_worker, other_iro, factories.staff(StaffRole.ADMIN)):
        db.session.commit()
        browser = app.test_client()
        factories.sign_in(browser, reader)
        assert browser.get(
            f"/staff/reviews/{review.id}/before-the-meeting/private").status_code == 404


def test_both_copies_are_audited_by_which_copy(client, app):
    iro, _sw, review = _review_with_private_words(app)
    factories.sign_in(client, iro)
    client.get(f"/staff/reviews/{review.id}/before-the-meeting")
    client.get(f"/staff/reviews/{review.id}/before-the-meeting/private")
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "response.viewed").order_by(AuditEvent.id)).all()
    assert [(e.details["copy"], e.details["full_view"]) for e in events] == [
        ("meeting", False), ("meeting", False), ("private", True), ("private", True)]


def test_recording_the_meeting_offers_online_where_views_were_sent_online(client, app):
    iro, _sw, review = _review_with_views(app)
    factories.sign_in(client, iro)

    form = client.get(f"/staff/reviews/{review.id}/record").get_data(as_text=True)

    assert re.search(r'<input checked [^>]*id="views_child-0"[^>]*value="online"', form)
    assert re.search(r'<input checked [^>]*id="views_foster_carer-0"', form)
    assert not re.search(r'<input checked [^>]*id="views_parent_or_family', form)
    assert "PN6: Did not attend, and conveyed their views another way" in form


def test_the_iro_records_attendance_pn_code_and_a_paper_booklet(client, app):
    iro, _sw, review = _review_with_views(app)
    factories.sign_in(client, iro)
    # Held today: the forms were sent today, and a form sent after the meeting day would
    # not have reached it online (that refusal is tested in tests/test_vocabulary.py).
    held_on = datetime.now(UTC).date().isoformat()

    saved = factories.post_form(client, f"/staff/reviews/{review.id}/record", {
        "held_on": held_on, "attended": ["child", "foster_carer"], "participation_code": "PN1",
        "views_child": "online", "views_foster_carer": "online",
        "views_parent_or_family": "paper", "decisions_sent_on": "", "record_sent_on": ""})

    assert saved.status_code == 303
    db.session.expire_all()
    assert review.status is ReviewStatus.HELD and review.held_on.isoformat() == held_on
    assert review.participation_code is ParticipationCode.PN1 and review.chair == iro
    assert {row.role.value for row in review.attendance} == {"child", "foster_carer"}
    assert {row.role: row.channel for row in review.views_received}[
        ConsultedRole.PARENT_OR_FAMILY] is ViewsChannel.PAPER
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert "PN1: Attended and spoke for themselves" in page
    assert "On paper (a consultation booklet)" in page


def test_a_meeting_record_that_contradicts_itself_is_refused_with_reasons(client, app):
    iro, _sw, review = _review_with_views(app)
    factories.sign_in(client, iro)

    refused = factories.post_form(client, f"/staff/reviews/{review.id}/record", {
        "held_on": (date.today() + timedelta(days=3)).isoformat(), "attended": ["foster_carer"],
        "participation_code": "PN1", "views_child": "online", "views_foster_carer": "online",
        "views_parent_or_family": "none"})
    missing = factories.post_form(client, f"/staff/reviews/{review.id}/record", {})

    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "cannot be in the future" in html
    assert "PN1 means the child attended" in html
    assert "Choose how the child took part" in missing.get_data(as_text=True)
    db.session.expire_all()
    assert review.status is ReviewStatus.SCHEDULED


def test_only_the_childs_iro_records_the_meeting(client, app):
    _iro, social_worker, review = _review_with_views(app)
    factories.sign_in(client, social_worker)

    assert client.get(f"/staff/reviews/{review.id}/record").status_code == 404
