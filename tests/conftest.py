"""Fixtures: an app per database backend, a page-checking client, and sample records.

Every test that takes `app` (or anything built on it) runs once on SQLite and once on
PostgreSQL. PostgreSQL is skipped when unreachable, except under CI=true, where its
absence fails the run.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from consult import create_app
from consult.extensions import db
from tests.html_checks import check_page

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_REQUIRED = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production"
TEST_ENCRYPTION_KEY = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="


def postgres_or_skip() -> None:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        reason = f"PostgreSQL unreachable at {POSTGRES_URL}: {type(error.orig).__name__}"
        if POSTGRES_REQUIRED:
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(reason)
    finally:
        engine.dispose()


@contextmanager
def empty_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A brand-new, empty database of the given kind; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'consult.sqlite'}"
        return
    postgres_or_skip()
    name = f"consult_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(database_url: str, **overrides: str) -> Flask:
    return create_app({
        "CONSULT_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "DATA_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "AUTO_MIGRATE": "0",
        "BASE_URL": "http://localhost",
        **overrides,
    })


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database of each backend, migrated to the latest revision once per test run."""
    with empty_database(request.param, tmp_path_factory) as url:
        migrating = make_app(url, AUTO_MIGRATE="1")
        with migrating.app_context():
            db.engine.dispose()
        yield url


class CheckedClient(FlaskClient):
    """A test client that fails the test on any malformed HTML page it receives.

    Each request runs as it would in production: in its own app context, so with its own
    `g` and database session, after what the test set up has been committed.
    """

    # A test may turn the check off for a page of megabytes it reads itself
    # (tests/test_bad_input.py); html5lib would take seconds over it.
    check_pages = True

    def open(self, *args, **kwargs):
        if has_app_context():
            # Through the registry, so a test may replace db.session.commit for the app alone.
            db.session.registry().commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if (self.check_pages and response.mimetype == "text/html"
                and not 300 <= response.status_code < 400):
            check_page(response.get_data(as_text=True))
        return response


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = make_app(database_url)
    application.test_client_class = CheckedClient
    with application.app_context():
        yield application
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # The rollups last: triggers on the tables they sum write to them as those empty.
            for table in sorted(tables, key=lambda table: table.name.endswith(
                    ("_monthly", "_stale"))):
                connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cli(app: Flask):
    return app.test_cli_runner()
