"""Demo data for trying the app locally: staff, children, reviews and invitations.

Idempotent: running it again finds the same people by email and case reference and only
renews what cannot be shown twice, the staff passwords and the links' secret tokens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from consult import care_periods, council, invitations, schedule
from consult.accounts import passwords, two_factor
from consult.extensions import db
from consult.models import (
    AttendeeRole,
    Child,
    ConsultedRole,
    HelpRequest,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    ParticipationCode,
    RequestKind,
    RequestSource,
    RequestState,
    Review,
    ReviewAttendance,
    ReviewStatus,
    ReviewType,
    ReviewViews,
    StaffRole,
    StaffUser,
    ViewsChannel,
    utcnow,
)
from consult.questionnaires import definitions
from consult.requests import workflow

STAFF = (
    ("admin@demo.haveyoursay.example", "Ade Admin", StaffRole.ADMIN),
    ("iro@demo.haveyoursay.example", "Imani Reviewing", StaffRole.IRO),
    ("iro2@demo.haveyoursay.example", "Idris Other", StaffRole.IRO),
    ("social.worker@demo.haveyoursay.example", "Sam Social", StaffRole.SOCIAL_WORKER),
    ("manager@demo.haveyoursay.example", "Morgan Manager", StaffRole.MANAGER),
)

# What the letters print for reaching the IRO (Ofcom's numbers for drama: never a real line).
# Idris has none, so the demo also shows a letter without it.
WORK_CONTACT = {"iro@demo.haveyoursay.example": ("01632 960 001",
                                                 "imani.reviewing@demo.haveyoursay.example")}

# (case_ref, name, age in years, language, days in care, IRO email, review type,
#  days until the review, [(invitee role, invitee name, language)])
CHILDREN = (
    # Amanuel's and Jamie's own views are already sent (CONSULTATIONS): they raise concerns.
    ("DEMO-001", "Amanuel", 16, "ti", 400, "iro@demo.haveyoursay.example", ReviewType.SUBSEQUENT,
     12, [(InviteeRole.FOSTER_CARER, "Grace", "en_GB")]),
    ("DEMO-002", "Layla", 15, "ar", 40, "iro@demo.haveyoursay.example", ReviewType.SECOND, 20,
     [(InviteeRole.CHILD, "Layla", "ar"), (InviteeRole.PARENT, "Mona", "ar")]),
    ("DEMO-003", "Jamie", 9, "en_GB", 15, "iro@demo.haveyoursay.example", ReviewType.INITIAL, 6,
     []),
    ("DEMO-004", "Ahmad", 17, "fa_AF", 200, "iro2@demo.haveyoursay.example",
     ReviewType.SUBSEQUENT, 30, [(InviteeRole.CHILD, "Ahmad", "fa_AF")]),
    ("DEMO-007", "Ella", 8, "en_GB", 150, "iro@demo.haveyoursay.example", ReviewType.SUBSEQUENT,
     18, [(InviteeRole.CHILD, "Ella", "en_GB")]),
)
# Whose link has not been given out yet, so the caseload shows the "not sent yet" state.
NOT_HANDED_OVER = "DEMO-007"

# Children with no review booked yet: the caseload shows them overdue or due soon.
UNBOOKED = (
    ("DEMO-005", "Noah", 12, "en_GB", 45, "iro@demo.haveyoursay.example"),
)

# How past meetings went, in turn: (who attended, PN code, views by role: their channels).
PAST_MEETINGS = (
    ({AttendeeRole.CHILD, AttendeeRole.FOSTER_CARER, AttendeeRole.SUPERVISING_SOCIAL_WORKER,
      AttendeeRole.SOCIAL_WORKER},
     ParticipationCode.PN1, {ConsultedRole.CHILD: {ViewsChannel.ONLINE, ViewsChannel.VERBAL},
                             ConsultedRole.FOSTER_CARER: {ViewsChannel.ONLINE},
                             ConsultedRole.PARENT_OR_FAMILY: {ViewsChannel.NONE}}),
    ({AttendeeRole.FOSTER_CARER, AttendeeRole.PARENT, AttendeeRole.PARTNER_AGENCY,
      AttendeeRole.INTERPRETER},
     ParticipationCode.PN6, {ConsultedRole.CHILD: {ViewsChannel.PAPER},
                             ConsultedRole.FOSTER_CARER: {ViewsChannel.VERBAL},
                             ConsultedRole.PARENT_OR_FAMILY: {ViewsChannel.VERBAL}}),
    ({AttendeeRole.CHILD, AttendeeRole.FOSTER_CARER, AttendeeRole.ADVOCATE},
     ParticipationCode.PN2, {ConsultedRole.CHILD: {ViewsChannel.ADVOCATE},
                             ConsultedRole.FOSTER_CARER: {ViewsChannel.ONLINE},
                             ConsultedRole.PARENT_OR_FAMILY: {ViewsChannel.NONE}}),
)

COUNCIL = {
    "council_name": "City of Westhaven Council",
    "iro_service_contact": "IRO service: 01632 960 100, iro.service@westhaven.example",
    "advocacy_provider": "Speak Up Westhaven",
    "advocacy_contact": "Freephone 0808 157 0000, text 07700 900 200",
    "independent_visitor_provider": "Speak Up Westhaven",
    "independent_visitor_contact": "01632 960 300",
    "complaints_contact": "Complaints team: 01632 960 400, complaints@westhaven.example",
    "service_inbox_email": "iro.service@westhaven.example",
}
PLEDGE = (
    "We will listen to you and take what you say seriously.\n\n"
    "We will help you stay in touch with the people who matter to you.\n\n"
    "We will make sure you have a good place to live, a good school and good health care.\n\n"
    "We will help you get ready for adult life, and be there for you after you leave care."
)
# (case_ref, kind, states it has been through after "new", days since it arrived, message)
REQUESTS = (
    ("DEMO-001", RequestKind.INDEPENDENT_VISITOR,
     (RequestState.ACKNOWLEDGED, RequestState.REFERRED), 40,
     "I would like someone to go to football with."),
    ("DEMO-002", RequestKind.ADVOCATE, (), 6, "Can someone come to my meeting with me?"),
    ("DEMO-003", RequestKind.TALK_TO_IRO, (), 0, None),
    ("DEMO-004", RequestKind.TALK_TO_IRO, (RequestState.ACKNOWLEDGED, RequestState.RESOLVED),
     60, "About my college course."),
)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    authenticator_key: str


@dataclass(frozen=True)
class DemoLink:
    description: str
    token: str


@dataclass
class LoadedDemo:
    staff: list[DemoAccount] = field(default_factory=list)
    links: list[DemoLink] = field(default_factory=list)


def _demo_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(3))


def _staff(loaded: LoadedDemo) -> dict[str, StaffUser]:
    by_email = {}
    for email, name, role in STAFF:
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            user = StaffUser(email=email, name=name, role=role)
            db.session.add(user)
        password = _demo_password()
        user.password_hash = passwords.hash_password(password)
        user.active = True
        # Kept across runs, so an authenticator app set up once keeps working.
        if user.totp_secret is None:
            user.totp_secret = two_factor.new_secret()
            user.totp_confirmed_at = utcnow()
        if email in WORK_CONTACT and user.work_phone is None and user.work_email is None:
            user.work_phone, user.work_email = WORK_CONTACT[email]
        by_email[email] = user
        loaded.staff.append(DemoAccount(role.value, email, password, user.totp_secret))
    return by_email


def _birthday(today: date, age: int) -> date:
    return today.replace(year=today.year - age) - timedelta(days=100)


def _held_reviews(child: Child, today: date) -> None:
    """The reviews a child in care this long has had, each a few days before it was due,
    with its meeting record; the latest one's full record is still to be sent."""
    held = [review.held_on for review in child.reviews if review.status is ReviewStatus.HELD]
    while True:
        planned = schedule.next_review(child.looked_after_since, held)
        held_on = planned.due_on - timedelta(days=3)
        if held_on > today - timedelta(days=14):
            break
        attended, code, views = PAST_MEETINGS[len(held) % len(PAST_MEETINGS)]
        db.session.add(Review(
            child=child, review_type=planned.review_type, due_on=planned.due_on,
            held_on=held_on, status=ReviewStatus.HELD, chair=child.iro,
            participation_code=code, decisions_sent_on=schedule.decisions_due(held_on),
            record_sent_on=schedule.record_due(held_on) if len(held) < 2 else None,
            attendance=[ReviewAttendance(role=role) for role in sorted(attended)],
            views_received=[ReviewViews(role=role, channel=channel)
                            for role, channels in views.items() for channel in channels]))
        held.append(held_on)


