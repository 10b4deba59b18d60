"""Every audience's form, walked page by page: skips, Back, Change, resume, send."""

from __future__ import annotations

import re
from datetime import date, timedelta

import html5lib
import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    Answer,
    FreeTextAnswer,
    InvitationPurpose,
    InviteeRole,
    Response,
    ResponseDraft,
    StaffRole,
)
from consult.questionnaires import definitions, runner
from tests import factories
from tests.html_checks import csrf_token
from tests.participation.walk import Respondent

NOT_WORKING = "This link doesn't work any more"


def _invite(role=InviteeRole.CHILD, *, age=15, uasc=False, purpose=InvitationPurpose.VIEWS,
            birthday_on_review=False):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro, age=age)
    child.unaccompanied_asylum_seeking = uasc
    review = factories.review(child)
    if birthday_on_review:
        meeting = review.meeting_date
        child.date_of_birth = date(meeting.year - age, meeting.month, meeting.day)
    invitation, token = factories.invitation(review, role, purpose=purpose)
    db.session.commit()
    return invitation, token


def _saved(invitation) -> Response:
    return db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))


def test_link_is_exchanged_for_a_session_and_answers_with_the_start_page(client):
    invitation, token = factories.child_with_link()

    response = client.get(f"/start/{token}")

    # No redirect for a fresh link: the start page itself (issue 17); the secret stays in
    # the address bar, so nothing may store the page or name it to another site.
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    start = response.get_data(as_text=True)
    assert token not in start
    assert '<meta name="referrer" content="no-referrer">' in start
    assert "Have your say about your review" in start
    assert Respondent(client).get("/your-say/start").status == 200
    db.session.refresh(invitation)
    assert invitation.opened_at is not None


def _tell_me_more(check, key: str) -> str:
    """The "Tell me more about ..." link on the check page that leads to question `key`."""
    links = re.findall(r'class="more-list__link" href="([^"]+)"', check.html)
    assert f"/your-say/questions/{key}" in links, links
    return f"/your-say/questions/{key}"


def test_a_young_person_walks_skips_goes_back_changes_and_sends(client):
    invitation, token = _invite(age=15)
    person = Respondent(client)
    start = person.open_link(token)

    first = person.get("/your-say/questions/attend_meeting")
    assert first.progress[0] == 1 and "Would you like to come to your review meeting?" in first.html
    second = person.answer("attend_meeting", "yes")
    assert second.question_key == "want_there" and second.progress[0] == 2
    back = person.answer("want_there", ["mum"], action="back")
    assert back.question_key == "attend_meeting" and 'value="yes" checked' in back.html
    check = person.walk({
        "attend_meeting": "yes", "want_there": ["social_worker", "mum"],
        "home_feeling": "happy", "needs_to_change": "More football.",
        "only_for_iro": "Something private",
    }, start)

    assert check.url == "/your-say/check"
    assert "Check your answers before sending them" in check.html
    assert "My social worker and My mum" in check.html and "More football." in check.html
    assert "Only your IRO will read this" in check.html
    changed = person.answer("home_feeling", "okay", change=True)
    assert changed.url == "/your-say/check" and "Okay" in changed.html

    thanks = person.send()

    assert thanks.url == "/your-say/thank-you"
    assert "Thank you, your answers have been sent" in thanks.html
    saved = _saved(invitation)
    assert (saved.questionnaire_key, saved.questionnaire_version) == ("young_person", 3)
    assert {(a.question_key, a.value) for a in saved.answers} == {
        ("attend_meeting", "yes"), ("want_there", "social_worker"), ("want_there", "mum"),
        ("home_feeling", "okay")}
    assert {(f.question_key, f.text, f.only_for_iro) for f in saved.free_texts} == {
        ("needs_to_change", "More football.", False), ("only_for_iro", "Something private", True)}
    assert saved.asked == person.seen
    assert "co_chair" not in saved.asked and "asylum_help" not in saved.asked
    assert db.session.scalar(select(db.func.count()).select_from(ResponseDraft)) == 0


