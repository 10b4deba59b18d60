"""The caseload: adding, changing and closing child records; my children and their schedule."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from consult.extensions import db
from consult.models import Child, Review, ReviewStatus, ReviewType, StaffRole
from tests import factories

TODAY = date.today()


def _child_fields(iro, social_worker=None, **changes) -> dict[str, str]:
    fields = {
        "case_ref": "CM-100", "preferred_name": "Layla", "date_of_birth": "2011-05-04",
        "preferred_language": "ar", "looked_after_since": (TODAY - timedelta(days=3)).isoformat(),
        "ceased_on": "", "iro_id": str(iro.id),
        "social_worker_id": str(social_worker.id) if social_worker else "0",
    }
    return {**fields, **changes}


def test_an_iro_adds_a_child_who_then_shows_as_due_for_an_initial_review(client):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER, name="Sam")
    db.session.commit()
    factories.sign_in(client, iro)

    added = factories.post_form(client, "/staff/children/new",
                                _child_fields(iro, social_worker, unaccompanied_asylum_seeking="y"))

    assert added.status_code == 303
    child = db.session.scalar(select(Child).where(Child.case_ref == "CM-100"))
    assert child.social_worker == social_worker and child.unaccompanied_asylum_seeking
    listing = client.get("/staff/").get_data(as_text=True)
    assert "Layla" in listing and "Initial, due by" in listing and "No date set" in listing


def test_a_child_form_with_mistakes_says_what_to_fix_and_keeps_what_was_typed(client):
    iro = factories.staff(StaffRole.IRO)
    db.session.commit()
    factories.sign_in(client, iro)

    response = factories.post_form(client, "/staff/children/new", _child_fields(
        iro, preferred_name="Kept name", date_of_birth="2011-02-30",
        looked_after_since="", case_ref=""))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Add a child" in html
    assert 'href="#case_ref">Enter the case reference.' in html
    assert 'href="#date_of_birth">Enter date of birth as a real date' in html
    assert 'href="#looked_after_since">Enter the looked after since.' in html
    assert 'value="Kept name"' in html
    assert db.session.scalar(select(Child)) is None


def test_a_case_reference_cannot_be_used_twice(client):
    iro = factories.staff(StaffRole.IRO)
    existing = factories.child(iro)
    db.session.commit()
    factories.sign_in(client, iro)

    response = factories.post_form(client, "/staff/children/new",
                                   _child_fields(iro, case_ref=existing.case_ref))

    assert response.status_code == 400
    assert "Another child already has this case reference." in response.get_data(as_text=True)


def test_an_admin_allocates_another_iro_and_closes_the_record(client):
    admin = factories.staff(StaffRole.ADMIN)
    first, second = factories.staff(StaffRole.IRO, name="First"), factories.staff(
        StaffRole.IRO, name="Second")
    child = factories.child(first)
    review = factories.review(child)
    db.session.commit()
    factories.sign_in(client, admin)

    moved = factories.post_form(client, f"/staff/children/{child.id}/edit", _child_fields(
        second, case_ref=child.case_ref, preferred_name="Amanuel",
        date_of_birth=child.date_of_birth.isoformat(),
        looked_after_since=child.looked_after_since.isoformat()))
    closed = factories.post_form(client, f"/staff/children/{child.id}/close",
                                 {"ceased_on": TODAY.isoformat()})

    assert moved.status_code == closed.status_code == 303
    db.session.expire_all()
    assert child.iro == second and child.ceased_on == TODAY
    assert db.session.get(Review, review.id).status is ReviewStatus.CANCELLED
    assert "Amanuel" not in client.get("/staff/children").get_data(as_text=True)
    assert client.get(f"/staff/reviews/{review.id}").status_code == 404  # no words for admins


def test_my_children_shows_overdue_reviews_and_late_paperwork(client):
    iro = factories.staff(StaffRole.IRO)
    overdue = factories.child(iro, name="Overdue")
    factories.review(overdue, days_ahead=-3)
    late = factories.child(iro, name="Paperwork")
    held = factories.review(late, days_ahead=-40)
    held.status, held.held_on = ReviewStatus.HELD, TODAY - timedelta(days=40)
    db.session.commit()
    factories.sign_in(client, iro)

    html = client.get("/staff/").get_data(as_text=True)

    assert "Review overdue" in html
    assert "Decisions not sent" in html and "Record not sent" in html
    assert "Midway check" in html


def test_an_iro_books_the_next_review_with_its_derived_type_and_due_date(client):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro)
    child.looked_after_since = date(2025, 12, 10)
    db.session.commit()
    factories.sign_in(client, iro)

    booked = factories.post_form(client, f"/staff/children/{child.id}/reviews/new",
                                 {"meeting_on": "2026-01-09", "meeting_time": "14:30"})

    assert booked.status_code == 303
    review = db.session.scalar(select(Review).where(Review.child_id == child.id))
    assert review.review_type is ReviewType.INITIAL and review.due_on == date(2026, 1, 12)
    assert review.meeting_date == date(2026, 1, 9) and review.chair == iro
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert "9 January 2026, 14:30" in page
    bad_time = factories.post_form(client, f"/staff/reviews/{review.id}/date",
                                   {"meeting_on": "2026-01-09", "meeting_time": "25:00"})
    assert bad_time.status_code == 400
    assert "Enter the time as hours and minutes" in bad_time.get_data(as_text=True)


def test_a_social_worker_sees_their_children_but_cannot_change_them(client):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    child = factories.child(iro, social_worker, name="Shared")
    db.session.commit()
    factories.sign_in(client, social_worker)

    assert "Shared" in client.get("/staff/").get_data(as_text=True)
    assert client.get(f"/staff/children/{child.id}").status_code == 200
    assert client.get(f"/staff/children/{child.id}/edit").status_code == 404
    assert client.get("/staff/children/new").status_code == 404
    assert client.get(f"/staff/children/{child.id}/reviews/new").status_code == 404


def test_an_iro_cancels_a_review_and_can_book_the_next(client):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro)
    review = factories.review(child)
    db.session.commit()
    factories.sign_in(client, iro)

    cancelled = factories.post_form(client, f"/staff/reviews/{review.id}/cancel", {},
                                    page_url=f"/staff/reviews/{review.id}")

    assert cancelled.status_code == 303
    db.session.expire_all()
    assert db.session.get(Review, review.id).status is ReviewStatus.CANCELLED
    assert "Book the initial review" in client.get(f"/staff/children/{child.id}").get_data(
        as_text=True)


def test_an_admin_finds_closed_records_to_open_them_again(client):
    admin = factories.staff(StaffRole.ADMIN)
    child = factories.child(factories.staff(StaffRole.IRO), name="Closed")
    child.ceased_on = TODAY
    db.session.commit()
    factories.sign_in(client, admin)

    assert "Closed" not in client.get("/staff/children").get_data(as_text=True)
    assert "no longer looked after since" in client.get(
        "/staff/children?closed=1").get_data(as_text=True)
