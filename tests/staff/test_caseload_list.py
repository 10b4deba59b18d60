"""The caseload list with 60 children: search, filters and their counts, sort, pages, and the
same statements for 2 children as for 60 (issue 20).

Which children each filter should show is worked out here from `schedule_of`, the rule the
flags on each row come from, so the SQL that picks them is held to the same rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consult import care_periods, caseload_dates, caseload_query, schedule
from consult.caseload import schedule_of
from consult.caseload_query import CaseloadQuery, Show, Sort
from consult.extensions import db
from consult.models import Child, ReviewStatus, StaffRole
from consult.schedule import ScheduleFlag
from tests import factories
from tests.html_checks import parse, text_of
from tests.staff.test_query_budget import counted_statements

KINDS = ("on_track", "overdue", "due_soon", "not_sent", "no_date", "new")


def _kind(number: int) -> str:
    return KINDS[number % len(KINDS)]


def _child_of_kind(iro, social_worker, number: int) -> Child:
    """Child `number` (named "Child 07" and so on): its kind by number, its dates spread."""
    today = date.today()
    child = factories.child(iro, social_worker, name=f"Child {number:02d}")
    kind = _kind(number)
    if kind == "on_track":
        factories.review(child, days_ahead=40 + number)
    elif kind == "overdue":  # booked, but its due date (and meeting) went by
        factories.review(child, days_ahead=-1 - number % 7)
    elif kind == "due_soon":
        factories.review(child, days_ahead=3 + number % 9)
    elif kind == "not_sent":  # held 60 days ago, decisions and record never sent
        held = factories.review(child, days_ahead=-60)
        held.status, held.held_on = ReviewStatus.HELD, held.due_on
        if number % 12 != 3:  # else the second review is not booked: due 3 months after
            factories.review(child, days_ahead=80 + number)
    elif kind == "no_date":  # booked with no meeting date
        factories.review(child, days_ahead=60 + number).scheduled_for = None
    else:  # new in care, nothing booked: the initial review is due in 20 working days
        child.looked_after_since = today - timedelta(days=number % 7)
        care_periods.sync_current_period(child)
    return child


def _caseload(size: int = 60):
    """An IRO with `size` children of every kind, sharing one social worker; children 0,
    12 and 24 said they do not feel safe (an open concern)."""
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    children = [_child_of_kind(iro, social_worker, number) for number in range(size)]
    invitations = [factories.invitation(children[number].reviews[0], name="Child")[0]
                   for number in (0, 12, 24) if number < size]
    db.session.commit()
    for invitation in invitations:
        factories.send_answers(invitation, {"home_safe": "no"})
    return iro, social_worker


def _expected(app, iro) -> dict[Show, set[str]]:
    """Each filter's children by name, from the flags the rows show."""
    today = date.today()
    found: dict[Show, set[str]] = {show: set() for show in Show}
    wanted = {Show.OVERDUE: {ScheduleFlag.OVERDUE}, Show.DUE_SOON: {ScheduleFlag.DUE_SOON},
              Show.NO_DATE: {ScheduleFlag.NOT_BOOKED},
              Show.NOT_SENT: {ScheduleFlag.DECISIONS_OVERDUE, ScheduleFlag.RECORD_OVERDUE}}
    db.session.expire_all()
    for child in db.session.scalars(db.select(Child).where(Child.iro_id == iro.id)):
        plan = schedule_of(child, today, app.config["REVIEW_TIMETABLE"],
                           app.config["REVIEW_DUE_SOON_DAYS"])
        found[Show.ALL].add(child.preferred_name)
        for show, flags in wanted.items():
            if plan.flags & flags:
                found[show].add(child.preferred_name)
        if child.open_concerns:
            found[Show.CONCERNS].add(child.preferred_name)
    return found


def _page(browser, address: str, status: int = 200):
    response = browser.get(address)
    assert response.status_code == status, address
    return parse(response.get_data(as_text=True))


def _names(root) -> list[str]:
    return [text_of(row.find("th/a")) for row in root.findall(".//table/tbody/tr")]


def _counts(root) -> dict[str, int]:
    found = {}
    for item in root.findall(".//ul[@class='filter-counts']/li"):
        number = item.find(".//span[@class='filter-counts__number']")
        label = text_of(item).removesuffix(text_of(number)).strip()
        found[label] = int(text_of(number))
    return found


def _every_page(browser, address: str) -> list[str]:
    """The names on every page of the list, following its "Next page" links."""
    names = []
    while address:
        root = _page(browser, address)
        names += _names(root)
        following = root.find(".//nav[@class='pager']//a[@rel='next']")
        address = following.get("href") if following is not None else None
    return names


@pytest.fixture
def sixty(app):
    iro, social_worker = _caseload(60)
    browser = app.test_client()
    factories.sign_in(browser, iro)
    return app, iro, social_worker, browser


