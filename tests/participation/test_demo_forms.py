"""The demo offers every audience's form and has views already sent for the IRO to read."""

from __future__ import annotations

from sqlalchemy import select

from consult.extensions import db
from consult.models import Invitation, Response
from consult.participation import drafts
from consult.questionnaires import definitions


def test_the_demo_has_every_form_and_sent_responses(cli):
    assert cli.invoke(args=["demo"]).exit_code == 0

    forms = {drafts.questionnaire_for(invitation, None).key
             for invitation in db.session.scalars(select(Invitation))}
    assert forms == set(definitions.CURRENT)
    sent = db.session.scalars(select(Response)).all()
    assert {response.questionnaire_key for response in sent} >= {
        "young_person", "foster_carer", "professional_feedback"}
