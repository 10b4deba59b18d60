"""gunicorn.conf.py's hooks: the app is built once in the master, workers fork from it."""

from __future__ import annotations

import runpy
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from consult.config import PROJECT_ROOT
from consult.extensions import db
from tests.conftest import make_app

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


def _starting_with(*addresses: str) -> SimpleNamespace:
    return SimpleNamespace(cfg=SimpleNamespace(bind=list(addresses)))


@pytest.mark.parametrize("addresses", [
    ("127.0.0.1:8000",), ("localhost:8000",), ("[::1]:8000",), ("127.0.0.2:9000",),
    ("unix:/run/consult/gunicorn.sock",), ("unix:/run/consult/gunicorn.sock", "127.0.0.1:8000"),
])
def test_gunicorn_listens_on_loopback_or_a_socket(addresses):
    CONFIGURATION["on_starting"](_starting_with(*addresses))


@pytest.mark.parametrize("addresses", [
    ("0.0.0.0:8000",), ("10.0.1.11:8000",), ("[::]:8000",), (":8000",),
    ("app.internal:8000",), ("127.0.0.1:8000", "0.0.0.0:8001"),
])
def test_gunicorn_refuses_to_face_clients_without_the_buffering_proxy(addresses):
    with pytest.raises(SystemExit, match="buffering proxy"):
        CONFIGURATION["on_starting"](_starting_with(*addresses))