def test_search_finds_one_child_by_name_or_case_reference(sixty):
    app, iro, _social_worker, browser = sixty
    wanted = db.session.scalar(db.select(Child).where(Child.preferred_name == "Child 37"))

    for search in ("child 37", wanted.case_ref.lower(), f"  {wanted.case_ref} "):
        root = _page(browser, f"/staff/?q={search}")
        assert _names(root) == ["Child 37"], search
        assert root.find(".//input[@id='q']").get("value") == search.strip()
        assert _counts(root)["All"] == 1
    # A wildcard typed in the box is only a character, not "anything".
    assert _names(_page(browser, "/staff/?q=%25")) == []


def test_each_filter_shows_its_children_and_the_counts_say_how_many(sixty):
    app, iro, _social_worker, browser = sixty
    expected = _expected(app, iro)
    # Every kind of child is there, so no filter is trivially right.
    assert len(expected[Show.ALL]) == 60 and len(expected[Show.CONCERNS]) == 3
    assert {"Child 01", "Child 07"} <= expected[Show.OVERDUE]
    assert {"Child 02", "Child 08"} <= expected[Show.DUE_SOON]
    assert {"Child 03", "Child 09"} <= expected[Show.NOT_SENT]
    assert {"Child 04", "Child 05", "Child 15"} <= expected[Show.NO_DATE]
    assert "Child 00" not in expected[Show.OVERDUE] | expected[Show.NO_DATE]

    counts = _counts(_page(browser, "/staff/"))
    labels = caseload_query.SHOW_LABELS
    assert counts == {labels[show]: len(expected[show]) for show in Show}
    concerns = _page(browser, "/staff/?show=concerns").findall(".//table/tbody/tr")
    assert all(text_of(row.findall("td")[2]).startswith("Concern: Does not feel safe")
               for row in concerns) and len(concerns) == 3
    for show in Show:
        listed = _every_page(browser, f"/staff/?show={show.value}")
        assert sorted(listed) == sorted(expected[show]), show
        assert len(listed) == len(set(listed))


def test_the_social_worker_sees_the_same_children_and_counts(sixty):
    app, iro, social_worker, _browser = sixty
    browser = app.test_client()
    factories.sign_in(browser, social_worker)
    expected = _expected(app, iro)
    counts = _counts(_page(browser, "/staff/"))
    assert counts["Overdue"] == len(expected[Show.OVERDUE])
    assert counts["Concerns"] == 3


def test_sorting_by_next_meeting_orders_the_rows(sixty):
    app, iro, _social_worker, browser = sixty
    today = date.today()
    by_name = {child.preferred_name: child for child in db.session.scalars(
        db.select(Child).where(Child.iro_id == iro.id))}

    listed = _every_page(browser, "/staff/?sort=next_meeting")

    assert sorted(listed) == sorted(by_name)
    meetings = [schedule_of(by_name[name], today, app.config["REVIEW_TIMETABLE"], 14)
                .next_review for name in listed]
    dated = [review.scheduled_for for review in meetings
             if review is not None and review.scheduled_for is not None]
    assert len(dated) == 35 and dated == sorted(dated)
    # Those with no meeting date come after every one with a date.
    assert all(review is None or review.scheduled_for is None
               for review in meetings[len(dated):])


def test_sorting_by_due_date_and_by_name(sixty):
    app, iro, _social_worker, browser = sixty
    today = date.today()
    by_name = {child.preferred_name: child for child in db.session.scalars(
        db.select(Child).where(Child.iro_id == iro.id))}

    due = [schedule_of(by_name[name], today, app.config["REVIEW_TIMETABLE"], 14).due_on
           for name in _every_page(browser, "/staff/?sort=due")]
    names = _every_page(browser, "/staff/?sort=name")

    assert len(due) == 60 and due == sorted(due)
    assert names == sorted(by_name)


def test_attention_first_puts_concerns_then_flags_first(sixty):
    _app, _iro, _social_worker, browser = sixty
    names = _names(_page(browser, "/staff/"))
    assert sorted(names[:3]) == ["Child 00", "Child 12", "Child 24"]
    # Then everything needing attention, before the children only due soon or on track.
    assert "Child 06" not in names[3:20]


def test_a_page_holds_twenty_children_and_its_links_keep_the_other_choices(sixty):
    _app, _iro, _social_worker, browser = sixty
    root = _page(browser, "/staff/?sort=name&q=child")
    assert _names(root) == [f"Child {number:02d}" for number in range(20)]
    following = root.find(".//nav[@class='pager']//a[@rel='next']").get("href")
    assert "sort=name" in following and "q=child" in following and "page=2" in following
    second = _page(browser, following)
    assert _names(second)[0] == "Child 20"
    assert second.find(".//select[@id='sort']/option[@selected]").get("value") == "name"
    link = next(a for a in second.iterfind(".//ul[@class='filter-counts']//a")
                if text_of(a).startswith("Overdue"))
    assert "page=" not in link.get("href")
    assert "show=overdue" in link.get("href") and "sort=name" in link.get("href")


