"""What the load and fault runs share: a scratch database, seed data, gunicorn, figures.

Everything runs on this machine against the PostgreSQL at --postgres-url, in a database
made for the run and dropped after it, and against gunicorn started with the repository's
own gunicorn.conf.py, as production runs it.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pyotp
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consult import create_app, invitations, secret_links  # noqa: E402
from consult.accounts import passwords  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.models import (  # noqa: E402
    Child,
    Invitation,
    InviteeRole,
    Response,
    Review,
    ReviewType,
    StaffRole,
    StaffUser,
)

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = secrets.token_hex(32)
IRO_PASSWORD = "bench password that is long enough"
# Every bench IRO's authenticator holds this key; each account still takes a code only once.
IRO_TOTP_SECRET = pyotp.random_base32()
DATA_ENCRYPTION_KEY = Fernet.generate_key().decode("ascii")
CHILDREN_PER_IRO = 60  # a full-time IRO's caseload, about 50 to 70 children
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def app_environment(database_url: str, redis_url: str | None) -> dict[str, str]:
    return {
        **os.environ,
        "CONSULT_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATA_ENCRYPTION_KEYS": DATA_ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "SESSION_COOKIE_SECURE": "0",
        # The client plays many people: it names each one's address as a proxy would.
        "PROXY_FIX_HOPS": "1",
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def scratch_database(postgres_url: str) -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    # No pool: a fault run restarts the server under it.
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Seed:
    child_tokens: list[str]
    carer_tokens: list[str]
    iro_emails: list[str]
    review_ids: dict[str, list[int]]  # IRO email -> their reviews


def migrate_and_seed(database_url: str, journeys: int) -> Seed:
    """Enough children, each with a review and a child's and a carer's link, for `journeys`."""
    app = create_app({"CONSULT_ENV": "production", "SECRET_KEY": SECRET_KEY,
                      "DATA_ENCRYPTION_KEYS": DATA_ENCRYPTION_KEY,
                      "DATABASE_URL": database_url, "AUTO_MIGRATE": "1"})
    seed = Seed([], [], [], defaultdict(list))
    today = date.today()
    with app.app_context():
        password_hash = passwords.hash_password(IRO_PASSWORD)
        iros = [StaffUser(email=f"iro{n}@bench.example", name=f"IRO {n}", role=StaffRole.IRO,
                          password_hash=password_hash, totp_secret=IRO_TOTP_SECRET,
                          totp_confirmed_at=datetime.now(UTC))
                for n in range(max(1, journeys // CHILDREN_PER_IRO + 1))]
        db.session.add_all(iros)
        reviews = []
        for n in range(journeys):
            iro = iros[n % len(iros)]
            child = Child(case_ref=f"BENCH-{n:06d}", preferred_name=f"Child {n}",
                          date_of_birth=today - timedelta(days=365 * 12 + n % 2000),
                          preferred_language="en_GB",
                          looked_after_since=today - timedelta(days=200), iro=iro)
            review = Review(child=child, review_type=ReviewType.SUBSEQUENT,
                            due_on=today + timedelta(days=5 + n % 40),
                            scheduled_for=datetime.now(UTC) + timedelta(days=5 + n % 40))
            db.session.add_all((child, review))
            reviews.append(review)
            for role, tokens in ((InviteeRole.CHILD, seed.child_tokens),
                                 (InviteeRole.FOSTER_CARER, seed.carer_tokens)):
                # As invitations.create_invitation makes them, without a flush per row.
                token = secret_links.new_token()
                db.session.add(Invitation(
                    review=review, role=role, invitee_name=f"{role.value} {n}",
                    language="en_GB", token_hash=secret_links.token_hash(token),
                    expires_at=invitations.expiry_for(review, 14), created_by=iro))
                tokens.append(token)
            if n % 1000 == 999:
                db.session.flush()
        db.session.commit()
        for review in reviews:
            seed.review_ids[review.child.iro.email].append(review.id)
        seed.iro_emails = [iro.email for iro in iros]
        db.engine.dispose()
    return seed


def count_responses(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Response.__table__))
    engine.dispose()
    return count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int | None = None,
             log_path: Path | None = None) -> Iterator[str]:
    """gunicorn -c gunicorn.conf.py, on a free port; yields its base URL."""
    with gunicorn_process(app_spec, env, workers, log_path) as (url, _process):
        yield url


def cpu_seconds(pid: int) -> float:
    """CPU time used by gunicorn's master, its live workers and the workers it has reaped
    (recycled after max_requests), whose time the kernel adds to the master's."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker that exited meanwhile: counted with the master once reaped
        # utime and stime; for the master also cutime and cstime, its reaped children's.
        total += sum(int(value) for value in fields[11:15 if each == pid else 13]) / tick
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


@contextmanager
def gunicorn_process(app_spec: str, env: dict[str, str], workers: int | None = None,
                     log_path: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Like `gunicorn`, yielding the master process too, to read its CPU time."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", app_spec]
    if workers:
        command += ["--workers", str(workers)]
    log = (log_path or Path(os.devnull)).open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    async def probe() -> bool:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.get(url + "/") as response:
                    return response.status < 500
            except aiohttp.ClientError:
                return False

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        if asyncio.run(probe()):
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer at {url}")


@dataclass
class Figures:
    """Latencies in seconds per kind of request, statuses and errors seen."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, kind: str, seconds: float, status: int, expected: int) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[status] += 1
        if status != expected:
            self.errors[f"{kind}: {status}"] += 1

    def failed(self, kind: str, error: BaseException) -> None:
        self.errors[f"{kind}: {type(error).__name__}"] += 1

    @property
    def total(self) -> int:
        return sum(len(values) for values in self.latencies.values())


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    if len(values) < 2:
        only = values[0] * 1000 if values else float("nan")
        return only, only, only
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def row(label: str, values: list[float], seconds: float) -> str:
    p50, p95, p99 = percentiles(values)
    return (f"{label:<28} {len(values):>7} {len(values) / seconds:>8.1f} "
            f"{p50:>7.1f} {p95:>7.1f} {p99:>7.1f}")


HEADER = f"{'':<28} {'requests':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1)


def browser(address: str) -> aiohttp.ClientSession:
    """One person's browser: its own cookies, and its own address as the proxy reports it."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for a bare IP address
        headers={"X-Forwarded-For": address},
        timeout=aiohttp.ClientTimeout(total=30))


def address(n: int) -> str:
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def check(goal: str, holds: bool) -> bool:
    print(f"  {'PASS' if holds else 'FAIL'}  {goal}")
    return holds


# The journey's pages, read as a browser would: one question per page, then check and send.
_FIRST_QUESTION = re.compile(r'href="(/your-say/questions/[^"]+)"')
_CHOICE = re.compile(r'<input class="choice__input" type="(?:radio|checkbox)" [^>]*'
                     r'name="([^"]+)" value="([^"]+)"')
_TEXT = re.compile(r'<textarea [^>]*name="([^"]+)"')
_IDEMPOTENCY_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def first_question(start_page: str) -> str:
    return _FIRST_QUESTION.search(start_page).group(1)


def answers_for(question_page: str) -> dict[str, str]:
    """The first choice offered, or a sentence for a text question."""
    answers = {name: "Bench answer: things are fine, thank you."
               for name in _TEXT.findall(question_page)}
    for name, value in _CHOICE.findall(question_page):
        answers.setdefault(name, value)
    return answers


def idempotency_key(check_page: str) -> str:
    return _IDEMPOTENCY_KEY.search(check_page).group(1)
