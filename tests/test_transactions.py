"""How a request's transaction ends: read-only ones commit, any other rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from consult import transactions
from consult.extensions import db
from consult.models import StaffUser
from tests import factories


def _names_in_the_database() -> list[str]:
    db.session.remove()
    return sorted(db.session.scalars(select(StaffUser.name)))


@pytest.fixture
def imani(app):
    user = factories.staff(name="Imani")
    db.session.commit()
    return user


def test_a_transaction_that_only_read_is_committed(imani):
    session = db.session()
    assert session.scalars(select(StaffUser)).all() == [imani]
    assert transactions.wrote_nothing(session)
    transactions.end_read_only(session, None)
    assert not session.in_transaction()


def test_a_change_already_sent_to_the_database_is_not_committed(imani):
    imani.name = "Changed"
    db.session.flush()
    assert not transactions.wrote_nothing(db.session())
    transactions.end_read_only(db.session(), None)
    assert _names_in_the_database() == ["Imani"]


def test_a_change_still_in_the_session_is_not_committed(imani):
    imani.name = "Changed"
    assert not transactions.wrote_nothing(db.session())
    transactions.end_read_only(db.session(), None)
    assert _names_in_the_database() == ["Imani"]


def test_an_update_statement_is_a_write_even_when_reads_follow_it(imani):
    db.session.execute(update(StaffUser).values(name="Changed"))
    db.session.scalars(select(StaffUser)).all()
    db.session.expunge_all()  # nothing left pending: only the statement says it wrote
    assert not transactions.wrote_nothing(db.session())
    transactions.end_read_only(db.session(), None)
    assert _names_in_the_database() == ["Imani"]


def test_a_new_transaction_after_a_commit_starts_clean(imani):
    imani.name = "Saved"
    db.session.commit()
    db.session.scalars(select(StaffUser)).all()
    assert transactions.wrote_nothing(db.session())


def test_a_request_that_failed_is_never_committed(imani):
    db.session.scalars(select(StaffUser)).all()
    transactions.end_read_only(db.session(), RuntimeError("the view failed"))
    assert db.session().in_transaction()


def test_no_open_transaction_is_left_alone(app):
    session = db.session()
    transactions.end_read_only(session, None)
    assert not session.in_transaction()


@pytest.mark.real_commits  # the engine's own COMMIT, which a test's savepoint never sends
def test_a_page_that_only_reads_ends_its_transaction_with_a_commit(app, client):
    _invite, token = factories.child_with_link()
    ended = []
    event.listen(db.engine, "commit", lambda _conn: ended.append("commit"))
    event.listen(db.engine, "rollback", lambda _conn: ended.append("rollback"))
    client.get(f"/start/{token}")
    page = client.get("/your-say/start")
    assert page.status_code == 200
    ended.clear()
    assert client.get("/your-say/start").status_code == 200
    assert ended == ["commit"]


def test_postgresql_keeps_prepared_statements_only_when_the_transaction_commits(app):
    """Why the module exists: psycopg forgets its prepared statements on ROLLBACK."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's")
    with db.engine.connect() as connection:
        session = Session(bind=connection)
        prepared = text("SELECT count(*) FROM pg_prepared_statements")
        for _request in range(8):
            session.scalars(select(StaffUser).where(StaffUser.id == 1)).all()
            transactions.end_read_only(session, None)
        assert session.scalar(prepared) == 1
        session.rollback()
        assert session.scalar(prepared) == 0
        session.close()