def test_a_bad_page_is_a_400_that_says_so_and_keeps_the_search(sixty):
    _app, _iro, _social_worker, browser = sixty
    root = _page(browser, "/staff/?page=two&q=Child%2037", status=400)
    assert text_of(root.find(".//title")).startswith("Error:")
    assert "whole number" in text_of(root.find(".//*[@id='q-error']"))
    assert root.find(".//input[@id='q']").get("value") == "Child 37"
    too_long = _page(browser, "/staff/?q=" + "x" * 81, status=400)
    assert too_long.find(".//input[@id='q']").get("value") == "x" * 81
    # A page past the end says how many there are; an unknown choice is the default.
    past = _page(browser, "/staff/?page=9")
    assert _names(past) == [] and "3 pages" in text_of(past.find(".//main"))
    assert len(_names(_page(browser, "/staff/?show=everything&sort=shoe"))) == 20


def test_statements_do_not_grow_from_2_to_60_children_whatever_is_asked(app):
    addresses = ("/staff/", "/staff/?sort=next_meeting&show=overdue",
                 "/staff/?sort=due&q=child", "/staff/?sort=name&show=overdue&q=0",
                 "/staff/children")
    counted = {}
    for size in (2, 60):
        iro, _social_worker = _caseload(size)
        browser = app.test_client()
        factories.sign_in(browser, iro)
        for address in addresses:
            with counted_statements() as statements:
                assert browser.get(address).status_code == 200
            counted[size, address] = len(statements)
    for address in addresses:
        assert counted[2, address] == counted[60, address] <= 6, address
    # A later page of the 60 costs what the first does.
    with counted_statements() as statements:
        assert browser.get("/staff/?sort=name&page=3").status_code == 200
    assert len(statements) == counted[60, "/staff/"]


def test_the_cut_off_days_agree_with_the_schedule_day_by_day():
    """`last_start` against every start in two years, for each kind of deadline."""
    today = date(2026, 12, 29)  # across Christmas, New Year and a month's end
    timetable = schedule.parse_timetable("20wd,3m,6m")
    cutoffs = caseload_dates.Cutoffs.on(today, timetable, 14)
    intervals = (timetable.first, timetable.second, timetable.later)
    for start in (today - timedelta(days=days) for days in range(-30, 730)):
        for index, interval in enumerate(intervals):
            due = interval.after(start)
            assert (start <= cutoffs.overdue[index]) == (today > due)
            assert (start <= cutoffs.soon[index]) == ((due - today).days <= 14)
        assert (start <= cutoffs.decisions_overdue) == (today > schedule.decisions_due(start))
        assert (start <= cutoffs.record_overdue) == (today > schedule.record_due(start))


def test_the_query_keeps_only_what_differs_from_the_defaults():
    query = CaseloadQuery(search="Amara", sort=Sort.NAME, page=3)
    assert query.arguments() == {"q": "Amara", "sort": "name", "page": "3"}
    assert query.arguments(show=Show.OVERDUE, page=1) == {
        "q": "Amara", "sort": "name", "show": "overdue"}
    assert query.cleared() == {"sort": "name"}


def test_due_dates_in_sql_are_the_schedule_s_own(app):
    """The due date the list sorts by, worked out by the database, for starts across
    Christmas, Easter and months' ends, against `Interval.after`."""
    from sqlalchemy import Date, literal, select

    today = date.today()
    starts = [date(2026, 12, 1) + timedelta(days=n) for n in range(0, 45, 2)]
    starts += [date(2027, 3, 10) + timedelta(days=n) for n in range(0, 30, 3)]
    starts += [date(2025, 1, 31), date(2024, 8, 31), date(2027, 1, 3), date(2026, 11, 29)]
    starts = [start for start in starts
              if start >= today - timedelta(days=caseload_dates.HOLIDAY_WINDOW_DAYS)
              and start <= today + timedelta(days=31)] or starts[:1]
    for text in ("20wd", "3m", "6m", "28d", "4w", "7wd"):
        interval = schedule.parse_timetable(f"{text},3m,6m").first
        row = db.session.execute(select(*[
            caseload_dates.due_after(interval, literal(start, Date), today) for start in starts
        ])).one()
        found = [value if isinstance(value, date) else date.fromisoformat(value) for value in row]
        assert found == [interval.after(start) for start in starts], text


def test_an_admin_lists_every_childs_record_without_concerns(app):
    first, _social_worker = _caseload(6)
    other = factories.staff(StaffRole.IRO, name="Other")
    factories.review(factories.child(other, name="Other's child"), days_ahead=-2)
    closed = factories.child(other, name="Closed child")
    closed.ceased_on = date.today()
    admin = factories.staff(StaffRole.ADMIN)
    db.session.commit()
    browser = app.test_client()
    factories.sign_in(browser, admin)

    root = _page(browser, "/staff/children?show=overdue&sort=name")
    assert _names(root) == ["Child 01", "Other's child"]
    assert "Concerns" not in _counts(root) and _counts(root)["All"] == 7
    assert all("scope=" not in link.get("href")
               for link in root.iterfind(".//ul[@class='filter-counts']//a"))
    # Asking for the concerns filter by address gets the whole list, not a hint of them.
    assert len(_names(_page(browser, "/staff/children?show=concerns"))) == 7
    with_closed = _page(browser, "/staff/children?closed=1&sort=name&q=closed")
    assert _names(with_closed) == ["Closed child"]
    assert with_closed.find(".//form[@id='caseload-filter']/input[@name='closed']") is not None
