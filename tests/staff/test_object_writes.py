"""Object-level writes (issue 22): every staff POST that names a child, review, invitation,
request or response, or a staff account or setting, tried with a form that works for its
owner by another IRO, the child's social worker, a manager and an admin: each one not
allowed is refused and the database is unchanged; then the owner's works and changes it.

WRITES is the matrix; `test_every_staff_post_route_is_in_the_matrix` fails for a POST route
that is in neither WRITES nor ACTS_ONLY_ON_ONESELF. An administrator's write is tried by the
child's own IRO too, and the SSDA903 pages with real 903 files about the owner's child.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import select, text

from consult import voices
from consult.extensions import db
from consult.models import InviteeRole, RequestKind, RequestSource, StaffRole
from consult.requests import workflow
from tests import factories
from tests.html_checks import csrf_token
from tests.imports.test_imports import CHILDREN_HEADER
from tests.ssda903.generator import generate

OTHER_IRO, SOCIAL_WORKER, MANAGER, ADMIN, IRO = (
    "other_iro", "social_worker", "manager", "admin", "iro")
ATTEMPTS = (OTHER_IRO, SOCIAL_WORKER, MANAGER, ADMIN)
TODAY = date.today()


@dataclass
class Records:
    """A fresh child of the owner IRO's, with everything a write can name."""

    child: object
    unbooked_child: object
    review: object
    carer: object  # an adult's invitation, handed over, not answered
    parent: object  # an adult's invitation, not yet handed over
    linked_request: object
    inbox_request: object
    bystander: object  # a staff account an admin may disable, enable or reset
    concern: object  # raised by a carer's answer, for the child's IRO to acknowledge
    voice: object  # a recorded clip, for those who record voices to replace or remove


@dataclass(frozen=True)
class Write:
    path: Callable[[Records], str]
    form: Callable[[Records], dict] = lambda _records: {}
    owner: str = IRO
    # Who besides the owner may make it (the role-level matrix checks they get in).
    also: frozenset[str] = field(default_factory=frozenset)
    # 404 for a record not theirs; a form that names it (a new child's IRO, a file's rows)
    # is refused with its errors, 400, instead.
    refusals: frozenset[int] = frozenset({404})
    # A POST that only reads (a download, a comparison): the owner gets 200 and the
    # database, audit trail aside, stays as it was.
    reads_only: bool = False


IN_THE_FORM = frozenset({404, 400})


def _child_fields(child, **changes) -> dict:
    return {"case_ref": child.case_ref, "preferred_name": child.preferred_name,
            "date_of_birth": child.date_of_birth.isoformat(),
            "preferred_language": child.preferred_language,
            "looked_after_since": child.looked_after_since.isoformat(), "ceased_on": "",
            **changes}


def _import(records: Records) -> dict:
    row = (f"{records.child.case_ref},Renamed,{records.child.date_of_birth.isoformat()},en_GB,"
           f"{records.child.looked_after_since.isoformat()},,{records.child.iro.email},"
           f"{records.child.social_worker.email}\n")
    return {"kind": "children",
            "csv_file": (io.BytesIO((CHILDREN_HEADER + row).encode()), "children.csv")}


def _new_child(records: Records) -> dict:
    return {"case_ref": f"NEW-{records.child.id}", "preferred_name": "Layla",
            "date_of_birth": "2012-07-31", "preferred_language": "ar",
            "looked_after_since": "2024-01-31", "ceased_on": "",
            "iro_id": str(records.child.iro_id), "social_worker_id": "0"}