def _unbooked_children(staff: dict[str, StaffUser], social_worker: StaffUser,
                       today: date) -> None:
    for case_ref, name, age, language, days_in_care, iro_email in UNBOOKED:
        if db.session.scalar(select(Child).where(Child.case_ref == case_ref)) is None:
            child = Child(
                case_ref=case_ref, preferred_name=name, date_of_birth=_birthday(today, age),
                preferred_language=language,
                looked_after_since=today - timedelta(days=days_in_care),
                iro=staff[iro_email], social_worker=social_worker)
            care_periods.sync_current_period(child)
            db.session.add(child)


def load_demo(days_after_review: int, today: date | None = None) -> LoadedDemo:
    today = today or date.today()
    loaded = LoadedDemo()
    staff = _staff(loaded)
    social_worker = staff["social.worker@demo.haveyoursay.example"]
    for (case_ref, name, age, language, days_in_care, iro_email, review_type, days_until,
         invitees) in CHILDREN:
        child = db.session.scalar(select(Child).where(Child.case_ref == case_ref))
        if child is None:
            child = Child(
                case_ref=case_ref, preferred_name=name, date_of_birth=_birthday(today, age),
                preferred_language=language,
                looked_after_since=today - timedelta(days=days_in_care),
                iro=staff[iro_email], social_worker=social_worker)
            care_periods.sync_current_period(child)
            db.session.add(child)
        review = db.session.scalar(
            select(Review).where(Review.child == child, Review.status == ReviewStatus.SCHEDULED))
        if review is None:
            meeting_day = today + timedelta(days=days_until)
            review = Review(
                child=child, review_type=review_type, due_on=meeting_day + timedelta(days=3),
                scheduled_for=datetime.combine(meeting_day, time(10, 0), tzinfo=UTC))
            db.session.add(review)
        db.session.flush()
        _held_reviews(child, today)
        for role, invitee_name, invitee_language in invitees:
            invitation = db.session.scalar(select(Invitation).where(
                Invitation.review == review, Invitation.role == role,
                Invitation.invitee_name == invitee_name))
            if invitation is None:
                invitation, token = invitations.create_invitation(
                    review, role=role, invitee_name=invitee_name, language=invitee_language,
                    created_by=None, days_after_review=days_after_review)
            else:
                token = invitations.reissue_token(invitation)
            if case_ref != NOT_HANDED_OVER and invitation.handed_over_at is None:
                invitation.handed_over_at = utcnow()
            loaded.links.append(DemoLink(
                f"{invitee_name} ({role.value.replace('_', ' ')}) for {name}'s review", token))
    _unbooked_children(staff, social_worker, today)
    _council(staff["admin@demo.haveyoursay.example"])
    # Views first: a request is made from the child's own invitation.
    _consultations(loaded, staff, days_after_review, today)
    _requests(today)
    return loaded


