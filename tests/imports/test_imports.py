"""Imports from the case-management system: all or nothing, every error by line, idempotent."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from consult import care_periods, imports, meeting_record
from consult.extensions import db
from consult.models import (
    AttendeeRole,
    Child,
    ConsultedRole,
    ParticipationCode,
    Review,
    ReviewStatus,
    ReviewType,
    StaffRole,
    StaffUser,
    ViewsChannel,
)
from consult.schedule import REGULATIONS_2010
from tests import factories
from tests.html_checks import csrf_token

TODAY = date(2026, 11, 25)
CHILDREN_HEADER = ("case_ref,preferred_name,date_of_birth,language,looked_after_since,"
                   "ceased_on,iro_email,social_worker_email\n")
REVIEWS_HEADER = ("case_ref,review_date,status,review_type,attended,pn_code,"
                  "consulted_child,consulted_foster_carer,consulted_parent\n")


def _staff():
    factories.staff(StaffRole.IRO, email="iro@council.example")
    factories.staff(StaffRole.SOCIAL_WORKER, email="sw@council.example")


def _admin() -> StaffUser:
    return (db.session.scalar(select(StaffUser).where(StaffUser.role == StaffRole.ADMIN))
            or factories.staff(StaffRole.ADMIN, email="admin@council.example"))


def import_children(data: bytes, *, by=None):
    return imports.import_children(data, by=by or _admin(), path="test")


def import_reviews(data: bytes, *, by=None, **kwargs):
    return imports.import_reviews(data, by=by or _admin(), path="test", **kwargs)


def _children_file() -> bytes:
    return ("\ufeff" + CHILDREN_HEADER
            + "C-1,Amanuel,2010-03-02,ti,2025-12-10,,IRO@council.example,sw@council.example\n"
            + 'C-2,"Layla, Mae",2012-07-31,ar,2024-01-31,2026-06-01,iro@council.example,\n'
            ).encode()


def _reviews_file() -> bytes:
    return (REVIEWS_HEADER
            + "C-1,2026-01-09,held,,child;foster_carer;supervising_social_worker,PN1,"
              "online,paper,none\n"
            + "C-1,2026-04-02,held,,foster_carer,PN6,verbal,online,\n"
            + "C-1,2026-12-01,scheduled,,,,,,\n"
            + "C-2,2024-02-28,cancelled,initial,,,,,\n").encode()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_children_file_imports_and_a_second_time_changes_nothing(app):
    _staff()

    first = import_children(_children_file())
    second = import_children(_children_file())

    assert (first.created, first.updated, first.errors) == (2, 0, [])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    layla = db.session.scalar(select(Child).where(Child.case_ref == "C-2"))
    assert layla.preferred_name == "Layla, Mae" and layla.ceased_on == date(2026, 6, 1)
    assert layla.social_worker is None and layla.iro.email == "iro@council.example"
    assert _count(Child) == 2


def test_a_changed_row_updates_the_child_it_names(app):
    _staff()
    import_children(_children_file())

    changed = import_children(_children_file().replace(b"Amanuel", b"Aman"))

    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert db.session.scalar(select(Child.preferred_name).where(Child.case_ref == "C-1")) == "Aman"


def test_a_children_file_with_one_bad_row_of_each_kind_imports_nothing(app):
    _staff()
    bad = (CHILDREN_HEADER
           + "C-1,Amanuel,2010-03-02,ti,2025-12-10,,iro@council.example,\n"
           + "C-3,Bad date,2010-02-30,en_GB,2025-12-10,,iro@council.example,\n"
           + "C-4,Unknown language,2010-01-01,xx,2025-12-10,,iro@council.example,\n"
           + "C-5,Unknown IRO,2010-01-01,en_GB,2025-12-10,,nobody@council.example,\n"
           + "C-6,Unknown social worker,2010-01-01,en_GB,2025-12-10,,iro@council.example,"
             "iro@council.example\n"
           + "=HYPERLINK(\"x\"),Formula,2010-01-01,en_GB,2025-12-10,,iro@council.example,\n"
           + "C-7,+cmd,2010-01-01,en_GB,2025-12-10,,iro@council.example,\n"
           + "C-8,-2,2010-01-01,en_GB,2025-12-10,,iro@council.example,\n"
           + "C-9,@SUM(1),2010-01-01,en_GB,2025-12-10,,iro@council.example,\n"
           + "C-1,Twice,2010-03-02,ti,2025-12-10,,iro@council.example,\n"
           + "C-10,Too few cells,2010-03-02\n")

    result = import_children(bad.encode())

    assert _count(Child) == 0
    lines = sorted({error.line for error in result.errors})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    messages = " | ".join(str(error) for error in result.errors)
    assert "Line 3: date_of_birth '2010-02-30' is not a date" in messages
    assert "Line 4: language 'xx' is not one of" in messages
    assert "Line 5: iro_email 'nobody@council.example' is not an active IRO" in messages
    assert "Line 6: social_worker_email" in messages
    assert "Line 7: case_ref starts with '='" in messages
    assert "Line 8: preferred_name starts with '+'" in messages
    assert "Line 9: preferred_name starts with '-'" in messages
    assert "Line 10: preferred_name starts with '@'" in messages
    assert "Line 11: case_ref C-1 is also on line 2" in messages
    assert "Line 12: has 3 cells" in messages


def test_a_child_whose_dates_are_out_of_order_is_refused_as_the_child_form_refuses_it(app):
    _staff()
    result = import_children((
        CHILDREN_HEADER
        + "C-1,Amanuel,2010-03-02,ti,2025-12-10,,iro@council.example,\n"
        + "C-2,Before birth,2012-07-31,ar,2012-07-30,,iro@council.example,\n"
        + "C-3,Ceased first,2012-07-31,ar,2024-01-31,2024-01-30,iro@council.example,\n"
    ).encode())

    assert [str(error) for error in result.errors] == [
        "Line 3: " + care_periods.date_problems(
            date(2012, 7, 31), date(2012, 7, 30), None)["looked_after_since"],
        "Line 4: " + care_periods.date_problems(
            date(2012, 7, 31), date(2024, 1, 31), date(2024, 1, 30))["ceased_on"]]
    assert [str(error) for error in result.errors] == [
        "Line 3: Looked after since cannot be before the date of birth.",
        "Line 4: Ceased on cannot be before looked after since."]
    assert _count(Child) == 0


def test_a_file_with_the_wrong_header_or_encoding_is_refused_whole(app):
    _staff()
    wrong_header = import_children(b"case_ref,name\nC-1,Amanuel\n")
    latin1 = import_children((CHILDREN_HEADER + "C-1,Zo\xeb").encode("latin-1"))

    assert [e.line for e in wrong_header.errors] == [1, 1]
    assert "no column preferred_name" in str(wrong_header.errors[0])
    assert "not UTF-8" in str(latin1.errors[0])
    assert _count(Child) == 0


def test_a_good_reviews_file_fills_the_meeting_record_and_derives_types(app):
    _staff()
    import_children(_children_file())

    result = import_reviews(_reviews_file(), today=TODAY, timetable=REGULATIONS_2010)

    assert (result.created, result.errors) == (4, [])
    reviews = {review.meeting_date: review for review in db.session.scalars(select(Review))}
    first, second = reviews[date(2026, 1, 9)], reviews[date(2026, 4, 2)]
    assert first.review_type is ReviewType.INITIAL and first.due_on == date(2026, 1, 12)
    assert second.review_type is ReviewType.SECOND and second.due_on == date(2026, 4, 9)
    upcoming = reviews[date(2026, 12, 1)]
    assert upcoming.review_type is ReviewType.SUBSEQUENT
    assert upcoming.status is ReviewStatus.SCHEDULED and upcoming.due_on == date(2026, 10, 2)
    assert first.held_on == date(2026, 1, 9) and first.chair == first.child.iro
    assert first.participation_code is ParticipationCode.PN1
    assert {a.role.value for a in first.attendance} == {
        "child", "foster_carer", "supervising_social_worker"}
    assert {v.role: v.channel for v in first.views_received} == {
        ConsultedRole.CHILD: ViewsChannel.ONLINE, ConsultedRole.FOSTER_CARER: ViewsChannel.PAPER,
        ConsultedRole.PARENT_OR_FAMILY: ViewsChannel.NONE}
    assert reviews[date(2024, 2, 28)].status is ReviewStatus.CANCELLED


def test_a_pn_code_that_disagrees_with_attendance_is_refused_with_its_line(app):
    _staff()
    import_children(_children_file())
    db.session.commit()
    # The child is 15: PN1 to PN4 say the child attended, PN5 to PN7 that they did not.
    rows = (REVIEWS_HEADER
            + "C-1,2026-01-09,held,,child;foster_carer,PN1,online,,\n"
            + "C-1,2026-02-09,held,,foster_carer,PN2,,,\n"
            + "C-1,2026-03-09,held,,child,PN5,,,\n"
            + "C-1,2026-04-09,held,,,PN4,,,\n"
            + "C-1,2026-05-11,held,,child;foster_carer,PN7,,,\n")

    result = import_reviews(rows.encode(), today=TODAY, timetable=REGULATIONS_2010)

    assert [str(error) for error in result.errors] == [
        "Line 3: PN2 means the child attended: record the child as attending, "
        "or choose PN5, PN6 or PN7.",
        "Line 4: PN5 means the child did not attend, but the child is recorded as "
        "attending: choose PN1 to PN4.",
        "Line 5: PN4 means the child attended: record the child as attending, "
        "or choose PN5, PN6 or PN7.",
        "Line 6: PN7 means the child did not attend, but the child is recorded as "
        "attending: choose PN1 to PN4."]
    assert _count(Review) == 0


def test_the_import_and_the_meeting_record_refuse_a_review_for_the_same_reasons(app):
    _staff()
    import_children(_children_file())
    child = db.session.scalar(select(Child).where(Child.case_ref == "C-1"))
    cases = [  # (day, attended, code): each wrong in one way
        (date(2026, 2, 9), frozenset({AttendeeRole.FOSTER_CARER}), ParticipationCode.PN2),
        (date(2026, 3, 9), frozenset({AttendeeRole.CHILD}), ParticipationCode.PN5),
        (date(2026, 3, 10), frozenset(), ParticipationCode.PN0),
        (date(2026, 12, 24), frozenset({AttendeeRole.CHILD}), ParticipationCode.PN1),
        (date(2025, 12, 1), frozenset({AttendeeRole.CHILD}), ParticipationCode.PN1),
    ]
    rows = "".join(f"C-1,{day.isoformat()},held,,{';'.join(sorted(attended))},{code.value},,,\n"
                   for day, attended, code in cases)

    imported = import_reviews((REVIEWS_HEADER + rows).encode(), today=TODAY,
                              timetable=REGULATIONS_2010)

    with db.session.no_autoflush:  # the form's review is only checked, never saved
        review = Review(child=child, review_type=ReviewType.INITIAL, due_on=date(2026, 1, 12))
        from_the_form = [
            " ".join(meeting_record.problems(review, meeting_record.MeetingRecord(
                day, attended, code, {}), TODAY).values())
            for day, attended, code in cases]
    assert [error.message for error in imported.errors] == from_the_form
    assert all(from_the_form)


def test_the_same_reviews_file_twice_changes_nothing(app):
    _staff()
    import_children(_children_file())
    import_reviews(_reviews_file(), today=TODAY, timetable=REGULATIONS_2010)
    db.session.commit()

    again = import_reviews(_reviews_file(), today=TODAY, timetable=REGULATIONS_2010)

    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert _count(Review) == 4


def test_a_reviews_file_with_one_bad_row_of_each_kind_imports_nothing(app):
    _staff()
    import_children(_children_file())
    db.session.commit()
    bad = (REVIEWS_HEADER
           + "C-1,2026-01-09,held,,child,PN1,online,paper,none\n"
           + "NOPE,2026-01-09,held,,child,PN1,online,,\n"
           + "C-1,09/01/2026,held,,child,PN1,online,,\n"
           + "C-1,2026-02-01,postponed,,,,,,\n"
           + "C-1,2026-02-02,held,tertiary,,,,,\n"
           + "C-1,2026-02-03,held,,child;dog,,,,\n"
           + "C-1,2026-02-04,held,,child,PN9,,,\n"
           + "C-1,2026-02-05,held,,child,PN1,email,,\n"
           + "C-1,2026-02-06,held,,child,PN0,,,\n"
           + "C-1,2026-02-07,held,,child,PN1,=1+1,,\n"
           + "C-1,2026-12-24,held,,child,PN1,,,\n"
           + "C-1,2026-03-01,cancelled,,child,PN1,,,\n"
           + "C-1,2026-01-09,held,,child,PN1,online,paper,none\n")

    result = import_reviews(bad.encode(), today=TODAY, timetable=REGULATIONS_2010)

    assert _count(Review) == 0
    assert sorted({error.line for error in result.errors}) == list(range(3, 15))
    messages = " | ".join(str(error) for error in result.errors)
    for expected in (
        "Line 3: case_ref 'NOPE' is not a child we know",
        "Line 4: review_date '09/01/2026' is not a date",
        "Line 5: status 'postponed' is not one of",
        "Line 6: review_type 'tertiary' is not one of",
        "Line 7: attended names unknown roles: dog",
        "Line 8: pn_code 'PN9' is not one of",
        "Line 9: consulted_child 'email' is not one of",
        "Line 10: PN0 is only for a child under 4",
        "Line 11: consulted_child starts with '='",
        "Line 12: The date the review was held cannot be in the future",
        "Line 13: a cancelled review has no attendance",
        "Line 14: this review is also on line 2",
    ):
        assert expected in messages


def test_cli_imports_and_reports_errors_by_line(app, cli, tmp_path):
    _staff()
    db.session.commit()
    children = tmp_path / "children.csv"
    children.write_bytes(_children_file())
    bad = tmp_path / "bad.csv"
    bad.write_bytes((CHILDREN_HEADER + "C-1,Amanuel,2010-03-32,ti,2025-12-10,,x@y,\n").encode())

    as_admin = ["--as", _admin().email]
    db.session.commit()
    good = cli.invoke(args=["import-children", *as_admin, str(children)])
    again = cli.invoke(args=["import-children", *as_admin, str(children)])
    refused = cli.invoke(args=["import-children", *as_admin, str(bad)])

    assert good.exit_code == 0 and "2 new, 0 updated, 0 unchanged" in good.output
    assert "0 new, 0 updated, 2 unchanged" in again.output
    assert refused.exit_code == 1
    assert "Line 2: date_of_birth '2010-03-32' is not a date" in refused.output
    assert "Nothing was imported: 2 problem(s)" in refused.output
    reviews = tmp_path / "reviews.csv"
    reviews.write_bytes(_reviews_file().replace(b"2026-12-01", b"2099-12-01"))
    assert "4 new" in cli.invoke(args=["import-reviews", *as_admin, str(reviews)]).output


def test_the_import_page_lists_every_error_and_imports_a_good_file(client):
    import io

    admin = factories.staff(StaffRole.ADMIN)
    _staff()
    db.session.commit()
    factories.sign_in(client, admin)

    def upload(data: bytes, kind: str = "children"):
        return factories.post_form(client, "/staff/import", {
            "kind": kind, "csv_file": (io.BytesIO(data), "children.csv")})

    bad = upload((CHILDREN_HEADER + "C-1,=cmd(),2010-03-32,xx,2025-12-10,,x@y,\n").encode())
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Nothing was imported: 4 problems in the file" in html
    assert "Line 2: preferred_name starts with" in html
    assert _count(Child) == 0

    good = upload(_children_file())
    assert good.status_code == 200 and "2 new, 0 updated, 0 unchanged" in good.get_data(
        as_text=True)
    assert "0 new, 0 updated, 2 unchanged" in upload(_children_file()).get_data(as_text=True)
    assert "Choose a CSV file to import." in factories.post_form(
        client, "/staff/import", {"kind": "children"}).get_data(as_text=True)


def _admin_and_anothers_page(app):
    """An admin's browser, and a second browser of the same admin, for its forms' tokens."""
    admin = factories.staff(StaffRole.ADMIN)
    _staff()
    db.session.commit()
    mine, other = app.test_client(), app.test_client()
    factories.sign_in(mine, admin)
    factories.sign_in(other, admin)
    return mine, lambda page: csrf_token(other.get(page).get_data(as_text=True))


def _without_the_pages_own_token(foreign: str) -> tuple[dict[str, str], ...]:
    """No token, another browser's, and one made up."""
    return {}, {"csrf_token": foreign}, {"csrf_token": "x" * 40}


