"""Words written in an earlier browser session are kept, but never shown back (issue 16).

Anyone with the phone's message history can open a child's link again. They must see
neither what the child wrote only for their IRO nor any other words written before, on
any page; they see that something was written and saved, and may replace it or leave it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from consult.extensions import db
from consult.models import InviteeRole, ResponseDraft, StaffRole
from consult.questionnaires import definitions
from consult.questionnaires.model import AnswerIs
from tests import factories
from tests.html_checks import check_page, text_of
from tests.participation.walk import Respondent

MARK = "PLANTED"


def _child_with_every_free_text_question():
    """A 17-year-old unaccompanied child: every free-text question of their form applies."""
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro, age=17)
    child.unaccompanied_asylum_seeking = True
    invitation, token = factories.invitation(factories.review(child), InviteeRole.CHILD)
    db.session.commit()
    return invitation, token


def _answers_reaching_every_free_text(questionnaire) -> dict:
    answers = {}
    for question in questionnaire.questions:
        condition = question.condition
        if isinstance(condition, AnswerIs):
            asked = questionnaire.question(condition.key)
            first = condition.answers[0]
            answers[condition.key] = [first] if asked.is_multiple else first
    for question in questionnaire.questions:
        if question.is_free_text:
            answers[question.key] = f"{MARK} {question.key} {MARK}"
    return answers


def _write_everything(child: Respondent, token: str, answers: dict):
    """Walk the short core, then open each "Tell me more" section from Check your answers
    in turn and walk it too, so that every free-text question gets written in."""
    check = child.walk(answers, child.open_link(token))
    opened: set[str] = set()
    while links := [link for link in re.findall(r'class="more-list__link" href="([^"]+)"',
                                                check.html) if link not in opened]:
        opened.add(links[0])
        check = child.walk(answers, child.get(links[0]))
    return check


def _everything_on(html: str) -> str:
    """All the text and attribute values of a parsed page (textareas and values too)."""
    return ET.tostring(check_page(html), encoding="unicode")


def _notices(html: str) -> list:
    return [div for div in check_page(html).iter("div")
            if div.get("class") == "written-before"]


def _draft(invitation) -> dict:
    db.session.expire_all()
    return db.session.get(ResponseDraft, invitation.draft.id).answers


def test_a_fresh_browser_sees_none_of_the_earlier_words_on_any_page(client, app):
    invitation, token = _child_with_every_free_text_question()
    questionnaire = definitions.for_invitation(invitation)
    answers = _answers_reaching_every_free_text(questionnaire)
    child = Respondent(client)
    _write_everything(child, token, answers)
    written = {key for key, value in _draft(invitation).items() if MARK in str(value)}
    free_text = {q.key for q in questionnaire.questions if q.is_free_text}
    assert written == free_text and any(
        questionnaire.question(key).only_for_iro for key in written)

    fresh = Respondent(app.test_client())
    pages = {"opened": fresh.open_link(token).html}
    for path in ("/your-say", "/your-say/start", "/your-say/check", "/help-now",
                 "/ask-for-help", "/your-rights", "/your-rights/who-reads-what-i-write"):
        pages[path] = fresh.get(path).html
    for question in questionnaire.questions:
        page = fresh.get(f"/your-say/questions/{question.key}")
        assert page.question_key == question.key, question.key
        pages[question.key] = page.html

    for where, html in pages.items():
        assert MARK not in _everything_on(html), where
    for key in free_text:
        [notice] = _notices(pages[key])
        assert "You wrote something here before. It is saved." in text_of(notice)
        [box] = [t for t in check_page(pages[key]).iter("textarea")]
        assert not (box.text or "").strip()
        assert notice.get("id") in box.get("aria-describedby").split()
    assert len(_notices(pages["/your-say/check"])) == 0
    check = check_page(pages["/your-say/check"])
    assert text_of(check).count("You wrote something here before. It is saved.") == len(
        free_text)
    # Choices may be shown back: they are not anyone's words.
    chosen = next(key for key, value in answers.items() if key not in free_text)
    assert 'checked' in pages[chosen]

    # Within the session that wrote them, the words show as before.
    for key in free_text:
        assert f"{MARK} {key} {MARK}" in child.get(f"/your-say/questions/{key}").html
    assert all(f"{MARK} {key} {MARK}" in child.get("/your-say/check").html for key in free_text)


def test_leaving_an_earlier_answer_keeps_it_and_new_words_replace_it(client, app):
    invitation, token = _child_with_every_free_text_question()
    questionnaire = definitions.for_invitation(invitation)
    child = Respondent(client)
    _write_everything(child, token, _answers_reaching_every_free_text(questionnaire))
    left, skipped, replaced, deleted = sorted(
        q.key for q in questionnaire.questions if q.is_free_text)[:4]

    fresh = Respondent(app.test_client())
    fresh.open_link(token)
    fresh.answer(left, "")
    fresh.answer(skipped, None, action="skip")
    fresh.answer(replaced, "New words from here")
    fresh.post(f"/your-say/questions/{deleted}", {"action": "next", deleted: "",
                                                  "forget_earlier": "1"})

    saved = _draft(invitation)
    assert saved[left] == f"{MARK} {left} {MARK}"
    assert saved[skipped] == f"{MARK} {skipped} {MARK}"
    assert saved[replaced] == "New words from here"
    assert deleted not in saved
    # What this browser wrote, it sees again; what it did not, it still does not.
    assert "New words from here" in fresh.get(f"/your-say/questions/{replaced}").html
    assert MARK not in _everything_on(fresh.get("/your-say/check").html)
    # The first browser does not see the other browser's words in its place.
    page = child.get(f"/your-say/questions/{replaced}").html
    assert "New words from here" not in _everything_on(page) and _notices(page)


def test_the_background_save_of_an_empty_box_keeps_the_earlier_words(client, app):
    invitation, token = _child_with_every_free_text_question()
    questionnaire = definitions.for_invitation(invitation)
    child = Respondent(client)
    _write_everything(child, token, _answers_reaching_every_free_text(questionnaire))
    key = next(q.key for q in questionnaire.questions if q.is_free_text)

    fresh = Respondent(app.test_client())
    fresh.open_link(token)
    fresh.get(f"/your-say/questions/{key}")
    reply = fresh.client.post(f"/your-say/questions/{key}/save",
                              data={"csrf_token": fresh.token, key: ""})

    assert reply.status_code == 200
    assert _draft(invitation)[key] == f"{MARK} {key} {MARK}"
