"""Before the meeting (everyone's views on one printable page) and recording it after."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from consult import assets
from consult.config import PROJECT_ROOT
from consult.extensions import db
from consult.models import (
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

    assert "Before Layla’s subsequent review" in html
    assert "my football" in html and "settled well" in html and "private words" in html
    assert "Would you like to come to your review meeting?" in html  # meeting preferences
    assert "Advocate: new since" in html
    # By its content-hashed name (consult/assets.py).
    print_css = assets.hashed_name(PROJECT_ROOT / "consult" / "static", "css/print.css")
    assert 'media="print"' in html and f"/static/{print_css}" in html


def test_a_social_worker_never_sees_only_for_iro_text_before_the_meeting(client, app):
    _iro, social_worker, review = _review_with_views(app)
    factories.sign_in(client, social_worker)

    html = client.get(f"/staff/reviews/{review.id}/before-the-meeting").get_data(as_text=True)

    assert "my football" in html
    assert "private words" not in html and "Only for the IRO" not in html


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
