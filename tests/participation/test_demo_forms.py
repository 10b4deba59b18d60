"""The demo offers every audience's form and has views already sent for the IRO to read."""

from __future__ import annotations

from sqlalchemy import select

from consult import drafts
from consult.extensions import db
from consult.models import Invitation, Response
from consult.questionnaires import definitions


def test_the_demo_has_every_form_and_sent_responses(cli):
    assert cli.invoke(args=["demo"]).exit_code == 0

    forms = {drafts.questionnaire_for(invitation, None).key
             for invitation in db.session.scalars(select(Invitation))}
    assert forms == set(definitions.CURRENT)
    sent = db.session.scalars(select(Response)).all()
    assert {response.questionnaire_key for response in sent} >= {
        "young_person", "foster_carer", "professional_feedback"}


def test_the_demo_shows_concerns_from_amanuels_and_jamies_answers(cli):
    from consult.models import Child, RaisedConcern

    assert cli.invoke(args=["demo"]).exit_code == 0
    assert cli.invoke(args=["demo"]).exit_code == 0  # again: nothing raised twice
    raised = db.session.execute(
        select(Child.preferred_name, RaisedConcern.concern_key)
        .join(RaisedConcern, RaisedConcern.child_id == Child.id)).all()
    assert sorted(raised) == [
        ("Amanuel", "no_asylum_help"), ("Amanuel", "not_safe_at_home"),
        ("Jamie", "not_safe_at_home"), ("Jamie", "very_sad_overall")]
