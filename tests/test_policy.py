"""Access control: every route declares who may use it, and the matrix proves it holds.

The matrix walks every route of the app (so routes added later come under it at once) for
every kind of visitor: each staff role, someone not signed in, and a child whose secret link
opened their session. Each route's expected audience is written out in EXPECTED; a route
missing from it is checked against its own declaration, which cannot see object-level
rules, so add it here when it lands.
"""

from __future__ import annotations

import pytest
from flask import Flask

from consult import policy
from consult.extensions import db
from consult.models import InviteeRole, RequestKind, RequestSource, StaffRole
from consult.policy import Audience
from consult.requests import workflow
from tests import factories
from tests.html_checks import csrf_token
from tests.test_web import assert_security_headers

# Words written in the data set: no page may show them to a manager or an admin.
CARER_WORDS = "Carer-words-7Q2"
CHILD_WORDS = "Child-words-4K9"

ANONYMOUS, CHILD = "anonymous", "child"
ADMIN, IRO, SOCIAL_WORKER, MANAGER = "admin", "iro", "social_worker", "manager"
STAFF = {ADMIN, IRO, SOCIAL_WORKER, MANAGER}
EVERYONE = STAFF | {ANONYMOUS, CHILD}

# Who may use each route, object-level rules included. The IRO and social worker are the
# fixture child's own; other IROs and social workers are refused like any other role.
EXPECTED = {
    "static": EVERYONE,
    "participation.open_link": EVERYONE,
    "participation.resume": {CHILD},
    "participation.start_page": {CHILD},
    "participation.question": {CHILD},
    "participation.save_in_background": {CHILD},
    "participation.check_answers": {CHILD},
    "participation.send": {CHILD},
    "participation.thank_you": {CHILD},
    "participation.enter_code": EVERYONE,
    "staff.sign_in": EVERYONE,
    "staff.sign_in_code": EVERYONE,
    "staff.set_up_authenticator": EVERYONE,
    "staff.sign_out": EVERYONE,
    "staff.open_setup_link": EVERYONE,
    "staff.set_password": EVERYONE,
    "staff.dashboard": STAFF,
    "staff.change_password": STAFF,
    "staff.review": {IRO, SOCIAL_WORKER},
    "staff.create_invitation": {IRO},
    "staff.revoke_invitation": {IRO},
    "staff.users": {ADMIN},
    "staff.invite_user": {ADMIN},
    "staff.disable_user": {ADMIN},
    "staff.enable_user": {ADMIN},
    "staff.reset_user": {ADMIN},
    "staff.audit_log": {ADMIN},
    # Who allocated which child to whom (issue 22): names and ids, never words.
    "staff.allocations": {ADMIN},
    # The IRO's workspace (issue 6): child records have no one's words on them.
    "staff.all_children": {ADMIN, IRO, SOCIAL_WORKER},
    "staff.child": {ADMIN, IRO, SOCIAL_WORKER},
    "staff.new_child": {ADMIN, IRO},
    "staff.edit_child": {ADMIN, IRO},
    "staff.close_child": {ADMIN, IRO},
    "staff.import_file": {ADMIN, IRO},
    "staff.book_review": {IRO},
    "staff.review_date": {IRO},
    "staff.cancel_review": {IRO},
    "staff.record_meeting": {IRO},
    "staff.pre_meeting": {IRO, SOCIAL_WORKER},
    "staff.hand_over_invitation": {IRO},
    "staff.reissue_invitation": {IRO},
    # Email an adult their link (never a child): only the child's own IRO.
    "staff.email_invitation": {IRO},
    # Type in a paper booklet's answers (its words are the child's or a carer's): the IRO.
    "staff.type_in_paper": {IRO},
    # Requests for help and council settings (issue 5). Admins see the queue and the
    # public inbox; a linked request's words reach only the child's IRO.
    "staff.help_requests": {ADMIN, IRO},
    "staff.help_request": {ADMIN, IRO},
    "staff.change_request_state": {ADMIN, IRO},
    "staff.link_request_to_child": {ADMIN},
    "staff.council_settings": {ADMIN},
    "staff.pledge": {ADMIN},
    "rights.index": EVERYONE,
    "rights.iro": EVERYONE,
    "rights.advocacy": EVERYONE,
    "rights.independent_visitors": EVERYONE,
    "rights.complaints": EVERYONE,
    "rights.privacy": EVERYONE,
    "rights.pledge": EVERYONE,
    "rights.ask": EVERYONE,
    "rights.help_now": EVERYONE,
    "rights.sent": EVERYONE,
    # Participation figures (issue 7): counts only, small numbers suppressed for managers.
    "reports.figures": {ADMIN, IRO, MANAGER},
    "reports.table_download": {ADMIN, IRO, MANAGER},
    "reports.annual_pack": {ADMIN, IRO, MANAGER},
    "reports.printable": {ADMIN, IRO, MANAGER},
    # Probes for the load balancer (issue 10): no one's data.
    "health.healthz": EVERYONE,
    "health.readyz": EVERYONE,
    "staff.child_data": {IRO},
    "staff.child_data_json": {IRO},
    "staff.erase_child": {IRO},
    # Recorded voices (issue 17): the questions read aloud, nobody's data. Admins and IROs
    # (with the interpreters they book) record; a clip is public, like the stylesheet.
    "staff.voices_overview": {ADMIN, IRO},
    "staff.voices_language": {ADMIN, IRO},
    "staff.voice": {ADMIN, IRO},
    "staff.remove_voice": {ADMIN, IRO},
    "participation.voice_clip": EVERYONE,
    # The work phone and email on letters: one's own, or anyone's for an admin.
    "staff.work_contact": STAFF,
    "staff.user_work_contact": {ADMIN},
}

