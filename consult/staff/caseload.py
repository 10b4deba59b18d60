"""What a member of staff may see of their children and reviews, as plain queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import Child, Invitation, Response, Review, ReviewStatus, StaffRole, StaffUser
from consult.questionnaires import definitions
from consult.staff.access import may_read_child


def _my_children(user: StaffUser):
    if user.role is StaffRole.IRO:
        return Child.iro_id == user.id
    if user.role is StaffRole.SOCIAL_WORKER:
        return Child.social_worker_id == user.id
    return None


def upcoming_reviews(user: StaffUser) -> list[Review]:
    """Scheduled reviews of the children in this person's care, soonest first."""
    mine = _my_children(user)
    if mine is None:
        return []
    return list(db.session.scalars(
        select(Review)
        .join(Review.child)
        .where(mine, Child.ceased_on.is_(None), Review.status == ReviewStatus.SCHEDULED)
        .options(selectinload(Review.child), selectinload(Review.invitations))
        .order_by(Review.due_on, Review.id)
    ))


def review_for(user: StaffUser, review_id: int) -> Review | None:
    """The review, with everything its page shows, if this person may read it."""
    review = db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            selectinload(Review.child),
            selectinload(Review.invitations).selectinload(Invitation.response).options(
                selectinload(Response.answers), selectinload(Response.free_texts)),
        )
    )
    if review is None or not may_read_child(user, review.child):
        return None
    return review


def invitation_for(user: StaffUser, invitation_id: int) -> Invitation | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not may_read_child(user, invitation.review.child):
        return None
    return invitation


@dataclass(frozen=True)
class ShownAnswer:
    question: str
    answer: str
    own_words: bool
    only_for_iro: bool


def answers_as_seen(response: Response, *, include_only_for_iro: bool) -> list[ShownAnswer]:
    """Every question in the order the respondent saw it, with their answer ("" if left out).

    Questions are taken from the version the respondent answered, so a later change to a
    question never makes an old answer look as if it meant something else.
    """
    questionnaire = definitions.version(response.questionnaire_key, response.questionnaire_version)
    chosen = {answer.question_key: answer.value for answer in response.answers}
    written = {text.question_key: text for text in response.free_texts}
    shown = []
    for question in questionnaire.questions:
        if question.only_for_iro and not include_only_for_iro:
            continue
        if question.key in written:
            answer = written[question.key].text
        else:
            answer = question.label_for(chosen[question.key]) if question.key in chosen else ""
        shown.append(ShownAnswer(
            str(question.text), answer, question.is_free_text, question.only_for_iro))
    return shown
