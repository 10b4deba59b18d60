"""The rollups the figures read stay equal to what they sum, through every kind of change.

Each rollup is checked against the same counts made here in Python from the rows it sums,
after rows are inserted, updated and deleted (a child erased, submissions deleted on time),
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from consult import data_protection
from consult.extensions import db
from consult.figures.period import Period
from consult.figures.report import Scope, build_report
from consult.figures.rollups import refresh_figures
from consult.models import (
    Answer,
    AnswerFigures,
    AnswerFiguresMonthly,
    Invitation,
    InviteeRole,
    ReviewFigures,
    ReviewFiguresDaily,
    ReviewFiguresIroMonthly,
    ReviewFiguresMonthly,
    ReviewStatus,
)
from consult.models.reports import (
    ATTENDANCE_KEYS,
    MONTHLY_MEASURES,
    PARTICIPATION_CODES,
    VIEWS_GIVEN,
    VIEWS_ROLES,
)
from tests.reports.dataset import at, build_year, counted_question

YEAR = Period.council_year(2015)


def _measures_of(row: ReviewFigures) -> Counter:
    measures = Counter(held=1, in_time=row.in_time)
    for key in ATTENDANCE_KEYS:
        measures[key] = getattr(row, key)
    for role in VIEWS_ROLES:
        for channel in VIEWS_GIVEN:
            measures[f"views_{role}_{channel}"] = getattr(row, f"views_{role}_{channel}")
        # By any channel: once, however many channels the role's views came by.
        measures[f"views_{role}_any"] = int(any(getattr(row, f"views_{role}_{channel}")
                                                for channel in VIEWS_GIVEN))
    for code in PARTICIPATION_CODES:
        measures[f"pn_{code.lower()}"] = int(row.participation_code == code)
    measures["pn_none"] = int(row.participation_code is None)
    return measures


def _expected_sums() -> tuple[dict, dict, dict]:
    by_breakdown, by_iro, by_day = {}, {}, {}
    for row in db.session.scalars(select(ReviewFigures)):
        month = row.held_on.replace(day=1)
        for sums, key in ((by_breakdown, (month, row.review_type, row.age_band, row.language)),
                          (by_iro, (month, row.iro_id)),
                          (by_day, (row.held_on, row.review_type, row.age_band,
                                    row.language))):
            sums.setdefault(key, Counter()).update(_measures_of(row))
    return by_breakdown, by_iro, by_day


def _stored(model, keys) -> dict:
    stored = {}
    for row in db.session.scalars(select(model)):
        measures = Counter({name: getattr(row, name) for name in MONTHLY_MEASURES})
        if any(measures.values()):  # sums taken back to nothing may stay as zeros
            stored[tuple(getattr(row, key) for key in keys)] = +measures
    return stored


def assert_monthly_sums_match_review_figures() -> None:
    by_breakdown, by_iro, by_day = _expected_sums()
    assert _stored(ReviewFiguresMonthly, ("month", "review_type", "age_band", "language")) == {
        key: +sums for key, sums in by_breakdown.items()}
    assert _stored(ReviewFiguresIroMonthly, ("month", "iro_id")) == {
        key: +sums for key, sums in by_iro.items()}
    assert _stored(ReviewFiguresDaily, ("held_on", "review_type", "age_band", "language")) == {
        key: +sums for key, sums in by_day.items()}


def _utc_day(moment: datetime) -> date:
    return (moment if moment.tzinfo is None else moment.astimezone(UTC)).date()


def assert_answer_figures_match_the_answers() -> None:
    expected: Counter = Counter()
    for invitation in db.session.scalars(select(Invitation)):
        response = invitation.response
        if invitation.sent_at is None or response is None:
            continue
        audience = ("parent_or_family" if invitation.role in (
            InviteeRole.PARENT, InviteeRole.FAMILY_MEMBER) else invitation.role.value)
        day, form = _utc_day(invitation.sent_at), response.questionnaire_key
        expected[(day, audience, form, "respondents", "", "")] += 1
        for question in {answer.question_key for answer in response.answers}:
            expected[(day, audience, form, "question", question, "")] += 1
        for answer in response.answers:
            expected[(day, audience, form, "value", answer.question_key, answer.value)] += 1
    stored = {(row.sent_on, row.audience, row.questionnaire_key, row.kind, row.question_key,
               row.value): row.forms for row in db.session.scalars(select(AnswerFigures))}
    assert stored == dict(expected)
    by_month: Counter = Counter()
    for (day, *key), forms in expected.items():
        by_month[(day.replace(day=1), *key)] += forms
    monthly = {(row.month, row.audience, row.questionnaire_key, row.kind, row.question_key,
                row.value): row.forms
               for row in db.session.scalars(select(AnswerFiguresMonthly))
               if row.forms}  # sums taken back to nothing may stay as zeros
    assert monthly == dict(by_month)


@pytest.fixture
def year(app):
    return build_year()


def test_the_rollups_start_equal_to_what_they_sum(year):
    refresh_figures()
    assert_monthly_sums_match_review_figures()
    assert_answer_figures_match_the_answers()
    assert db.session.scalar(select(AnswerFigures.forms).where(
        AnswerFigures.kind == "respondents", AnswerFigures.sent_on == date(2015, 4, 25))) == 1


def test_the_monthly_sums_follow_changes_and_erasure(year):
    from consult.models import AttendeeRole, ReviewAttendance
    refresh_figures()
    year.reviews["r4"].attendance.append(ReviewAttendance(role=AttendeeRole.CHILD))
    year.reviews["r2"].status = ReviewStatus.CANCELLED
    year.reviews["r6"].status = ReviewStatus.HELD  # a review held in a new month
    year.reviews["r6"].held_on = date(2015, 11, 20)
    year.reviews["r1"].held_on = date(2015, 5, 2)  # moves from April to May
    year.reviews["r7"].chair = year.iro_b  # moves to another IRO
    year.children["c2"].date_of_birth = date(2009, 2, 1)  # another age band
    db.session.commit()
    refresh_figures()
    assert_monthly_sums_match_review_figures()

    data_protection.erase_child(year.children["c3"], by=year.manager)
    db.session.commit()
    # Erasure takes the child's rows out of review_figures at once, and so out of the sums.
    assert_monthly_sums_match_review_figures()
    refresh_figures()
    assert_monthly_sums_match_review_figures()
    assert db.session.get(ReviewFigures, year.reviews["r7"].id).iro_id == year.iro_b.id


def test_answer_figures_follow_forms_sent_changed_and_deleted(year):
    from tests.reports.dataset import _sent
    refresh_figures()
    questionnaire, question = counted_question()
    _sent(year.reviews["r4"], InviteeRole.CHILD, date(2015, 6, 2),
          questionnaire=(questionnaire.key, questionnaire.version),
          answers=((question.key, question.choices[0].value),
                   (question.key, question.choices[1].value)))
    invitations = {(i.review_id, i.role): i for i in db.session.scalars(select(Invitation))}
    parent_r2 = invitations[(year.reviews["r2"].id, InviteeRole.PARENT)]
    parent_r2.sent_at = at(date(2015, 8, 2))  # sent on another day
    carer_r1 = invitations[(year.reviews["r1"].id, InviteeRole.FOSTER_CARER)]
    carer_r1.role = InviteeRole.PARENT  # another audience
    child_r5 = invitations[(year.reviews["r5"].id, InviteeRole.CHILD)]
    db.session.delete(child_r5.response.answers[0])  # an answer taken out
    child_r1 = invitations[(year.reviews["r1"].id, InviteeRole.CHILD)]
    child_r1.response.answers.append(Answer(question_key=question.key,
                                            value=question.choices[1].value))
    db.session.commit()
    refresh_figures()
    assert_answer_figures_match_the_answers()

    # A child erased; another's submissions deleted when their retention time is up.
    data_protection.erase_child(year.children["c4"], by=year.manager)
    due = data_protection.retention_due(date(2030, 1, 1), days_after_care=30)
    assert [item.child.id for item in due] == [year.children["c3"].id]
    data_protection.apply_retention(due)
    db.session.commit()
    refresh_figures()
    assert_answer_figures_match_the_answers()
    # A form that is not sent yet is not counted; once sent, it is.
    waiting = _sent(year.reviews["r6"], InviteeRole.CHILD, date(2016, 4, 1))
    waiting.sent_at = None
    db.session.commit()
    refresh_figures()
    assert_answer_figures_match_the_answers()
    waiting.sent_at = at(date(2016, 4, 1)) - timedelta(minutes=1)  # 31 March, UTC
    db.session.commit()
    refresh_figures()
    assert_answer_figures_match_the_answers()


PERIODS = (
    YEAR,
    Period(date(2015, 4, 28), date(2015, 8, 3)),  # both ends inside months
    Period(date(2015, 5, 1), date(2016, 3, 30)),  # whole months, then days
    Period(date(2015, 4, 20), date(2015, 4, 25)),  # no whole month
    Period(date(2015, 1, 1), date(2016, 12, 31)),
)


def _figures(report) -> dict:
    return {(table.key, row.key, column): cell.count
            for table in report.tables if not table.key.startswith("by_")
            and table.key != "requests"
            for row in table.rows for column, cell in enumerate(row.cells)
            if cell.count is not None}  # a median is not a count: it does not add up


@pytest.mark.parametrize("period", PERIODS, ids=lambda period: period.label)
def test_the_whole_service_is_the_sum_of_its_iros_for_any_period(year, period):
    # The whole service is read from the monthly and daily rollups, one IRO's figures from
    # review_figures and the answers themselves: they must agree for any days.
    service = _figures(build_report(period, Scope(by_iro=True)))
    per_iro: Counter = Counter()
    for iro in (year.iro_a, year.iro_b):
        per_iro.update(_figures(build_report(period, Scope(iro.id))))
    assert {key: count for key, count in service.items() if count} == +per_iro
    by_iro = build_report(period, Scope(by_iro=True)).table("by_iro")
    assert sum(row.cells[0].count for row in by_iro.rows) == service[
        ("reviews_by_type", "all", 0)]


def test_many_marks_are_counted_again_from_the_table_or_a_few_at_a_time(year, monkeypatch):
    from consult.figures import rollups
    from consult.models import AnswerFiguresStale, ReviewFiguresStale
    from tests.reports.dataset import mark_everything
    # 9 reviews marked: more than that many, so read from the table; 9 days: five statements
    mark_everything()
    monkeypatch.setattr(rollups, "MARKS_AT_ONCE", 2)
    refresh_figures()
    assert db.session.scalars(select(ReviewFiguresStale)).all() == []
    assert db.session.scalars(select(AnswerFiguresStale)).all() == []
    assert_monthly_sums_match_review_figures()
    assert_answer_figures_match_the_answers()
    assert counts_held(build_report(YEAR, Scope())) == 5


def counts_held(report) -> int:
    return report.table("reviews_by_type").rows[-1].cells[0].count


def test_a_write_brings_the_rollups_up_to_date_as_it_commits_and_a_failure_waits(
        year, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    from consult import audit
    from consult.figures import rollups
    from consult.models import ReviewFiguresStale

    assert not rollups.waiting()  # build_year's commit counted everything it wrote
    assert counts_held(build_report(YEAR, Scope())) == 5
    # A commit that wrote nothing the triggers watch does not refresh.
    calls = []
    monkeypatch.setattr(rollups, "refresh_figures", lambda: calls.append(1))
    audit.record("example.only_the_audit_log")
    db.session.commit()
    assert calls == []

    def lost():
        raise OperationalError("refresh", {}, Exception("the database went away"))

    monkeypatch.setattr(rollups, "refresh_figures", lost)
    year.reviews["r2"].status = ReviewStatus.CANCELLED
    db.session.commit()  # the write stands; its mark waits, and the figures say so
    assert "figures not brought up to date after a commit" in caplog.text
    assert db.session.scalar(select(ReviewFiguresStale.review_id)) == year.reviews["r2"].id
    assert rollups.waiting()
    assert counts_held(build_report(YEAR, Scope())) == 5  # as last counted
    monkeypatch.undo()
    year.reviews["r5"].participation_code = None  # the next write counts both
    db.session.commit()
    assert not rollups.waiting()
    assert counts_held(build_report(YEAR, Scope())) == 4
    assert_monthly_sums_match_review_figures()