# Where a route needs a record other than the data set's default for an argument: the
# argument, and the name of the data set's value to use instead.
ENDPOINT_ARGUMENTS: dict[str, dict[str, str]] = {
    # Only a request from the public form, not yet linked to a child, can be linked.
    "staff.link_request_to_child": {"request_id": "inbox_request_id"},
    "reports.table_download": {"key": "report_table"},
    "staff.voice": {"key": "key_slot"},
    "staff.remove_voice": {"key": "key_slot"},
}

# Routes that change what the others find (a cancelled review), then those that end or
# replace the visitor's session, go last, so they do not change the others' outcome.
GO_LAST = ("staff.cancel_review",
           "participation.open_link", "staff.open_setup_link", "staff.sign_out")


def test_every_route_declares_who_may_use_it(app: Flask):
    undeclared = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                        if policy.access_of(app, rule.endpoint) is None)
    assert undeclared == [], (
        "declare these routes in consult.policy (@public, @invitation_holder) or with "
        f"@staff_required(...): {undeclared}")


def _expected(app: Flask, endpoint: str) -> set[str]:
    if endpoint in EXPECTED:
        return EXPECTED[endpoint]
    access = policy.access_of(app, endpoint)
    if access.audience is Audience.PUBLIC:
        return EVERYONE
    if access.audience is Audience.INVITATION_HOLDER:
        return {CHILD}
    return {role.value for role in access.roles}


def test_the_expected_audiences_name_only_routes_that_exist(app: Flask):
    assert set(EXPECTED) <= {rule.endpoint for rule in app.url_map.iter_rules()}


def _data_set(app: Flask) -> dict:
    """Real records for every id a route takes, and a signed-in browser for each visitor."""
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    people = {
        IRO: iro, SOCIAL_WORKER: social_worker,
        MANAGER: factories.staff(StaffRole.MANAGER), ADMIN: factories.staff(StaffRole.ADMIN)}
    bystander = factories.staff(StaffRole.SOCIAL_WORKER, name="Bystander")
    child = factories.child(iro, social_worker)
    review = factories.review(child)
    child_invitation, child_token = factories.invitation(review)
    carer_invitation, _carer_token = factories.invitation(
        review, InviteeRole.FOSTER_CARER, "Grace")
    # Not yet sent, so it can be handed over, re-issued and withdrawn.
    parent_invitation, _ = factories.invitation(review, InviteeRole.PARENT, "Mona")
    asked = workflow.create_request(RequestKind.ADVOCATE, RequestSource.CONSULTATION,
                                    invitation=child_invitation, message=CHILD_WORDS)
    inbox = workflow.create_request(RequestKind.INDEPENDENT_VISITOR, RequestSource.PUBLIC_FORM,
                                    message="I would like a visitor", contact_name="Sam",
                                    contact_detail="07700 900123")
    db.session.commit()
    # "At risk of ending" raises a concern, for the route that acknowledges one.
    carer_response = factories.send_answers(carer_invitation, {"changes": CARER_WORDS,
                                                               "stability": "at_risk"})
    return {
        "people": people, "child_token": child_token,
        "values": {"review_id": review.id, "invitation_id": parent_invitation.id,
                   "user_id": bystander.id, "child_id": child.id, "token": child_token,
                   "request_id": asked.id, "inbox_request_id": inbox.id, "code": "en_GB",
                   "key": "attend_meeting", "report_table": "reviews_by_type",
                   "filename": "css/app.css", "content_hash": "0" * 64,
                   "key_slot": "young_person.attend_meeting.text",
                   "concern_id": carer_response.concerns[0].id},
    }


def _browser(app: Flask, visitor: str, data: dict):
    browser = app.test_client()
    if visitor == CHILD:
        browser.get(f"/start/{data['child_token']}")
    elif visitor in STAFF:
        signed_in = factories.sign_in(browser, data["people"][visitor])
        assert signed_in.status_code == 303, visitor
    return browser