@pytest.mark.parametrize("age, uasc", [(8, False), (12, False), (16, True)])
def test_the_total_on_the_start_page_is_the_number_of_questions_and_never_changes(
        client, age, uasc):
    _invitation, token = _invite(age=age, uasc=uasc)
    person = Respondent(client)
    start = person.open_link(token)
    total = int(re.search(r"There are (\d+) questions", start.html)[1])
    assert total <= definitions.CORE_LIMIT

    # Whatever is answered (here the first choice of each), every page shows the same
    # total, and the walk to Check your answers is exactly that long.
    totals, url = set(), re.search(r'href="(/your-say/questions/[a-z0-9_]+)"', start.html)[1]
    while (page := person.get(url)).question_key:
        totals.add(page.progress[1])
        person.seen.append(page.question_key)
        url = person.answer(page.question_key, _first_answer(page)).url
    assert url == "/your-say/check"
    assert totals == {total} and len(person.seen) == total


def _first_answer(page) -> str:
    """The first choice offered on a question page, or some words for a text box."""
    match = re.search(r'class="choice__input" type="(?:radio|checkbox)" id="[^"]+" '
                      r'name="[a-z0-9_]+" value="([a-z0-9_]+)"', page.html)
    return match.group(1) if match else "Some words."


def test_tell_me_more_opens_an_optional_section_from_check_your_answers(client):
    invitation, token = _invite(age=15)
    person = Respondent(client)
    check = person.walk({"attend_meeting": "yes"}, person.open_link(token))
    assert "Tell me more about: Your meeting" in check.html
    total = person.get("/your-say/questions/attend_meeting").progress[1]

    first = person.get(_tell_me_more(check, "co_chair"))
    assert first.progress == (1, 4)  # and the interpreter's language, if one is wanted
    back = person.answer("co_chair", "yes", action="back")
    assert back.url == "/your-say/check"
    check = person.walk({"co_chair": "yes", "need_interpreter": "yes",
                         "interpreter_language": "Tigrinya"},
                        person.get("/your-say/questions/co_chair"))
    assert check.url == "/your-say/check" and "Tigrinya" in check.html
    # Opened: its answers show with Change links, and it is no longer offered.
    assert "/your-say/questions/co_chair" not in re.findall(
        r'class="more-list__link" href="([^"]+)"', check.html)
    # The core's total is the same as before.
    assert person.get("/your-say/questions/attend_meeting").progress[1] == total

    person.send()
    saved = _saved(invitation)
    assert {"co_chair", "meeting_time", "need_interpreter", "interpreter_language",
            "tell_in_person"} <= set(saved.asked)
    assert "went_well" not in saved.asked
    assert ("interpreter_language", "Tigrinya", False) in {
        (f.question_key, f.text, f.only_for_iro) for f in saved.free_texts}


def test_the_interpreter_language_is_asked_exactly_when_wanted(client):
    for answer, asked in (("not_sure", True), ("no", False)):
        _invitation, token = _invite()
        person = Respondent(client)
        check = person.walk({}, person.open_link(token))
        person.walk({"need_interpreter": answer}, person.get(_tell_me_more(check, "co_chair")))
        assert ("interpreter_language" in person.seen) is asked


def test_co_chairing_is_not_offered_to_someone_not_coming(client):
    _invitation, token = _invite()
    person = Respondent(client)
    check = person.walk({"attend_meeting": "no"}, person.open_link(token))
    assert "Tell me more about: Your meeting" in check.html
    person.walk({}, person.get(_tell_me_more(check, "meeting_time")))
    assert "co_chair" not in person.seen


@pytest.mark.parametrize("age, birthday_on_review, pathway", [
    (15, False, False), (16, True, True)])
def test_pathway_questions_follow_the_age_on_the_day_of_the_review(
        client, age, birthday_on_review, pathway):
    _invitation, token = _invite(age=age, birthday_on_review=birthday_on_review)
    person = Respondent(client)
    check = person.walk({}, person.open_link(token))
    links = re.findall(r'class="more-list__link" href="([^"]+)"', check.html)
    assert ("/your-say/questions/know_pathway_plan" in links) is pathway
    if pathway:
        person.walk({}, person.get("/your-say/questions/know_pathway_plan"))
        assert "independence_help" in person.seen


@pytest.mark.parametrize("uasc", [True, False])
def test_asylum_questions_only_for_unaccompanied_children(client, uasc):
    _invitation, token = _invite(uasc=uasc)
    person = Respondent(client)
    check = person.walk({}, person.open_link(token))
    # Help with the claim is in the core; the rest is offered.
    assert ("asylum_help" in person.seen) is uasc
    links = re.findall(r'class="more-list__link" href="([^"]+)"', check.html)
    assert ("/your-say/questions/asylum_interpreter" in links) is uasc


