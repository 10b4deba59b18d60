"""The demo shows the council's details, a Pledge and requests in several states, once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from consult import council, demo
from consult.extensions import db
from consult.models import HelpRequest, RequestState, StaffRole, StaffUser


def _states():
    return dict(db.session.execute(
        select(HelpRequest.state, func.count()).group_by(HelpRequest.state)).all())


def test_the_demo_has_council_settings_a_pledge_and_requests_in_several_states(cli, app):
    assert cli.invoke(args=["demo"]).exit_code == 0
    # Running the demo again must not add requests or overwrite an admin's edits.
    admin = db.session.scalar(select(StaffUser).where(StaffUser.role == StaffRole.ADMIN))
    demo._council(admin)
    demo._requests(date.today())
    db.session.commit()

    assert council.current().council_name == "City of Westhaven Council"
    assert council.pledge_for("ti").is_fallback is True
    assert _states() == {RequestState.NEW: 3, RequestState.REFERRED: 1,
                         RequestState.RESOLVED: 1}
    assert db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.child_id.is_(None))) == 1
