"""Forms with a concern and the median time to acknowledge, counted by hand, suppressed like
every other figure, for the whole service and for one IRO."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consult import concerns
from consult.extensions import db
from consult.figures.period import Period
from consult.figures.report import Scope, build_report, suppressed
from consult.models import RaisedConcern, StaffRole
from tests import factories

PERIOD = Period(date.today() - timedelta(days=7), date.today() + timedelta(days=1))
OUTSIDE = Period(date.today() + timedelta(days=2), date.today() + timedelta(days=9))


def _sent(iro, answers):
    invitation, _token = factories.invitation(factories.review(factories.child(iro)))
    db.session.commit()
    return factories.send_answers(invitation, answers)


def _acknowledge_after(response, key, hours, iro):
    concern = next(c for c in response.concerns if c.concern_key == key)
    concerns.acknowledge(concern, "Done", staff=iro,
                         now=concern.raised_at + timedelta(hours=hours))


def _build():
    iro_a, iro_b = factories.staff(StaffRole.IRO), factories.staff(StaffRole.IRO)
    both = _sent(iro_a, {"home_safe": "no", "overall_feeling": "very_sad"})
    unsafe = _sent(iro_a, {"home_safe": "no"})
    _sent(iro_a, {"home_safe": "yes"})
    sad = _sent(iro_b, {"overall_feeling": "very_sad"})
    _sent(iro_b, {})
    db.session.expire_all()
    _acknowledge_after(both, "not_safe_at_home", 2, iro_a)
    _acknowledge_after(both, "very_sad_overall", 10, iro_a)
    _acknowledge_after(unsafe, "not_safe_at_home", 4, iro_a)
    _acknowledge_after(sad, "very_sad_overall", 30, iro_b)
    db.session.commit()
    return iro_a, iro_b


def _cells(report):
    return {row.key: row.cells for row in report.table("concerns").rows}


def test_forms_with_a_concern_and_the_median_hours_to_acknowledge(app):
    iro_a, _iro_b = _build()
    rows = _cells(build_report(PERIOD, Scope()))
    assert rows["forms_sent"][0].count == 5
    assert (rows["any"][0].count, rows["any"][0].denominator) == (3, 5)
    assert rows["not_safe_at_home"][0].count == 2
    assert rows["very_sad_overall"][0].count == 2
    assert rows["no_asylum_help"][0].count == 0
    # Any concern: 2, 4, 10 and 30 hours; a median of an even number is the mean of the middle.
    assert rows["any"][1].value == pytest.approx(7.0) and rows["any"][1].based_on == 4
    assert rows["not_safe_at_home"][1].value == pytest.approx(3.0)
    assert rows["very_sad_overall"][1].value == pytest.approx(20.0)

    mine = _cells(build_report(PERIOD, Scope(iro_a.id)))
    assert (mine["forms_sent"][0].count, mine["any"][0].count) == (3, 2)
    assert mine["very_sad_overall"][1].value == pytest.approx(10.0)

    assert _cells(build_report(OUTSIDE, Scope()))["any"][0].count == 0


def test_small_numbers_of_concerns_are_suppressed_outside_the_iros_screen(app):
    _build()
    rows = _cells(suppressed(build_report(PERIOD, Scope()), 5))
    assert rows["forms_sent"][0].count == 5 and not rows["forms_sent"][0].suppressed
    assert rows["any"][0].suppressed and rows["not_safe_at_home"][0].suppressed
    assert rows["no_asylum_help"][0].count == 0 and not rows["no_asylum_help"][0].suppressed
    # A median of fewer than 5 concerns is hidden too.
    assert rows["any"][1].suppressed


def test_an_unacknowledged_concern_counts_for_its_form_but_not_the_median(app):
    iro = factories.staff(StaffRole.IRO)
    _sent(iro, {"home_safe": "not_sure"})
    rows = _cells(build_report(PERIOD, Scope()))
    assert rows["unsure_safe_at_home"][0].count == 1
    assert rows["unsure_safe_at_home"][1].value is None
    assert db.session.query(RaisedConcern).count() == 1
