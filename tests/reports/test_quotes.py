"""The quotes of the annual pack: the first ones sent, however many forms share a moment."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import false, select

from consult.extensions import db
from consult.figures.period import Period
from consult.figures.quotes import QUOTES_SHOWN, consented_quotes
from consult.models import (
    Answer,
    FreeTextAnswer,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    Response,
)
from tests.reports.dataset import _sent, build_year

YEAR = Period.council_year(2015)


@pytest.fixture
def year(app):
    return build_year()


def test_the_first_quotes_are_found_however_many_forms_share_a_moment(year):
    # More forms than quotes shown, most sent at the same moment, some with two shareable
    # texts, some not consented or only for the IRO: the quotes are the first by the time
    # sent, then by text, as if every feedback form of the year were read and sorted.
    for number in range(QUOTES_SHOWN + 15):
        day = date(2015, 6, 1 if number < 10 else 2)  # two moments, the second shared by 45
        consent = "no" if number % 7 == 0 else "yes"
        texts = [("review_went", f"Quote {number} a", number % 5 == 0)]
        if number % 2:
            texts.append(("anything_else", f"Quote {number} b", False))
        _sent(year.reviews["r4"], (InviteeRole.CHILD, InviteeRole.FOSTER_CARER)[number % 2],
              day, purpose=InvitationPurpose.FEEDBACK, questionnaire=("feedback", 1),
              answers=(("may_quote", consent),), texts=texts)
    db.session.commit()
    consented = select(Answer.id).where(Answer.response_id == Response.id,
                                        Answer.question_key == "may_quote",
                                        Answer.value == "yes").exists()
    every_quote = db.session.execute(
        select(FreeTextAnswer.text)
        .join(Response, Response.id == FreeTextAnswer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.purpose == InvitationPurpose.FEEDBACK,
               Invitation.sent_at >= YEAR.starts_at,
               Invitation.sent_at < YEAR.ends_before,
               FreeTextAnswer.only_for_iro == false(), consented)
        .order_by(Invitation.sent_at, FreeTextAnswer.id)).scalars().all()
    assert len(every_quote) > QUOTES_SHOWN
    assert [quote.text for quote in consented_quotes(YEAR)] == every_quote[:QUOTES_SHOWN]
