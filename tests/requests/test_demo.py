"""The demo shows the council's details, a Pledge and requests in several states, once."""

from __future__ import annotations

from sqlalchemy import func, select

from consult import council
from consult.extensions import db
from consult.models import HelpRequest, RequestState


def test_the_demo_has_council_settings_a_pledge_and_requests_in_several_states(cli, app):
    assert cli.invoke(args=["demo"]).exit_code == 0
    assert cli.invoke(args=["demo"]).exit_code == 0

    assert council.current().council_name == "City of Westhaven Council"
    assert council.pledge_for("ti").is_fallback is True
    states = dict(db.session.execute(
        select(HelpRequest.state, func.count()).group_by(HelpRequest.state)).all())
    assert states == {RequestState.NEW: 3, RequestState.REFERRED: 1, RequestState.RESOLVED: 1}
    assert db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.child_id.is_(None))) == 1
