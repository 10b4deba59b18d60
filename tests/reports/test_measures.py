"""The triggers that keep the monthly and daily sums add exactly what the Python measures say.

The sums of review_figures are kept by triggers written in SQL (revision 5e2b8c41d7a9, made
again with `unrecorded` by 9c03a1e5b903 and by channel by 20d1e5c0a7b1); the figures read them
as `MONTHLY_MEASURES`, and a period's days outside whole months are summed in Python's SQL by
`_per_review`. Read from the database as migrated, on SQLite and PostgreSQL: the triggers write
every measure column and no other, and for rows with every value a column can hold they add what
`_per_review` adds.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import delete, insert, inspect, select, text

from consult.extensions import db
from consult.figures.measures import _per_review
from consult.models import (
    ReviewFigures,
    ReviewFiguresDaily,
    ReviewFiguresIroMonthly,
    ReviewFiguresMonthly,
    ReviewType,
    StaffRole,
)
from consult.models.reports import (
    ATTENDANCE_KEYS,
    MONTHLY_MEASURES,
    PARTICIPATION_CODES,
    VIEWS_GIVEN,
    VIEWS_ROLES,
)
from tests import factories

SUMS = {  # table -> its key columns
    "review_figures_monthly": ("month", "review_type", "age_band", "language"),
    "review_figures_daily": ("held_on", "review_type", "age_band", "language"),
    "review_figures_iro_monthly": ("month", "iro_id"),
}


def _trigger_sql() -> str:
    """The SQL of the triggers on review_figures, as the database holds it."""
    if db.engine.dialect.name == "postgresql":
        return "\n".join(db.session.scalars(text(
            "SELECT prosrc FROM pg_proc WHERE proname = 'review_figures_sum'")))
    return "\n".join(db.session.scalars(text(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'review_figures'")))


def test_the_triggers_write_every_measure_and_nothing_else(app):
    sql = _trigger_sql()
    written = re.findall(r"INSERT INTO (review_figures_\w+) \(([^)]*)\)", sql)
    assert {table for table, _columns in written} == set(SUMS)
    for table, columns in written:
        names = [name.strip() for name in columns.split(",")]
        assert names[:len(SUMS[table])] == list(SUMS[table])
        assert names[len(SUMS[table]):] == list(MONTHLY_MEASURES), table
        # ...and the table has a column for each, and no measure the triggers leave alone.
        stored = {column["name"] for column in inspect(db.engine).get_columns(table)}
        assert stored == set(SUMS[table]) | set(MONTHLY_MEASURES)


def _rows(review_ids: list[int], iro_id: int) -> list[dict]:
    """One review_figures row per month of 2015, between them every value of every column:
    each attendance group and each role's channel both 0 and 1, a role's views by no channel,
    by one and by two."""
    codes = (None, *PARTICIPATION_CODES)
    rows = []
    for number, review_id in enumerate(review_ids):
        row = {
            "review_id": review_id, "held_on": date(2015, number + 1, 10 + number),
            "review_type": ReviewType.SUBSEQUENT.value, "in_time": number % 2,
            "participation_code": codes[number % len(codes)], "iro_id": iro_id,
            "language": "en_GB", "age_band": "11_to_15",
            "unrecorded": int(number % 3 == 0),
        }
        for index, key in enumerate(ATTENDANCE_KEYS):
            row[key] = ((number + index) >> (index % 3)) % 2
        for r, role in enumerate(VIEWS_ROLES):
            # (number + 2r) % 5 picks one channel, or none at 4; every fourth row adds paper.
            picked = (number + 2 * r) % 5
            for c, channel in enumerate(VIEWS_GIVEN):
                row[f"views_{role}_{channel}"] = int(
                    picked == c or (channel == "paper" and number % 4 == 3))
        rows.append(row)
    return rows


def test_the_triggers_add_what_the_python_measures_add(app):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro)
    review_ids = []
    for _month in range(12):
        review = factories.review(child)
        db.session.flush()
        review_ids.append(review.id)
    # In this transaction only, never committed: rows written straight into review_figures
    # (as refresh_figures writes them), each alone in its month and day.
    for model in (ReviewFigures, ReviewFiguresMonthly, ReviewFiguresDaily,
                  ReviewFiguresIroMonthly):
        db.session.execute(delete(model))
    rows = _rows(review_ids, iro.id)
    assert {row["participation_code"] for row in rows} == {None, *PARTICIPATION_CODES}
    by_channels = {sum(row[f"views_child_{channel}"] for channel in VIEWS_GIVEN) for row in rows}
    assert by_channels == {0, 1, 2}
    db.session.execute(insert(ReviewFigures), rows)

    figures = ReviewFigures.__table__
    python = {row.review_id: dict(zip(MONTHLY_MEASURES, row[1:], strict=True))
              for row in db.session.execute(select(figures.c.review_id, *_per_review(figures)))}
    assert len(python) == 12
    held_on = {row["review_id"]: row["held_on"] for row in rows}
    for model, day_key in ((ReviewFiguresMonthly, "month"), (ReviewFiguresDaily, "held_on"),
                           (ReviewFiguresIroMonthly, "month")):
        stored = {getattr(row, day_key): {name: getattr(row, name) for name in MONTHLY_MEASURES}
                  for row in db.session.scalars(select(model))}
        expected = {(day if day_key == "held_on" else day.replace(day=1)): python[review_id]
                    for review_id, day in held_on.items()}
        assert stored == expected, model.__tablename__
    # Every measure is 1 for some row and 0 for another: none is checked only as a zero.
    for name in MONTHLY_MEASURES:
        if name != "held":
            assert {measures[name] for measures in python.values()} == {0, 1}, name
    db.session.rollback()
