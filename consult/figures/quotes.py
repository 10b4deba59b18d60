"""Quotes for the annual pack: feedback its writer agreed to share, without their name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, false, func, select

from consult.extensions import db
from consult.figures.period import Period
from consult.models import (
    Answer,
    FreeTextAnswer,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    Response,
)

ROLE_QUOTED = {
    InviteeRole.CHILD: "A child or young person",
    InviteeRole.FOSTER_CARER: "A foster carer",
    InviteeRole.PARENT: "A parent or family member",
    InviteeRole.FAMILY_MEMBER: "A parent or family member",
    InviteeRole.SOCIAL_WORKER: "A social worker",
    InviteeRole.OTHER: "Someone at the review",
}


QUOTES_SHOWN = 40


@dataclass(frozen=True)
class Quote:
    who: str
    text: str


def consented_quotes(period: Period) -> list[Quote]:
    """Feedback its writer agreed to share, without their name: never text only for the IRO.

    The first QUOTES_SHOWN in the order the forms were sent. Every form with something to
    quote gives at least one quote, so all of them are among the forms sent no later than
    the QUOTES_SHOWN-th such form: finding that moment first (in the order of an index on
    feedback forms by the time sent) spares reading every feedback form of the year.
    """
    consented = exists().where(
        Answer.response_id == Response.id, Answer.question_key == "may_quote",
        Answer.value == "yes")
    quotable = exists().where(Response.invitation_id == Invitation.id,
                              FreeTextAnswer.response_id == Response.id,
                              FreeTextAnswer.only_for_iro == false(), consented)
    feedback_sent = and_(Invitation.purpose == InvitationPurpose.FEEDBACK,
                         Invitation.sent_at >= period.starts_at,
                         Invitation.sent_at < period.ends_before)
    first_forms = (select(Invitation.sent_at)
                   .where(feedback_sent, quotable)
                   .order_by(Invitation.sent_at)
                   .limit(QUOTES_SHOWN)
                   .subquery("first_forms"))
    last_needed = select(func.max(first_forms.c.sent_at)).scalar_subquery()
    rows = db.session.execute(
        select(Invitation.role, FreeTextAnswer.text)
        .select_from(FreeTextAnswer)
        .join(Response, Response.id == FreeTextAnswer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(feedback_sent, Invitation.sent_at <= last_needed,
               FreeTextAnswer.only_for_iro == false(), consented)
        .order_by(Invitation.sent_at, FreeTextAnswer.id)
        .limit(QUOTES_SHOWN))
    return [Quote(ROLE_QUOTED.get(role, "Someone at the review"), text) for role, text in rows]
