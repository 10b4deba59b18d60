"""A small year of reviews whose figures were counted by hand (see the expected values in
test_figures.py). The period is the council year 2015/16: 1 April 2015 to 31 March 2016.

Children                               Reviews (R) and what happened
C1 15, Tigrinya, IRO A                 R1 initial, due 1 May, held 28 Apr (in time), PN1
                                          present: child, carer, supervising social worker,
                                          the child's social worker
                                          views: child on paper and spoken to the IRO (IRO's
                                          record); carer sent the form online on 20 Apr and
                                          the IRO recorded nothing
                                       R2 second, due 28 Jul, held 3 Aug (late), PN6
                                          present: carer, parent; parent sent online 1 Aug;
                                          the child's form came 5 Aug, after the meeting
                                       R3 subsequent, cancelled
C2 3 (under 4), English, IRO A         R4 initial, held on its due day 10 Jun, PN0
                                          present: carer, partner agency; no invitations
C3 8, Arabic, IRO B, ceased 1 Oct 2015 R5 initial, due 20 May, held 19 May, PN5
                                          present: carer, parent and family member, an
                                          advocate, an interpreter
                                          views: child through an advocate, carer verbal,
                                          parent 'none' recorded though they sent online
                                       R6 second, scheduled for November, never held
C4 16, Dari, IRO B                     R7 subsequent, chaired by IRO A, due 31 Mar 2016,
                                          held 30 Mar 2016, PN1; present: child, carer,
                                          supervising social worker, the child's social
                                          worker; child online (recorded)
                                       R8 held 20 Mar 2015 and R9 held 2 Apr 2016: outside
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from consult.extensions import db
from consult.figures.sql import utc_day
from consult.models import (
    Answer,
    AnswerFiguresStale,
    AttendeeRole,
    Child,
    ConsultedRole,
    FreeTextAnswer,
    HelpRequest,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    ParticipationCode,
    RequestKind,
    RequestSource,
    RequestState,
    Response,
    Review,
    ReviewAttendance,
    ReviewFiguresStale,
    ReviewStatus,
    ReviewType,
    ReviewViews,
    StaffRole,
    ViewsChannel,
)
from consult.questionnaires import definitions
from tests import factories


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def counted_question():
    """A structured question with at least two answers, read from the definitions."""
    for questionnaire in definitions.ALL.values():
        for question in questionnaire.questions:
            if not question.is_free_text and len(question.choices) >= 2:
                return questionnaire, question
    raise AssertionError("no structured question to count")


@dataclass
class Year:
    iro_a: object
    iro_b: object
    manager: object
    children: dict
    reviews: dict


def _child(iro, name: str, born: date, language: str, ceased: date | None = None) -> Child:
    child = Child(case_ref=f"Y-{uuid.uuid4().hex[:8]}", preferred_name=name, date_of_birth=born,
                  preferred_language=language, looked_after_since=date(2015, 1, 1),
                  ceased_on=ceased, iro=iro)
    db.session.add(child)
    return child


def _review(child, review_type, due, held=None, status=ReviewStatus.HELD, chair=None, pn=None,
            present=(), views=()) -> Review:
    review = Review(child=child, review_type=review_type, due_on=due, held_on=held,
                    status=status, chair=chair, participation_code=pn)
    review.attendance = [ReviewAttendance(role=role) for role in present]
    review.views_received = [ReviewViews(role=role, channel=channel) for role, channel in views]
    db.session.add(review)
    return review


def _sent(review, role, day, *, purpose=InvitationPurpose.VIEWS, answers=(), texts=(),
          questionnaire=("adult", 1)) -> Invitation:
    invitation = Invitation(
        review=review, role=role, purpose=purpose, invitee_name="Named Person", language="en_GB",
        token_hash=uuid.uuid4().hex + uuid.uuid4().hex, expires_at=at(day) + timedelta(days=30),
        sent_at=at(day))
    response = Response(invitation=invitation, questionnaire_key=questionnaire[0],
                        questionnaire_version=questionnaire[1], language="en_GB")
    response.answers = [Answer(question_key=key, value=value) for key, value in answers]
    response.free_texts = [FreeTextAnswer(question_key=key, text=text, only_for_iro=private)
                           for key, text, private in texts]
    db.session.add(invitation)
    return invitation


def _request(kind, state, created, acknowledged_after_hours=None, child=None):
    request = HelpRequest(
        kind=kind, state=state, source=RequestSource.CONSULTATION if child else
        RequestSource.PUBLIC_FORM, child=child, created_at=created,
        acknowledged_at=(created + timedelta(hours=acknowledged_after_hours)
                         if acknowledged_after_hours is not None else None))
    db.session.add(request)


def build_year() -> Year:
    iro_a = factories.staff(StaffRole.IRO, name="Imani A")
    iro_b = factories.staff(StaffRole.IRO, name="Idris B")
    manager = factories.staff(StaffRole.MANAGER, name="Morgan")
    c1 = _child(iro_a, "Amanuel", date(2000, 1, 15), "ti")
    c2 = _child(iro_a, "Baby", date(2012, 2, 1), "en_GB")
    c3 = _child(iro_b, "Layla", date(2007, 3, 1), "ar", ceased=date(2015, 10, 1))
    c4 = _child(iro_b, "Ahmad", date(1999, 6, 1), "fa_AF")
    child, carer = ConsultedRole.CHILD, ConsultedRole.FOSTER_CARER
    family = ConsultedRole.PARENT_OR_FAMILY
    r1 = _review(c1, ReviewType.INITIAL, date(2015, 5, 1), date(2015, 4, 28), chair=iro_a,
                 pn=ParticipationCode.PN1,
                 present=(AttendeeRole.CHILD, AttendeeRole.FOSTER_CARER,
                          AttendeeRole.SUPERVISING_SOCIAL_WORKER, AttendeeRole.SOCIAL_WORKER),
                 views=((child, ViewsChannel.PAPER), (child, ViewsChannel.VERBAL)))
    r2 = _review(c1, ReviewType.SECOND, date(2015, 7, 28), date(2015, 8, 3), chair=iro_a,
                 pn=ParticipationCode.PN6, present=(AttendeeRole.FOSTER_CARER, AttendeeRole.PARENT))
    r3 = _review(c1, ReviewType.SUBSEQUENT, date(2016, 1, 28), status=ReviewStatus.CANCELLED)
    r4 = _review(c2, ReviewType.INITIAL, date(2015, 6, 10), date(2015, 6, 10), chair=iro_a,
                 pn=ParticipationCode.PN0,
                 present=(AttendeeRole.FOSTER_CARER, AttendeeRole.PARTNER_AGENCY))
    r5 = _review(c3, ReviewType.INITIAL, date(2015, 5, 20), date(2015, 5, 19), chair=iro_b,
                 pn=ParticipationCode.PN5,
                 present=(AttendeeRole.FOSTER_CARER, AttendeeRole.PARENT,
                          AttendeeRole.FAMILY_MEMBER, AttendeeRole.ADVOCATE,
                          AttendeeRole.INTERPRETER),
                 views=((child, ViewsChannel.ADVOCATE), (carer, ViewsChannel.VERBAL),
                        (family, ViewsChannel.NONE)))
    r6 = _review(c3, ReviewType.SECOND, date(2015, 11, 19), status=ReviewStatus.SCHEDULED)
    r7 = _review(c4, ReviewType.SUBSEQUENT, date(2016, 3, 31), date(2016, 3, 30), chair=iro_a,
                 pn=ParticipationCode.PN1,
                 present=(AttendeeRole.CHILD, AttendeeRole.FOSTER_CARER,
                          AttendeeRole.SUPERVISING_SOCIAL_WORKER, AttendeeRole.SOCIAL_WORKER),
                 views=((child, ViewsChannel.ONLINE),))
    r8 = _review(c4, ReviewType.SUBSEQUENT, date(2015, 3, 25), date(2015, 3, 20), chair=iro_b,
                 pn=ParticipationCode.PN1, present=(AttendeeRole.CHILD,),
                 views=((child, ViewsChannel.ONLINE),))
    r9 = _review(c4, ReviewType.SUBSEQUENT, date(2016, 4, 5), date(2016, 4, 2), chair=iro_b,
                 pn=ParticipationCode.PN1, present=(AttendeeRole.CHILD,))

    # Views forms sent online: the carer's and parent's count where the IRO recorded nothing.
    _sent(r1, InviteeRole.FOSTER_CARER, date(2015, 4, 20))
    _sent(r2, InviteeRole.PARENT, date(2015, 8, 1))
    _sent(r5, InviteeRole.PARENT, date(2015, 5, 10))
    # Children's forms: one structured question answered c0, c1, c0, and once skipped.
    questionnaire, question = counted_question()
    form = (questionnaire.key, questionnaire.version)
    first, second = question.choices[0].value, question.choices[1].value
    _sent(r1, InviteeRole.CHILD, date(2015, 4, 25), questionnaire=form)
    _sent(r2, InviteeRole.CHILD, date(2015, 8, 5), questionnaire=form,
          answers=((question.key, first),))
    _sent(r5, InviteeRole.CHILD, date(2015, 5, 1), questionnaire=form,
          answers=((question.key, second),))
    _sent(r7, InviteeRole.CHILD, date(2016, 3, 20), questionnaire=form,
          answers=((question.key, first),))
    # Feedback after reviews: one writer agreed to be quoted, one did not.
    _sent(r1, InviteeRole.CHILD, date(2015, 5, 5), purpose=InvitationPurpose.FEEDBACK,
          questionnaire=("feedback", 1), answers=(("may_quote", "yes"),),
          texts=(("review_went", "My IRO listens to me", False),
                 ("only_for_iro", "A private worry for my IRO", True)))
    _sent(r7, InviteeRole.FOSTER_CARER, date(2016, 3, 31), purpose=InvitationPurpose.FEEDBACK,
          questionnaire=("feedback", 1), answers=(("may_quote", "no"),),
          texts=(("review_went", "Please do not quote this", False),))

    _request(RequestKind.INDEPENDENT_VISITOR, RequestState.MATCHED, at(date(2015, 5, 1), 10),
             24, c1)
    _request(RequestKind.INDEPENDENT_VISITOR, RequestState.REFERRED, at(date(2015, 6, 1)), 48, c3)
    _request(RequestKind.INDEPENDENT_VISITOR, RequestState.NEW, at(date(2015, 7, 1)), None, c4)
    _request(RequestKind.INDEPENDENT_VISITOR, RequestState.WITHDRAWN, at(date(2015, 9, 1)), 12,
             c2)
    _request(RequestKind.ADVOCATE, RequestState.RESOLVED, at(date(2015, 10, 1)), 6)
    _request(RequestKind.INDEPENDENT_VISITOR, RequestState.MATCHED, at(date(2016, 4, 5)), 1, c1)
    db.session.commit()
    return Year(iro_a, iro_b, manager, {"c1": c1, "c2": c2, "c3": c3, "c4": c4},
                {name: review for name, review in zip(
                    ("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"),
                    (r1, r2, r3, r4, r5, r6, r7, r8, r9), strict=True)})


def mark_everything() -> None:
    """Mark every review and every day a form was sent, as a revision run by `db upgrade`
    does: marks that no write through the app made, so nothing has counted them again."""
    db.session.execute(insert(ReviewFiguresStale).from_select(["review_id"], select(Review.id)))
    db.session.execute(insert(AnswerFiguresStale).from_select(["sent_on"], select(
        utc_day(Invitation.sent_at)).where(Invitation.sent_at.is_not(None)).distinct()))
    db.session.commit()