def test_the_import_form_refuses_a_missing_or_foreign_csrf_token_and_imports_nothing(app):
    """The scan's "CSRF token not properly checked" on POST /staff/import (docs/security.md)
    checked by hand: without the page's own token nothing is imported."""
    mine, token_of = _admin_and_anothers_page(app)
    for data in _without_the_pages_own_token(token_of("/staff/import")):
        refused = mine.post("/staff/import", data={
            "kind": "children", "csv_file": (io.BytesIO(_children_file()), "children.csv"),
            **data})
        assert refused.status_code == 400, data
        assert _count(Child) == 0
    accepted = factories.post_form(mine, "/staff/import", {
        "kind": "children", "csv_file": (io.BytesIO(_children_file()), "children.csv")})
    assert accepted.status_code == 200 and _count(Child) == 2


def test_the_903_upload_forms_refuse_a_missing_or_foreign_csrf_token(app):
    """The scan's "CSRF token not properly checked" on POST /staff/import/903 and
    /staff/reports/903/reconcile (docs/security.md) checked by hand: without the page's
    own token each is a 400 and nothing is imported."""
    mine, token_of = _admin_and_anothers_page(app)
    children = _count(Child)
    for page, url, upload in (
            ("/staff/import/903", "/staff/import/903", "files"),
            ("/staff/reports/903", "/staff/reports/903/reconcile", "reviews_file")):
        for data in _without_the_pages_own_token(token_of(page)):
            refused = mine.post(url, data={
                upload: (io.BytesIO(b"CHILD,SEX,DOB\n1,1,01/01/2010\n"), "file.csv"),
                "from": "2026-04-01", "to": "2027-03-31", **data})
            assert refused.status_code == 400, (url, data)
            assert _count(Child) == children
