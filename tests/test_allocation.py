"""Allocation is a privilege: one rule (`allocation.refusal`) on the staff pages, the
imports on the page and the command line; every change audited and listed for admins."""

from __future__ import annotations

import io
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from consult import allocation, care_periods
from consult.allocation import Refusal
from consult.extensions import db
from consult.imports import import_children, import_reviews
from consult.models import AuditEvent, Child, ReviewStatus, StaffRole
from consult.schedule import REGULATIONS_2010
from tests import factories
from tests.html_checks import parse
from tests.imports.test_imports import CHILDREN_HEADER, REVIEWS_HEADER, TODAY


@pytest.fixture
def people(app):
    return {
        "admin": factories.staff(StaffRole.ADMIN, name="Ada Admin"),
        "mine": factories.staff(StaffRole.IRO, name="Mo Mine", email="mine@council.example"),
        "theirs": factories.staff(StaffRole.IRO, name="Tess Theirs",
                                  email="theirs@council.example"),
        "sw": factories.staff(StaffRole.SOCIAL_WORKER, name="Sam Social",
                              email="sw@council.example"),
        "sw2": factories.staff(StaffRole.SOCIAL_WORKER, name="Sol Other",
                               email="sw2@council.example"),
        "manager": factories.staff(StaffRole.MANAGER),
    }


def test_the_rule(people):
    admin, mine, theirs, sw, sw2 = (people[name] for name in ("admin", "mine", "theirs", "sw",
                                                              "sw2"))
    my_child = factories.child(mine, sw)
    their_child = factories.child(theirs, sw)

    def refused(by, child, iro, social_worker):
        return allocation.refusal(by, child, iro_id=iro.id if iro else None,
                                  social_worker_id=social_worker.id if social_worker else None)

    # An administrator allocates anything.
    assert refused(admin, None, theirs, sw) is None
    assert refused(admin, my_child, theirs, sw2) is None
    # An IRO creates children on their own caseload, with any social worker, ...
    assert refused(mine, None, mine, sw2) is None
    assert refused(mine, None, theirs, None) is Refusal.ANOTHER_CASELOAD
    # ... updates their own children as allocated, and never moves one.
    assert refused(mine, my_child, mine, sw) is None
    assert refused(mine, my_child, theirs, sw) is Refusal.REALLOCATION
    assert refused(mine, my_child, mine, sw2) is Refusal.REALLOCATION
    assert refused(mine, my_child, mine, None) is Refusal.REALLOCATION
    # Another IRO's child is refused first, whatever the write, so nothing more is told.
    for iro in (mine, theirs):
        assert refused(mine, their_child, iro, sw) is Refusal.NOT_YOUR_CHILD
    # Social workers and managers allocate nothing and write no child.
    for person in (sw, people["manager"]):
        assert refused(person, my_child, mine, sw) is Refusal.NOT_YOUR_CHILD
        assert refused(person, None, mine, sw) is Refusal.ANOTHER_CASELOAD
    for reason in Refusal:
        assert "Tess" not in reason.message and "theirs" not in reason.message


def _row(case_ref: str, iro: str, social_worker: str = "", name: str = "Amanuel") -> str:
    return f"{case_ref},{name},2010-03-02,ti,2025-12-10,,{iro},{social_worker}\n"


def _children(*rows: str) -> bytes:
    return (CHILDREN_HEADER + "".join(rows)).encode()


def _allocations() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == allocation.ACTION).order_by(AuditEvent.id)))


def test_an_iros_import_creates_and_updates_only_their_own_children(people):
    mine = people["mine"]
    their_child = factories.child(people["theirs"], name="Theirs")
    db.session.commit()

    ok = import_children(_children(_row("C-1", mine.email, "sw@council.example")),
                         by=mine, path="test")
    db.session.commit()
    renamed = import_children(_children(_row("C-1", mine.email, "sw@council.example",
                                             name="Aman")), by=mine, path="test")
    db.session.commit()
    assert (ok.created, renamed.updated) == (1, 1)

    refused = import_children(_children(
        _row("C-2", "theirs@council.example"),
        _row("C-1", "theirs@council.example", "sw@council.example"),
        _row("C-3", mine.email),
        _row(their_child.case_ref, mine.email),
    ), by=mine, path="test")
    db.session.rollback()

    messages = [str(error) for error in refused.errors]
    assert messages == [
        "Line 2: " + Refusal.ANOTHER_CASELOAD.message,
        "Line 3: " + Refusal.REALLOCATION.message,
        f"Line 5: case_ref {their_child.case_ref} " + Refusal.NOT_YOUR_CHILD.message,
    ]
    assert refused.refused == 3
    assert not any("Tess" in message or "Theirs" in message for message in messages)
    db.session.refresh(their_child)
    assert their_child.iro == people["theirs"]
    assert db.session.scalar(select(func.count()).select_from(Child)) == 2


