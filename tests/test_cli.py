"""The demo command: idempotent, and every link it prints works."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Child, Invitation, Review, StaffUser


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (StaffUser, Child, Review, Invitation))


def test_demo_loads_data_prints_working_links_and_can_run_again(cli, app):
    first = cli.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    assert counts[0] == 5 and counts[1] >= 3

    second = cli.invoke(args=["demo"])
    assert second.exit_code == 0
    assert _counts() == counts

    old_links = re.findall(r"http://localhost(/start/\S+)", first.output)
    new_links = re.findall(r"http://localhost(/start/\S+)", second.output)
    assert len(new_links) == counts[3]
    browser = app.test_client()
    # A fresh link is its start page (200); a started or sent one redirects once.
    opened = [browser.get(link) for link in new_links]
    assert all(response.status_code == 200 and "Location" not in response.headers
               or response.status_code == 303
               and response.headers["Location"].startswith("/your-say")
               for response in opened)
    assert any(response.status_code == 200 for response in opened)
    assert all(browser.get(link).status_code == 404 for link in old_links)


def test_demo_passwords_sign_in(cli, app):
    output = cli.invoke(args=["demo"]).output
    email, password, key = re.search(r"iro\s+(iro@\S+)\s+(\S+)\s+key (\S+)", output).groups()

    browser = app.test_client()
    from tests.html_checks import csrf_token
    page = browser.get("/staff/sign-in").get_data(as_text=True)
    password_step = browser.post("/staff/sign-in", data={
        "csrf_token": csrf_token(page), "email": email, "password": password})
    assert password_step.headers["Location"] == "/staff/sign-in/code"
    page = browser.get("/staff/sign-in/code").get_data(as_text=True)
    signed_in = browser.post("/staff/sign-in/code", data={
        "csrf_token": csrf_token(page), "code": pyotp.TOTP(key).now()})
    assert signed_in.status_code == 303
    assert "Amanuel" in browser.get("/staff/").get_data(as_text=True)


def test_demo_refuses_to_run_in_production(database_url):
    from tests.conftest import make_app
    production = make_app(database_url, CONSULT_ENV="production", WEB_CONCURRENCY="1")
    result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