def _requests(app: Flask, values: dict):
    rules = sorted(app.url_map.iter_rules(),
                   key=lambda rule: (GO_LAST.index(rule.endpoint) if rule.endpoint in GO_LAST
                                     else -1, rule.endpoint))
    for rule in rules:
        known = {**values, **{argument: values[name] for argument, name
                               in ENDPOINT_ARGUMENTS.get(rule.endpoint, {}).items()}}
        missing = set(rule.arguments) - set(known)
        assert not missing, f"give the matrix a real value for {missing} ({rule.endpoint})"
        url = app.url_map.bind("localhost").build(
            rule.endpoint, {name: known[name] for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _refused(response, audience: Audience) -> bool:
    if audience is Audience.STAFF:
        return response.status_code == 404 or (
            response.status_code == 302
            and response.headers["Location"].startswith("/staff/sign-in?next="))
    if audience is Audience.INVITATION_HOLDER:
        # The link-not-working page, or the background save's "timed out" answer in JSON.
        return response.status_code == 404 or (
            response.status_code == 409 and response.is_json
            and response.get_json()["saved"] is False)
    return False  # public: nobody is refused, though a page may have nothing to show them


@pytest.mark.parametrize("visitor", sorted(EVERYONE))
def test_access_matrix(app: Flask, visitor: str):
    data = _data_set(app)
    browser = _browser(app, visitor, data)
    token = csrf_token(browser.get("/staff/sign-in").get_data(as_text=True))
    outcomes, pages = [], []
    for endpoint, method, url in _requests(app, data["values"]):
        if method == "POST":
            response = browser.post(url, data={"csrf_token": token})
        else:
            response = browser.open(url, method=method)
        assert response.status_code < 500, (endpoint, method, response.status_code)
        if endpoint != "static":
            assert_security_headers(response, endpoint)
        pages.append(response.get_data(as_text=True))
        if visitor in (ADMIN, MANAGER):
            assert CARER_WORDS not in pages[-1] and CHILD_WORDS not in pages[-1], endpoint
        allowed = visitor in _expected(app, endpoint)
        refused = _refused(response, policy.access_of(app, endpoint).audience)
        outcomes.append((endpoint, method, response.status_code, allowed, refused))
    wrong = [(endpoint, method, status, "should be allowed" if allowed else "should be refused")
             for endpoint, method, status, allowed, refused in outcomes if allowed == refused]
    assert wrong == [], f"{visitor}: {wrong}"
    if visitor == IRO:  # the words are there to be found, by the one who may read them
        assert any(CARER_WORDS in page for page in pages)
        assert any(CHILD_WORDS in page for page in pages)


def test_a_child_session_carries_only_its_own_invitation(app: Flask):
    first, first_token = factories.child_with_link(name="Amanuel")
    second, second_token = factories.child_with_link(name="Layla")
    browser = app.test_client()
    browser.get(f"/start/{first_token}")
    with browser.session_transaction() as session:
        assert session["invitation_id"] == first.id
        # Pointing the session at another invitation needs the other link's fingerprint.
        session["invitation_id"] = second.id
    assert browser.get("/your-say").status_code == 404
    assert browser.get("/staff/").status_code == 302


@pytest.mark.parametrize("role, may", [
    (StaffRole.IRO, {"read", "only_for_iro", "invite", "rights", "figures"}),
    (StaffRole.SOCIAL_WORKER, {"read"}),
    (StaffRole.MANAGER, {"figures"}),
    (StaffRole.ADMIN, {"administer"}),
])
def test_object_rules_for_the_childs_own_staff(app, role, may):
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    person = {StaffRole.IRO: iro, StaffRole.SOCIAL_WORKER: social_worker}.get(role) \
        or factories.staff(role)
    child = factories.child(iro, social_worker)
    checks = {
        "read": policy.may_read_child(person, child),
        "only_for_iro": policy.may_read_only_for_iro(person, child),
        "invite": policy.may_invite(person, child),
        "rights": policy.may_answer_rights_request(person, child),
        "figures": policy.may_see_figures(person),
        "administer": policy.may_administer(person),
    }
    assert {name for name, allowed in checks.items() if allowed} == may


def test_another_iros_or_social_workers_child_is_out_of_reach(app):
    child = factories.child(factories.staff(StaffRole.IRO),
                            factories.staff(StaffRole.SOCIAL_WORKER))
    for stranger in (factories.staff(StaffRole.IRO), factories.staff(StaffRole.SOCIAL_WORKER)):
        assert not policy.may_read_child(stranger, child)
        assert not policy.may_answer_rights_request(stranger, child)
