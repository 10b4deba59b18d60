"""The request queue: who sees which requests, whose words, and every change recorded."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    AlertOutbox,
    AuditEvent,
    HelpRequest,
    RequestKind,
    RequestSource,
    RequestState,
    StaffRole,
    utcnow,
)
from consult.requests import workflow
from tests import factories
from tests.html_checks import check_page, csrf_token, text_of

WORDS = "I want to live nearer my sister"


def _childs_request(iro, kind=RequestKind.ADVOCATE, social_worker=None):
    invitation, _token = factories.invitation(
        factories.review(factories.child(iro, social_worker)))
    request = workflow.create_request(kind, RequestSource.CONSULTATION, invitation=invitation,
                                      message=WORDS)
    db.session.commit()
    return request


def _public_request():
    request = workflow.create_request(
        RequestKind.INDEPENDENT_VISITOR, RequestSource.PUBLIC_FORM, message=WORDS,
        contact_name="Dawit", contact_detail="07700 900123")
    db.session.commit()
    return request


def _act(client, request, to_state: str):
    page = client.get(f"/staff/requests/{request.id}")
    return client.post(f"/staff/requests/{request.id}/state", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "to_state": to_state})


def test_an_iro_sees_their_own_childrens_requests_and_their_words(client):
    iro, other_iro = factories.staff(StaffRole.IRO), factories.staff(StaffRole.IRO)
    mine, theirs = _childs_request(iro), _childs_request(other_iro)
    _public_request()
    factories.sign_in(client, iro)

    queue = client.get("/staff/requests").get_data(as_text=True)
    assert f"/staff/requests/{mine.id}" in queue
    assert f"/staff/requests/{theirs.id}" not in queue
    assert "Not linked to a child" not in queue
    assert WORDS in client.get(f"/staff/requests/{mine.id}").get_data(as_text=True)
    assert client.get(f"/staff/requests/{theirs.id}").status_code == 404


def test_an_admin_sees_every_request_but_only_the_inboxs_words(client):
    iro = factories.staff(StaffRole.IRO)
    linked, public = _childs_request(iro), _public_request()
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))

    queue = client.get("/staff/requests").get_data(as_text=True)
    assert f"/staff/requests/{linked.id}" in queue and f"/staff/requests/{public.id}" in queue
    linked_page = client.get(f"/staff/requests/{linked.id}").get_data(as_text=True)
    assert WORDS not in linked_page and "Only the child's IRO can read" in linked_page
    public_page = client.get(f"/staff/requests/{public.id}").get_data(as_text=True)
    assert WORDS in public_page and "07700 900123" in public_page and "Dawit" in public_page


def test_social_workers_and_managers_have_no_queue(client):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    request = _childs_request(iro, social_worker=social_worker)
    for user in (social_worker, factories.staff(StaffRole.MANAGER)):
        browser = client.application.test_client()
        factories.sign_in(browser, user)
        assert browser.get("/staff/requests").status_code == 404
        assert browser.get(f"/staff/requests/{request.id}").status_code == 404


def test_the_iro_moves_a_request_on_and_the_history_says_who_and_when(client):
    iro = factories.staff(StaffRole.IRO, name="Imani Reviewing")
    request = _childs_request(iro, kind=RequestKind.INDEPENDENT_VISITOR)
    factories.sign_in(client, iro)

    for state in ("acknowledged", "referred", "matched"):
        moved = _act(client, request, state)
        assert moved.status_code == 303

    db.session.expire_all()
    request = db.session.get(HelpRequest, request.id)
    assert request.state is RequestState.MATCHED
    assert request.acknowledged_at is not None and request.closed_at is not None
    assert [e.staff_id for e in request.events] == [None, iro.id, iro.id, iro.id]
    page = client.get(f"/staff/requests/{request.id}").get_data(as_text=True)
    assert "Referred to matched" in page and "Imani Reviewing" in page
    assert "This request is closed" in page


def test_an_illegal_change_is_refused_with_a_clear_message(client):
    iro = factories.staff(StaffRole.IRO)
    request = _childs_request(iro, kind=RequestKind.TALK_TO_IRO)
    factories.sign_in(client, iro)

    refused = _act(client, request, "matched")

    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "That change was not made" in html
    assert "This request cannot be marked matched" in html
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).state is RequestState.NEW
    assert _act(client, request, "nonsense").status_code == 409


def test_overdue_requests_are_flagged_and_listed_first(client):
    iro = factories.staff(StaffRole.IRO)
    recent = _childs_request(iro)
    old = _childs_request(iro)
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    factories.sign_in(client, iro)

    queue = client.get("/staff/requests").get_data(as_text=True)

    assert queue.count("tag--overdue") == 1
    assert queue.index(f"/staff/requests/{old.id}") < queue.index(f"/staff/requests/{recent.id}")


def test_the_childs_requests_appear_on_the_review_page(client):
    iro = factories.staff(StaffRole.IRO)
    request = _childs_request(iro, kind=RequestKind.ADVOCATE)
    factories.sign_in(client, iro)

    page = client.get(f"/staff/reviews/{request.invitation.review_id}").get_data(as_text=True)

    assert "Requests for help" in page
    assert f'href="/staff/requests/{request.id}">Advocate</a>' in page
    assert WORDS not in page


def test_an_admin_links_a_public_request_to_a_child_and_their_iro_takes_it(client):
    iro = factories.staff(StaffRole.IRO)
    child = factories.child(iro)
    request = _public_request()
    admin = factories.staff(StaffRole.ADMIN)
    factories.sign_in(client, admin)
    page = client.get(f"/staff/requests/{request.id}").get_data(as_text=True)

    wrong = client.post(f"/staff/requests/{request.id}/child", data={
        "csrf_token": csrf_token(page), "case_ref": "NOPE-1"})
    assert wrong.status_code == 400
    assert "<title>Error: " in wrong.get_data(as_text=True)
    linked = client.post(f"/staff/requests/{request.id}/child", data={
        "csrf_token": csrf_token(page), "case_ref": child.case_ref})

    assert linked.status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).child_id == child.id
    assert [a.recipient for a in db.session.scalars(select(AlertOutbox))] == [iro.email]
    assert WORDS not in client.get(f"/staff/requests/{request.id}").get_data(as_text=True)


def test_no_audit_event_holds_the_words(client):
    iro = factories.staff(StaffRole.IRO)
    request = _childs_request(iro)
    factories.sign_in(client, iro)
    client.get(f"/staff/requests/{request.id}")
    _act(client, request, "acknowledged")

    actions = {event.action: event.details for event in db.session.scalars(select(AuditEvent))}
    assert {"request.created", "request.viewed", "request.state_changed"} <= set(actions)
    assert all(WORDS not in str(details) for details in actions.values())


def test_a_social_worker_sees_the_childs_requests_without_a_link_to_them(client):
    iro, social_worker = factories.staff(StaffRole.IRO), factories.staff(StaffRole.SOCIAL_WORKER)
    request = _childs_request(iro, social_worker=social_worker)
    factories.sign_in(client, social_worker)

    page = client.get(f"/staff/reviews/{request.invitation.review_id}").get_data(as_text=True)

    assert "<th scope=\"row\">Advocate</th>" in page
    assert f"/staff/requests/{request.id}" not in page and WORDS not in page


def test_the_dashboard_says_how_many_requests_are_open_and_overdue(client):
    iro = factories.staff(StaffRole.IRO)
    _childs_request(iro)
    old = _childs_request(iro)
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    factories.sign_in(client, iro)

    page = client.get("/staff/").get_data(as_text=True)

    assert 'Requests for help</a>: 2 open, <strong class="tag tag--overdue">1 overdue</strong>' \
        in page


def _header_counts(html: str) -> list[tuple[str, str]] | None:
    """The counts in the header, or None on a page without the staff menu (signing in)."""
    page = check_page(html)
    [header] = [h for h in page.iter("header") if "site-header" in h.get("class", "")]
    if not [nav for nav in header.iter("nav") if nav.get("aria-label") == "Staff pages"]:
        return None
    return [(link.get("href"), text_of(link)) for ul in header.iter("ul")
            if ul.get("class") == "site-header__waiting" for link in ul.iter("a")]


def test_an_urgent_message_is_the_first_row_and_its_count_is_on_every_staff_page(client, app):
    iro = factories.staff(StaffRole.IRO)
    older = _childs_request(iro)
    older.created_at = utcnow() - timedelta(days=1)
    urgent = _childs_request(iro, kind=RequestKind.URGENT)
    review_id = urgent.invitation.review_id
    db.session.commit()
    factories.sign_in(client, iro)

    queue = check_page(client.get("/staff/requests").get_data(as_text=True))
    [table] = queue.iter("table")
    first = next(table.find("tbody").iter("tr"))
    heading = first.find("th")
    assert text_of(heading).startswith("Urgent Urgent: worried or unsafe now")
    assert heading.find("a").get("href") == f"/staff/requests/{urgent.id}"

    pages = [rule.rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/staff") and "GET" in rule.methods and not rule.arguments
             and rule.endpoint not in {"staff.sign_out"}]
    pages += [f"/staff/reviews/{review_id}", f"/staff/requests/{older.id}"]
    shown = 0
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        counts = _header_counts(response.get_data(as_text=True))
        if counts is None:
            continue
        assert counts == [("/staff/requests", "1 open urgent request"),
                          ("/staff/", "0 open concerns")], path
        shown += 1
    assert shown >= 8


def test_the_requests_queue_is_in_the_staff_menu(client):
    factories.sign_in(client, factories.staff(StaffRole.IRO))

    page = check_page(client.get("/staff/").get_data(as_text=True))
    [menu] = [nav for nav in page.iter("nav") if nav.get("aria-label") == "Staff pages"]
    assert ("/staff/requests", "Requests for help") in [
        (link.get("href"), text_of(link)) for link in menu.iter("a")]
    counts = _header_counts(client.get("/staff/").get_data(as_text=True))
    assert counts == [("/staff/requests", "0 open urgent requests"),
                      ("/staff/", "0 open concerns")]


def _many_public_requests(count: int, *, days_ago: int = 0) -> list[HelpRequest]:
    made = [workflow.create_request(
        RequestKind.ADVOCATE, RequestSource.PUBLIC_FORM, message=WORDS, contact_name="Dawit",
        contact_detail="07700 900123", now=utcnow() - timedelta(days=days_ago, minutes=n))
        for n in range(count)]
    db.session.commit()
    return made


def _listed(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'href="/staff/requests/(\d+)"', html)]


def test_the_queue_comes_a_page_at_a_time_overdue_first(client):
    fresh = _many_public_requests(workflow.QUEUE_PAGE_SIZE + 5)
    overdue = _many_public_requests(2, days_ago=10)
    factories.sign_in(client, factories.staff(StaffRole.ADMIN))

    first = client.get("/staff/requests").get_data(as_text=True)
    second = client.get("/staff/requests?page=2").get_data(as_text=True)

    on_first, on_second = _listed(first), _listed(second)
    assert len(on_first) == workflow.QUEUE_PAGE_SIZE and len(on_second) == 7
    # Overdue first (the oldest of them first), then the rest oldest first, across pages.
    assert on_first[:2] == [overdue[1].id, overdue[0].id]
    assert on_first[2:] + on_second == [r.id for r in reversed(fresh)]
    assert 'href="/staff/requests?view=open&amp;page=2"' in first
    assert "page=3" not in second and 'href="/staff/requests?view=open&amp;page=1"' in second


def test_the_queue_costs_the_same_statements_for_any_number_of_requests(client):
    from tests.staff.test_query_budget import counted_statements

    factories.sign_in(client, factories.staff(StaffRole.ADMIN))
    counts = []
    for count in (2, 120):
        _many_public_requests(count)
        with counted_statements() as statements:
            assert client.get("/staff/requests?view=all").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 6, counts


def test_a_page_past_any_list_is_a_400_with_a_message(client):
    factories.sign_in(client, factories.staff(StaffRole.IRO))
    for page in ("0", "9223372036854775807", "\u0663", "-1"):
        response = client.get("/staff/requests", query_string={"page": page})
        assert response.status_code == 400
        assert "The page must be a whole number from 1 to 100,000." in response.get_data(
            as_text=True)
