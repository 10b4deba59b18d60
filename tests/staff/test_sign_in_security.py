"""Staff sign-in to OWASP ASVS level 2: two factors, throttling, sessions that end."""

from __future__ import annotations

import time
from datetime import timedelta

import argon2
import pyotp
import pytest
import time_machine
from sqlalchemy import select, text

from consult.accounts import passwords, throttle, two_factor
from consult.extensions import db
from consult.models import AuditEvent, StaffRole
from tests import factories
from tests.html_checks import csrf_token

GENERIC_FAILURE = "The email address or password is not right."
LOCKED = "Too many attempts to sign in to this account."


def _from(client, address: str):
    """The client as a browser at this address."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _password_step(client, email, password):
    page = client.get("/staff/sign-in")
    return client.post("/staff/sign-in", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": email, "password": password})


def _code_step(client, code):
    page = client.get("/staff/sign-in/code")
    return client.post("/staff/sign-in/code", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "code": code})


def _actions(user):
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "staff_users", AuditEvent.subject_id == user.id)
        .order_by(AuditEvent.id)))


# Two factors ---------------------------------------------------------------------------

def test_the_password_alone_does_not_sign_in(client):
    user = factories.staff()

    response = _password_step(client, user.email, factories.PASSWORD)

    assert response.headers["Location"] == "/staff/sign-in/code"
    assert client.get("/staff/").status_code == 302


def test_a_totp_code_works_once(client, app):
    user = factories.staff()
    db.session.commit()
    code = factories.totp_code(user)
    _password_step(client, user.email, factories.PASSWORD)
    assert _code_step(client, code).headers["Location"] == "/staff/"

    again = app.test_client()
    _password_step(again, user.email, factories.PASSWORD)
    reused = _code_step(again, code)

    assert reused.status_code == 400
    assert "The code is not right." in reused.get_data(as_text=True)
    assert again.get("/staff/").status_code == 302
    assert _actions(user)[-1] == "staff.sign_in_failed"


def test_codes_from_an_earlier_step_than_the_last_used_are_refused(app):
    user = factories.staff()
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time()
    assert two_factor.accept_code(user, totp.at(now))
    assert not two_factor.accept_code(user, totp.at(now - 30)), "an older code"
    assert not two_factor.accept_code(user, totp.at(now)), "the same code"
    assert two_factor.accept_code(user, totp.at(now + 30)), "the next step, within drift"
    assert not two_factor.accept_code(user, totp.at(now + 120)), "too far ahead"
    assert not two_factor.accept_code(user, "12345a")


def test_the_code_page_needs_a_password_first(client):
    assert client.get("/staff/sign-in/code").headers["Location"] == "/staff/sign-in"
    assert client.get("/staff/sign-in/authenticator").headers["Location"] == "/staff/sign-in"


def test_the_password_step_expires_after_ten_minutes(client):
    user = factories.staff()
    with time_machine.travel(time.time(), tick=False) as traveller:
        _password_step(client, user.email, factories.PASSWORD)
        traveller.shift(timedelta(minutes=11))
        assert client.get("/staff/sign-in/code").headers["Location"] == "/staff/sign-in"


def test_an_enrolment_never_finished_starts_again_with_a_new_secret(client, app):
    user = factories.staff()
    user.totp_secret = user.totp_confirmed_at = None
    db.session.commit()
    _password_step(client, user.email, factories.PASSWORD)
    first_page = client.get("/staff/sign-in/authenticator").get_data(as_text=True)
    db.session.refresh(user)
    first_secret = user.totp_secret
    assert two_factor.grouped_secret(first_secret) in first_page
    # The same person reloading the page keeps the secret they may have scanned.
    assert two_factor.grouped_secret(first_secret) in client.get(
        "/staff/sign-in/authenticator").get_data(as_text=True)

    # Whoever passes the password step next gets a new secret, never the one shown before.
    later = app.test_client()
    _password_step(later, user.email, factories.PASSWORD)
    second_page = later.get("/staff/sign-in/authenticator").get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret != first_secret
    assert two_factor.grouped_secret(first_secret) not in second_page
    assert two_factor.grouped_secret(user.totp_secret) in second_page
    stale = client.post("/staff/sign-in/authenticator", data={
        "csrf_token": csrf_token(first_page), "code": pyotp.TOTP(first_secret).now()})
    assert stale.status_code == 400 and not two_factor.is_enrolled(user)
    assert _actions(user).count("staff.two_factor_enrolment_started") == 2


def test_enrolment_shows_a_qr_code_and_the_key_in_text(client):
    user = factories.staff()
    user.totp_secret = user.totp_confirmed_at = None
    db.session.commit()

    _password_step(client, user.email, factories.PASSWORD)
    page = client.get("/staff/sign-in/authenticator").get_data(as_text=True)

    db.session.refresh(user)
    assert '<svg' in page and 'class="qr-code"' in page
    assert two_factor.grouped_secret(user.totp_secret) in page
    assert "otpauth" not in page, "the secret is drawn, not written out as a link"
    assert not two_factor.is_enrolled(user)


# The same message for every failure, throttling and lockout -------------------------------

def test_every_failure_gets_the_same_message_even_with_a_right_password_on_a_disabled_account(
        client):
    disabled = factories.staff()
    disabled.active = False
    response = _password_step(client, disabled.email, factories.PASSWORD)
    assert response.status_code == 400
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_repeated_failures_slow_that_address_with_a_clear_message(client, monkeypatch):
    user = factories.staff()
    for _ in range(throttle.FAILURES_ALLOWED - 1):
        assert GENERIC_FAILURE in _password_step(
            client, user.email, "not the password at all").get_data(as_text=True)
    locking = _password_step(client, user.email, "not the password at all")
    assert locking.status_code == 429
    assert LOCKED in locking.get_data(as_text=True)
    assert "wait 15 minutes before trying again from here" in locking.get_data(as_text=True)

    class NoHashing:
        def verify(self, *_args):
            raise AssertionError("a slowed attempt's password must not even be checked")

    monkeypatch.setattr(passwords, "HASHER", NoHashing())
    right_password = _password_step(client, user.email, factories.PASSWORD)
    assert right_password.status_code == 429
    assert LOCKED in right_password.get_data(as_text=True)
    assert "staff.sign_in_slowed" in _actions(user)
    assert "staff.sign_in_refused_slowed" in _actions(user)


def test_someone_elses_guesses_never_hold_up_the_owner(app):
    user = factories.staff()
    db.session.commit()
    guesser = _from(app.test_client(), "203.0.113.7")
    for _ in range(throttle.FAILURES_ALLOWED + 4):  # within the per-address 10 a minute
        response = _password_step(guesser, user.email, "not the password at all")
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    # The owner, at their own address, signs in as usual.
    owner = _from(app.test_client(), "198.51.100.20")
    assert factories.sign_in(owner, user).headers["Location"] == "/staff/"


def test_the_wait_grows_the_longer_the_guessing_goes_on(client):
    user = factories.staff()
    with time_machine.travel(time.time(), tick=False) as traveller:
        for _ in range(throttle.FAILURES_ALLOWED):
            _password_step(client, user.email, "not the password at all")
        assert throttle.wait_minutes(user.email, "127.0.0.1") == 15
        traveller.shift(timedelta(minutes=16))
        for _ in range(throttle.FAILURES_ALLOWED):
            waiting = _password_step(client, user.email, "not the password at all")
        # Ten within the hour: now until the first of them is an hour old.
        assert waiting.status_code == 429
        assert "wait 44 minutes" in waiting.get_data(as_text=True)
        traveller.shift(timedelta(minutes=45))
        assert not throttle.is_slowed(user.email, "127.0.0.1")


def test_the_owner_is_told_by_email_without_secrets_at_most_once_an_hour(app):
    from consult.alerts.sender import compose
    from consult.models import AlertEvent, AlertOutbox
    user = factories.staff()
    db.session.commit()
    for address in ("203.0.113.7", "203.0.113.8"):
        guesser = _from(app.test_client(), address)
        for _ in range(throttle.FAILURES_ALLOWED):
            _password_step(guesser, user.email, "Secret guess 42")
    # Unknown accounts are slowed the same way, and no one is emailed.
    for _ in range(throttle.FAILURES_ALLOWED):
        _password_step(app.test_client(), "nobody@council.example", "Secret guess 42")
    emails = list(db.session.scalars(select(AlertOutbox)))
    assert [(email.event, email.recipient) for email in emails] == [
        (AlertEvent.SIGN_IN_FAILURES, user.email)]
    message = compose(emails[0], base_url="https://hys.example", from_address="a@b.example")
    text = message.get_content()
    assert "password wrong several times" in text and "not locked" in text
    assert "https://hys.example/staff/account/password" in text
    for secret in ("Secret guess 42", "203.0.113", user.totp_secret, factories.PASSWORD):
        assert secret not in text and secret not in str(message)


def test_wrong_codes_after_the_right_password_tell_the_owner_to_change_it(client):
    from consult.models import AlertEvent, AlertOutbox
    user = factories.staff()
    _password_step(client, user.email, factories.PASSWORD)
    for _ in range(throttle.FAILURES_ALLOWED):
        _code_step(client, "000000")
    email = db.session.scalars(select(AlertOutbox)).one()
    assert (email.event, email.recipient) == (AlertEvent.CODE_FAILURES, user.email)


def test_a_slowdown_ends_after_fifteen_minutes(client):
    user = factories.staff()
    with time_machine.travel(time.time(), tick=False) as traveller:
        for _ in range(throttle.FAILURES_ALLOWED):
            _password_step(client, user.email, "not the password at all")
        assert throttle.is_slowed(user.email, "127.0.0.1")
        traveller.shift(timedelta(minutes=14))
        assert throttle.is_slowed(user.email, "127.0.0.1")
        traveller.shift(timedelta(minutes=2))
        assert not throttle.is_slowed(user.email, "127.0.0.1")
        assert factories.sign_in(client, user).headers["Location"] == "/staff/"


def test_an_unknown_email_slows_the_same_way_so_slowing_reveals_no_account(client):
    for _ in range(throttle.FAILURES_ALLOWED):
        response = _password_step(client, "nobody@council.example", "not the password at all")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)


def test_wrong_codes_count_towards_the_slowdown(client):
    user = factories.staff()
    _password_step(client, user.email, factories.PASSWORD)
    for _ in range(throttle.FAILURES_ALLOWED):
        response = _code_step(client, "000000")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert client.get("/staff/sign-in/code").headers["Location"] == "/staff/sign-in"


def test_a_successful_sign_in_clears_the_failures(client):
    user = factories.staff()
    for _ in range(throttle.FAILURES_ALLOWED - 1):
        _password_step(client, user.email, "not the password at all")
    factories.sign_in(client, user)
    client.post("/staff/sign-out", data={"csrf_token": csrf_token(
        client.get("/staff/").get_data(as_text=True))})
    # Counted afresh: four more failures do not make this address wait.
    for _ in range(throttle.FAILURES_ALLOWED - 1):
        response = _password_step(client, user.email, "not the password at all")
    assert response.status_code == 400 and GENERIC_FAILURE in response.get_data(as_text=True)
    assert not throttle.is_slowed(user.email, "127.0.0.1")


def test_sign_in_is_rate_limited_per_address(app):
    browser = app.test_client()
    page = browser.get("/staff/sign-in")
    token = csrf_token(page.get_data(as_text=True))
    statuses = [browser.post("/staff/sign-in", data={"csrf_token": token, "email": "",
                                                      "password": ""}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


# Passwords -----------------------------------------------------------------------------

def test_a_one_megabyte_password_never_reaches_argon2(client, monkeypatch):
    user = factories.staff()
    db.session.commit()
    calls = []

    class Spy:
        def verify(self, *args):
            calls.append(args)
            raise AssertionError("argon2 must not see an over-long password")

    monkeypatch.setattr(passwords, "HASHER", Spy())
    # Just under the 1 MiB request limit (a longer body is refused with 413 before any code).
    response = _password_step(client, user.email, "x" * 1_000_000)

    assert response.status_code == 400
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert calls == []


def test_production_hashes_with_explicit_parameters(tmp_path, monkeypatch):
    """The one test of production's parameters: the suite itself hashes at the least cost.

    A process starts with production's; only an app built with CONSULT_ENV=testing changes
    that, so an app built for production in a fresh process keeps them.
    """
    monkeypatch.setattr(passwords, "HASHER", passwords.PRODUCTION)  # as a fresh process
    from tests.conftest import make_app
    make_app(f"sqlite:///{tmp_path / 'production.sqlite'}", CONSULT_ENV="production",
             WEB_CONCURRENCY="1")

    assert passwords.HASHER.time_cost == 3
    assert passwords.HASHER.memory_cost == 64 * 1024
    assert passwords.HASHER.parallelism == 1
    # Read back from the hash by argon2 itself, not matched as text.
    assert argon2.extract_parameters(passwords.hash_password("a long enough password")) == (
        argon2.Parameters(type=argon2.Type.ID, version=19, salt_len=16, hash_len=32,
                          time_cost=3, memory_cost=64 * 1024, parallelism=1))
    make_app(f"sqlite:///{tmp_path / 'testing.sqlite'}")
    assert passwords.HASHER is passwords.TESTING, "tests, and only tests, hash cheaply"


@pytest.mark.parametrize("kind", ["production", "testing"])
def test_an_unknown_email_is_verified_against_a_real_hash_with_the_same_parameters(kind):
    hasher = {"production": passwords.PRODUCTION, "testing": passwords.TESTING}[kind]
    dummy = passwords.DUMMY_HASHES[kind]

    # Read back by argon2 itself: the same cost as a staff member's hash of that kind.
    assert not hasher.check_needs_rehash(dummy)
    assert argon2.extract_parameters(dummy) == argon2.extract_parameters(hasher.hash("x" * 12))
    assert hasher.verify(dummy, "not a password anyone has")


@pytest.mark.parametrize("candidate, problem", [
    ("elevenchars", "at least 12"),
    ("x" * 129, "at most 128"),
    ("qwerty123456", "most common"),
    ("QWERTY123456", "most common"),
    ("password1234", "most common"),
    ("all lower case words", None),
    ("ŝŝŝŝŝŝŝŝŝŝŝŝ", None),
])
def test_password_rules_are_length_and_a_common_list_only(candidate, problem):
    found = passwords.problem_with(candidate)
    assert (found is None) if problem is None else (problem in found)


def test_choosing_a_common_password_is_refused_with_a_message(client, cli):
    result = cli.invoke(args=["create-user", "--email", "c@council.example", "--role", "iro",
                              "--name", "C"])
    path = result.output.strip().splitlines()[-1].removeprefix("http://localhost")
    client.get(path)
    page = client.get("/staff/set-password")
    response = client.post("/staff/set-password", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "password": "1q2w3e4r5t6y", "confirm": "1q2w3e4r5t6y"})
    assert response.status_code == 400
    assert "one of the most common" in response.get_data(as_text=True)


# Sessions ------------------------------------------------------------------------------

def test_a_new_session_at_sign_in(client):
    user = factories.staff()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    factories.sign_in(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_idle_for_thirty_minutes_signs_out(client):
    user = factories.staff()
    with time_machine.travel(time.time(), tick=False) as traveller:
        factories.sign_in(client, user)
        traveller.shift(timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200, "still active"
        traveller.shift(timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200, "activity keeps it alive"
        traveller.shift(timedelta(minutes=31))
        assert client.get("/staff/").status_code == 302
        assert "You were signed out because" in client.get("/staff/sign-in").get_data(
            as_text=True)


def test_twelve_hours_after_sign_in_the_session_ends_however_active(client):
    user = factories.staff()
    with time_machine.travel(time.time(), tick=False) as traveller:
        factories.sign_in(client, user)
        for _ in range(12 * 3 - 1):
            traveller.shift(timedelta(minutes=20))
            assert client.get("/staff/").status_code == 200
        traveller.shift(timedelta(minutes=20))
        assert client.get("/staff/").status_code == 302


def _copied_session(client, app):
    replay = app.test_client()
    replay.set_cookie("session", client.get_cookie("session").value)
    return replay


def test_changing_the_password_ends_every_other_session(client, app):
    user = factories.staff()
    factories.sign_in(client, user)
    other_device = app.test_client()
    factories.sign_in(other_device, user)
    old_cookie = _copied_session(client, app)

    page = client.get("/staff/account/password")
    changed = client.post("/staff/account/password", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "current": factories.PASSWORD, "password": "a new and longer passphrase",
        "confirm": "a new and longer passphrase"})

    assert changed.status_code == 200
    assert client.get("/staff/").status_code == 200, "this session continues"
    assert other_device.get("/staff/").status_code == 302
    assert old_cookie.get("/staff/").status_code == 302
    assert "staff.password_set" in _actions(user)


def test_changing_the_password_needs_the_current_one(client):
    user = factories.staff()
    factories.sign_in(client, user)
    page = client.get("/staff/account/password")
    refused = client.post("/staff/account/password", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "current": "not my password", "password": "a new and longer passphrase",
        "confirm": "a new and longer passphrase"})
    assert refused.status_code == 400
    assert "Your current password is not right." in refused.get_data(as_text=True)


def test_guesses_at_the_current_password_count_like_sign_in_attempts_and_are_audited(client):
    user = factories.staff()
    factories.sign_in(client, user)

    def guess(current):
        page = client.get("/staff/account/password")
        return client.post("/staff/account/password", data={
            "csrf_token": csrf_token(page.get_data(as_text=True)), "current": current,
            "password": "a new and longer passphrase", "confirm": "a new and longer passphrase"})

    for attempt in range(throttle.FAILURES_ALLOWED):
        response = guess(f"guess number {attempt}")
    assert response.status_code == 400
    assert LOCKED in response.get_data(as_text=True)
    # Even the right one now waits, and the password is unchanged.
    assert LOCKED in guess(factories.PASSWORD).get_data(as_text=True)
    db.session.refresh(user)
    assert passwords.verify(user.password_hash, factories.PASSWORD)
    actions = _actions(user)
    assert actions.count("staff.password_change_failed") == throttle.FAILURES_ALLOWED
    assert "staff.sign_in_slowed" in actions
    assert "staff.password_change_refused_slowed" in actions
    # The same count as signing in from this address.
    assert throttle.is_slowed(user.email, "127.0.0.1")


def test_disabling_an_account_ends_its_sessions_at_once(client, app):
    admin = factories.staff(StaffRole.ADMIN)
    person = factories.staff(StaffRole.IRO)
    theirs = app.test_client()
    factories.sign_in(theirs, person)
    factories.sign_in(client, admin)

    page = client.get("/staff/admin/users")
    disabled = client.post(f"/staff/admin/users/{person.id}/disable",
                           data={"csrf_token": csrf_token(page.get_data(as_text=True))})

    assert disabled.status_code == 303
    assert theirs.get("/staff/").status_code == 302
    assert factories.sign_in(app.test_client(), person).status_code == 400
    assert "staff.disabled" in _actions(person)


def test_cookies_are_httponly_samesite_and_secure_with_a_host_prefix(database_url):
    from tests.conftest import make_app
    secure = make_app(database_url, SESSION_COOKIE_SECURE="1")
    browser = secure.test_client()
    response = browser.get("/staff/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
    assert "; Path=/" in cookie and "Domain=" not in cookie


def test_the_staff_record_holds_the_totp_secret_encrypted(app):
    user = factories.staff()
    db.session.commit()
    stored = db.session.execute(
        text("SELECT totp_secret FROM staff_users WHERE id = :id"), {"id": user.id}).scalar()
    assert user.totp_secret not in stored



def test_the_lockout_lives_in_the_configured_storage_so_every_instance_shares_it(
        app, database_url):
    """Failures counted by one instance lock the account on another started afterwards."""
    import redis

    from consult.extensions import limiter
    from tests.conftest import POSTGRES_REQUIRED, make_app, xdist_worker_index
    # The test empties its Redis database, so each pytest-xdist worker has one of its own
    # (never 10, TEST_REDIS_URL's, where tests/production counts).
    databases = (8, 9, 11, 12, 13, 14, 15)
    if xdist_worker_index() >= len(databases):
        pytest.fail(f"Redis has no database free for xdist worker {xdist_worker_index()}")
    url = f"redis://127.0.0.1:6379/{databases[xdist_worker_index()]}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        if POSTGRES_REQUIRED:  # CI=true: .ci/run starts Redis, so its absence is a failure
            pytest.fail("Redis unreachable at 127.0.0.1:6379; CI=true requires it")
        pytest.skip("Redis unreachable at 127.0.0.1:6379")
    user = factories.staff()
    db.session.commit()
    try:
        first = make_app(database_url, RATELIMIT_STORAGE_URI=url)
        for _ in range(throttle.FAILURES_ALLOWED - 1):
            _password_step(first.test_client(), user.email, "not the password at all")
        # Another instance: its own app and its own connection to the same Redis.
        second = make_app(database_url, RATELIMIT_STORAGE_URI=url)
        assert type(limiter.storage).__name__ == "RedisStorage"
        locking = _password_step(second.test_client(), user.email, "not the password at all")
        assert locking.status_code == 429
        assert LOCKED in locking.get_data(as_text=True)
    finally:
        redis.Redis.from_url(url).flushdb()