def _903_files(records: Records) -> list[tuple[str, bytes]]:
    """A real collection year's 903 tables and supplement from the generator
    (tests/ssda903), made about the owner's child: its case reference as CHILD, its IRO and
    social worker in the supplement and the social workers' table."""
    generated = generate(children=1, seed=1)  # one child, two reviews in 2023-24
    child = records.child
    people = {"iro.one@council.example": child.iro.email,
              "sw.one@council.example": child.social_worker.email}

    def ours(text: str) -> bytes:
        text = text.replace(generated.children[0].child_id, child.case_ref)
        for theirs, email in people.items():
            text = text.replace(theirs, email)
        return text.encode()

    social_workers = [line for line in generated.social_workers.decode().splitlines(True)
                      if not line.startswith("SW0002,")]  # the one the child has not had
    files = [*generated.years[0].csv_files().items(), ("supplement.csv", generated.supplement),
             ("social_workers.csv", "".join(social_workers).encode())]
    return [(name, ours(data.decode())) for name, data in files]


def _import_903(records: Records) -> dict:
    return {"files": [(io.BytesIO(data), name) for name, data in _903_files(records)]}


YEAR_903 = {"from": "2023-04-01", "to": "2024-03-31"}


def _reconcile_903(records: Records) -> dict:
    reviews = dict(_903_files(records))["reviews_2023.csv"]
    return {**YEAR_903, "reviews_file": (io.BytesIO(reviews), "reviews.csv")}


WRITES: dict[str, Write] = {
    "staff.new_child": Write(lambda r: "/staff/children/new", _new_child, also={ADMIN},
                             refusals=IN_THE_FORM),
    "staff.edit_child": Write(lambda r: f"/staff/children/{r.child.id}/edit",
                              lambda r: _child_fields(r.child, preferred_name="Renamed"),
                              also={ADMIN}),
    "staff.close_child": Write(lambda r: f"/staff/children/{r.child.id}/close",
                               lambda r: {"ceased_on": TODAY.isoformat()}, also={ADMIN}),
    "staff.import_file": Write(lambda r: "/staff/import", _import, also={ADMIN},
                               refusals=IN_THE_FORM),
    "staff.erase_child": Write(lambda r: f"/staff/children/{r.child.id}/erase",
                               lambda r: {"case_ref": r.child.case_ref}),
    "staff.book_review": Write(lambda r: f"/staff/children/{r.unbooked_child.id}/reviews/new",
                               lambda r: {"meeting_on": (TODAY + timedelta(days=20)).isoformat(),
                                          "meeting_time": "14:30"}),
    "staff.review_date": Write(lambda r: f"/staff/reviews/{r.review.id}/date",
                               lambda r: {"meeting_on": (TODAY + timedelta(days=21)).isoformat(),
                                          "meeting_time": "09:15"}),
    "staff.cancel_review": Write(lambda r: f"/staff/reviews/{r.review.id}/cancel"),
    "staff.record_meeting": Write(
        lambda r: f"/staff/reviews/{r.review.id}/record",
        lambda r: {"held_on": (TODAY - timedelta(days=1)).isoformat(), "attended": ["child"],
                   "participation_code": "PN1", "views_child": "verbal",
                   "views_foster_carer": "none", "views_parent_or_family": "none",
                   "decisions_sent_on": "", "record_sent_on": ""}),
    "staff.create_invitation": Write(
        lambda r: f"/staff/reviews/{r.review.id}/invitations",
        lambda r: {"role": "foster_carer", "invitee_name": "Grace", "language": "en_GB",
                   "purpose": "views"}),
    "staff.revoke_invitation": Write(lambda r: f"/staff/invitations/{r.carer.id}/revoke"),
    "staff.reissue_invitation": Write(lambda r: f"/staff/invitations/{r.carer.id}/reissue"),
    "staff.hand_over_invitation": Write(
        lambda r: f"/staff/invitations/{r.parent.id}/handed-over"),
    "staff.email_invitation": Write(lambda r: f"/staff/invitations/{r.carer.id}/email",
                                    lambda r: {"email": "carer@example.com"}),
    "staff.type_in_paper": Write(lambda r: f"/staff/invitations/{r.carer.id}/paper",
                                 lambda r: {"changes": "typed in", "decisions_done": "yes"}),
    "staff.acknowledge_concern": Write(
        lambda r: f"/staff/concerns/{r.concern.id}/acknowledge",
        lambda r: {"action_taken": "Phoned the carer; visiting on Friday."}),
    "staff.change_request_state": Write(
        lambda r: f"/staff/requests/{r.linked_request.id}/state",
        lambda r: {"to_state": "acknowledged"}, also={ADMIN}),
    # An admin's: linking a request from the public form to a child, and the accounts
    # and settings (no child named, but no one else may change them either).
    "staff.link_request_to_child": Write(
        lambda r: f"/staff/requests/{r.inbox_request.id}/child",
        lambda r: {"case_ref": r.child.case_ref}, owner=ADMIN),
    "staff.invite_user": Write(lambda r: "/staff/admin/users/invite",
                               lambda r: {"email": f"new{r.child.id}@council.example",
                                          "name": "New", "role": "iro"}, owner=ADMIN),
    "staff.disable_user": Write(lambda r: f"/staff/admin/users/{r.bystander.id}/disable",
                                owner=ADMIN),
    "staff.reset_user": Write(lambda r: f"/staff/admin/users/{r.bystander.id}/reset",
                              owner=ADMIN),
    "staff.council_settings": Write(lambda r: "/staff/council", lambda r: {
        "council_name": f"Council {r.child.id}", "iro_service_contact": "01632 960001",
        "advocacy_provider": "", "advocacy_contact": "", "independent_visitor_provider": "",
        "independent_visitor_contact": "", "complaints_contact": "",
        "service_inbox_email": ""}, owner=ADMIN),
    "staff.pledge": Write(lambda r: "/staff/council/pledge/en_GB",
                          lambda r: {"text": f"We promise {r.child.id}"}, owner=ADMIN),
}
# The SSDA903 return's pages, an administrator's only (docs/903.md): the import takes
# whole files naming children by the council's CHILD id (here the owner's child), the
# reconciliation and the download of the Reviews table only read.
WRITES |= {
    "staff.import_903_files": Write(lambda r: "/staff/import/903", _import_903, owner=ADMIN),
    "reports.reconcile_903": Write(lambda r: "/staff/reports/903/reconcile", _reconcile_903,
                                   owner=ADMIN, reads_only=True),
    "reports.reviews_903_download": Write(lambda r: "/staff/reports/903/reviews.csv",
                                          lambda r: dict(YEAR_903), owner=ADMIN,
                                          reads_only=True),
}
# The Voices pages name a string a child hears, not a child: whoever records voices (admins
# and IROs, consult.policy.RECORDS_VOICES) may replace or remove a clip; the others may not.
VOICE_URL = "/staff/voices/ar/young_person.attend_meeting.text"


