"""gunicorn.conf.py's hooks: the app is built once in the master, workers fork from it."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from consult.config import PROJECT_ROOT
from consult.extensions import db
from tests.conftest import TEST_ENCRYPTION_KEY, TEST_SECRET, make_app

CONFIGURATION = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))


def _server_with(app) -> SimpleNamespace:
    """What the hooks use of gunicorn's arbiter: its application, which loads our app."""
    return SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))


def test_the_app_is_built_once_in_the_master():
    assert CONFIGURATION["preload_app"] is True


def test_every_template_is_compiled_before_the_workers_start(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'conf.sqlite'}")
    templates = app.jinja_env.list_templates()
    assert len(templates) > 50
    CONFIGURATION["when_ready"](_server_with(app))
    compiled = {name for (_loader, name) in app.jinja_env.cache}
    assert compiled == set(templates)


def test_a_worker_never_uses_a_connection_opened_before_it_forked(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'conf.sqlite'}")
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert db.engine.pool.checkedin() == 1
        CONFIGURATION["post_fork"](_server_with(app), worker=None)
        assert db.engine.pool.checkedin() == 0


def test_the_hooks_serve_an_app_without_a_database_too(tmp_path):
    """The load benchmark's ceiling, a bare Flask app, runs with this configuration."""
    from flask import Flask

    (tmp_path / "page.html").write_text("<p>{{ greeting }}</p>")
    bare = Flask(__name__, template_folder=str(tmp_path))
    CONFIGURATION["when_ready"](_server_with(bare))
    CONFIGURATION["post_fork"](_server_with(bare), worker=None)
    assert [name for (_loader, name) in bare.jinja_env.cache] == ["page.html"]


@pytest.mark.parametrize("environ, arguments, processes", [
    ({}, [], None),  # 2 × CPUs + 1 workers, as deployed by default
    ({"WEB_CONCURRENCY": "2"}, [], 2),
    # The app is told of one worker, but the command line asks for three: the hook sees them.
    ({"WEB_CONCURRENCY": "1"}, ["--workers", "3"], 3),
])
def test_production_with_memory_rate_limits_and_several_workers_refuses_to_start(
        tmp_path, environ, arguments, processes):
    env = {key: value for key, value in os.environ.items()
           if key not in ("WEB_CONCURRENCY", "INSTANCES", "RATELIMIT_STORAGE_URI")}
    env.update({"CONSULT_ENV": "production", "SECRET_KEY": TEST_SECRET,
                "DATA_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'refused.sqlite'}", **environ})
    started = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0",
         *arguments], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "Have Your Say cannot start: RATELIMIT_STORAGE_URI is memory://" in started.stderr
    assert "WEB_CONCURRENCY" in started.stderr
    if processes is not None:
        assert f"but {processes} processes would serve" in started.stderr


def _starting_with(*addresses: str) -> SimpleNamespace:
    return SimpleNamespace(cfg=SimpleNamespace(bind=list(addresses)))


@pytest.mark.parametrize("addresses", [
    ("127.0.0.1:8000",), ("localhost:8000",), ("[::1]:8000",), ("127.0.0.2:9000",),
    ("unix:/run/consult/gunicorn.sock",), ("unix:/run/consult/gunicorn.sock", "127.0.0.1:8000"),
])
def test_gunicorn_listens_on_loopback_or_a_socket(addresses):
    CONFIGURATION["refuse_exposed_binds"](_starting_with(*addresses))


@pytest.mark.parametrize("addresses", [
    ("0.0.0.0:8000",), ("10.0.1.11:8000",), ("[::]:8000",), (":8000",),
    ("app.internal:8000",), ("127.0.0.1:8000", "0.0.0.0:8001"),
])
def test_gunicorn_refuses_to_face_clients_without_the_buffering_proxy(addresses):
    with pytest.raises(SystemExit, match="buffering proxy"):
        CONFIGURATION["refuse_exposed_binds"](_starting_with(*addresses))