def _council(admin: StaffUser) -> None:
    if council.current().updated_at is None:
        council.save(COUNCIL, staff=admin)
    if council.pledge_for("en_GB") is None:
        council.save_pledge("en_GB", PLEDGE, staff=admin)


def _requests(today: date) -> None:
    """Requests in several states, made once: one overdue, one new, one referred, one closed."""
    for case_ref, kind, states, days_ago, message in REQUESTS:
        child = db.session.scalar(select(Child).where(Child.case_ref == case_ref))
        if db.session.scalar(select(HelpRequest.id).where(HelpRequest.child_id == child.id)):
            continue
        invitation = db.session.scalar(select(Invitation).join(Invitation.review).where(
            Review.child_id == child.id, Invitation.role == InviteeRole.CHILD))
        arrived = datetime.combine(today - timedelta(days=days_ago), time(16), tzinfo=UTC)
        request = workflow.create_request(
            kind, RequestSource.CONSULTATION, invitation=invitation, message=message,
            language=child.preferred_language, now=arrived)
        for step, state in enumerate(states, start=1):
            workflow.change_state(request, state, staff=child.iro,
                                  now=arrived + timedelta(days=step * 2))
    if db.session.scalar(select(HelpRequest.id).where(HelpRequest.child_id.is_(None))) is None:
        workflow.create_request(
            RequestKind.ADVOCATE, RequestSource.PUBLIC_FORM,
            message="I am a foster carer asking for the boy I look after.",
            contact_name="Sara (demo)", contact_detail="07700 900 999", language="en_GB")


