"""Keeping the rollups up to date: the reviews and days the triggers marked are worked out
again, in a short transaction of their own.

The figures only read the rollups. They are brought up to date after each commit that may
have marked something (`consult.figures.freshness`), and by the `refresh-figures` command
(after `db upgrade`, whose revisions can leave marks behind).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    delete,
    insert,
    literal_column,
    select,
    text,
    union_all,
)

from consult.extensions import db
from consult.figures.answers import _answer_figures_of
from consult.figures.measures import _figures_of
from consult.models import (
    AnswerFigures,
    AnswerFiguresStale,
    ReviewFigures,
    ReviewFiguresStale,
)

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
