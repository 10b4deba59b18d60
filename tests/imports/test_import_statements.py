"""The imports are linear (issue 22 part 6): the SQL statements they send do not grow with
the rows, only with the chunks of keys they read (`csvfile.CHUNK`). The time for 15,000
rows is measured by bench/imports.py; here the statements are counted, on both backends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.imports import csvfile
from consult.models import (
    AttendeeRole,
    ConsultedRole,
    ParticipationCode,
    Review,
    ReviewStatus,
    StaffRole,
    ViewsChannel,
)
from consult.schedule import REGULATIONS_2010
from tests import factories
from tests.imports.test_imports import (
    CHILDREN_HEADER,
    REVIEWS_HEADER,
    TODAY,
    import_children,
    import_reviews,
)
from tests.staff.test_query_budget import counted_statements


def _staff() -> None:
    factories.staff(StaffRole.IRO, email="iro@council.example")
    factories.staff(StaffRole.SOCIAL_WORKER, email="sw@council.example")
    factories.staff(StaffRole.ADMIN, email="admin@council.example")  # who imports


def _children(count: int, *, name: str = "Child") -> bytes:
    return (CHILDREN_HEADER + "".join(
        f"K-{n},{name} {n},2010-03-02,en_GB,2025-01-06,,iro@council.example,"
        "sw@council.example\n" for n in range(count))).encode()


def _reviews(count: int, *, code: str = "PN1", attended: str = "child;foster_carer",
             parent: str = "") -> bytes:
    """Two held reviews and a booked one for each of `count` children."""
    return (REVIEWS_HEADER + "".join(
        f"K-{n},2025-02-03,held,,{attended},{code},online,paper,{parent}\n"
        f"K-{n},2025-05-06,held,,{attended},{code},online,paper,{parent}\n"
        f"K-{n},2026-12-0{1 + n % 9},scheduled,,,,,,\n" for n in range(count))).encode()


def _counted(run) -> tuple[int, object]:
    with counted_statements() as statements:
        result = run()
    assert result.ok, result.errors[:3]
    return len(statements), result


def _children_statements(count: int) -> dict[str, int]:
    """Statements to create `count` children, then to import them unchanged and changed."""
    db.session.commit()  # each measure starts alike: nothing loaded
    created, result = _counted(lambda: import_children(_children(count)))
    assert result.created == count
    db.session.commit()
    unchanged, result = _counted(lambda: import_children(_children(count)))
    assert result.unchanged == count
    changed, result = _counted(lambda: import_children(_children(count, name="Renamed")))
    assert result.updated == count
    db.session.rollback()
    return {"created": created, "unchanged": unchanged, "changed": changed}


def _reviews_statements(count: int) -> dict[str, int]:
    """Statements to create 3 reviews for each of `count` children, then to import them
    unchanged, then changed (PN code, attendance and views)."""
    import_children(_children(count))
    db.session.commit()

    def run(data: bytes):
        return import_reviews(data, today=TODAY, timetable=REGULATIONS_2010)

    created, result = _counted(lambda: run(_reviews(count)))
    assert result.created == 3 * count
    db.session.commit()
    unchanged, result = _counted(lambda: run(_reviews(count)))
    assert result.unchanged == 3 * count
    changed, result = _counted(lambda: run(_reviews(
        count, code="PN6", attended="foster_carer", parent="verbal")))
    assert (result.updated, result.unchanged) == (2 * count, count)
    db.session.rollback()
    return {"created": created, "unchanged": unchanged, "changed": changed}


def _clear() -> None:
    for table in ("review_views", "review_attendance", "reviews", "care_periods", "children"):
        db.session.execute(db.metadata.tables[table].delete())
    db.session.commit()


def test_the_children_import_costs_the_same_statements_for_ten_times_the_rows(app):
    _staff()
    few = _children_statements(30)
    _clear()
    many = _children_statements(300)
    assert many == few


def test_the_reviews_import_costs_the_same_statements_for_ten_times_the_rows(app):
    """Linear, not quadratic (issue 22): 90 or 900 reviews, created, unchanged or changed,
    cost the same statements."""
    _staff()
    few = _reviews_statements(30)
    _clear()
    many = _reviews_statements(300)
    assert many == few


@pytest.mark.parametrize("kind", ["children", "reviews"])
def test_past_a_chunk_the_statements_grow_by_chunk_not_by_row(app, monkeypatch, kind):
    """Files bigger than one chunk of keys cost a fixed number of statements more per
    chunk: 10, 20 and 40 children in chunks of 10 grow by 1, then 2, chunks' worth."""
    monkeypatch.setattr(csvfile, "CHUNK", 10)
    _staff()
    measure = _children_statements if kind == "children" else _reviews_statements
    counts = []
    for count in (10, 20, 40):
        counts.append(measure(count))
        _clear()
    for step in ("created", "unchanged", "changed"):
        ten, twenty, forty = (figures[step] for figures in counts)
        assert twenty > ten, step
        assert forty - twenty == 2 * (twenty - ten), (step, counts)


def test_a_changed_review_row_rewrites_its_record_and_nothing_else(app):
    """The changed rows are written as bulk statements: what they write is the file's."""
    _staff()
    import_children(_children(2))
    import_reviews(_reviews(2), today=TODAY, timetable=REGULATIONS_2010)
    db.session.commit()
    changed = _reviews(2).decode().replace(
        "K-1,2025-05-06,held,,child;foster_carer,PN1,online,paper,",
        "K-1,2025-05-06,held,,foster_carer;parent,PN6,verbal,online,advocate")

    result = import_reviews(changed.encode(), today=TODAY, timetable=REGULATIONS_2010)
    db.session.commit()
    db.session.expire_all()

    assert (result.created, result.updated, result.unchanged) == (0, 1, 5)
    reviews = {(review.child.case_ref, review.meeting_date): review
               for review in db.session.scalars(select(Review))}
    rewritten = reviews["K-1", date(2025, 5, 6)]
    assert rewritten.participation_code is ParticipationCode.PN6
    assert {row.role for row in rewritten.attendance} == {
        AttendeeRole.FOSTER_CARER, AttendeeRole.PARENT}
    assert {row.role: row.channel for row in rewritten.views_received} == {
        ConsultedRole.CHILD: ViewsChannel.VERBAL, ConsultedRole.FOSTER_CARER: ViewsChannel.ONLINE,
        ConsultedRole.PARENT_OR_FAMILY: ViewsChannel.ADVOCATE}
    kept = reviews["K-0", date(2025, 5, 6)]
    assert kept.participation_code is ParticipationCode.PN1
    assert {row.role for row in kept.attendance} == {AttendeeRole.CHILD,
                                                     AttendeeRole.FOSTER_CARER}
    assert {row.role: row.channel for row in kept.views_received} == {
        ConsultedRole.CHILD: ViewsChannel.ONLINE, ConsultedRole.FOSTER_CARER: ViewsChannel.PAPER}
    assert reviews["K-1", date(2026, 12, 2)].status is ReviewStatus.SCHEDULED
