"""import-903: the generated files import whole, a second time change nothing, a later
year updates what changed; every problem by file, line and column."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.imports.ssda903.apply import import_903
from consult.models import (
    CarePeriod,
    Child,
    ParticipationCode,
    RecordSource,
    Review,
    ReviewStatus,
    ReviewType,
    StaffRole,
)
from consult.schedule import REGULATIONS_2010
from tests import factories
from tests.ssda903.conftest import TODAY, write, year_files


def _import(files, by, today=TODAY):
    return import_903(files, by=by, today=today, timetable=REGULATIONS_2010)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _state():
    """Everything the import writes, as plain values."""
    children = {c.case_ref: (c.preferred_name, c.preferred_language, c.date_of_birth,
                             c.looked_after_since, c.ceased_on, c.iro.email,
                             c.social_worker.email if c.social_worker else None)
                for c in db.session.scalars(select(Child))}
    periods = sorted((p.child.case_ref, p.started_on, p.ended_on, p.end_reason,
                      p.short_breaks_only) for p in db.session.scalars(select(CarePeriod)))
    reviews = sorted((r.child.case_ref, r.held_on, r.review_type.value, r.due_on,
                      r.participation_code.value, r.record_source.value)
                     for r in db.session.scalars(select(Review)))
    return children, periods, reviews


def test_both_years_import_and_again_change_nothing(generated, council):
    first = _import(year_files(generated, 0), council)
    assert first.errors == [] and first.notices == []
    db.session.commit()
    second = _import(year_files(generated, 1), council)
    assert second.errors == []
    db.session.commit()
    before = _state()

    again = [_import(year_files(generated, index), council) for index in (0, 1)]

    assert [(r.created, r.updated, r.errors) for r in again] == [(0, 0, []), (0, 0, [])]
    db.session.commit()
    assert _state() == before


def test_what_was_imported_is_what_the_generator_made(generated, council):
    for index in (0, 1):
        assert _import(year_files(generated, index), council).errors == []
    db.session.commit()
    children, periods, reviews = _state()

    truth = generated.children
    assert set(children) == {child.child_id for child in truth}
    assert periods == sorted(
        (child.child_id, period.started_on, period.ended_on, period.end_reason,
         period.short_breaks) for child in truth for period in child.periods
        if period.ended_on is None or period.ended_on <= date(2025, 3, 31))
    assert [(ref, held, kind, code) for ref, held, kind, _due, code, _source in reviews] == sorted(
        (child.child_id, review.held_on, review.review_type, review.code)
        for child in truth for review in child.reviews)
    assert {source for *_rest, source in reviews} == {"import"}
    for child in truth:
        name, language, born, since, ceased, iro, _sw = children[child.child_id]
        assert (name, language, born, iro) == (child.name, child.language, child.born,
                                              child.iro_email)
        assert (since, ceased) == (child.periods[-1].started_on, child.periods[-1].ended_on)


def test_a_child_who_came_back_into_care_has_an_initial_review_in_each_period(generated,
                                                                            council):
    for index in (0, 1):
        _import(year_files(generated, index), council)
    twice = [c for c in generated.children if len(c.periods) > 1 and all(
        p.reviews for p in c.periods)]
    assert twice, "the generator makes children who come back into care"
    for true_child in twice:
        child = db.session.scalar(select(Child).where(Child.case_ref == true_child.child_id))
        initial = [r for r in child.reviews if r.review_type is ReviewType.INITIAL]
        assert [r.held_on for r in initial] == [p.reviews[0].held_on for p in true_child.periods]


def test_the_xml_form_imports_the_same_as_the_csv_tables(generated, council):
    assert _import(year_files(generated, 0, xml=True), council).errors == []
    db.session.commit()
    from_xml = _state()

    again = _import(year_files(generated, 0), council)

    assert (again.created, again.updated, again.errors) == (0, 0, [])
    assert _state() == from_xml


def test_a_meeting_record_the_iro_typed_is_kept_and_the_difference_reported(generated,
                                                                           council):
    _import(year_files(generated, 0), council)
    review = db.session.scalars(select(Review).where(
        Review.participation_code == ParticipationCode.PN5)).first()
    review.record_source = RecordSource.STAFF
    review.participation_code = ParticipationCode.PN6
    db.session.commit()

    again = _import(year_files(generated, 0), council)

    assert again.errors == [] and again.updated == 0
    assert again.notices == [
        f"CHILD {review.child.case_ref}, review of {review.held_on:%d/%m/%Y}: the IRO recorded "
        "PN6, the 903 file says PN5; kept as the IRO recorded it."]
    assert review.participation_code is ParticipationCode.PN6


def test_imported_reviews_leave_attendance_and_views_unrecorded(generated, council):
    _import(year_files(generated, 0), council)

    assert _count(Review) > 0
    for review in db.session.scalars(select(Review)):
        assert review.status is ReviewStatus.HELD
        assert review.attendance == [] and review.views_received == []


def _replace(files, table_file, old, new):
    return [(name, data.replace(old.encode(), new.encode(), 1) if name == table_file else data)
            for name, data in files]


def test_every_problem_is_named_by_file_line_and_column_and_nothing_is_imported(generated,
                                                                              council):
    files = year_files(generated, 0)
    reviews = generated.years[0].tables["Reviews"].split("\r\n")
    episodes = generated.years[0].tables["Episodes"].split("\r\n")
    bad_review = reviews[1].rsplit(",", 1)[0] + ",PN9"
    formula_episode = episodes[1].replace(",S,", ",=S,", 1)
    files = _replace(files, "reviews_2023.csv", reviews[1], bad_review)
    files = _replace(files, "episodes_2023.csv", episodes[1], formula_episode)
    files = _replace(files, "supplement.csv", "iro.one@council.example",
                     "nobody@council.example")
    files = _replace(files, "header_2023.csv", "/", "-")

    result = _import(files, council)

    messages = [str(error) for error in result.errors]
    assert "reviews_2023.csv: line 2: REVIEW_CODE 'PN9' is not one of PN0, PN1, PN2, PN3, " \
           "PN4, PN5, PN6, PN7." in messages
    assert ("episodes_2023.csv: line 2: RNE starts with '=', which a spreadsheet would run "
            "as a formula. Remove it.") in messages
    assert ("supplement.csv: line 2: iro_email 'nobody@council.example' is not an active "
            "IRO's account.") in messages
    assert any(m.startswith("header_2023.csv: line 2: DOB '") and "DD/MM/YYYY" in m
               for m in messages)
    db.session.rollback()
    assert _count(Child) == _count(Review) == 0


def test_a_later_year_alone_needs_the_earlier_one_for_a_period_it_continues(generated,
                                                                          council):
    result = _import(year_files(generated, 1), council)

    assert any("import the earlier year's files first" in str(error)
               for error in result.errors)


@pytest.mark.parametrize("role", [StaffRole.IRO, StaffRole.MANAGER])
def test_only_an_administrator_imports_903_files_for_now(generated, council, role):
    result = _import(year_files(generated, 0), factories.staff(role))

    assert "Only an administrator may import 903 files." in [e.message for e in result.errors]


def test_the_command_imports_the_files_given_in_any_order(generated, council, cli, tmp_path):
    paths = write(tmp_path, year_files(generated, 0))

    done = cli.invoke(args=["import-903", *reversed(paths), "--by", "admin@council.example"])
    again = cli.invoke(args=["import-903", *paths, "--by", "admin@council.example"])

    assert done.exit_code == 0, done.output
    children = generated.years[0].tables["Header"].count("\r\n") - 1
    reviews = len(generated.reviews_in(2023))
    assert done.output == (f"Imported children: {children} new, 0 updated, 0 unchanged; "
                           f"reviews: {reviews} new, 0 updated, 0 unchanged.\n")
    assert again.exit_code == 0 and "0 new, 0 updated" in again.output


def test_the_staff_import_page_takes_the_903_files_and_lists_problems(generated, council,
                                                                      client):
    import io

    from tests.html_checks import parse

    db.session.commit()
    factories.sign_in(client, council)

    def upload(files):
        return factories.post_form(client, "/staff/import/903", {
            "files": [(io.BytesIO(data), name) for name, data in files]})

    files = year_files(generated, 0)
    bad = upload(_replace(files, "reviews_2023.csv", ",PN", ",XX"))
    good = upload(files)
    again = upload(files)
    nothing = factories.post_form(client, "/staff/import/903", {})

    assert bad.status_code == 400
    problems = [item.text for item in parse(bad.get_data(as_text=True)).iter()
                if item.get("href") == "#files"]
    assert problems[0].startswith("reviews_2023.csv: line 2: REVIEW_CODE 'XX0' is not one of")
    children = generated.years[0].tables["Header"].count("\r\n") - 1
    assert good.status_code == 200
    assert (f"Children: {children} new, 0 updated, 0 unchanged."
            in good.get_data(as_text=True))
    assert f"Children: 0 new, 0 updated, {children} unchanged." in again.get_data(as_text=True)
    assert nothing.status_code == 400
    assert "Choose the 903 files to import." in nothing.get_data(as_text=True)


def test_only_an_administrator_has_the_903_import_page(council, client):
    iro = factories.staff(StaffRole.IRO)
    db.session.commit()
    factories.sign_in(client, iro)

    assert client.get("/staff/import/903").status_code in (403, 404)


def test_a_period_begun_before_the_files_year_is_imported_with_a_notice(generated, council):
    files = year_files(generated, 0)
    true_child = next(c for c in generated.children if len(c.periods) == 1
                      and len(c.periods[0].reviews) >= 2 and not c.periods[0].short_breaks)
    started = true_child.periods[0].started_on
    earlier = started.replace(year=started.year - 2)
    files = _replace(files, "episodes_2023.csv", f"{true_child.child_id},{started:%d/%m/%Y}",
                     f"{true_child.child_id},{earlier:%d/%m/%Y}")

    result = _import(files, council)

    assert result.errors == []
    assert result.notices == [
        f"CHILD {true_child.child_id}: the period of care that began on {earlier:%d/%m/%Y} "
        "began before these files' year, and none of its earlier reviews is held here: its "
        "reviews are numbered from the first one in these files. Import the earlier years' "
        "files for exact review types."]


def test_every_allocation_the_import_makes_is_audited_once(generated, council):
    """New children join their IRO's caseload with an allocation event each (from nobody),
    and importing the same files again allocates nobody."""
    from consult import allocation
    from consult.models import AuditEvent

    def allocated() -> int:
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == allocation.ACTION))

    _import(year_files(generated, 0), council)
    db.session.commit()
    assert allocated() == _count(Child) > 0
    _import(year_files(generated, 0), council)
    db.session.commit()
    assert allocated() == _count(Child)


def test_a_supplement_that_moves_a_child_reallocates_and_audits_only_that_child(
        generated, council):
    """The import writes a changed child by a bulk statement: the child's IRO changes in
    the database, and the allocation event says from whom to whom."""
    from consult import allocation
    from consult.models import AuditEvent, StaffUser

    _import(year_files(generated, 0), council)
    db.session.commit()
    first = generated.supplement.decode().splitlines()[1].split(",")
    moved = first[0]
    assert first[3] == "iro.one@council.example"
    files = [(name, data.replace(f"{moved},{first[1]},{first[2]},iro.one@".encode(),
                                 f"{moved},{first[1]},{first[2]},iro.two@".encode()))
             for name, data in year_files(generated, 0)]
    events_before = db.session.scalar(select(func.max(AuditEvent.id)))

    result = _import(files, council)
    db.session.commit()
    db.session.expire_all()

    assert result.errors == [] and result.children.updated == 1
    iros = {user.email: user.id for user in db.session.scalars(select(StaffUser))}
    child = db.session.scalar(select(Child).where(Child.case_ref == moved))
    assert child.iro_id == iros["iro.two@council.example"]
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == allocation.ACTION, AuditEvent.id > events_before)))
    assert [(event.subject_id, event.details["iro_from"], event.details["iro_to"])
            for event in events] == [(child.id, iros["iro.one@council.example"],
                                      iros["iro.two@council.example"])]


def test_the_903_import_costs_the_same_statements_for_ten_times_the_children(council):
    """Linear (issue 22 part 6): the statements do not grow with the children in the files,
    for a first year, the same year again (unchanged) and the next year (periods ended and
    begun, reviews added)."""
    from tests.ssda903.generator import generate
    from tests.staff.test_query_budget import counted_statements

    def files(generated, index: int) -> list[tuple[str, bytes]]:
        """The year's files, with the supplement rows of that year's children only."""
        header = generated.years[index].tables["Header"].splitlines()[1:]
        in_year = {line.split(",")[0] for line in header}
        supplement = generated.supplement.decode().splitlines(keepends=True)
        return year_files(generated, index, supplement=False) + [
            ("supplement.csv", "".join(supplement[:1] + [
                line for line in supplement[1:] if line.split(",")[0] in in_year]).encode()),
            ("social_workers.csv", generated.social_workers)]

    def statements(children: int) -> list[int]:
        generated = generate(children=children)
        counts = []
        for index in (0, 0, 1):
            db.session.commit()
            with counted_statements() as seen:
                result = _import(files(generated, index), council)
            assert result.errors == []
            counts.append(len(seen))
        assert result.reviews.created and result.children.updated
        for table in ("reviews", "care_periods", "children"):
            db.session.execute(db.metadata.tables[table].delete())
        db.session.commit()
        return counts

    assert statements(400) == statements(40)  # 40: the fewest with a child new in the second year
