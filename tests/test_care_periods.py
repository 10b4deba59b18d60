"""Periods of care: review numbering, types and due dates restart with each period."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from consult import care_periods
from consult.caseload import schedule_of
from consult.extensions import db
from consult.imports import import_children, import_reviews
from consult.meeting_record import MeetingRecord, pn0_rule, problems
from consult.models import (
    AttendeeRole,
    CarePeriod,
    Child,
    ParticipationCode,
    Review,
    ReviewStatus,
    ReviewType,
    StaffRole,
    StaffUser,
)
from consult.schedule import REGULATIONS_2010
from tests import factories

PN = ParticipationCode


def _held(on: date, review_type: ReviewType = ReviewType.INITIAL) -> Review:
    return Review(status=ReviewStatus.HELD, held_on=on, due_on=on, review_type=review_type,
                  decisions_sent_on=on, record_sent_on=on)


def _child(periods: list[CarePeriod], *reviews: Review) -> Child:
    latest = periods[-1]
    return Child(date_of_birth=date(2012, 5, 1), looked_after_since=latest.started_on,
                 ceased_on=latest.ended_on, periods=periods, reviews=list(reviews))


def test_a_child_who_comes_back_into_care_is_due_a_new_initial_review_20_working_days_on():
    child = _child(
        [CarePeriod(started_on=date(2023, 1, 9), ended_on=date(2024, 6, 1)),
         CarePeriod(started_on=date(2025, 3, 3))],
        _held(date(2023, 2, 1)), _held(date(2023, 5, 1), ReviewType.SECOND),
        _held(date(2023, 11, 1), ReviewType.SUBSEQUENT))

    plan = schedule_of(child, date(2025, 3, 10), REGULATIONS_2010, 14)

    # 20 working days from Monday 3 March 2025: four whole weeks, no bank holiday.
    assert (plan.review_type, plan.due_on) == (ReviewType.INITIAL, date(2025, 3, 31))
    assert plan.midway is None and plan.last_held.held_on == date(2023, 11, 1)


def test_a_review_held_on_the_day_a_period_starts_is_that_periods_first():
    child = _child(
        [CarePeriod(started_on=date(2023, 1, 9), ended_on=date(2025, 3, 3)),
         CarePeriod(started_on=date(2025, 3, 3))],
        _held(date(2023, 2, 1)), _held(date(2025, 3, 3)))

    plan = schedule_of(child, date(2025, 3, 10), REGULATIONS_2010, 14)

    assert (plan.review_type, plan.due_on) == (ReviewType.SECOND, date(2025, 6, 3))
    assert care_periods.period_on(child.periods, date(2025, 3, 3)) is child.periods[1]


def test_a_child_on_short_breaks_only_is_not_scheduled():
    child = _child([CarePeriod(started_on=date(2025, 1, 6), short_breaks_only=True)])

    plan = schedule_of(child, date(2025, 6, 1), REGULATIONS_2010, 14)

    assert not plan.reviewed and plan.flags == frozenset() and not plan.needs_attention


def test_changing_the_childs_dates_corrects_the_period_or_starts_a_new_one_after_an_end():
    child = Child(looked_after_since=date(2024, 1, 8))
    care_periods.sync_current_period(child)
    child.looked_after_since = date(2024, 1, 10)  # a typing mistake corrected
    care_periods.sync_current_period(child)
    assert [(p.started_on, p.ended_on) for p in child.periods] == [(date(2024, 1, 10), None)]

    child.ceased_on = date(2024, 9, 1)
    care_periods.sync_current_period(child)
    child.looked_after_since, child.ceased_on = date(2025, 2, 3), None
    care_periods.sync_current_period(child)

    assert [(p.started_on, p.ended_on, p.end_reason) for p in child.periods] == [
        (date(2024, 1, 10), date(2024, 9, 1), "closed"), (date(2025, 2, 3), None, None)]


@pytest.mark.parametrize(("held_on", "code", "refused"), [
    (date(2020, 5, 1), PN.PN0, False),   # the 4th birthday: PN0 accepted (rule 440)
    (date(2020, 5, 1), PN.PN1, False),   # and PN1 to PN7 too (rule 441)
    (date(2020, 4, 30), PN.PN1, True),   # under 4: PN0 only
    (date(2020, 5, 2), PN.PN0, True),    # over 4: not PN0
    (date(2020, 4, 30), PN.PN0, False),
    (date(2020, 5, 2), PN.PN7, False),
])
def test_pn0_follows_dfe_rules_440_and_441_on_and_around_the_4th_birthday(held_on, code, refused):
    assert (pn0_rule(date(2016, 5, 1), held_on, code) is not None) is refused


def test_the_meeting_record_accepts_pn0_on_the_4th_birthday_and_refuses_a_day_out_of_care():
    child = _child([CarePeriod(started_on=date(2019, 1, 7), ended_on=date(2019, 12, 1)),
                    CarePeriod(started_on=date(2020, 2, 3))])
    child.date_of_birth = date(2016, 5, 1)
    review = Review(child=child, status=ReviewStatus.SCHEDULED)

    def record(on, code=PN.PN0):
        return MeetingRecord(held_on=on, attended=frozenset({AttendeeRole.FOSTER_CARER}),
                             participation_code=code, views={})

    assert problems(review, record(date(2020, 5, 1)), date(2021, 1, 1)) == {}
    assert "participation_code" in problems(review, record(date(2020, 5, 2)), date(2021, 1, 1))
    assert problems(review, record(date(2020, 1, 6), PN.PN0), date(2021, 1, 1)) == {
        "held_on": "The child was not looked after on that day."}


REVIEWS_HEADER = ("case_ref,review_date,status,review_type,attended,pn_code,"
                  "consulted_child,consulted_foster_carer,consulted_parent\n")


def _as_admin() -> dict:
    """Imports run as a named account (issue 22): an administrator, who may allocate."""
    admin = db.session.scalar(select(StaffUser).where(StaffUser.role == StaffRole.ADMIN))
    return {"by": admin or factories.staff(StaffRole.ADMIN), "path": "test"}


def _periods_child() -> Child:
    """A child whose first period ended before its first review, and who came back."""
    iro = factories.staff(StaffRole.IRO, email="iro@council.example")
    child = Child(case_ref="P-1", preferred_name="Sam", date_of_birth=date(2012, 5, 1),
                  looked_after_since=date(2024, 5, 1), iro=iro,
                  periods=[CarePeriod(started_on=date(2024, 1, 8), ended_on=date(2024, 1, 20)),
                           CarePeriod(started_on=date(2024, 5, 1))])
    db.session.add(child)
    db.session.flush()
    return child


def test_an_imported_review_after_a_period_that_ended_before_its_first_review_is_initial(app):
    _periods_child()

    result = import_reviews((REVIEWS_HEADER + "P-1,2024-05-20,held,,child,PN1,,,\n"
                             "P-1,2024-08-01,held,,child,PN1,,,\n").encode(),
                            today=date(2025, 1, 1), timetable=REGULATIONS_2010,
                            **_as_admin())

    assert result.errors == []
    first, second = db.session.scalars(select(Review).order_by(Review.held_on))
    # 20 working days from Wednesday 1 May 2024, Monday 6 and 27 May being bank holidays.
    assert (first.review_type, first.due_on) == (ReviewType.INITIAL, date(2024, 5, 31))
    assert (second.review_type, second.due_on) == (ReviewType.SECOND, date(2024, 8, 20))


def test_an_imported_review_between_periods_or_pn1_under_4_is_refused(app):
    child = _periods_child()
    db.session.add(Child(case_ref="U-4", preferred_name="Tia", date_of_birth=date(2022, 3, 1),
                         looked_after_since=date(2024, 1, 8), iro=child.iro))

    result = import_reviews((REVIEWS_HEADER + "P-1,2024-03-01,held,,,PN7,,,\n"
                             "U-4,2024-06-03,held,,,PN7,,,\n").encode(),
                            today=date(2025, 1, 1), timetable=REGULATIONS_2010,
                            **_as_admin())

    assert [str(error) for error in result.errors] == [
        "Line 2: The child was not looked after on that day.",
        "Line 3: The child was under 4 on the day: choose PN0."]
    assert db.session.scalars(select(Review)).all() == []


def test_importing_children_keeps_one_period_per_child_and_starts_another_on_reentry(app):
    factories.staff(StaffRole.IRO, email="iro@council.example")
    header = ("case_ref,preferred_name,date_of_birth,language,looked_after_since,ceased_on,"
              "iro_email,social_worker_email\n")
    import_children((header + "R-1,Ro,2011-02-03,en_GB,2022-04-04,2023-01-02,"
                     "iro@council.example,\n").encode(), **_as_admin())
    import_children((header + "R-1,Ro,2011-02-03,en_GB,2024-09-09,,"
                     "iro@council.example,\n").encode(), **_as_admin())

    child = db.session.scalar(select(Child))
    assert [(p.started_on, p.ended_on) for p in child.periods] == [
        (date(2022, 4, 4), date(2023, 1, 2)), (date(2024, 9, 9), None)]