def test_a_child_under_11_gets_faces_simple_words_and_who_helped(client):
    invitation, token = _invite(age=8)
    person = Respondent(client)
    start = person.open_link(token)
    assert "A grown-up can help you" in start.html

    face = person.get("/your-say/questions/home_feeling")
    assert face.html.count('<svg class="face') == 5
    assert "Very happy" in face.html and "😄" not in face.html
    assert "I'd rather tell my IRO in person" in face.html
    person.answer("home_feeling", "in_person")
    person.walk({"helped_by": "carer", "home_feeling": "in_person"}, start)
    assert person.seen[-1] == "helped_by"
    assert "co_chair" not in person.seen and "went_well" not in person.seen
    person.send()
    saved = _saved(invitation)
    assert saved.questionnaire_key == "child_under_11"
    assert {(a.question_key, a.value) for a in saved.answers} == {
        ("home_feeling", "in_person"), ("helped_by", "carer")}


@pytest.mark.parametrize("role, purpose, form, answers, rows", [
    (InviteeRole.FOSTER_CARER, InvitationPurpose.VIEWS, "foster_carer",
     {"decisions_done": "no", "decisions_not_done": "The dentist.",
      "health_checks": ["dentist", "optician"]},
     {("decisions_done", "no"), ("health_checks", "dentist"), ("health_checks", "optician")}),
    (InviteeRole.PARENT, InvitationPurpose.VIEWS, "parent_family",
     {"child_doing": "mixed", "need_interpreter": "yes", "interpreter_language": "Arabic"},
     {("child_doing", "mixed"), ("need_interpreter", "yes")}),
    (InviteeRole.FAMILY_MEMBER, InvitationPurpose.VIEWS, "parent_family",
     {"attend_meeting": "no"}, {("attend_meeting", "no")}),
    (InviteeRole.CHILD, InvitationPurpose.FEEDBACK, "child_feedback",
     {"review_feeling": "happy", "review_good": "Everyone listens to me", "may_quote": "yes"},
     {("review_feeling", "happy"), ("may_quote", "yes")}),
    (InviteeRole.SOCIAL_WORKER, InvitationPurpose.FEEDBACK, "professional_feedback",
     {"does_well": "Timely and reliable.", "may_quote": "no"}, {("may_quote", "no")}),
])
def test_every_audience_walks_its_own_form_and_sends_it(client, role, purpose, form, answers,
                                                        rows):
    invitation, token = _invite(role, purpose=purpose)
    person = Respondent(client)
    person.walk(answers, person.open_link(token))

    assert person.send().url == "/your-say/thank-you"

    saved = _saved(invitation)
    assert saved.questionnaire_key == form
    assert person.seen == saved.asked
    assert {(a.question_key, a.value) for a in saved.answers} == rows
    written = {f.question_key: f.text for f in saved.free_texts}
    assert written == {k: v for k, v in answers.items()
                       if definitions.CURRENT[form].question(k).is_free_text}


def test_feedback_consent_is_stored_as_the_agreed_contract(client):
    invitation, token = _invite(purpose=InvitationPurpose.FEEDBACK)
    person = Respondent(client)
    person.walk({"review_good": "Reviews are good because we talk", "may_quote": "yes"},
                person.open_link(token))
    assert "Thank you for telling us how it went" in person.send().html

    quotable = db.session.scalars(
        select(FreeTextAnswer.text)
        .join(Answer, (Answer.response_id == FreeTextAnswer.response_id)
              & (Answer.question_key == "may_quote") & (Answer.value == "yes"))
        .where(FreeTextAnswer.only_for_iro.is_(False))).all()
    assert quotable == ["Reviews are good because we talk"]


def test_opening_the_link_again_on_another_device_resumes_where_they_stopped(client, app):
    invitation, token = _invite()
    person = Respondent(client)
    person.open_link(token)
    person.answer("attend_meeting", "not_sure")
    person.answer("want_there", ["mum"])

    other_device = Respondent(app.test_client())
    # One redirect, straight to where they stopped, which greets them once.
    arrival = other_device.client.get(f"/start/{token}")
    assert arrival.headers["Location"] == "/your-say/questions/not_want_there"
    resumed = other_device.get("/your-say/questions/not_want_there")
    assert "Welcome back" in resumed.html and "question 3 of 11" in resumed.html
    assert "Welcome back" not in other_device.get("/your-say/questions/not_want_there").html

    back = other_device.answer("not_want_there", None, action="back")
    assert back.question_key == "want_there" and 'value="mum" checked' in back.html
    assert other_device.client.get_cookie("session") is not None
    check = other_device.walk({}, other_device.get("/your-say/questions/want_there"))
    assert "Not sure" in check.html
    reopened = Respondent(app.test_client()).open_link(token)
    assert reopened.url == "/your-say/check"
    assert "Welcome back" in reopened.html


