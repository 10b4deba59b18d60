"""Fixtures: one app per database backend, each test in a transaction rolled back at its end,
a page-checking client, and sample records.

Every test that takes `app` (or anything built on it) runs once on SQLite and once on
PostgreSQL. PostgreSQL is skipped when unreachable, except under CI=true, where its
absence fails the run.

Speed (docs/performance.md, "Test suite"): the app of each backend is built once, and a
test's rows go away with a rollback rather than by emptying every table. The test runs on
one connection inside a transaction that is rolled back at its end; every session on that
database (the test's own, each request's, each command's, another app's built on the same
database) joins it in a SAVEPOINT of its own (SQLAlchemy's "joining a session into an
external transaction", join_transaction_mode="create_savepoint"), so a commit is a RELEASE
and a rollback undoes only that session's work, as in production. Triggers fire as ever.

A test whose commits must really happen, because another connection, thread or process
must see them or it adds routes to the app, is marked `@pytest.mark.real_commits`: it gets
an app of its own and its tables are emptied afterwards, as every test's used to be.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSqlAlchemySession
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from consult import create_app
from consult.accounts import passwords
from consult.extensions import db, limiter
from consult.transactions import WROTE
from tests.browser.gates import write_page_weights
from tests.html_checks import check_page

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_REQUIRED = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production"
TEST_ENCRYPTION_KEY = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_commits: the test's commits are real (seen by other connections, "
        "threads and processes), in an app of its own; its tables are emptied afterwards")


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


# SQLite files of the tests go in memory where the machine has a tmpfs for it: the same
# database, without an fsync at every commit (0.8 ms each on this machine's disk, and a
# module's app or the browsers' live server commits thousands of times).
RAM_DISK = Path("/dev/shm")


@contextmanager
def _sqlite_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not (RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK)):
        yield tmp_path_factory.mktemp("db")
        return
    directory = Path(tempfile.mkdtemp(prefix="consult-test-", dir=RAM_DISK))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def empty_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A brand-new, empty database of the given kind; dropped afterwards."""
    if backend == "sqlite":
        with _sqlite_directory(tmp_path_factory) as directory:
            yield f"sqlite:///{directory / 'consult.sqlite'}"
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


class _TemplateCodeInThisProcess(dict):
    """The client jinja2's MemcachedBytecodeCache asks for (get, set), as a dict: each app a
    test makes compiles a template once per process, not once per app. Jinja compares the
    template's source checksum before using what it finds, so a changed template is
    compiled again."""

    def set(self, key: str, value: bytes, timeout: int | None = None) -> None:
        self[key] = value


_COMPILED_TEMPLATES = MemcachedBytecodeCache(_TemplateCodeInThisProcess())


def make_app(database_url: str, **overrides: str) -> Flask:
    application = create_app({
        "CONSULT_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "DATA_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "AUTO_MIGRATE": "0",
        "BASE_URL": "http://localhost",
        **overrides,
    })
    application.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    return application


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
            _check_page_once(response.get_data(as_text=True),
                             response.headers.get("Content-Security-Policy"))
        return response


# Digests of the pages that passed, each with its CSRF token's value (which differs in every
# session and never decides a check) set aside. Three pages in four a run fetches are one
# it has checked already: the sign-in pages above all.
_PASSED: set[bytes] = set()
_CSRF_TOKEN_VALUE = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]+"')


def _check_page_once(html: str, policy: str | None = None) -> None:
    digest = hashlib.blake2b(
        (_CSRF_TOKEN_VALUE.sub(r'\1a-token"', html) + f"\0{policy}").encode(),
        digest_size=20).digest()
    if digest not in _PASSED:
        check_page(html, policy)
        _PASSED.add(digest)


