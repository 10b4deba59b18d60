"""The figures for a small year counted by hand (the year is drawn in dataset.py)."""

from __future__ import annotations

import pytest

from consult.figures.period import Period
from consult.figures.quotes import consented_quotes
from consult.figures.report import Scope, build_report
from tests.reports.dataset import build_year, counted_question

YEAR = Period.council_year(2015)


@pytest.fixture
def year(app):
    return build_year()


def counts(table, column=0):
    return {row.key: row.cells[column].count for row in table.rows}


def test_reviews_held_by_type_and_within_timescales(year):
    report = build_report(YEAR, Scope())
    table = report.table("reviews_by_type")
    # R1, R2, R4, R5, R7: not the cancelled R3, the never-held R6, nor R8 and R9 outside.
    assert counts(table) == {"initial": 3, "second": 1, "subsequent": 1, "all": 5}
    # R2 was held after its due day; R4 on its due day counts as in time.
    assert counts(table, 1) == {"initial": 3, "second": 0, "subsequent": 1, "all": 4}
    assert table.rows[-1].cells[1].percent == 80


def test_views_by_role_and_channel(year):
    table = build_report(YEAR, Scope()).table("views_by_role")
    by_role = {row.key: [cell.count for cell in row.cells] for row in table.rows}
    # online, paper, verbal, advocate, any
    # Child: R1 on paper and spoken (the IRO's record beats the online form), R5 advocate,
    # R7 online; R2's form came after the meeting and R4 had no invitations. R1 counts under
    # both its channels and once under any: the channels do not add up to it.
    assert by_role["child"] == [1, 1, 1, 1, 3]
    # Carer: R1 online (sent before, nothing recorded), R5 verbal.
    assert by_role["foster_carer"] == [1, 0, 1, 0, 2]
    # Parent or family: R2 online; R5's recorded 'none' wins over the form sent online.
    assert by_role["parent_or_family"] == [1, 0, 0, 0, 1]
    assert table.rows[0].cells[4].denominator == 5
    assert table.rows[0].cells[4].percent == 60


def test_attendance_counts_a_role_once_per_review(year):
    table = build_report(YEAR, Scope()).table("attendance_by_role")
    assert counts(table) == {"child": 2, "foster_carer": 5, "parent_or_family": 2,
                             "supervising_social_worker": 2, "partner_agency": 1,
                             "social_worker": 2, "advocate": 1, "interpreter": 1}
    assert table.rows[1].cells[0].percent == 100
    assert {row.key: row.label for row in table.rows[5:]} == {
        "social_worker": "The child's social worker", "advocate": "Advocate",
        "interpreter": "Interpreter"}
    assert table.rows[6].cells[0].percent == 20  # an advocate at 1 of the 5 reviews


def test_participation_codes(year):
    table = build_report(YEAR, Scope()).table("participation_codes")
    assert counts(table) == {"PN0": 1, "PN1": 2, "PN2": 0, "PN3": 0, "PN4": 0, "PN5": 1,
                             "PN6": 1, "PN7": 0, "none": 0}


def test_breakdowns_by_age_language_type_and_iro(year):
    report = build_report(YEAR, Scope(by_iro=True))
    by_age = report.table("by_age_band")
    # Ages on the day of the review: C1 15 (twice), C2 3, C3 8, C4 16.
    assert counts(by_age) == {"under_5": 1, "5_to_10": 1, "11_to_15": 2, "16_and_over": 1}
    assert {row.key: row.cells[2].count for row in by_age.rows} == {
        "under_5": 0, "5_to_10": 1, "11_to_15": 1, "16_and_over": 1}
    assert counts(report.table("by_language")) == {"ti": 2, "en_GB": 1, "ar": 1, "fa_AF": 1}
    assert counts(report.table("by_review_type")) == {"initial": 3, "second": 1,
                                                      "subsequent": 1}
    by_iro = report.table("by_iro")
    # R7 belongs to C4, a child of IRO B, but IRO A chaired it.
    assert {row.label: row.cells[0].count for row in by_iro.rows} == {"Imani A": 4, "Idris B": 1}


def test_one_iro_sees_the_reviews_they_chaired(year):
    report = build_report(YEAR, Scope(iro_id=year.iro_b.id))
    assert counts(report.table("reviews_by_type"))["all"] == 1
    assert report.table("by_iro") is None
    # IRO B's children C3 and C4 made three requests, two of them for an independent visitor
    # still waiting; the advocate request came through the public form, linked to no child.
    requests = report.table("requests")
    assert counts(requests)["independent_visitor"] == 2
    assert counts(requests)["advocate"] == 0


def test_requests_expressed_matched_waiting_and_median_time_to_acknowledge(year):
    table = build_report(YEAR, Scope()).table("requests")
    rows = {row.key: row.cells for row in table.rows}
    visitor = rows["independent_visitor"]
    assert [visitor[0].count, visitor[1].count, visitor[2].count] == [4, 1, 2]
    assert visitor[3].value == pytest.approx(24.0)  # 12, 24 and 48 hours
    assert rows["advocate"][0].count == 1 and rows["advocate"][3].value == pytest.approx(6.0)
    assert rows["all"][0].count == 5
    assert rows["all"][3].value == pytest.approx(18.0)  # 6, 12, 24, 48


def test_structured_answers_are_counted_by_audience(year):
    questionnaire, question = counted_question()
    report = build_report(YEAR, Scope())
    table = report.table(f"answers_child_{questionnaire.key}")
    cells = {row.key: row.cells[0] for row in table.rows}
    answered = cells[question.key]
    assert (answered.count, answered.denominator) == (3, 4)  # one child skipped it
    first = cells[f"{question.key}.{question.choices[0].value}"]
    second = cells[f"{question.key}.{question.choices[1].value}"]
    assert (first.count, first.denominator, second.count) == (2, 3, 1)


def test_only_consented_shareable_feedback_is_quoted_and_without_names(year):
    quotes = consented_quotes(YEAR)
    assert [(quote.who, quote.text) for quote in quotes] == [
        ("A child or young person", "My IRO listens to me")]


def test_an_empty_period_has_zeros_not_errors(year):
    report = build_report(Period.council_year(2030), Scope(by_iro=True))
    assert counts(report.table("reviews_by_type"))["all"] == 0
    assert report.table("views_by_role").rows[0].cells[4].percent is None
    assert report.table("requests").rows[0].cells[3].value is None


def test_the_rollup_follows_every_change_to_a_review(year):
    from consult.extensions import db
    from consult.models import AttendeeRole, ReviewAttendance, ReviewStatus

    build_report(YEAR, Scope())
    r4 = year.reviews["r4"]
    r4.attendance.append(ReviewAttendance(role=AttendeeRole.CHILD))
    year.reviews["r2"].status = ReviewStatus.CANCELLED
    year.children["c2"].date_of_birth = year.children["c2"].date_of_birth.replace(year=2009)
    db.session.commit()
    report = build_report(YEAR, Scope())
    assert counts(report.table("attendance_by_role"))["child"] == 3
    assert counts(report.table("reviews_by_type"))["all"] == 4
    assert counts(report.table("by_age_band"))["5_to_10"] == 2
    db.session.delete(year.reviews["r4"])  # the review with no invitations
    db.session.commit()
    assert counts(build_report(YEAR, Scope()).table("reviews_by_type"))["all"] == 3
