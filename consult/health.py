"""Probes for the load balancer and the orchestrator.

`/healthz` answers while the process can serve requests, without touching the database, so
a database outage does not get every instance restarted. `/readyz` asks the database, so
an instance that cannot reach it is taken out of rotation until it can.
"""

from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from consult import policy
from consult.extensions import db, limiter

logger = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
# Probes come every few seconds from the proxy's address; they must never use up its limit.
limiter.exempt(bp)


@bp.get("/healthz")
@policy.public
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
@policy.public
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("not ready: database unreachable (%s)", type(error).__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