def test_a_changed_answer_drops_the_question_it_no_longer_leads_to(client):
    invitation, token = _invite()
    person = Respondent(client)
    person.walk({"need_interpreter": "yes", "interpreter_language": "Dari"},
                person.open_link(token))

    check = person.answer("need_interpreter", "no", change=True)

    assert "Dari" not in check.html
    person.send()
    assert "interpreter_language" not in _saved(invitation).asked
    assert _saved(invitation).free_texts == []


def test_an_empty_submission_is_allowed(client):
    invitation, token = _invite()
    person = Respondent(client)
    check = person.walk({}, person.open_link(token))
    assert "Not answered" in check.html

    assert person.send().url == "/your-say/thank-you"
    saved = _saved(invitation)
    assert saved.answers == [] and saved.free_texts == [] and saved.asked


def test_sending_without_opening_a_question_is_allowed(client):
    invitation, token = _invite()
    person = Respondent(client)
    person.open_link(token)
    assert person.send().url == "/your-say/thank-you"
    assert _saved(invitation).answers == []


def test_a_link_opened_again_after_sending_says_so_and_shows_no_answers(client, app):
    _invitation, token = _invite()
    person = Respondent(client)
    person.walk({"went_well": "my secret words"}, person.open_link(token))
    person.send()

    reopened = Respondent(app.test_client()).open_link(token)

    assert reopened.status == 200
    assert "You've already sent your views" in reopened.html
    assert "my secret words" not in reopened.html
    assert client.get("/your-say/questions/went_well").status_code == 200
    assert "my secret words" not in client.get("/your-say/questions/went_well").get_data(
        as_text=True)


def test_a_question_that_is_not_asked_leads_back_to_the_journey(client):
    _invitation, token = _invite(age=12)
    person = Respondent(client)
    person.open_link(token)
    assert client.get("/your-say/questions/know_pathway_plan").status_code == 303
    assert client.get("/your-say/questions/no_such_question").status_code == 303


def test_an_expired_invitation_shows_the_not_working_page(client):
    invitation, token = _invite()
    invitation.expires_at = invitation.created_at - timedelta(days=1)
    db.session.commit()
    page = Respondent(client).open_link(token)
    assert page.status == 404 and NOT_WORKING in page.html
    assert client.get("/your-say/check").status_code == 404


@pytest.mark.parametrize("case", ["unknown", "malformed", "revoked"])
def test_a_link_that_does_not_work_gets_the_same_friendly_404(client, case):
    invitation, token = factories.child_with_link()
    url = {"unknown": "/start/" + "A" * 43,
           "malformed": "/start/not-a-token%00%E2%80%AE'<script>",
           "revoked": f"/start/{token}"}[case]
    if case == "revoked":
        invitation.revoked_at = invitation.created_at
    db.session.commit()

    response = client.get(url)

    assert response.status_code == 404
    assert NOT_WORKING in response.get_data(as_text=True)
    assert client.get("/your-say").status_code == 404


def test_revoking_a_link_ends_the_session_it_opened(client):
    invitation, token = factories.child_with_link()
    Respondent(client).open_link(token)
    assert client.get("/your-say/start").status_code == 200

    invitation.revoked_at = invitation.created_at
    db.session.commit()

    assert client.get("/your-say/start").status_code == 404
    assert client.get("/your-say/questions/attend_meeting").status_code == 404


def test_a_draft_keeps_the_version_it_was_started_on(client):
    invitation, token = _invite()
    db.session.add(ResponseDraft(
        invitation_id=invitation.id, questionnaire_key="young_person", questionnaire_version=1,
        answers={"talk_about": "started before the new form"}, resume_at="talk_about",
        idempotency_key="k" * 32))
    db.session.commit()
    person = Respondent(client)

    resumed = person.open_link(token)

    assert resumed.question_key == "talk_about"
    # Written before this browser session: kept, not shown back (issue 16), and sent as is.
    assert "started before the new form" not in resumed.html
    assert "You wrote something here before. It is saved." in resumed.html
    assert "What would you like to talk about at your review?" in person.get(
        "/your-say/check").html
    person.send()
    saved = _saved(invitation)
    assert (saved.questionnaire_key, saved.questionnaire_version) == ("young_person", 1)
    assert [f.text for f in saved.free_texts] == ["started before the new form"]