class _TestTransaction:
    """A test's transaction on one database: the one connection every session joins, and
    what tells the savepoints the harness makes apart from what production would send."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.our_savepoints: set[str] = set()
        # The savepoints open now, innermost last, each with whether it wrote since.
        self.open: list[tuple[str, bool]] = []
        event.listen(connection, "before_cursor_execute", self._watch)

    def _watch(self, _connection, _cursor, statement: str, *_args) -> None:
        words = statement.split()
        if words[:1] == ["SAVEPOINT"]:
            self.open.append((words[-1], False))
        elif words[:2] == ["RELEASE", "SAVEPOINT"] or words[:3] == ["ROLLBACK", "TO", "SAVEPOINT"]:
            names = [name for name, _wrote in self.open]
            if words[-1] in names:
                del self.open[names.index(words[-1]):]
        elif words[:1] in (["INSERT"], ["UPDATE"], ["DELETE"]) and self.open:
            self.open[-1] = (self.open[-1][0], True)

    def ours(self) -> None:
        """The savepoint just made is the harness's, not the app's."""
        self.our_savepoints.add(self.open[-1][0])

    def unsaved_writes(self) -> bool:
        return any(wrote for _name, wrote in self.open)


# While a test runs: its database's URL -> its transaction there.
_JOINED: dict[URL, _TestTransaction] = {}


def without_test_savepoints(statements: list[str]) -> list[str]:
    """The statements production would have sent: not those of the savepoints in which the
    test's transaction holds each session (production's BEGIN and COMMIT send none)."""
    ours = set().union(*(joined.our_savepoints for joined in _JOINED.values()))

    def made_for_the_test(statement: str) -> bool:
        words = statement.split()
        return (words[:1] == ["SAVEPOINT"] or words[:2] == ["RELEASE", "SAVEPOINT"]
                or words[:3] == ["ROLLBACK", "TO", "SAVEPOINT"]) and words[-1] in ours
    return [statement for statement in statements if not made_for_the_test(statement)]


class _JoiningSession(FlaskSqlAlchemySession):
    """Flask-SQLAlchemy's session, which joins the running test's transaction, if any."""

    def get_bind(self, *args, **kwargs):
        bind = super().get_bind(*args, **kwargs)
        if isinstance(bind, Engine) and bind.url in _JOINED:
            return _JOINED[bind.url].connection
        return bind


# Every app's sessions come from this one factory. With an engine for a bind (no test
# running, or a real_commits test) the session works as it does in production.
db.session.session_factory.class_ = _JoiningSession
db.session.session_factory.configure(join_transaction_mode="create_savepoint")


@event.listens_for(_JoiningSession, "after_begin")
def _a_joined_session_starts_clean(_session, transaction, connection: Connection) -> None:
    """What the engine's "begin" event does for a transaction of its own: a session that
    joins the test's transaction has written nothing yet (see consult.transactions)."""
    joined = next((joined for joined in _JOINED.values() if joined.connection is connection),
                  None)
    if joined is not None and transaction.parent is None:
        connection.info.pop(WROTE, None)
        joined.ours()


@contextmanager
def _savepoint_on(joined: _TestTransaction) -> Iterator[Connection]:
    """`db.engine.begin()` while a test runs: a savepoint on the test's connection, as the
    test's rows are on no other. In production it is another connection, so what it writes
    is not the session's writing, and it must not come while a session holds writes it
    has not committed: it could not see them, and PostgreSQL could make it wait for ever.

    Unlike production, it is undone if a session open around it rolls back afterwards.
    """
    if joined.unsaved_writes():
        raise RuntimeError(
            "db.engine.begin() while a session holds writes it has not committed: in "
            "production that is another connection, which cannot see them. Commit first.")
    connection = joined.connection
    wrote = connection.info.get(WROTE)
    try:
        with connection.begin_nested():
            joined.ours()
            yield connection
    finally:
        if wrote:
            connection.info[WROTE] = True
        else:
            connection.info.pop(WROTE, None)


@contextmanager
def _rolled_back(engine: Engine) -> Iterator[None]:
    """Everything done on this database meanwhile, on one connection, then rolled back."""
    connection = engine.connect()
    driver = connection.connection.driver_connection
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # pysqlite begins a transaction only before a write, so SAVEPOINT would begin the
        # real one and RELEASE commit it: the BEGIN is ours (SQLAlchemy's pysqlite recipe).
        driver.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    joined = _JOINED[engine.url] = _TestTransaction(connection)
    engine.begin = lambda: _savepoint_on(joined)  # this engine only, for this test
    try:
        yield
    finally:
        del engine.begin
        del _JOINED[engine.url]
        try:
            outer.rollback()
        finally:
            if sqlite:
                driver.isolation_level = ""
            connection.close()


