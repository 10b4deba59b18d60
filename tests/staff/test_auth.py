"""Staff sign-in: first password through a one-time link, sign-in, sign-out everywhere."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import argon2
import pyotp
import pytest
from sqlalchemy import func, select

from consult.accounts import passwords
from consult.extensions import db
from consult.models import AuditEvent, StaffRole, StaffUser
from tests import factories
from tests.html_checks import csrf_token

GENERIC_FAILURE = "The email address or password is not right."


def _setup_link(cli, email="new.iro@council.example"):
    result = cli.invoke(args=["create-user", "--email", email, "--role", "iro",
                              "--name", "Nia New"])
    assert result.exit_code == 0, result.output
    return re.search(r"http://localhost(/staff/set-password/\S+)", result.output).group(1)


def test_create_user_prints_a_one_time_link_and_stores_only_its_hash(cli):
    path = _setup_link(cli)

    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.iro@council.example"))
    assert user.role is StaffRole.IRO and user.password_hash is None
    token = path.rsplit("/", 1)[1]
    assert token not in (user.setup_token_hash or "")
    assert user.setup_token_hash is not None


def test_create_user_refuses_a_duplicate_email(cli):
    _setup_link(cli)
    result = cli.invoke(args=["create-user", "--email", "NEW.IRO@council.example", "--role", "iro",
                              "--name", "Again"])
    assert result.exit_code != 0
    assert "already an account" in result.output


def test_a_new_user_chooses_a_password_and_is_signed_in(client, cli, production_argon2):
    path = _setup_link(cli)

    opened = client.get(path)
    assert opened.status_code == 303 and opened.headers["Location"] == "/staff/set-password"
    page = client.get("/staff/set-password")
    too_short = client.post("/staff/set-password", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "password": "short", "confirm": "short"})
    assert too_short.status_code == 400
    assert "Use between 12 and 128 characters." in too_short.get_data(as_text=True)

    done = client.post("/staff/set-password", data={
        "csrf_token": csrf_token(too_short.get_data(as_text=True)),
        "password": "four words make a password", "confirm": "four words make a password"})

    # A password alone never signs in: the authenticator app comes next.
    assert done.status_code == 303 and done.headers["Location"] == "/staff/sign-in/authenticator"
    assert client.get("/staff/").status_code == 302
    enrolment = client.get("/staff/sign-in/authenticator").get_data(as_text=True)
    assert '<svg' in enrolment and "QR code for your authenticator app" in enrolment
    secret = re.search(r'<p class="secret-key"><code>([A-Z2-7 ]+)</code>', enrolment).group(1)
    signed_in = client.post("/staff/sign-in/authenticator", data={
        "csrf_token": csrf_token(enrolment),
        "code": pyotp.TOTP(secret.replace(" ", "")).now()})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.iro@council.example"))
    parameters = argon2.extract_parameters(user.password_hash)
    assert (parameters.type, parameters.time_cost, parameters.memory_cost,
            parameters.parallelism) == (argon2.Type.ID, 3, 64 * 1024, 1)
    assert user.setup_token_hash is None
    assert client.application.test_client().get(path).status_code == 404, "link works once"


def test_a_malformed_or_unknown_setup_link_is_refused(client):
    assert client.get("/staff/set-password/nonsense").status_code == 404
    assert client.get("/staff/set-password/" + "B" * 43).status_code == 404
    assert client.get("/staff/set-password").status_code == 404


def test_sign_in_with_the_right_password(client):
    user = factories.staff()

    response = factories.sign_in(client, user)

    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.actor_staff_id == user.id)) == "staff.signed_in"


def test_every_failure_gets_the_same_message(client):
    user = factories.staff()
    disabled = factories.staff(email="gone@council.example")
    disabled.active = False

    for email, password in ((user.email, "wrong password here"),
                            ("nobody@council.example", factories.PASSWORD),
                            (disabled.email, factories.PASSWORD)):
        page = client.get("/staff/sign-in")
        response = client.post("/staff/sign-in", data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": email, "password": password})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert GENERIC_FAILURE in html
        assert "<title>Error: Sign in" in html
        assert email in html, "the email typed is kept"
    assert client.get("/staff/").status_code == 302


def test_sign_out_ends_every_session_of_that_person(client, app):
    user = factories.staff()
    factories.sign_in(client, user)
    other_device = app.test_client()
    factories.sign_in(other_device, user)
    copied_cookie = client.get_cookie("session").value

    page = client.get("/staff/")
    client.post("/staff/sign-out", data={"csrf_token": csrf_token(page.get_data(as_text=True))})

    replay = app.test_client()
    replay.set_cookie("session", copied_cookie)
    assert replay.get("/staff/").status_code == 302
    assert other_device.get("/staff/").status_code == 302
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == \
        "staff.signed_out"


def test_pages_need_sign_in_and_come_back_after_it(client):
    user = factories.staff()

    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in?next=/staff/"
    page = client.get("/staff/sign-in?next=/staff/")
    password_step = client.post("/staff/sign-in?next=//evil.example/staff/", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": user.email, "password": factories.PASSWORD})
    assert password_step.headers["Location"] == "/staff/sign-in/code"
    code_page = client.get("/staff/sign-in/code")
    signed_in = client.post("/staff/sign-in/code", data={
        "csrf_token": csrf_token(code_page.get_data(as_text=True)),
        "code": factories.totp_code(user)})
    assert signed_in.headers["Location"] == "/staff/"


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(client, production_argon2):
    from argon2 import PasswordHasher
    user = factories.staff()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(factories.PASSWORD)
    db.session.commit()

    factories.sign_in(client, user)

    db.session.refresh(user)
    assert not passwords.needs_rehash(user.password_hash)
    assert argon2.extract_parameters(user.password_hash).memory_cost == 64 * 1024
    assert passwords.verify(user.password_hash, factories.PASSWORD)


def test_an_overlong_password_is_refused_without_hashing(monkeypatch):
    class NoHashing:
        def verify(self, *_args):
            raise AssertionError("argon2 must not see an over-long password")

    monkeypatch.setattr(passwords, "HASHER", NoHashing())
    assert passwords.verify("$argon2id$whatever", "x" * 1_000_000) is False


def _to_the_code_step(client, user, next_page: str):
    page = client.get("/staff/sign-in")
    client.post(f"/staff/sign-in?{urlencode({'next': next_page})}", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": user.email, "password": factories.PASSWORD})
    return csrf_token(client.get("/staff/sign-in/code").get_data(as_text=True))


@pytest.mark.parametrize("next_page", ["/staff/\r\nSet-Cookie: x=1", "/staff/\x00", "/staff/\n"])
def test_a_next_page_with_control_characters_is_ignored(client, next_page):
    user = factories.staff()
    token = _to_the_code_step(client, user, next_page)

    signed_in = client.post("/staff/sign-in/code", data={
        "csrf_token": token, "code": factories.totp_code(user)})

    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/staff/"


@pytest.mark.parametrize("digits", [
    str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"),
    str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"),
])
def test_a_code_in_other_digits_is_a_wrong_code_counted_and_audited(client, digits):
    user = factories.staff()
    token = _to_the_code_step(client, user, "/staff/")

    refused = client.post("/staff/sign-in/code", data={
        "csrf_token": token, "code": factories.totp_code(user).translate(digits)})

    assert refused.status_code == 400
    assert "The code is not right" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "staff.sign_in_failed")) == 1
