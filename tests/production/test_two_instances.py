"""Two gunicorn instances on one PostgreSQL and one Redis behave as one service."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pyotp
import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Response
from tests import factories
from tests.conftest import make_app
from tests.html_checks import csrf_token, style_hash, style_sources
from tests.production.conftest import redis_or_skip, start_instance, stop, wait_until_healthy

# Under pytest-xdist the module stays on one worker: its two gunicorn instances start once.
pytestmark = pytest.mark.xdist_group("test_two_instances")


@pytest.fixture(scope="module")
def seeded(production_database):
    """An IRO who can sign in, and two children's links."""
    app = make_app(production_database)
    with app.app_context():
        iro = factories.staff()
        child = factories.child(iro)
        _first, first_token = factories.invitation(factories.review(child))
        _second, second_token = factories.invitation(factories.review(child, days_ahead=20))
        db.session.commit()
        seeded = {"iro_email": iro.email, "iro_key": iro.totp_secret,
                  "tokens": [first_token, second_token]}
        db.engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def instances(production_database, seeded, tmp_path_factory):
    redis_or_skip()
    log_dir = tmp_path_factory.mktemp("gunicorn")
    started = [start_instance(production_database, log_dir, name) for name in ("a", "b")]
    try:
        for instance in started:
            wait_until_healthy(instance, log_dir)
        yield started
    finally:
        for instance in started:
            stop(instance)


def _browser() -> httpx.Client:
    """One browser with its own address, as the reverse proxy reports it.

    A fresh address per browser keeps each test's rate-limit counters its own, however
    many runs share the Redis.
    """
    address = ".".join(str(b) for b in (10, *uuid.uuid4().bytes[:3]))
    return httpx.Client(headers={"X-Forwarded-For": address}, timeout=10)


def test_both_instances_are_ready(instances):
    for instance in instances:
        assert httpx.get(instance.url + "/readyz").json() == {"status": "ok", "database": "ok"}


def test_the_sign_in_rate_limit_is_counted_across_both_instances(instances, seeded):
    a, b = instances
    with _browser() as browser:
        token = csrf_token(browser.get(a.url + "/staff/sign-in").text)
        # A different unknown email each time: the per-account lock (5 failures) must not
        # answer first, and the IRO's own account stays usable for the other tests.
        def wrong(attempt):
            return {"csrf_token": token, "email": f"nobody{attempt}@council.example",
                    "password": "not it"}

        # 10 a minute are allowed; each instance sees only 5 of them.
        statuses = [browser.post(instance.url + "/staff/sign-in", data=wrong(attempt))
                    .status_code for attempt, instance in enumerate((a, b) * 5)]
        limited = browser.post(a.url + "/staff/sign-in", data=wrong(10))

    assert statuses == [400] * 10
    assert limited.status_code == 429
    assert "Please wait before sending again" in limited.text


def test_a_child_who_starts_on_one_instance_finishes_on_the_other(instances, seeded,
                                                                 production_database):
    a, b = instances
    with _browser() as browser:
        opened = browser.get(a.url + f"/start/{seeded['tokens'][0]}")
        resumed = browser.get(b.url + "/your-say")
        start = browser.get(a.url + "/your-say/start")
        first = re.search(r'href="(/your-say/questions/[^"]+)"', start.text).group(1)
        question = browser.get(b.url + first)
        skipped = browser.post(a.url + first, data={
            "csrf_token": csrf_token(question.text), "action": "skip"})
        check = browser.get(b.url + "/your-say/check")
        key = re.search(r'name="idempotency_key" value="([^"]+)"', check.text).group(1)
        sent = browser.post(a.url + "/your-say/send", data={
            "csrf_token": csrf_token(check.text), "idempotency_key": key})
        thanks = browser.get(b.url + "/your-say/thank-you")

    # A first visit is the start page at the link itself, no redirect (issue 17), its
    # stylesheet in the page allowed by the hash production read once at start.
    assert opened.status_code == 200 and "location" not in opened.headers
    style = re.search(r"<style>(.*?)</style>", opened.text, re.S).group(1)
    assert style_hash(style) in style_sources(opened.headers["Content-Security-Policy"])
    assert (resumed.status_code, resumed.headers["Location"]) == (303, "/your-say/start")
    assert [start.status_code, question.status_code, check.status_code] == [200, 200, 200]
    assert skipped.status_code == 303
    assert (sent.status_code, sent.headers["Location"]) == (303, "/your-say/thank-you")
    assert thanks.status_code == 200
    app = make_app(production_database)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        db.engine.dispose()


def test_a_staff_session_works_on_both_and_signing_out_ends_it_on_both(instances, seeded):
    a, b = instances
    with _browser() as browser:
        token = csrf_token(browser.get(b.url + "/staff/sign-in").text)
        password_step = browser.post(a.url + "/staff/sign-in", data={
            "csrf_token": token, "email": seeded["iro_email"],
            "password": factories.PASSWORD})
        # The second factor on the other instance: the pending sign-in is in the session.
        code_page = browser.get(b.url + password_step.headers["Location"])
        signed_in = browser.post(a.url + "/staff/sign-in/code", data={
            "csrf_token": csrf_token(code_page.text),
            "code": pyotp.TOTP(seeded["iro_key"]).now()})
        dashboards = [browser.get(instance.url + "/staff/") for instance in (a, b)]
        browser.post(b.url + "/staff/sign-out",
                     data={"csrf_token": csrf_token(dashboards[1].text)})
        after = browser.get(a.url + "/staff/")

    assert signed_in.status_code == 303
    assert [page.status_code for page in dashboards] == [200, 200]
    assert after.status_code == 302 and "/staff/sign-in" in after.headers["Location"]


def test_access_logs_are_json_with_request_ids_and_no_secrets(instances, seeded):
    a, _b = instances
    token = seeded["tokens"][1]
    response = httpx.get(a.url + f"/start/{token}?again={token}",
                         headers={"X-Request-ID": "two-instances-0001"})
    assert response.headers["X-Request-ID"] == "two-instances-0001"
    stop(a)  # flushes its log

    text = a.access_log.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert {"method": "GET", "path": "/start/[redacted]", "status": 200,
            "request_id": "two-instances-0001"}.items() <= lines[-1].items()
    assert all(line["request_id"] for line in lines)
    assert token not in text and "127.0.0.1" not in text