WRITES |= {
    "staff.voice": Write(lambda r: VOICE_URL,
                         lambda r: {"clip": (io.BytesIO(factories.wav_clip(0.2)), "clip.wav",
                                             "audio/wav")},
                         owner=ADMIN, also=frozenset({IRO, OTHER_IRO})),
    "staff.remove_voice": Write(lambda r: f"{VOICE_URL}/remove", owner=ADMIN,
                                also=frozenset({IRO, OTHER_IRO})),
    "staff.user_work_contact": Write(
        lambda r: f"/staff/admin/users/{r.bystander.id}/contact",
        lambda r: {"work_phone": "01632 960 123", "work_email": "bystander@example.org"},
        owner=ADMIN),
}
# enable_user needs a disabled account; it is tried after disable_user on the same one.
WRITES["staff.enable_user"] = Write(lambda r: f"/staff/admin/users/{r.bystander.id}/enable",
                                    owner=ADMIN)

# POST routes that name no one but the person using them: signing in and out, setting up
# one's own password and authenticator, changing one's own password, one's own work contact.
ACTS_ONLY_ON_ONESELF = {
    "staff.sign_in", "staff.sign_in_code", "staff.set_up_authenticator", "staff.set_password",
    "staff.sign_out", "staff.change_password", "staff.work_contact",
}


def test_every_staff_post_route_is_in_the_matrix(app: Flask):
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.startswith(("staff.", "reports."))}
    listed = set(WRITES) | ACTS_ONLY_ON_ONESELF
    assert posts - listed == set(), "add them to WRITES"
    assert listed <= posts


