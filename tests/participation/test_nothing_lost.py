"""Bad input and bad luck: nothing typed is lost, nothing is saved twice or half, never a 500."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from consult import drafts
from consult.extensions import db
from consult.models import FreeTextAnswer, Invitation, Response, ResponseDraft
from consult.questionnaires import definitions, runner
from tests import factories
from tests.participation.walk import Respondent


def _opened(client):
    invitation, token = factories.child_with_link()
    person = Respondent(client)
    person.open_link(token)
    return invitation, token, person


def _count(model) -> int:
    return db.session.scalar(select(db.func.count()).select_from(model))


def _draft_answers() -> dict:
    db.session.expire_all()
    draft = db.session.scalar(select(ResponseDraft))
    return draft.answers if draft else {}


def test_a_20000_character_answer_is_refused_with_a_clear_message_and_kept(client):
    _invitation, _token, person = _opened(client)
    long_text = "word " * 4000  # 20,000 characters

    page = person.answer("went_well", long_text)

    assert page.status == 200 and page.question_key == "went_well"
    assert "<title>Error: " in page.html
    assert "Your answer must be 2,000 characters or fewer. It is 19,999 now." in page.html
    assert long_text.strip() + "</textarea>" in page.html
    assert 'href="#went_well"' in page.html
    assert "went_well" not in _draft_answers()
    fixed = person.answer("went_well", "Shorter now.")
    assert fixed.question_key == "not_gone_well"
    assert _draft_answers()["went_well"] == "Shorter now."


@pytest.mark.parametrize("typed, kept", [
    ("safe\x00 text", "safe text"),
    ("right\u202eto\u202dleft \u2066over\u2069ride", "righttoleft override"),
    ("emoji 😀 and Tigrinya ሰላም", "emoji 😀 and Tigrinya ሰላም"),
])
def test_control_characters_are_removed_and_the_rest_stored(client, typed, kept):
    invitation, _token, person = _opened(client)

    assert person.answer("went_well", typed).status == 200
    person.send()

    assert db.session.scalar(select(FreeTextAnswer.text)) == kept


def test_a_lone_surrogate_in_the_form_is_never_a_500(client):
    _invitation, _token, person = _opened(client)
    person.get("/your-say/questions/went_well")
    # A lone surrogate as a browser could encode it: not valid UTF-8.
    body = f"csrf_token={person.token}&action=next&went_well=before%ED%A0%80after"

    response = client.post("/your-say/questions/went_well", data=body,
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 303
    stored = _draft_answers()["went_well"]
    assert stored.startswith("before") and stored.endswith("after")
    assert all(not 0xD800 <= ord(ch) <= 0xDFFF for ch in stored)
    stored.encode("utf-8")


def test_an_unknown_choice_is_refused_with_a_message(client):
    _invitation, _token, person = _opened(client)

    page = person.answer("attend_meeting", "maybe")

    assert "Choose one of the answers, or leave this question out." in page.html
    assert _draft_answers() == {}


def test_in_person_and_other_choices_together_are_refused_and_kept(client):
    _invitation, _token, person = _opened(client)

    page = person.answer("home_feeling", ["happy", "in_person"])

    assert "Choose one answer, or leave this question out." in page.html


def test_skip_clears_an_earlier_answer(client):
    _invitation, _token, person = _opened(client)
    person.answer("attend_meeting", "yes")
    assert _draft_answers() == {"attend_meeting": "yes"}

    person.answer("attend_meeting", "yes", action="skip")

    assert _draft_answers() == {}


def test_a_stale_page_shows_the_question_again_with_what_was_typed(client):
    _invitation, _token, person = _opened(client)
    person.get("/your-say/questions/went_well")

    response = client.post("/your-say/questions/went_well", data={
        "csrf_token": "stale", "action": "next", "went_well": "all my words"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answer was not saved yet" in html
    assert ">all my words</textarea>" in html
    assert _draft_answers() == {}
    assert person.answer("went_well", "all my words").question_key == "not_gone_well"


def test_a_stale_send_shows_the_answers_to_send_again(client):
    _invitation, _token, person = _opened(client)
    person.answer("went_well", "my story")

    response = client.post("/your-say/send", data={"csrf_token": "stale"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers were not sent yet" in html and "my story" in html
    assert _count(Response) == 0
    assert person.send().url == "/your-say/thank-you"


def test_a_lost_session_still_gives_back_what_was_written(client, app):
    _opened(client)
    browser_restarted = app.test_client()

    response = browser_restarted.post("/your-say/questions/went_well", data={
        "csrf_token": "from-the-old-session", "went_well": "my long story",
        "home_feeling": "sad"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page has timed out" in html
    assert "my long story</textarea>" in html
    assert "sad</textarea>" not in html


def test_a_double_click_on_send_saves_once_and_thanks_twice(client):
    invitation, _token, person = _opened(client)
    person.answer("went_well", "first")
    check = client.get("/your-say/check").get_data(as_text=True)

    key = re.search(r'name="idempotency_key" value="([^"]+)"', check)[1]
    form = {"csrf_token": person.token, "idempotency_key": key}

    first = client.post("/your-say/send", data=form)
    second = client.post("/your-say/send", data=form)

    assert first.headers["Location"] == second.headers["Location"] == "/your-say/thank-you"
    assert _count(Response) == 1
    assert db.session.scalar(select(Response.idempotency_key)) == key
    other_send = client.post("/your-say/send", data={**form, "idempotency_key": "k" * 32})
    assert "You've already sent your views" in other_send.get_data(as_text=True)
    assert _count(Response) == 1


# Real commits: two threads, each on a connection of its own, as two requests are.
@pytest.mark.real_commits
def test_two_sends_at_the_same_moment_save_exactly_one_response(client, app):
    _invitation, _token, person = _opened(client)
    person.answer("went_well", "sent twice")
    check = client.get("/your-say/check").get_data(as_text=True)

    key = re.search(r'name="idempotency_key" value="([^"]+)"', check)[1]
    form = {"csrf_token": person.token, "idempotency_key": key}
    cookie = client.get_cookie("session").value
    start = threading.Barrier(2)
    locations = []

    def send():
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        start.wait()
        locations.append(browser.post("/your-say/send", data=form).headers.get("Location"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert locations == ["/your-say/thank-you", "/your-say/thank-you"]
    assert _count(Response) == 1
    assert db.session.scalars(select(FreeTextAnswer.text)).all() == ["sent twice"]
    assert _count(ResponseDraft) == 0


# Real commits: the other tab saves on a connection of its own.
@pytest.mark.real_commits
def test_answers_saved_from_two_tabs_at_once_are_both_kept(client, app):
    invitation, _token, person = _opened(client)
    questionnaire = drafts.questionnaire_for(invitation, None)
    asked = runner.applicable(questionnaire, definitions.facts_for(invitation), {})
    first, second = [q.key for q in asked if q.is_free_text][:2]
    person.answer(first, "typed before")
    db.session.expire_all()
    stale = db.session.get(Invitation, invitation.id).draft  # this tab read the draft ...
    assert stale.answers == {first: "typed before"}

    with Session(db.engine) as other_tab:  # ... then the other tab saved its answer
        other = other_tab.get(Invitation, invitation.id)
        drafts.record_answer(other.draft, second, "from the other tab", None)
        other_tab.commit()

    assert drafts.save_answer(invitation, questionnaire, first, "typed after", second)
    assert _draft_answers() == {first: "typed after", second: "from the other tab"}


def _failing_commit():
    raise OperationalError("COMMIT", {}, Exception("server closed the connection"))


def test_a_failed_send_keeps_the_text_saves_nothing_and_logs_none_of_it(
        client, monkeypatch, caplog):
    _invitation, _token, person = _opened(client)
    person.answer("went_well", "words only my IRO should see")
    person.answer("only_for_iro", "a secret for my IRO", action="next")
    check = client.get("/your-say/check").get_data(as_text=True)

    key = re.search(r'name="idempotency_key" value="([^"]+)"', check)[1]

    monkeypatch.setattr(db.session, "commit", _failing_commit)
    response = client.post("/your-say/send", data={
        "csrf_token": person.token, "idempotency_key": key})
    monkeypatch.undo()

    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your answers were not sent" in html
    assert "words only my IRO should see" in html and "a secret for my IRO" in html
    assert "could not save a response: OperationalError" in caplog.text
    assert "words only" not in caplog.text and "secret" not in caplog.text
    db.session.rollback()
    assert _count(Response) == 0 and _count(FreeTextAnswer) == 0
    assert db.session.scalar(select(Invitation.sent_at)) is None
    assert _draft_answers()["went_well"] == "words only my IRO should see"
    assert person.send().url == "/your-say/thank-you"


def test_a_failed_save_on_next_keeps_the_text_and_logs_none_of_it(
        client, monkeypatch, caplog):
    _invitation, _token, person = _opened(client)
    person.get("/your-say/questions/went_well")

    monkeypatch.setattr(db.session, "commit", _failing_commit)
    response = client.post("/your-say/questions/went_well", data={
        "csrf_token": person.token, "action": "next", "went_well": "my unsaved story"})
    monkeypatch.undo()

    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your answer was not saved" in html and ">my unsaved story</textarea>" in html
    assert "my unsaved story" not in caplog.text
    assert _draft_answers() == {}


def test_a_database_outage_gives_back_what_was_typed(client, monkeypatch, caplog):
    _invitation, _token, person = _opened(client)
    person.get("/your-say/questions/went_well")

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.session, "get", unreachable)
    response = client.post("/your-say/questions/went_well", data={
        "csrf_token": person.token, "action": "next", "went_well": "typed in the outage"})
    monkeypatch.undo()

    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in html and "typed in the outage" in html
    assert "typed in the outage" not in caplog.text


def test_words_typed_on_another_tab_after_sending_are_given_back(client):
    _invitation, _token, person = _opened(client)
    person.get("/your-say/questions/went_well")
    person.send()

    response = client.post("/your-say/questions/went_well", data={
        "csrf_token": person.token, "action": "next", "went_well": "typed on the old tab"})

    html = response.get_data(as_text=True)
    assert "You've already sent your views" in html
    assert ">typed on the old tab</textarea>" in html


def _idle_for(client, seconds: int) -> None:
    from consult.participation import session as link_session

    with client.session_transaction() as session:
        session[link_session.SEEN_AT] -= seconds


def test_a_link_session_ends_after_45_idle_minutes_and_gives_back_what_was_typed(client):
    _invitation, token, person = _opened(client)
    assert person.answer("went_well", "Football on Saturdays.").status == 200
    person.get("/your-say/questions/not_gone_well")
    _idle_for(client, 44 * 60)
    assert person.get("/your-say/questions/not_gone_well").status == 200  # still in time
    _idle_for(client, 45 * 60)

    page = person.answer("not_gone_well", "Moving school was hard.")

    assert page.status == 404
    assert "This page has timed out" in page.html and "45 minutes" in page.html
    assert "Moving school was hard.</textarea>" in page.html
    assert person.get("/your-say/check").status == 404  # the session stays ended
    # Opening the link again carries on where they stopped, with their answers.
    resumed = person.open_link(token)
    assert resumed.question_key == "not_gone_well"
    assert _draft_answers() == {"went_well": "Football on Saturdays."}


def test_an_idle_session_keeps_the_language_chosen(client):
    _invitation, _token, person = _opened(client)
    person.get("/your-say/start?lang=ar")
    _idle_for(client, 46 * 60)
    page = person.get("/your-say/start")
    assert page.status == 404 and 'lang="ar"' in page.html
