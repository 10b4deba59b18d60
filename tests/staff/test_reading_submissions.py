"""How staff read a sent response, and how an IRO asks for views or feedback from anyone."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    Answer,
    FreeTextAnswer,
    Invitation,
    InviteeRole,
    Response,
    StaffRole,
    utcnow,
)
from tests import factories


def _review(**child_fields):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER, name="Sam")
    review = factories.review(factories.child(iro, social_worker, **child_fields))
    db.session.commit()
    return iro, social_worker, review


def _page(client, user, review) -> str:
    factories.sign_in(client, user)
    return client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)


def test_a_submission_is_grouped_by_section_in_english_with_the_language_answered_in(client):
    iro, _sw, review = _review(language="ti")
    invitation, _token = factories.invitation(review, language="ti")
    factories.send_answers(invitation, {
        "want_there": ["mum", "teacher"], "meeting_place": "in_person",
        "home_feeling": "very_sad", "went_well": "ሰላም football"}, language="ti")

    html = _page(client, iro, review)

    assert "Answered in Tigrinya (ትግርኛ); the questions are shown here in English" in html
    sections = re.findall(r'<h4 class="submission__section">([^<]+)</h4>', html)
    # The core's sections, then each "Tell me more" section the child opened, and no other.
    assert sections[:3] == ["Your meeting", "Where you live", "Health and feelings"]
    assert sections[-1] == "Since your last review" and "Your plan" not in sections
    assert "My mum, My teacher" in html
    assert "I&#39;d rather tell my IRO in person" in html
    assert "Very sad" in html
    assert '<span class="own-words" dir="auto">ሰላም football</span>' in html
    assert "Not answered" in html
    assert "Do you know what your pathway plan says?" not in html  # never asked: 15


def test_only_for_iro_text_is_marked_for_the_iro_and_absent_for_the_social_worker(client, app):
    iro, social_worker, review = _review()
    invitation, _token = factories.invitation(review)
    factories.send_answers(invitation, {"went_well": "football",
                                        "only_for_iro": "<b>I am scared</b> {{7*7}}"})

    for_iro = _page(client, iro, review)
    other_browser = app.test_client()
    for_social_worker = _page(other_browser, social_worker, review)

    assert '<strong class="tag tag--private">Only for the IRO</strong>' in for_iro
    assert 'dir="auto">&lt;b&gt;I am scared&lt;/b&gt; {{7*7}}</span>' in for_iro
    # Not evaluated as a template; "49" elsewhere (a time, a case reference) proves nothing.
    assert "{{7*7}}</span>" in for_iro and "&lt;/b&gt; 49" not in for_iro
    assert "football" in for_social_worker
    assert "I am scared" not in for_social_worker and "Only for the IRO" not in for_social_worker
    assert "Is there anything you want only your IRO to know?" not in for_social_worker


def test_an_old_response_is_read_with_the_questions_of_its_own_version(client):
    iro, _sw, review = _review()
    invitation, _token = factories.invitation(review)
    invitation.sent_at = utcnow()
    db.session.add(Response(
        invitation=invitation, questionnaire_key="young_person", questionnaire_version=1,
        language="en_GB",
        answers=[Answer(question_key="home_feeling", value="okay")],
        free_texts=[FreeTextAnswer(question_key="talk_about", text="my brother")]))
    db.session.commit()

    html = _page(client, iro, review)

    assert "What would you like to talk about at your review?" in html
    assert "my brother" in html and "Okay" in html
    assert "(version 1)" in html


def _create(client, review, **fields):
    return factories.post_form(
        client, f"/staff/reviews/{review.id}/invitations",
        {"invitee_name": "Sam", "language": "en_GB", **fields},
        page_url=f"/staff/reviews/{review.id}")


def test_an_iro_invites_every_role_for_views_or_feedback(client):
    iro, _sw, review = _review()
    factories.sign_in(client, iro)

    for role in ("child", "foster_carer", "parent", "family_member", "other"):
        for purpose in ("views", "feedback"):
            assert _create(client, review, role=role, purpose=purpose).status_code == 200
    created = _create(client, review, role="social_worker", purpose="feedback")

    assert "feedback after the review" in created.get_data(as_text=True)
    rows = db.session.execute(select(Invitation.role, Invitation.purpose)).all()
    assert len(rows) == 11
    assert (InviteeRole.SOCIAL_WORKER, "feedback") in {(r, p.value) for r, p in rows}


def test_a_social_worker_is_only_asked_for_feedback(client):
    iro, _sw, review = _review()
    factories.sign_in(client, iro)

    refused = _create(client, review, role="social_worker", purpose="views")

    assert refused.status_code == 400
    assert "Social workers can only be asked for feedback" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 0