def test_back_from_the_first_question_leads_to_the_start_and_skip_in_change_clears(client):
    invitation, token = _invite()
    person = Respondent(client)
    person.open_link(token)
    person.answer("attend_meeting", "yes")

    start = person.answer("attend_meeting", "yes", action="back")
    assert start.url == "/your-say/start"
    assert Respondent(client).follow(client.get("/your-say")).question_key == "attend_meeting"
    check = person.answer("attend_meeting", action="skip", change=True)

    assert check.url == "/your-say/check"
    assert db.session.scalar(select(ResponseDraft.answers)) == {}


def test_the_bare_address_leads_to_the_page_for_the_letters_code(client):
    """Someone who types the address from a letter lands where its short code goes."""
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/code"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    document = html5lib.parse(page.text, namespaceHTMLElements=False)
    assert document.find(".//form[@method='post']//input[@name='code']") is not None


def test_a_draft_started_on_the_long_form_finishes_on_it(client):
    """Started before the short core (version 2), it keeps its own questions and total."""
    invitation, token = _invite(age=15)
    db.session.add(ResponseDraft(
        invitation_id=invitation.id, questionnaire_key="young_person", questionnaire_version=2,
        answers={"attend_meeting": "yes"}, resume_at="co_chair", idempotency_key="v" * 32))
    db.session.commit()
    person = Respondent(client)

    resumed = person.open_link(token)

    assert resumed.question_key == "co_chair"
    assert resumed.progress[1] == len(runner.core(
        definitions.YOUNG_PERSON_V2, definitions.facts_for(invitation), {"attend_meeting": "yes"}))
    check = person.walk({"co_chair": "yes", "went_well": "Football."}, resumed)
    assert "more-list__link" not in check.html
    person.send()
    saved = _saved(invitation)
    assert (saved.questionnaire_key, saved.questionnaire_version) == ("young_person", 2)
    assert {"co_chair", "went_well", "plan_change"} & set(saved.asked) == {"co_chair",
                                                                           "went_well"}


@pytest.mark.parametrize("role", [InviteeRole.FOSTER_CARER, InviteeRole.PARENT])
def test_an_adults_pages_name_the_child_and_the_meeting_date_with_a_footer_for_adults(
        client, role):
    invitation, token = _invite(role)
    invitation.review.child.preferred_name = "Layla Rose"
    db.session.commit()
    person = Respondent(client)
    meeting = invitation.review.meeting_date
    about = f"About Layla, before the review on {meeting.day} {meeting:%B %Y}."

    start = person.open_link(token)
    first = person.get(re.search(r'href="(/your-say/questions/[a-z0-9_]+)"', start.html)[1])
    check = person.get("/your-say/check")

    for page in (start, first, check):
        assert about in page.html
        assert "Worried about a child?" in page.html and "0808 800 5000" in page.html
        assert "Childline" not in page.html
        assert "The IRO chairs the child" in page.html


def test_a_childs_start_page_names_their_iro_and_says_what_an_iro_does(client):
    invitation, token = _invite(age=9)
    invitation.review.child.iro.name = "Imani Okafor"
    db.session.commit()

    start = Respondent(client).open_link(token)

    assert "Your IRO is Imani." in start.html and "Okafor" not in start.html
    assert "IRO means Independent Reviewing Officer." in start.html
    assert "Childline" in start.html and "About Amanuel" not in start.html


def test_one_send_works_out_the_facts_and_the_answers_to_keep_once(client, monkeypatch):
    invitation, token = _invite()
    person = Respondent(client)
    check = person.walk({"home_feeling": "happy", "home_safe": "yes"},
                        person.open_link(token))
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check.html)[1]
    calls = {"facts": 0, "kept": 0}

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(definitions, "facts_for", counted("facts", definitions.facts_for))
    monkeypatch.setattr(runner, "kept_answers", counted("kept", runner.kept_answers))

    sent = client.post("/your-say/send",
                       data={"csrf_token": csrf_token(check.html), "idempotency_key": key})

    assert (sent.status_code, sent.headers["Location"]) == (303, "/your-say/thank-you")
    assert calls == {"facts": 1, "kept": 1}
    saved = _saved(invitation)
    assert {(a.question_key, a.value) for a in saved.answers} == {
        ("home_feeling", "happy"), ("home_safe", "yes")}
    assert saved.invitation.sent_at is not None
