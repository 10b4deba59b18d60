"""A child's journey: secret link, clean URL, answers, thank you, and every way a link fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from consult.extensions import db
from consult.models import Answer, FreeTextAnswer, Invitation, Response, utcnow
from tests import factories

NOT_WORKING = "This link doesn't work any more"


def _open(client, token):
    return client.get(f"/start/{token}")


def test_link_is_exchanged_for_a_session_and_a_clean_url(client):
    invitation, token = factories.child_with_link()

    response = _open(client, token)

    assert response.status_code == 303
    assert response.headers["Location"] == "/your-say"
    assert token not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    page = client.get("/your-say")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert token not in page.get_data(as_text=True)
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.opened_at is not None


def test_child_answers_and_sends_their_views(client):
    invitation, token = factories.child_with_link()
    _open(client, token)

    sent = factories.post_form(client, "/your-say", {
        "home_feeling": "happy",
        "attend_meeting": "not_sure",
        "talk_about": "I want to  see my brother more.\r\nAnd football.",
        "only_for_iro": "",
    })

    assert sent.status_code == 303
    assert sent.headers["Location"] == "/your-say/thank-you"
    thanks = client.get("/your-say/thank-you")
    assert "Thank you, your answers have been sent" in thanks.get_data(as_text=True)
    saved = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    assert (saved.questionnaire_key, saved.questionnaire_version) == ("young_person", 1)
    assert saved.language == "en_GB"
    assert {(a.question_key, a.value) for a in saved.answers} == {
        ("home_feeling", "happy"), ("attend_meeting", "not_sure")}
    assert [(f.question_key, f.text, f.only_for_iro) for f in saved.free_texts] == [
        ("talk_about", "I want to  see my brother more.\nAnd football.", False)]
    db.session.refresh(invitation)
    assert invitation.submitted_at is not None


def test_structured_answers_can_be_counted_in_sql(client):
    for feeling in ("happy", "happy", "sad"):
        _invitation, token = factories.child_with_link()
        _open(client, token)
        factories.post_form(client, "/your-say", {"home_feeling": feeling})

    counts = dict(db.session.execute(
        select(Answer.value, db.func.count()).where(Answer.question_key == "home_feeling")
        .group_by(Answer.value)).all())
    assert counts == {"happy": 2, "sad": 1}


def test_an_empty_submission_is_allowed(client):
    invitation, token = factories.child_with_link()
    _open(client, token)

    assert factories.post_form(client, "/your-say", {}).status_code == 303
    saved = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    assert saved.answers == [] and saved.free_texts == []


def test_a_too_long_answer_is_refused_and_kept_for_editing(client):
    _invitation, token = factories.child_with_link()
    _open(client, token)
    long_text = "word " * 4000

    page = factories.post_form(
        client, "/your-say", {"talk_about": long_text, "home_feeling": "okay"})

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Error: " in html
    assert "Your answer must be 2,000 characters or fewer. It is 19,999 now." in html
    assert long_text.strip() in html
    assert 'value="okay" checked' in html
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 0


def test_an_unknown_choice_is_refused_with_a_message(client):
    _invitation, token = factories.child_with_link()
    _open(client, token)

    page = factories.post_form(client, "/your-say", {"home_feeling": "ecstatic"})

    assert "Choose one of the answers, or leave this question out." in page.get_data(as_text=True)


def test_control_characters_are_removed_before_saving(client):
    invitation, token = factories.child_with_link()
    _open(client, token)

    factories.post_form(client, "/your-say", {"talk_about": "safe\x00 text\u202e here"})

    saved = db.session.scalar(select(FreeTextAnswer))
    assert saved.text == "safe text here"


def test_a_link_opened_again_after_sending_says_so_and_shows_no_answers(client, app):
    _invitation, token = factories.child_with_link()
    _open(client, token)
    factories.post_form(client, "/your-say", {"talk_about": "my secret words"})

    fresh = app.test_client()
    reopened = fresh.get(f"/start/{token}", follow_redirects=True)

    html = reopened.get_data(as_text=True)
    assert reopened.status_code == 200
    assert "You've already sent your views" in html
    assert "my secret words" not in html


def test_sending_twice_saves_once(client):
    invitation, token = factories.child_with_link()
    _open(client, token)
    page = client.get("/your-say").get_data(as_text=True)
    from tests.html_checks import csrf_token
    form = {"csrf_token": csrf_token(page), "talk_about": "first"}

    first = client.post("/your-say", data=form)
    second = client.post("/your-say", data={**form, "talk_about": "second"})

    assert first.status_code == 303
    assert "You've already sent your views" in second.get_data(as_text=True)
    texts = db.session.scalars(select(FreeTextAnswer.text)).all()
    assert texts == ["first"]


@pytest.mark.parametrize("case", ["unknown", "malformed", "expired", "revoked"])
def test_a_link_that_does_not_work_gets_the_same_friendly_404(client, case):
    invitation, token = factories.child_with_link()
    url = {
        "unknown": "/start/" + "A" * 43,
        "malformed": "/start/not-a-token%00%E2%80%AE'<script>",
        "expired": f"/start/{token}",
        "revoked": f"/start/{token}",
    }[case]
    if case == "expired":
        invitation.expires_at = utcnow() - timedelta(seconds=1)
    if case == "revoked":
        invitation.revoked_at = utcnow()
    db.session.commit()

    response = client.get(url)

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert NOT_WORKING in html
    assert "ask your IRO" in html.lower() or "Ask your IRO" in html
    assert client.get("/your-say").status_code == 404


def test_revoking_a_link_ends_the_session_it_opened(client):
    invitation, token = factories.child_with_link()
    _open(client, token)
    assert client.get("/your-say").status_code == 200

    invitation.revoked_at = utcnow()
    db.session.commit()

    assert client.get("/your-say").status_code == 404


def test_the_questionnaire_without_a_session_is_the_not_working_page(client):
    response = client.get("/your-say")
    assert response.status_code == 404
    assert NOT_WORKING in response.get_data(as_text=True)


def test_a_failed_commit_keeps_the_text_and_logs_none_of_it(client, monkeypatch, caplog):
    _invitation, token = factories.child_with_link()
    _open(client, token)
    from sqlalchemy.exc import OperationalError

    def failing_commit():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    page = client.get("/your-say").get_data(as_text=True)
    from tests.html_checks import csrf_token
    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.post("/your-say", data={
        "csrf_token": csrf_token(page), "talk_about": "words only my IRO should see"})
    monkeypatch.undo()

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Your answers were not sent" in html
    assert "words only my IRO should see" in html
    assert "words only my IRO" not in caplog.text
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(Invitation.submitted_at)) is None


def test_tokens_are_never_stored_in_clear(client):
    invitation, token = factories.child_with_link()
    _open(client, token)
    factories.post_form(client, "/your-say", {"talk_about": "hello"})

    for table in inspect(db.engine).get_table_names():
        rows = db.session.execute(text(f'SELECT * FROM "{table}"')).all()
        assert all(token not in str(row) for row in rows), table
    assert invitation.token_hash != token and len(invitation.token_hash) == 64


def test_two_sends_at_the_same_moment_save_exactly_one_response(client, app):
    import threading

    from tests.html_checks import csrf_token

    _invitation, token = factories.child_with_link()
    _open(client, token)
    form = {"csrf_token": csrf_token(client.get("/your-say").get_data(as_text=True)),
            "talk_about": "sent twice"}
    cookie = client.get_cookie("session").value
    start = threading.Barrier(2)
    statuses = []

    def send():
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        start.wait()
        statuses.append(browser.post("/your-say", data=form).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 303]
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 1
    assert db.session.scalars(select(FreeTextAnswer.text)).all() == ["sent twice"]


def test_a_stale_page_shows_the_form_again_with_everything_typed(client):
    _invitation, token = factories.child_with_link()
    _open(client, token)
    client.get("/your-say")

    response = client.post("/your-say", data={
        "csrf_token": "stale", "talk_about": "all my words", "home_feeling": "sad"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers were not sent yet" in html
    assert ">all my words</textarea>" in html and 'value="sad" checked' in html
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 0
    resent = factories.post_form(client, "/your-say", {"talk_about": "all my words"})
    assert resent.status_code == 303


def test_a_lost_session_still_gives_back_what_was_written(client, app):
    _invitation, token = factories.child_with_link()
    _open(client, token)
    client.get("/your-say")
    browser_restarted = app.test_client()

    response = browser_restarted.post("/your-say", data={
        "csrf_token": "from-the-old-session", "talk_about": "my long story", "home_feeling": "sad"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page has timed out" in html
    assert "my long story</textarea>" in html
    assert "sad</textarea>" not in html