def test_an_iros_reviews_import_touches_only_their_own_childrens_reviews(people):
    mine, theirs = people["mine"], people["theirs"]
    my_child = factories.child(mine, name="Mine")
    their_child = factories.child(theirs, name="Theirs")
    theirs_booked = factories.review(their_child)
    my_child.looked_after_since = date(2025, 1, 1)
    care_periods.sync_current_period(my_child)  # its period of care starts then too
    db.session.commit()
    booked_on = theirs_booked.meeting_date.isoformat()

    refused = import_reviews((
        REVIEWS_HEADER
        + f"{my_child.case_ref},2026-01-09,held,,child,PN1,online,,\n"
        + f"{their_child.case_ref},{booked_on},cancelled,,,,,,\n"
        + f"NOBODY-1,{booked_on},cancelled,,,,,,\n").encode(),
        today=TODAY, timetable=REGULATIONS_2010, by=mine, path="test")
    db.session.rollback()

    # A child on another caseload and a child on none read the same to an IRO.
    assert [str(error) for error in refused.errors] == [
        f"Line 3: case_ref '{their_child.case_ref}' " + Refusal.NOT_YOUR_CHILD.message,
        "Line 4: case_ref 'NOBODY-1' " + Refusal.NOT_YOUR_CHILD.message,
    ]
    db.session.refresh(theirs_booked)
    assert theirs_booked.status is ReviewStatus.SCHEDULED

    done = import_reviews(
        (REVIEWS_HEADER + f"{my_child.case_ref},2026-01-09,held,,child,PN1,online,,\n").encode(),
        today=TODAY, timetable=REGULATIONS_2010, by=mine, path="test")
    assert (done.created, done.errors) == (1, [])


def test_every_allocation_change_is_audited_with_from_to_by_and_path(people, client):
    admin, mine, theirs, sw = (people[name] for name in ("admin", "mine", "theirs", "sw"))
    import_children(_children(_row("C-1", mine.email)), by=mine, path="staff.import_file")
    db.session.commit()
    child = db.session.scalar(select(Child).where(Child.case_ref == "C-1"))
    import_children(_children(_row("C-1", theirs.email, sw.email)), by=admin,
                    path="cli:import-children")
    import_children(_children(_row("C-1", theirs.email, sw.email, name="Renamed")), by=admin,
                    path="cli:import-children")
    db.session.commit()

    assert [(event.actor_staff_id, event.subject_id, event.details)
            for event in _allocations()] == [
        (mine.id, child.id, {"iro_from": None, "iro_to": mine.id, "social_worker_from": None,
                             "social_worker_to": None, "path": "staff.import_file"}),
        (admin.id, child.id, {"iro_from": mine.id, "iro_to": theirs.id,
                              "social_worker_from": None, "social_worker_to": sw.id,
                              "path": "cli:import-children"}),
    ]

    factories.sign_in(client, admin)
    page = parse(client.get("/staff/admin/allocations").get_data(as_text=True))
    rows = [[" ".join("".join(cell.itertext()).split()) for cell in row]
            for row in page.iter("tr")][1:]
    assert [row[1:] for row in rows] == [
        ["C-1", "Mo Mine → Tess Theirs", "none → Sam Social", "Ada Admin",
         "cli:import-children"],
        ["C-1", "none → Mo Mine", "none → none", "Mo Mine", "staff.import_file"],
    ]
    for person in (mine, sw, people["manager"]):
        browser = client.application.test_client()
        factories.sign_in(browser, person)
        assert browser.get("/staff/admin/allocations").status_code == 404


def _child_form(child: Child | None = None, **changes) -> dict[str, str]:
    fields = {"case_ref": "NEW-1", "preferred_name": "Layla", "date_of_birth": "2012-07-31",
              "preferred_language": "ar", "looked_after_since": "2024-01-31", "ceased_on": ""}
    if child is not None:
        fields.update(case_ref=child.case_ref, preferred_name=child.preferred_name,
                      date_of_birth=child.date_of_birth.isoformat(),
                      preferred_language=child.preferred_language,
                      looked_after_since=child.looked_after_since.isoformat())
    return {**fields, **changes}


def test_the_child_form_never_tells_an_iro_that_someone_elses_case_ref_exists(people, client):
    mine = people["mine"]
    their_child = factories.child(people["theirs"], name="Theirs")
    my_child = factories.child(mine, name="Mine")
    db.session.commit()
    factories.sign_in(client, mine)

    clash = factories.post_form(client, "/staff/children/new", _child_form(
        case_ref=their_child.case_ref, iro_id=str(mine.id), social_worker_id="0"))
    html = clash.get_data(as_text=True)
    assert clash.status_code == 400
    assert "already has" not in html and "Tess" not in html and "Theirs" not in html
    assert "This case reference " + Refusal.NOT_YOUR_CHILD.message in unescape(html)
    # Their own child's reference may be named as taken: they can see that child.
    own = factories.post_form(client, "/staff/children/new", _child_form(
        case_ref=my_child.case_ref, iro_id=str(mine.id), social_worker_id="0"))
    assert "Another child already has this case reference." in own.get_data(as_text=True)
    renamed = factories.post_form(
        client, f"/staff/children/{my_child.id}/edit",
        _child_form(my_child, case_ref=their_child.case_ref))
    assert "already has" not in renamed.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "child.case_ref_refused")) == 2


