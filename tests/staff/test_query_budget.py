"""The IRO's pages cost the same number of SQL statements for 2 children as for 60."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from consult.extensions import db
from consult.models import InviteeRole, StaffRole
from tests import factories
from tests.conftest import without_test_savepoints


@contextmanager
def counted_statements():
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        statements[:] = without_test_savepoints(statements)


def _caseload(iro, children: int):
    for number in range(children):
        review = factories.review(factories.child(iro, name=f"Child {number}"))
        factories.invitation(review, InviteeRole.CHILD)
        factories.invitation(review, InviteeRole.FOSTER_CARER, "Carer")
    db.session.commit()


def _statements_for(client, app, children: int, path_for) -> int:
    iro = factories.staff(StaffRole.IRO)
    _caseload(iro, children)
    browser = app.test_client()
    factories.sign_in(browser, iro)
    path = path_for(iro)
    with counted_statements() as statements:
        assert browser.get(path).status_code == 200
    return len(statements)


def test_dashboard_statements_do_not_grow_with_the_caseload(client, app):
    small = _statements_for(client, app, 2, lambda _iro: "/staff/")
    large = _statements_for(client, app, 60, lambda _iro: "/staff/")
    assert small == large <= 6


def _six_relatives_sent_views(client, app):
    """A review whose six invited relatives have all sent their views; the IRO signed in."""
    iro = factories.staff(StaffRole.IRO)
    review = factories.review(factories.child(iro))
    for n in range(6):
        relative, _token = factories.invitation(review, InviteeRole.FAMILY_MEMBER, f"Relative {n}")
        factories.send_answers(relative, {"child_doing": "well", "views": "fine"})
    factories.sign_in(client, iro)
    return review


def test_review_page_statements_do_not_grow_with_the_views_sent(client, app):
    review = _six_relatives_sent_views(client, app)

    with counted_statements() as statements:
        assert client.get(f"/staff/reviews/{review.id}").status_code == 200

    # 12 for the review, its invitations and views; one more for the child's requests; one
    # for the state of every emailed invitation (issue 6), however many there are; one for
    # the header's count of open urgent requests on every staff page (issue 16: a single
    # aggregate over the person's requests, whatever their number).
    assert len(statements) <= 15


def _caseload_with_history(iro, children: int):
    """Children with held reviews (attendance, views) and a booked one with invitations."""
    from consult.models import AttendeeRole, ReviewAttendance, ReviewStatus, ReviewViews

    for number in range(children):
        child = factories.child(iro, name=f"Child {number}")
        past = factories.review(child, days_ahead=-30)
        past.status, past.held_on = ReviewStatus.HELD, past.due_on
        past.attendance = [ReviewAttendance(role=AttendeeRole.CHILD)]
        past.views_received = [ReviewViews(role="child", channel="online")]
        booked = factories.review(child)
        factories.invitation(booked, InviteeRole.CHILD)
    db.session.commit()


def test_my_children_and_child_records_do_not_grow_with_the_caseload(app):
    counts = {}
    for size in (2, 40):
        iro = factories.staff(StaffRole.IRO)
        admin = factories.staff(StaffRole.ADMIN)
        _caseload_with_history(iro, size)
        for user, path in ((iro, "/staff/"), (admin, "/staff/children")):
            browser = app.test_client()
            factories.sign_in(browser, user)
            with counted_statements() as statements:
                assert browser.get(path).status_code == 200
            counts[(size, path)] = len(statements)
    assert counts[(2, "/staff/")] == counts[(40, "/staff/")] <= 6
    assert counts[(2, "/staff/children")] == counts[(40, "/staff/children")] <= 7


def test_pre_meeting_view_statements_do_not_grow_with_the_views_sent(client, app):
    review = _six_relatives_sent_views(client, app)

    with counted_statements() as statements:
        page = client.get(f"/staff/reviews/{review.id}/before-the-meeting")

    assert page.status_code == 200 and page.get_data(as_text=True).count("fine") >= 6
    # As the review page: 14, and one for the header's count of open urgent requests.
    assert len(statements) <= 15
