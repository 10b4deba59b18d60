"""The load balancer's probes, the friendly 503 when the database is down, and recovery."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from consult.extensions import db
from tests import factories
from tests.conftest import CheckedClient, make_app

# Nothing listens on port 1: connecting is refused at once, as when PostgreSQL is down.
UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/consult"


@pytest.fixture
def client_without_database():
    application = make_app(UNREACHABLE_DATABASE)
    application.test_client_class = CheckedClient
    return application.test_client()


def test_healthz_answers_without_touching_the_database(client_without_database):
    response = client_without_database.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_readyz_is_503_when_the_database_does_not_answer(client_without_database):
    response = client_without_database.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_child_gets_the_friendly_503_page_while_the_database_is_down(client_without_database):
    response = client_without_database.get("/start/" + "A" * 43)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)


def test_probes_are_never_rate_limited(client):
    assert all(client.get("/healthz").status_code == 200 for _ in range(30))


@pytest.mark.real_commits  # every connection of the app is cut, the test's one too
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_pages_work_again_by_themselves_once_the_database_is_back(app, client):
    """A restarted PostgreSQL drops every pooled connection; pre-ping replaces them."""
    _invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")
    assert client.get("/your-say/start").status_code == 200

    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        ended = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    admin.dispose()

    assert ended >= 1
    assert client.get("/readyz").status_code == 200
    assert client.get("/your-say/start").status_code == 200



@pytest.mark.real_commits  # its connection is cut, and it adds a route to the app
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_lost_after_the_view_still_gives_the_page(app, client):
    """The server going away between the view's last query and the closing rollback."""
    def view():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        return "done", 200, {"Content-Type": "text/plain"}

    app.add_url_rule("/lose-the-connection", "lose_the_connection", view)

    response = client.get("/lose-the-connection")

    assert (response.status_code, response.get_data(as_text=True)) == (200, "done")
    assert client.get("/readyz").status_code == 200
