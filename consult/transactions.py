"""How a request's database transaction ends: COMMIT when it wrote nothing, else ROLLBACK.

For a transaction that wrote nothing the two are the same to the database, but not to the
driver: psycopg forgets every prepared statement on ROLLBACK (the transaction might have
dropped what they refer to). Pages that only read used to end with the session's closing
ROLLBACK, so no statement ever reached psycopg's threshold for preparing it and PostgreSQL
parsed and planned every query of every page afresh: most of the database's work for a
page. Ending such transactions with COMMIT keeps the prepared statements, and leaves
nothing for the pool's reset to roll back, which saves a round trip as well.

A transaction counts as having written when any statement other than a SELECT went to the
database, or when the session still holds changes: those are never committed here, and a
request that failed always rolls back.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

WROTE = "consult_transaction_wrote"

logger = logging.getLogger(__name__)


@event.listens_for(Engine, "begin")
def _transaction_begins(connection: Connection) -> None:
    connection.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection: Connection, _cursor, statement: str, *_args) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[WROTE] = True


def wrote_nothing(session: Session) -> bool:
    """Whether the session's open transaction has only read, with nothing left to write."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    return not session.connection().info.get(WROTE, False)


def end_read_only(session: Session, error: BaseException | None) -> None:
    """Commit the request's transaction if it only read; anything else is left to close.

    Closing the session afterwards rolls back whatever was not committed, as before.
    """
    if error is not None:
        return
    try:
        if wrote_nothing(session):
            session.commit()
    except SQLAlchemyError as lost:
        # The connection went after the page was made; closing the session deals with it.
        logger.warning("read-only transaction not committed: %s", type(lost).__name__)