def test_an_iro_adds_children_to_their_own_caseload_and_moves_none(people, client):
    mine, theirs, sw = people["mine"], people["theirs"], people["sw"]
    my_child = factories.child(mine, name="Mine")
    db.session.commit()
    factories.sign_in(client, mine)

    offered = parse(client.get("/staff/children/new").get_data(as_text=True))
    iro_options = [option.get("value") for option in offered.iterfind(
        ".//select[@name='iro_id']/"
        "option")]
    assert iro_options == [str(mine.id)]
    for_them = factories.post_form(client, "/staff/children/new", _child_form(
        iro_id=str(theirs.id), social_worker_id="0"))
    assert for_them.status_code == 400
    created = factories.post_form(client, "/staff/children/new", _child_form(
        iro_id=str(mine.id), social_worker_id=str(sw.id)))
    assert created.status_code == 303

    edit_page = parse(client.get(f"/staff/children/{my_child.id}/edit").get_data(as_text=True))
    assert not edit_page.findall(".//select[@name='iro_id']")
    moved = factories.post_form(client, f"/staff/children/{my_child.id}/edit", _child_form(
        my_child, preferred_name="Renamed", iro_id=str(theirs.id), social_worker_id=str(sw.id)))
    assert moved.status_code == 303
    db.session.expire_all()
    assert (my_child.preferred_name, my_child.iro_id, my_child.social_worker_id) == (
        "Renamed", mine.id, None)
    layla = db.session.scalar(select(Child).where(Child.case_ref == "NEW-1"))
    assert [(event.subject_id, event.details["path"]) for event in _allocations()] == [
        (layla.id, "staff.new_child")]


def test_an_admin_allocates_on_the_form_and_it_is_audited(people, client):
    admin, mine, theirs, sw = (people[name] for name in ("admin", "mine", "theirs", "sw"))
    child = factories.child(mine, name="Mine")
    db.session.commit()
    factories.sign_in(client, admin)

    moved = factories.post_form(client, f"/staff/children/{child.id}/edit", _child_form(
        child, iro_id=str(theirs.id), social_worker_id=str(sw.id)))

    assert moved.status_code == 303
    [event] = _allocations()
    assert (event.actor_staff_id, event.details) == (admin.id, {
        "iro_from": mine.id, "iro_to": theirs.id, "social_worker_from": None,
        "social_worker_to": sw.id, "path": "staff.edit_child"})


def test_the_import_commands_run_as_a_named_account_held_to_its_rules(people, cli, tmp_path):
    mine = people["mine"]
    their_child = factories.child(people["theirs"], name="Theirs")
    db.session.commit()
    file = tmp_path / "children.csv"
    file.write_bytes(_children(_row(their_child.case_ref, mine.email)))

    unnamed = cli.invoke(args=["import-children", str(file)])
    nobody = cli.invoke(args=["import-children", "--as", "nobody@council.example", str(file)])
    social_worker = cli.invoke(args=["import-children", "--as", "sw@council.example", str(file)])
    as_iro = cli.invoke(args=["import-children", "--as", "MINE@council.example", str(file)])

    assert unnamed.exit_code == 2 and "--as" in unnamed.output
    for refused in (nobody, social_worker):
        assert refused.exit_code == 2
        assert "not an active administrator's or IRO's account" in refused.output
    assert as_iro.exit_code == 1
    assert f"Line 2: case_ref {their_child.case_ref} is not a child on your caseload" in (
        as_iro.output)
    db.session.expire_all()
    assert their_child.iro == people["theirs"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.refused"))
    assert (event.actor_staff_id, event.details) == (mine.id, {
        "kind": "children", "problems": 1, "refused_rows": 1, "path": "cli:import-children"})

    file.write_bytes(_children(_row("C-NEW", mine.email)))
    assert "1 new" in cli.invoke(args=["import-children", "--as", mine.email, str(file)]).output
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.children"))
    assert created.actor_staff_id == mine.id


def test_the_import_page_tells_an_iro_what_they_may_import(people, client):
    factories.sign_in(client, people["mine"])
    html = client.get("/staff/import").get_data(as_text=True)
    assert "an administrator allocates children" in html
    data = _children(_row("C-1", "theirs@council.example"))
    upload = factories.post_form(client, "/staff/import", {
        "kind": "children", "csv_file": (io.BytesIO(data), "c.csv")})
    assert upload.status_code == 400
    assert Refusal.ANOTHER_CASELOAD.message in unescape(upload.get_data(as_text=True))
