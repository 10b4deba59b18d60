"""Keeping the rollups up to date: the reviews and days the triggers marked are worked out
again, in a short transaction of their own.

The figures only read the rollups; no page that shows them writes. Triggers (migrations
7b1364f06402 and 5e2b8c41d7a9) mark every review and day whose figures a write may have
changed, and the rollups are brought up to date:
- by the write itself: once a session commits a transaction that wrote to a table the
  triggers watch (or deleted from one whose deletes reach them), `refresh_figures` runs at
  once (`_refresh_after_commit`), so the figures a page reads next are exact;
- by the `refresh-figures` command, for marks nothing in the app wrote: a revision run by
  `db upgrade` marks every review and day it changes (the app brings them up to date at
  start only when it migrates itself, AUTO_MIGRATE), and a refresh that failed after its
  commit (the database went away) leaves its marks for the next write or the command.
`waiting()` says whether any marks are left, so a figures page can say its figures are not
up to date rather than show them as if they were.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from sqlalchemy import delete, event, exists, insert, literal_column, or_, select, text, union_all
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from consult.extensions import db
from consult.figures.answers import _answer_figures_of
from consult.figures.measures import _figures_of
from consult.models import AnswerFigures, AnswerFiguresStale, ReviewFigures, ReviewFiguresStale
from consult.models.base import Base

logger = logging.getLogger(__name__)

# Marks named in one statement: at most four times this many values are bound, within the
# limits of SQLite and PostgreSQL. More reviews than this (a first build, an import) are
# read from the table of marks instead, where the database plans for many.
MARKS_AT_ONCE = 5000


def _in_chunks(values: list) -> list[list]:
    return [values[start:start + MARKS_AT_ONCE]
            for start in range(0, len(values), MARKS_AT_ONCE)]


def refresh_figures() -> None:
    """Bring the rollups up to date: the rows of every review and day the triggers marked.

    Runs in its own short transaction, committed at once, so the caller's session and the
    rows it holds are untouched. Costs one statement when nothing changed. On PostgreSQL
    the marks are locked for the moment of the refresh: a review or day marked meanwhile
    waits for that moment, and is never lost. (The monthly sums follow review_figures and
    answer_figures by their own triggers.)

    The marks are read first and, when they are few, named in each statement, so the
    database plans for the few rows they are (a table of marks it has not analysed lately
    can look to it like thousands, and it would then read every review instead of looking
    a few up); only the marks named are taken away.
    """
    with db.engine.begin() as connection:
        marks = connection.execute(union_all(
            select(ReviewFiguresStale.review_id, literal_column("NULL").label("sent_on")),
            select(literal_column("NULL"), AnswerFiguresStale.sent_on))).all()
        if not marks:
            return
        review_ids = sorted(mark.review_id for mark in marks if mark.review_id is not None)
        days = sorted({_as_date(mark.sent_on) for mark in marks if mark.sent_on is not None})
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            connection.execute(text("LOCK TABLE review_figures_stale, answer_figures_stale "
                                    "IN SHARE ROW EXCLUSIVE MODE"))
        done = []
        if review_ids:
            many = len(review_ids) > MARKS_AT_ONCE  # then every mark there is, from here on
            marked = select(ReviewFiguresStale.review_id) if many else review_ids
            connection.execute(delete(ReviewFigures).where(ReviewFigures.review_id.in_(marked)))
            names, query = _figures_of(marked)
            connection.execute(insert(ReviewFigures).from_select(names, query))
            done.append(delete(ReviewFiguresStale) if many else delete(ReviewFiguresStale)
                        .where(ReviewFiguresStale.review_id.in_(review_ids)))
        for some_days in _in_chunks(days):
            connection.execute(delete(AnswerFigures).where(AnswerFigures.sent_on.in_(some_days)))
            names, query = _answer_figures_of(some_days)
            connection.execute(insert(AnswerFigures).from_select(names, query))
            done.append(delete(AnswerFiguresStale)
                        .where(AnswerFiguresStale.sent_on.in_(some_days)))
        if postgresql and len(done) == 2:  # both kinds of marks in one statement
            connection.execute(done[1].add_cte(done[0].cte("reviews_done")))
        else:
            for statement in done:
                connection.execute(statement)


def _as_date(value) -> date:
    """A day as the database returned it (SQLite gives a union's dates as text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def waiting() -> bool:
    """Whether any review or day is marked and not yet counted again (one statement)."""
    return bool(db.session.scalar(select(or_(exists(select(ReviewFiguresStale.review_id)),
                                             exists(select(AnswerFiguresStale.sent_on))))))


# The tables whose rows the triggers watch (7b1364f06402, 5e2b8c41d7a9): any write to them
# may mark a review or a day.
WATCHED = frozenset({"reviews", "review_attendance", "review_views", "invitations",
                     "responses", "answers", "children"})


def _deletes_reaching(tables: frozenset[str]) -> frozenset[str]:
    """The tables a delete from which can reach `tables` (ON DELETE CASCADE or SET NULL)."""
    reach = set(tables)
    while True:
        parents = {key.column.table.name for table in Base.metadata.tables.values()
                   if table.name in reach for key in table.foreign_keys if key.ondelete}
        if parents <= reach:
            return frozenset(reach)
        reach |= parents


DELETES_REACHING = _deletes_reaching(WATCHED)
MAY_HAVE_MARKED = "consult_figures_may_have_marked"
_CONNECTIONS = "consult_figures_connections"
_WRITE = re.compile(r'\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)',
                    re.IGNORECASE)
_ANY_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)
# Statements that change no rows: savepoints come and go inside a transaction.
_NO_ROWS = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@event.listens_for(Engine, "begin")
def _transaction_begins(connection: Connection) -> None:
    connection.info.pop(MAY_HAVE_MARKED, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection: Connection, _cursor, statement: str, *_args) -> None:
    start = statement.lstrip()[:9].upper()
    if start.startswith("SELECT") or start.startswith(_NO_ROWS):
        return
    write = _WRITE.match(statement)
    if write is None:
        # A SELECT after its CTEs reads; anything else (raw SQL, a write after its CTEs)
        # may have marked.
        if not (start.startswith("WITH") and _ANY_WRITE.search(statement) is None):
            connection.info[MAY_HAVE_MARKED] = True
        return
    table = write.group(2).lower()
    if table in WATCHED or (write.group(1)[:6].upper() == "DELETE" and table in DELETES_REACHING):
        connection.info[MAY_HAVE_MARKED] = True