def _records(iro, social_worker) -> Records:
    child = factories.child(iro, social_worker)
    unbooked = factories.child(iro, social_worker, name="Unbooked")
    review = factories.review(child)
    child_invitation, _ = factories.invitation(review)
    carer, _ = factories.invitation(review, InviteeRole.FOSTER_CARER, "Grace")
    parent, _ = factories.invitation(review, InviteeRole.PARENT, "Mona", handed_over=False)
    linked = workflow.create_request(RequestKind.ADVOCATE, RequestSource.CONSULTATION,
                                     invitation=child_invitation, message="words")
    inbox = workflow.create_request(
        RequestKind.INDEPENDENT_VISITOR, RequestSource.PUBLIC_FORM, message="words",
        contact_name="Sam", contact_detail="07700 900123")
    bystander = factories.staff(StaffRole.SOCIAL_WORKER, name="Bystander")
    worried, _ = factories.invitation(review, InviteeRole.FOSTER_CARER, "Joy")
    db.session.commit()
    # "At risk of ending" raises a concern for the child's IRO.
    concern = factories.send_answers(worried, {"stability": "at_risk"}).concerns[0]
    with current_app.test_request_context():  # the words are read in the clip's language
        voice = voices.save(voices.find_slot("young_person.attend_meeting.text"), "ar",
                            factories.wav_clip(), by=iro)
    db.session.commit()
    return Records(child, unbooked, review, carer, parent, linked, inbox, bystander, concern,
                   voice)


def _snapshot() -> dict[str, list]:
    """Every row of every table but the audit trail, which refusals may add to."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        if table.name == "audit_events":
            continue
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted(repr(tuple(row)) for row in rows)
    db.session.rollback()
    return snapshot


def _post(browser, url: str, form: dict):
    token = csrf_token(browser.get("/staff/sign-in").get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token, **form})


def test_object_level_writes_are_refused_and_change_nothing(app: Flask):
    iro = factories.staff(StaffRole.IRO, name="Owner")
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    people = {IRO: iro, SOCIAL_WORKER: social_worker, ADMIN: factories.staff(StaffRole.ADMIN),
              OTHER_IRO: factories.staff(StaffRole.IRO, name="Other"),
              MANAGER: factories.staff(StaffRole.MANAGER)}
    db.session.commit()
    browsers = {}
    for name, person in people.items():
        browsers[name] = app.test_client()
        assert factories.sign_in(browsers[name], person).status_code == 303, name

    wrong = []
    for endpoint, write in WRITES.items():
        records = _records(iro, social_worker)
        if endpoint == "staff.enable_user":
            _post(browsers[ADMIN], f"/staff/admin/users/{records.bystander.id}/disable", {})
        url = write.path(records)
        before = _snapshot()
        for attempt in (*ATTEMPTS, IRO):  # the child's own IRO, for an admin's write
            if attempt == write.owner or attempt in write.also:
                continue
            response = _post(browsers[attempt], url, write.form(records))
            if response.status_code not in write.refusals:
                wrong.append((endpoint, attempt, response.status_code))
            if _snapshot() != before:
                wrong.append((endpoint, attempt, "changed the database"))
                before = _snapshot()
        done = _post(browsers[write.owner], url, write.form(records))
        if write.reads_only:
            if done.status_code != 200 or _snapshot() != before:
                wrong.append((endpoint, write.owner, done.status_code, "the owner's read failed"))
        elif done.status_code >= 400 or _snapshot() == before:
            wrong.append((endpoint, write.owner, done.status_code, "the owner's write failed"))
    assert wrong == []


def test_the_snapshot_sees_a_change(app: Flask):
    """The check above is only as good as its snapshot: one changed cell shows."""
    iro = factories.staff(StaffRole.IRO)
    factories.child(iro)
    db.session.commit()
    before = _snapshot()
    db.session.execute(text("UPDATE children SET preferred_name = 'x'"))
    db.session.commit()
    assert _snapshot() != before
