"""Configuration is read from the environment and checked before the app starts."""

from __future__ import annotations

import stat

import pytest

from consult import create_app
from consult.config import ConfigError, load
from tests.conftest import TEST_ENCRYPTION_KEY as KEY
from tests.conftest import make_app


def test_production_without_secret_or_database_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL"):
        load({"CONSULT_ENV": "production"}, tmp_path)


def test_create_app_reports_the_problem_without_a_traceback(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(SystemExit) as stopped:
        create_app({"CONSULT_ENV": "production"})
    assert str(stopped.value) == (
        "Have Your Say cannot start: In production these must be set in the environment: "
        "SECRET_KEY, DATABASE_URL, DATA_ENCRYPTION_KEYS.")


def test_production_refuses_a_short_secret(tmp_path):
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load({"CONSULT_ENV": "production", "SECRET_KEY": "short",
              "DATABASE_URL": "postgresql://db/consult", "DATA_ENCRYPTION_KEYS": KEY}, tmp_path)


def test_production_cookies_are_secure_and_postgres_urls_use_psycopg_3(tmp_path):
    config = load({"CONSULT_ENV": "production", "SECRET_KEY": "s" * 40,
                   "DATABASE_URL": "postgres://app@db/consult", "DATA_ENCRYPTION_KEYS": KEY,
                   "RATELIMIT_STORAGE_URI": "redis://cache:6379/0"}, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["AUTO_MIGRATE"] is False
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/consult"


def test_development_makes_one_secret_and_an_sqlite_database_in_the_instance_folder(tmp_path):
    first = load({}, tmp_path)
    second = load({}, tmp_path)

    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'consult.sqlite'}"
    assert first["AUTO_MIGRATE"] is True and first["SESSION_COOKIE_SECURE"] is False
    assert first["WTF_CSRF_TIME_LIMIT"] is None


@pytest.mark.parametrize("environ, message", [
    ({"CONSULT_ENV": "staging"}, "CONSULT_ENV must be one of"),
    ({"INVITATION_DAYS_AFTER_REVIEW": "-3"}, "INVITATION_DAYS_AFTER_REVIEW must be a whole"),
    ({"SESSION_COOKIE_SECURE": "maybe"}, "SESSION_COOKIE_SECURE must be 1 or 0"),
    ({"LANGUAGES": " , "}, "LANGUAGES must name at least one locale"),
])
def test_bad_values_are_named_in_the_message(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load({"SECRET_KEY": "x", **environ}, tmp_path)


@pytest.mark.parametrize("languages, message", [
    ("en_GB,xx", "'xx', which is not one of ours"),
    ("en_GB,ar", "LANGUAGES names 'ar' but"),
    ("ar", "LANGUAGES names 'ar' but"),
])
def test_a_locale_that_cannot_be_served_stops_the_app(languages, message, tmp_path,
                                                      monkeypatch):
    # A checkout whose catalogs were never compiled: no translations/<code>/.../messages.mo.
    monkeypatch.setattr("consult.config.PROJECT_ROOT", tmp_path)
    with pytest.raises(SystemExit, match=message):
        create_app({"CONSULT_ENV": "testing", "SECRET_KEY": "x" * 40, "LANGUAGES": languages,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})


def test_an_unreadable_review_timetable_stops_the_app(tmp_path):
    with pytest.raises(SystemExit, match="REVIEW_TIMETABLE"):
        make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", REVIEW_TIMETABLE="20 working days")


def test_an_older_timetable_is_read_from_the_setting(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", REVIEW_TIMETABLE="28d,3m,6m")
    assert str(app.config["REVIEW_TIMETABLE"].first) == "28 days"


@pytest.mark.parametrize("hops", ["-1", "one", "1.5"])
def test_proxy_fix_hops_must_be_a_whole_number(tmp_path, hops):
    with pytest.raises(ConfigError, match="PROXY_FIX_HOPS"):
        load({"PROXY_FIX_HOPS": hops}, tmp_path)


@pytest.mark.parametrize(("hops", "seen"), [("0", "127.0.0.1"), ("1", "203.0.113.7")])
def test_forwarded_headers_are_trusted_only_behind_a_proxy(tmp_path, hops, seen):
    from flask import request

    app = create_app({"CONSULT_ENV": "testing", "SECRET_KEY": "x" * 40, "AUTO_MIGRATE": "0",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "PROXY_FIX_HOPS": hops})
    app.add_url_rule("/address", "address", lambda: f"{request.remote_addr} {request.scheme}")

    answer = app.test_client().get("/address", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}).get_data(as_text=True)

    assert answer == f"{seen} {'https' if hops == '1' else 'http'}"


PRODUCTION = {"CONSULT_ENV": "production", "SECRET_KEY": "s" * 40,
              "DATABASE_URL": "postgresql://app@db/consult", "DATA_ENCRYPTION_KEYS": KEY}


@pytest.mark.parametrize("environ, processes", [
    ({}, None),  # 2 × CPUs + 1 workers by default
    ({"WEB_CONCURRENCY": "5"}, 5),
    ({"WEB_CONCURRENCY": "1", "INSTANCES": "2"}, 2),
])
def test_production_refuses_rate_limits_each_process_counts_alone(tmp_path, environ, processes):
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI is memory://") as refused:
        load({**PRODUCTION, **environ}, tmp_path)
    message = str(refused.value)
    assert "WEB_CONCURRENCY" in message and "INSTANCES" in message and "redis://" in message
    if processes is not None:
        assert f"but {processes} processes would serve" in message


def test_production_starts_with_shared_limits_or_one_process(tmp_path):
    shared = load({**PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://cache:6379/0",
                   "WEB_CONCURRENCY": "9", "INSTANCES": "3"}, tmp_path)
    assert (shared["WEB_CONCURRENCY"], shared["INSTANCES"]) == (9, 3)
    alone = load({**PRODUCTION, "WEB_CONCURRENCY": "1"}, tmp_path)
    assert alone["RATELIMIT_STORAGE_URI"] == "memory://"
    # Development and tests run one process and keep memory://.
    assert load({"WEB_CONCURRENCY": "4"}, tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"