@event.listens_for(db.session, "after_begin")
def _remember_connection(session: Session, _transaction, connection: Connection) -> None:
    connections = session.info.setdefault(_CONNECTIONS, [])
    if not any(known is connection for known in connections):
        # What this session's transaction writes is what counts: a connection that joins
        # a transaction already under way (the tests' savepoints) starts with nothing
        # noted, as one beginning its own does (`_transaction_begins`).
        connection.info.pop(MAY_HAVE_MARKED, None)
        connections.append(connection)


@event.listens_for(db.session, "after_commit")
def _refresh_after_commit(session: Session) -> None:
    """After a session's outermost commit that may have marked, bring the rollups up to date.

    The write has committed whatever happens here: a failure is logged, and its marks wait
    for the next write's refresh or the `refresh-figures` command.
    """
    if session.get_nested_transaction() is not None:
        return  # a savepoint: nothing is committed yet
    connections = session.info.pop(_CONNECTIONS, [])
    if not any(connection.info.get(MAY_HAVE_MARKED) for connection in connections):
        return
    try:
        refresh_figures()
    except SQLAlchemyError as error:
        logger.warning("figures not brought up to date after a commit: %s",
                       type(error).__name__)


@event.listens_for(db.session, "after_transaction_end")
def _forget_connections(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)
