"""The secret link answers with the page the person should be on (issue 17, "One redirect").

A fresh link is the start page itself, at the link's own address, with the stylesheet in
the page (allowed by its hash in the Content-Security-Policy), so it paints in one round
trip. The secret stays in the address bar, so the page is never stored, never named to
another site, and never written to a log. Someone coming back is redirected once to where
they stopped, with "Welcome back".
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from consult import assets
from consult.extensions import db
from consult.models import InviteeRole, ResponseDraft, StaffRole
from consult.web import CONTENT_SECURITY_POLICY, content_security_policy
from tests import factories
from tests.html_checks import check_page, style_hash, style_sources, text_of
from tests.participation.walk import Respondent

STYLESHEET = "consult/static/css/app.css"


def _open(client, token: str, **kwargs):
    response = client.get(f"/start/{token}", **kwargs)
    return response, check_page(response.get_data(as_text=True),
                                response.headers.get("Content-Security-Policy"))


def _invite(role: InviteeRole, language: str = "en_GB"):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro, name="Layla Haddad")
    invitation, token = factories.invitation(factories.review(child), role, language=language)
    db.session.commit()
    return invitation, token


def test_a_fresh_link_answers_with_the_start_page_itself(client):
    invitation, token = factories.child_with_link()

    response, page = _open(client, token)

    assert response.status_code == 200 and "Location" not in response.headers
    assert text_of(page.find(".//h1")) == "Have your say about your review"
    [start] = [a for a in page.iter("a") if "button" in (a.get("class") or "").split()
               and a.get("href", "").startswith("/your-say/questions/")]
    assert start.get("href") == "/your-say/questions/attend_meeting"
    assert token not in response.get_data(as_text=True)
    # The session is started: the journey goes on at clean addresses.
    assert client.get(start.get("href")).status_code == 200
    assert client.get("/your-say/start").status_code == 200
    db.session.refresh(invitation)
    assert invitation.opened_at is not None


def test_the_link_page_is_never_stored_nor_told_to_another_site(client):
    _invitation, token = factories.child_with_link()

    response, page = _open(client, token)

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert [meta.get("content") for meta in page.iter("meta")
            if meta.get("name") == "referrer"] == ["no-referrer"]
    # "Exit this page" leaves for the neutral site without saying where it came from.
    [exit_link] = [a for a in page.iter("a") if a.get("data-exit-this-page") is not None]
    assert "noreferrer" in exit_link.get("rel").split()
    # Changing language leaves the secret address for the clean one.
    languages = [a.get("href") for a in page.findall(".//nav[@class='language-menu']//a")]
    assert languages and all(href.startswith("/your-say/start?lang=") for href in languages)


def test_the_inline_stylesheet_is_allowed_by_its_exact_hash_and_nothing_looser(client):
    _invitation, token = factories.child_with_link()

    response, page = _open(client, token)

    [style] = page.iter("style")
    policy = response.headers["Content-Security-Policy"]
    # Computed here from the served text, compared with the header's.
    assert style_sources(policy) == ["'self'", style_hash(style.text)]
    assert policy == CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' {style_hash(style.text)}")
    assert "unsafe-inline" not in policy and "unsafe-hashes" not in policy
    with open(STYLESHEET, encoding="utf-8") as stylesheet:
        assert style.text == stylesheet.read()
    # No render-blocking stylesheet; the file is fetched at low priority for the next page.
    links = {link.get("rel"): link.get("href") for link in page.iter("link")}
    assert "stylesheet" not in links
    assert links["prefetch"].startswith("/static/css/app.") and links["prefetch"].endswith(".css")
    assert client.get(links["prefetch"]).headers["Cache-Control"] == assets.IMMUTABLE


def test_every_other_page_links_the_stylesheet_and_allows_no_inline_style(client):
    _invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")

    for path in ("/your-say/start", "/your-say/questions/attend_meeting", "/your-say/check"):
        response = client.get(path)
        page = check_page(response.get_data(as_text=True))
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert list(page.iter("style")) == [], path
        assert [link.get("rel") for link in page.iter("link")].count("stylesheet") == 1, path


def test_a_style_element_with_other_text_is_not_allowed_by_the_hash(client):
    """The page check refuses any <style> whose exact text the policy does not allow."""
    _invitation, token = factories.child_with_link()
    response = client.get(f"/start/{token}")
    html = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]

    tampered = html.replace("<style>", "<style>p { color: red }\n", 1)

    with pytest.raises(AssertionError, match="inline <style>"):
        check_page(tampered, policy)
    with pytest.raises(AssertionError, match="inline <style>"):
        check_page(html, CONTENT_SECURITY_POLICY)
    with pytest.raises(ValueError, match="only hashes"):
        content_security_policy(style_sources=("'unsafe-inline'",))


def test_the_token_never_reaches_the_access_log(client, caplog):
    _invitation, token = factories.child_with_link()
    # The development server's access log line, as werkzeug writes it, for this 200.
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        response = client.get(f"/start/{token}")
        logging.getLogger("werkzeug").info(
            '%s - - "%s" %s -', "127.0.0.1", f"GET /start/{token} HTTP/1.1",
            response.status_code)

    assert response.status_code == 200
    assert "GET /start/[redacted] HTTP/1.1" in caplog.text
    assert token not in caplog.text


@pytest.mark.parametrize("role", [InviteeRole.FOSTER_CARER, InviteeRole.PARENT])
def test_a_carers_and_a_parents_fresh_link_is_their_start_page_too(client, role):
    _invitation, token = _invite(role)

    response, page = _open(client, token)

    assert response.status_code == 200
    assert style_hash(next(page.iter("style")).text) in style_sources(
        response.headers["Content-Security-Policy"])
    # Their own form, naming the child, with the adults' footer (issue 17).
    assert text_of(page.find(".//p[@class='about-child']")).startswith("About Layla, before")
    assert page.find(".//p[@class='iro-intro']") is None
    assert text_of(page.find(".//footer//h2")) == "Worried about a child?"
    start = next(a.get("href") for a in page.iter("a")
                 if a.get("href", "").startswith("/your-say/questions/"))
    assert client.get(start).status_code == 200


@pytest.mark.parametrize("role", [InviteeRole.CHILD, InviteeRole.FOSTER_CARER])
def test_coming_back_is_one_redirect_to_where_they_stopped_with_welcome_back(client, app, role):
    _invitation, token = _invite(role)
    person = Respondent(client)
    first = person.open_link(token)
    key = first.html.split('href="/your-say/questions/', 1)[1].split('"', 1)[0]
    after_first = person.answer(key, action="skip")
    assert db.session.scalar(select(ResponseDraft.resume_at)) == after_first.question_key

    arrival = app.test_client().get(f"/start/{token}")

    assert arrival.status_code == 303
    assert arrival.headers["Location"] == f"/your-say/questions/{after_first.question_key}"
    assert arrival.headers["Cache-Control"] == "no-store"


def test_a_link_opened_in_a_browser_holding_another_links_session_is_that_link(client):
    """The request that starts the new session reads nothing from the one it replaces."""
    _child, child_token = _invite(InviteeRole.CHILD, language="ar")
    _carer, carer_token = _invite(InviteeRole.FOSTER_CARER)
    _opened, child_page = _open(client, child_token)
    assert child_page.get("lang") == "ar"

    _response, carer_page = _open(client, carer_token)

    assert carer_page.get("lang") == "en-GB"
    assert carer_page.find(".//p[@class='about-child']") is not None


def test_a_link_whose_session_went_idle_opens_its_start_page_again(client, monkeypatch):
    from consult.participation import session as link_session

    _invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")
    with client.session_transaction() as session:
        session[link_session.SEEN_AT] -= link_session.IDLE_SECONDS + 1
    assert client.get("/your-say/start").status_code == 404  # the session ended by itself

    response, page = _open(client, token)

    assert response.status_code == 200
    assert text_of(page.find(".//h1")) == "Have your say about your review"
    assert "timed out" not in text_of(page).lower()


def test_the_inline_stylesheet_is_read_once_at_start_in_production(app, monkeypatch):
    with app.app_context():
        at_start = app.extensions["consult.inline_stylesheet"]
        assert at_start.csp_source == style_hash(at_start.text)
        monkeypatch.setitem(app.config, "ENV_NAME", "production")
        monkeypatch.setattr(assets, "_read_inline_style", None)  # no reading again
        assert assets.inline_style() is at_start