# Every audience's form, and responses already sent, so the IRO's page has something to read:
# (case_ref, invitee role, purpose, invitee name, language, answers sent or None to leave open)
CONSULTATIONS = (
    ("DEMO-003", InviteeRole.FAMILY_MEMBER, InvitationPurpose.VIEWS, "Aunt Rita", "en_GB", None),
    ("DEMO-001", InviteeRole.CHILD, InvitationPurpose.FEEDBACK, "Amanuel", "ti", None),
    # "No" to feeling safe where they live, and more: the caseload and the review pages show
    # the concerns these raise (docs/concerns.md).
    ("DEMO-001", InviteeRole.CHILD, InvitationPurpose.VIEWS, "Amanuel", "ti",
     {"attend_meeting": "yes", "co_chair": "no", "want_there": ["social_worker", "advocate"],
      "home_feeling": "okay", "home_safe": "no", "settled": "no", "overall_feeling": "sad",
      "asylum_help": "no", "asylum_interpreter": "yes", "family_tracing": "yes",
      "needs_to_change": "I want to live somewhere else, with other young people from Eritrea."}),
    ("DEMO-003", InviteeRole.CHILD, InvitationPurpose.VIEWS, "Jamie", "en_GB",
     {"attend_meeting": "not_sure", "want_there": ["carer"], "home_feeling": "sad",
      "home_safe": "no", "own_room": "yes", "school_feeling": "happy", "have_friends": "yes",
      "see_more": "My big sister", "overall_feeling": "very_sad", "helped_by": "nobody"}),
    ("DEMO-001", InviteeRole.SOCIAL_WORKER, InvitationPurpose.FEEDBACK, "Sam Social", "en_GB",
     {"review_useful": "very", "does_well": "She knows the young people well and listens.",
      "could_do_better": "Reviews can run long.", "may_quote": "yes"}),
    ("DEMO-006", InviteeRole.CHILD, InvitationPurpose.VIEWS, "Mariam", "ar",
     {"attend_meeting": "yes", "co_chair": "not_sure", "want_there": ["social_worker", "mum"],
      "not_want_there": ["dad"], "meeting_place": "school", "need_interpreter": "no",
      "home_feeling": "happy", "home_safe": "yes", "family_time_feeling": "sad",
      "went_well": "أحب مدرستي الجديدة. I like my new school.",
      "needs_to_change": "I want to see my brother every week.",
      "only_for_iro": "I do not want my dad at the meeting. Please don't tell him I said this."}),
    ("DEMO-006", InviteeRole.FOSTER_CARER, InvitationPurpose.VIEWS, "Hannah", "en_GB",
     {"changes": "Mariam has settled well and started Year 10.", "decisions_done": "no",
      "decisions_not_done": "The dentist appointment is still waiting.",
      "health_checks": ["health_assessment", "optician"], "attendance": "good",
      "stability": "stable", "attend_meeting": "yes"}),
)
UNACCOMPANIED = ("DEMO-001", "DEMO-004")


def _child_whose_views_were_sent(staff: dict[str, StaffUser], today: date) -> None:
    if db.session.scalar(select(Child).where(Child.case_ref == "DEMO-006")) is not None:
        return
    child = Child(
        case_ref="DEMO-006", preferred_name="Mariam", date_of_birth=_birthday(today, 14),
        preferred_language="ar", looked_after_since=today - timedelta(days=300),
        iro=staff["iro@demo.haveyoursay.example"],
        social_worker=staff["social.worker@demo.haveyoursay.example"])
    care_periods.sync_current_period(child)
    meeting_day = today + timedelta(days=4)
    db.session.add(Review(
        child=child, review_type=ReviewType.SUBSEQUENT, due_on=meeting_day,
        scheduled_for=datetime.combine(meeting_day, time(14, 0), tzinfo=UTC)))
    db.session.flush()


def _consultations(loaded: LoadedDemo, staff: dict[str, StaffUser], days_after_review: int,
                   today: date) -> None:
    from consult import drafts

    _child_whose_views_were_sent(staff, today)
    for case_ref in UNACCOMPANIED:
        child = db.session.scalar(select(Child).where(Child.case_ref == case_ref))
        child.unaccompanied_asylum_seeking = True
    for case_ref, role, purpose, invitee_name, language, answers in CONSULTATIONS:
        child = db.session.scalar(select(Child).where(Child.case_ref == case_ref))
        review = db.session.scalar(
            select(Review).where(Review.child == child, Review.status == ReviewStatus.SCHEDULED))
        invitation = db.session.scalar(select(Invitation).where(
            Invitation.review == review, Invitation.role == role,
            Invitation.purpose == purpose, Invitation.invitee_name == invitee_name))
        if invitation is None:
            invitation, token = invitations.create_invitation(
                review, role=role, invitee_name=invitee_name, language=language,
                created_by=child.iro, days_after_review=days_after_review, purpose=purpose)
        else:
            token = invitations.reissue_token(invitation)
        if invitation.handed_over_at is None:
            invitation.handed_over_at = utcnow()
        db.session.flush()
        if answers is not None and invitation.sent_at is None:
            drafts.send(invitation, drafts.questionnaire_for(invitation, None),
                        definitions.facts_for(invitation), answers,
                        idempotency_key=secrets.token_urlsafe(24), language=language,
                        now=datetime.now(UTC))
        what = "feedback" if purpose is InvitationPurpose.FEEDBACK else "views"
        sent = " (already sent)" if answers is not None else ""
        loaded.links.append(DemoLink(
            f"{invitee_name} ({role.value.replace('_', ' ')}, {what}) for "
            f"{child.preferred_name}'s review{sent}", token))