@dataclass(frozen=True)
class SharedApp:
    app: Flask
    engine: Engine
    config: dict


@pytest.fixture(scope="session")
def shared_app(database_url: str) -> Iterator[SharedApp]:
    """The app every test on this backend runs in, built once."""
    application = make_app(database_url)
    application.test_client_class = CheckedClient
    with application.app_context():
        engine = db.engine
    yield SharedApp(application, engine, dict(application.config))
    engine.dispose()


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str, shared_app: SharedApp
        ) -> Iterator[Flask]:
    if request.node.get_closest_marker("real_commits"):
        yield from _app_of_its_own(database_url)
        return
    application = shared_app.app
    # The rate limiter is one object for every app: bind it to this one, with no counts.
    limiter.init_app(application)
    try:
        with _rolled_back(shared_app.engine), application.app_context():
            yield application
    finally:
        # A setting a test changed (app.config["LANGUAGES"] = ...) goes back for the next.
        application.config.clear()
        application.config.update(shared_app.config)


def _app_of_its_own(database_url: str) -> Iterator[Flask]:
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


@pytest.fixture
def production_argon2(monkeypatch) -> None:
    """Production's argon2 parameters for this test (CONSULT_ENV=testing hashes cheaply)."""
    monkeypatch.setattr(passwords, "HASHER", passwords.PRODUCTION)


# The run's time, printed at its end: the suite without the browser tests, and in all.
# Under pytest-xdist (README's `-n auto`) the controller prints it: the whole run's wall
# clock, and for each part the sum of its tests' durations over the workers.
_run = {"started": 0.0, "collected": 0.0, "browser": 0.0, "other": 0.0, "workers": 0,
        "reference_at_start": 0.0}
# Every public page the browser tests weighed, sent back by each xdist worker.
_page_weights: list = []


def xdist_worker_index() -> int:
    """0 for pytest-xdist's first worker (gw0) and for a run without -n, 1 for gw1, ..."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def _xdist_controller(config: pytest.Config) -> bool:
    return config.pluginmanager.getplugin("dsession") is not None


def pytest_sessionstart(session: pytest.Session) -> None:
    _run["started"] = time.monotonic()
    if not hasattr(session.config, "workerinput"):
        # Read before xdist starts its workers (its own hook runs last) and Chromium: at the
        # end of a run, Chromium's processes are still exiting and the figure reads high.
        _run["reference_at_start"] = reference_work_ms()


def pytest_collection_finish(session: pytest.Session) -> None:
    _run["collected"] = time.monotonic()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _run["browser" if report.nodeid.startswith("tests/browser/") else "other"] += (
        report.duration)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """An xdist worker has finished: keep what it measured for the controller to write."""
    _run["workers"] += 1
    # A worker that crashed sends nothing back.
    _page_weights.extend(getattr(node, "workeroutput", {}).get("page_weights", []))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _page_weights:
        write_page_weights(_page_weights)


def reference_work_ms() -> float:
    """This machine's speed now: the best of three runs of a fixed piece of pure-Python work
    (about 150 ms on one quiet core of CI's machine). The machine's speed drifts, by up to
    2x within a day, so the times of two runs are set side by side through this figure."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += hash(str(number)) & 0xFF
        best = min(best, time.perf_counter() - started)
    return best * 1000


def pytest_terminal_summary(terminalreporter) -> None:
    wall = time.monotonic() - _run["started"]
    load = (f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}; "
            f"reference work {_run['reference_at_start']:.0f} ms at the start, "
            f"{reference_work_ms():.0f} ms at the end")
    if _xdist_controller(terminalreporter.config):
        terminalreporter.write_line(
            f"Time: {wall:.0f} s in all (wall clock, {_run['workers']} workers); test "
            f"durations summed over the workers: {_run['other']:.0f} s without the browser "
            f"tests, {_run['browser']:.0f} s of browser tests (collection not included); {load}")
        return
    collecting = _run["collected"] - _run["started"]
    terminalreporter.write_line(
        f"Time: {collecting + _run['other']:.0f} s without the browser tests (collection "
        f"included), {_run['browser']:.0f} s of browser tests, {wall:.0f} s in all; {load}")
