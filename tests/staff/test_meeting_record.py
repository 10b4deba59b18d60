"""The meeting record that holds the review (issue 20, part 2): views by several channels,
the child's social worker, an advocate and an interpreter, the decisions ("agreed last time"
at the next review) and "you said, we did"; bad input keeps what was typed."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from consult import data_protection, meeting_record
from consult.extensions import db
from consult.figures.period import Period
from consult.figures.report import Scope, build_report
from consult.imports.ssda903.export import export_reviews
from consult.models import (
    AttendeeRole,
    ConsultedRole,
    InviteeRole,
    ReviewStatus,
    StaffRole,
    ViewsChannel,
)
from consult.staff.children import today as staff_today
from tests import factories
from tests.html_checks import check_page

NO_VIEWS = {"views_child": "none", "views_foster_carer": "none",
            "views_parent_or_family": "none"}


def _iro_child_review(days_ahead: int = -1):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro, name="Layla")
    review = factories.review(child, days_ahead=days_ahead)
    db.session.commit()
    return iro, child, review


def _record(client, review, data: dict):
    return factories.post_form(client, f"/staff/reviews/{review.id}/record", data)


def _text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _inputs(root, name: str) -> list:
    return [element for element in root.iter("input") if element.get("name") == name]


def _value(root, name: str) -> str | None:
    found = _inputs(root, name)
    return found[0].get("value") if found else None


def _checked(root, name: str) -> set[str]:
    return {element.get("value") for element in _inputs(root, name)
            if element.get("checked") is not None}


def _this_year() -> Period:
    return Period.council_year_containing(staff_today())


def test_channels_are_checkboxes_and_every_channel_ticked_is_saved_and_counted(client, app):
    iro, _child, review = _iro_child_review()
    invite, _token = factories.invitation(review, InviteeRole.CHILD, "Layla")
    db.session.commit()
    factories.send_answers(invite, {"attend_meeting": "yes"})
    factories.sign_in(client, iro)

    form = check_page(client.get(f"/staff/reviews/{review.id}/record").get_data(as_text=True))
    assert {element.get("type") for element in _inputs(form, "views_child")} == {"checkbox"}
    assert _checked(form, "views_child") == {"online"}  # sent through the link: suggested

    saved = _record(client, review, {
        "held_on": staff_today().isoformat(), "attended": ["foster_carer"],
        "participation_code": "PN6", "views_child": ["online", "verbal"],
        "views_foster_carer": ["paper", "verbal"], "views_parent_or_family": "none"})

    assert saved.status_code == 303
    db.session.expire_all()
    assert meeting_record.recorded_views(review) == {
        ConsultedRole.CHILD: {ViewsChannel.ONLINE, ViewsChannel.VERBAL},
        ConsultedRole.FOSTER_CARER: {ViewsChannel.PAPER, ViewsChannel.VERBAL},
        ConsultedRole.PARENT_OR_FAMILY: {ViewsChannel.NONE}}
    page = check_page(client.get(f"/staff/reviews/{review.id}").get_data(as_text=True))
    shown = {_text(row.find("dt")): _text(row.find("dd"))
             for row in page.iter("div") if row.find("dt") is not None}
    assert shown["Views of the child or young person"] == (
        "Online, through Have Your Say; Spoken, to the IRO or at the meeting")
    # Counted under each channel, and once by any channel.
    views = build_report(_this_year(), Scope(iro_id=iro.id)).table("views_by_role")
    by_role = {row.key: [cell.count for cell in row.cells] for row in views.rows}
    assert by_role["child"] == [1, 0, 1, 0, 1]
    assert by_role["foster_carer"] == [0, 1, 1, 0, 1]
    assert by_role["parent_or_family"] == [0, 0, 0, 0, 0]
    # The form offers what was recorded when it is opened again.
    again = check_page(client.get(f"/staff/reviews/{review.id}/record").get_data(as_text=True))
    assert _checked(again, "views_foster_carer") == {"paper", "verbal"}


def test_views_not_given_with_a_channel_is_refused_keeping_what_was_ticked(client, app):
    iro, _child, review = _iro_child_review()
    factories.sign_in(client, iro)

    refused = _record(client, review, {
        "held_on": staff_today().isoformat(), "attended": ["child", "foster_carer"],
        "participation_code": "PN1", "views_child": ["none", "verbal"],
        "views_foster_carer": "verbal", "views_parent_or_family": "none"})

    assert refused.status_code == 400
    page = check_page(refused.get_data(as_text=True))
    assert _text(page.find(".//*[@id='views_child-error']")) == (
        "Error: The child or young person's views cannot be both not given and given another "
        "way: untick one.")
    assert _checked(page, "views_child") == {"none", "verbal"}
    assert _checked(page, "attended") == {"child", "foster_carer"}
    db.session.expire_all()
    assert review.status is ReviewStatus.SCHEDULED


def test_the_new_attendees_are_saved_counted_in_the_figures_and_back_the_903_pn2(client, app):
    iro, child, review = _iro_child_review()
    factories.sign_in(client, iro)
    record = {"held_on": staff_today().isoformat(), "participation_code": "PN2", **NO_VIEWS}

    # PN2: an advocate spoke for the child. Without one recorded it is refused.
    refused = _record(client, review, {**record, "attended": ["child", "foster_carer"]})
    assert refused.status_code == 400
    assert _text(check_page(refused.get_data(as_text=True)).find(
        ".//*[@id='participation_code-error']")) == (
        "Error: PN2 means an advocate spoke for the child: tick an advocate under who "
        "attended, or the child's views coming through an advocate.")

    saved = _record(client, review, {**record, "attended": [
        "child", "foster_carer", "social_worker", "advocate", "interpreter"]})

    assert saved.status_code == 303
    db.session.expire_all()
    assert {row.role for row in review.attendance} == {
        AttendeeRole.CHILD, AttendeeRole.FOSTER_CARER, AttendeeRole.SOCIAL_WORKER,
        AttendeeRole.ADVOCATE, AttendeeRole.INTERPRETER}
    attendance = build_report(_this_year(), Scope(iro_id=iro.id)).table("attendance_by_role")
    assert {row.key: row.cells[0].count for row in attendance.rows} == {
        "child": 1, "foster_carer": 1, "parent_or_family": 0, "supervising_social_worker": 0,
        "partner_agency": 0, "social_worker": 1, "advocate": 1, "interpreter": 1}
    # The 903 Reviews table has no attendees: the advocate is there as the PN2 it backs.
    period = _this_year()
    rows = export_reviews(period.start, period.end).rows
    assert [(row.child, row.code) for row in rows] == [(child.case_ref, "PN2")]


def _decision(row: int, what: str, who: str, due_on: date, done_on: date | None = None):
    return {f"decision_{row}_what": what, f"decision_{row}_who": who,
            f"decision_{row}_due_on": due_on.isoformat(),
            f"decision_{row}_done_on": done_on.isoformat() if done_on else ""}


def test_decisions_recorded_at_one_review_show_on_the_next_as_agreed_last_time(client, app):
    iro, child, review = _iro_child_review(days_ahead=-30)
    today = staff_today()
    held_on = today - timedelta(days=30)
    factories.sign_in(client, iro)

    saved = _record(client, review, {
        "held_on": held_on.isoformat(), "attended": ["child"], "participation_code": "PN1",
        **NO_VIEWS, "decision_rows": "3",
        **_decision(0, "Arrange contact with her brother", "Sam, social worker",
                    today - timedelta(days=10)),
        **_decision(1, "Book a dentist appointment", "Grace, foster carer",
                    today + timedelta(days=20)),
        **_decision(2, "Hold the PEP meeting", "Designated teacher",
                    today - timedelta(days=20), done_on=today - timedelta(days=21))})
    assert saved.status_code == 303
    next_review = factories.review(child, days_ahead=20)
    db.session.commit()

    page = check_page(client.get(f"/staff/reviews/{next_review.id}").get_data(as_text=True))

    table = page.find(".//*[@id='agreed-table']")
    rows = [[_text(cell) for cell in row] for row in table.find("tbody")]
    assert rows == [
        ["Arrange contact with her brother", "Sam, social worker",
         _day(today - timedelta(days=10)), "Overdue"],
        ["Book a dentist appointment", "Grace, foster carer",
         _day(today + timedelta(days=20)), "Open"],
        ["Hold the PEP meeting", "Designated teacher", _day(today - timedelta(days=20)),
         f"Done on {_day(today - timedelta(days=21))}"]]
    overdue = table.find("tbody")[0].find(".//strong")
    assert overdue.get("class") == "tag tag--overdue"
    # The review they were made at: its next decision due is the earliest not done.
    held = check_page(client.get(f"/staff/reviews/{review.id}").get_data(as_text=True))
    shown = {_text(row.find("dt")): _text(row.find("dd"))
             for row in held.iter("div") if row.find("dt") is not None}
    assert shown["Next decision due"] == _long_day(today - timedelta(days=10))
    # What and who are encrypted at rest, and in the child's own data export.
    stored = db.session.execute(text("SELECT what, who FROM review_decisions")).all()
    assert stored and all("brother" not in what and "Sam" not in who for what, who in stored)
    exported = data_protection.child_export(child.id)
    held_export = next(entry for entry in exported["reviews"] if entry["status"] == "held")
    assert held_export["decisions"][0] == {
        "what": "Arrange contact with her brother", "who": "Sam, social worker",
        "due_on": (today - timedelta(days=10)).isoformat(), "done_on": None}


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def _long_day(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def test_add_another_and_remove_keep_everything_typed_and_save_nothing(client, app):
    iro, _child, review = _iro_child_review()
    factories.sign_in(client, iro)
    typed = {"held_on": "not a date", "attended": ["child"], "participation_code": "PN1",
             "views_child": ["verbal", "paper"], "decision_rows": "3",
             "decision_0_what": "First thing", "decision_0_who": "Sam",
             "decision_0_due_on": "2026-02-31",
             "decision_1_what": "Second thing", "decision_1_who": "Grace"}

    added = _record(client, review, {**typed, "add_decision": "1"})

    assert added.status_code == 200
    page = check_page(added.get_data(as_text=True))
    assert [element.get("id") for element in page.iter("fieldset")
            if element.get("id", "").startswith("decision-")] == [
        "decision-0", "decision-1", "decision-2", "decision-3"]
    assert _value(page, "decision_rows") == "4"
    assert _value(page, "held_on") == "not a date"
    assert _value(page, "decision_0_due_on") == "2026-02-31"
    assert _value(page, "decision_1_what") == "Second thing"
    assert _checked(page, "views_child") == {"verbal", "paper"}
    assert page.find(".//*[@class='error-summary']") is None  # nothing checked yet

    removed = _record(client, review, {**typed, "remove_decision": "0"})

    assert removed.status_code == 200
    page = check_page(removed.get_data(as_text=True))
    assert _value(page, "decision_rows") == "2"
    assert (_value(page, "decision_0_what"), _value(page, "decision_0_who")) == (
        "Second thing", "Grace")
    assert _value(page, "decision_1_what") in (None, "")
    db.session.expire_all()
    assert review.status is ReviewStatus.SCHEDULED and review.decisions == []


def _errors(page) -> dict[str, str]:
    return {element.get("id"): _text(element) for element in page.iter("p")
            if element.get("class") == "error-message"}


def test_a_half_typed_decision_is_refused_next_to_its_field_and_kept(client, app):
    iro, _child, review = _iro_child_review()
    factories.sign_in(client, iro)
    record = {"held_on": staff_today().isoformat(), "attended": ["child"],
              "participation_code": "PN1", **NO_VIEWS, "decision_rows": "3"}

    not_a_date = _record(client, review, {**record, "decision_2_due_on": "2026-02-31"})
    half_typed = _record(client, review, {**record, "decision_1_what": "Find a football club",
                                          "decision_2_what": "Visit the college",
                                          "decision_2_who": "Layla and Sam",
                                          "decision_2_due_on": (staff_today() - timedelta(
                                              days=1)).isoformat()})

    assert (not_a_date.status_code, half_typed.status_code) == (400, 400)
    page = check_page(not_a_date.get_data(as_text=True))
    assert _errors(page) == {"decision_2_due_on-error": (
        "Error: Enter date decision 3 is to be done by as a real date, for example "
        "2026-03-27.")}
    assert _value(page, "decision_2_due_on") == "2026-02-31"
    page = check_page(half_typed.get_data(as_text=True))
    assert _errors(page) == {
        "decision_1_who-error": "Error: Say who will do it.",
        "decision_1_due_on-error": "Error: Enter the date it is to be done by.",
        "decision_2_due_on-error": "Error: This date cannot be before the review was held."}
    assert _value(page, "decision_1_what") == "Find a football club"
    assert _value(page, "decision_2_who") == "Layla and Sam"
    db.session.expire_all()
    assert review.status is ReviewStatus.SCHEDULED and review.decisions == []


def test_you_said_we_did_answers_what_the_child_asked_and_is_encrypted(client, app):
    iro, _child, review = _iro_child_review()
    invite, _token = factories.invitation(review, InviteeRole.CHILD, "Layla")
    db.session.commit()
    factories.send_answers(invite, {"needs_to_change": "More time with my brother"})
    factories.sign_in(client, iro)

    form = check_page(client.get(f"/staff/reviews/{review.id}/record").get_data(as_text=True))
    section = _text(form.find(".//*[@class='wish']"))
    assert "You said: More time with my brother" in section
    saved = _record(client, review, {
        "held_on": staff_today().isoformat(), "attended": ["child"], "participation_code": "PN1",
        "views_child": "online", "views_foster_carer": "none",
        "views_parent_or_family": "none",
        "we_did_needs_to_change": "Contact with your brother every fortnight from March"})

    assert saved.status_code == 303
    db.session.expire_all()
    assert [(row.question_key, row.answer) for row in review.wish_answers] == [
        ("needs_to_change", "Contact with your brother every fortnight from March")]
    stored = db.session.execute(text("SELECT answer FROM review_wish_answers")).scalar_one()
    assert "brother" not in stored
    again = check_page(client.get(f"/staff/reviews/{review.id}/record").get_data(as_text=True))
    answer = again.find(".//textarea[@name='we_did_needs_to_change']")
    assert answer.text.strip() == "Contact with your brother every fortnight from March"
