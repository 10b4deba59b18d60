"""Production-shaped fixtures: gunicorn instances on one PostgreSQL and one Redis.

Without Redis or PostgreSQL these tests are skipped, except under CI=true, where that
fails the run, as for the database tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from consult.config import PROJECT_ROOT
from consult.extensions import db
from tests.conftest import (
    POSTGRES_REQUIRED,
    TEST_ENCRYPTION_KEY,
    TEST_SECRET,
    empty_database,
    make_app,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        reason = f"Redis unreachable at {REDIS_URL}: {type(error).__name__}"
        if POSTGRES_REQUIRED:
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def production_database(tmp_path_factory) -> Iterator[str]:
    """A migrated PostgreSQL database of its own, as `flask db upgrade` leaves it."""
    with empty_database("postgresql", tmp_path_factory) as url:
        migrating = make_app(url, AUTO_MIGRATE="1")
        with migrating.app_context():
            db.engine.dispose()
        yield url


@dataclass
class Instance:
    url: str
    process: subprocess.Popen
    access_log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_instance(database_url: str, log_dir: Path, name: str) -> Instance:
    """The production entry, as deployed: gunicorn with the repository's configuration."""
    port = _free_port()
    access_log = log_dir / f"{name}.out"
    env = {
        **os.environ,
        "CONSULT_ENV": "production",
        "SECRET_KEY": TEST_SECRET,
        "DATA_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on the loopback, no TLS proxy in front
        "PROXY_FIX_HOPS": "1",
        "BASE_URL": "http://localhost",
        "WEB_CONCURRENCY": "2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT_ROOT, env=env, stdout=access_log.open("w"),
        stderr=(log_dir / f"{name}.err").open("w"))
    return Instance(f"http://127.0.0.1:{port}", process, access_log)


def wait_until_healthy(instance: Instance, log_dir: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            break
        try:
            if httpx.get(instance.url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    errors = "".join(path.read_text() for path in log_dir.glob("*.err"))
    pytest.fail(f"gunicorn did not become healthy at {instance.url}:\n{errors[-3000:]}")


def stop(instance: Instance) -> None:
    instance.process.terminate()
    try:
        instance.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        instance.process.kill()
        instance.process.wait()
