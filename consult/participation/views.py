from __future__ import annotations

import enum
import logging

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from consult import audit, invitations
from consult.alerts.outbox import queue_submission_alert
from consult.extensions import db
from consult.models import Invitation, utcnow
from consult.participation import bp
from consult.participation.session import current_invitation, start
from consult.questionnaires import definitions, runner

logger = logging.getLogger(__name__)


class SendOutcome(enum.Enum):
    SAVED = enum.auto()
    ALREADY_SENT = enum.auto()
    NOT_SAVED = enum.auto()


def _link_not_working():
    return render_template("participation/link_not_working.html"), 404


def _already_sent():
    return render_template("participation/already_sent.html")


def _questionnaire_page(questions, values=None, errors=None, status=200, **notices):
    return render_template("participation/questionnaire.html", questionnaire=questions,
                           values=values or {}, errors=errors or {}, **notices), status


@bp.get("/start/<token>")
def open_link(token: str):
    """Swap the secret in the link for a session, then leave the secret out of the URL."""
    invitation = invitations.find_by_token(token)
    if invitation is None or invitation.revoked_at is not None:
        return _link_not_working()
    now = utcnow()
    if invitation.submitted_at is None and not invitations.is_usable(invitation, now):
        return _link_not_working()
    start(invitation)
    invitations.mark_opened(invitation, now)
    db.session.commit()
    return redirect(url_for(".questionnaire"), code=303)


@bp.route("/your-say", methods=["GET", "POST"])
def questionnaire():
    invitation = current_invitation()
    if invitation is None:
        return _link_not_working()
    if invitation.submitted_at is not None:
        return _already_sent()
    questions = definitions.for_role(invitation.role)
    if request.method == "GET":
        return _questionnaire_page(questions)

    read = runner.read_form(questions, request.form)
    if not read.valid:
        return _questionnaire_page(questions, read.values, read.errors)
    outcome = _send(invitation, questions, read.values)
    if outcome is SendOutcome.SAVED:
        return redirect(url_for(".thank_you"), code=303)
    if outcome is SendOutcome.ALREADY_SENT:
        return _already_sent()
    return _questionnaire_page(questions, read.values, status=503, not_saved=True)


def _send(invitation: Invitation, questions, values: dict[str, str]) -> SendOutcome:
    now = utcnow()
    try:
        if not invitations.claim_submission(invitation, now):
            db.session.rollback()
            return SendOutcome.ALREADY_SENT
        response = runner.build_response(
            questions, values, invitation=invitation, language=str(get_locale()),
            submitted_at=now)
        db.session.add(response)
        audit.record("response.submitted", invitation=invitation, subject=invitation,
                     questionnaire=questions.key, version=questions.version)
        queue_submission_alert(invitation)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return SendOutcome.ALREADY_SENT
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.error("could not save a response: %s", type(error).__name__)
        return SendOutcome.NOT_SAVED
    return SendOutcome.SAVED


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError):
    """Never lose what someone typed because their page went stale: show it back to them."""
    invitation = current_invitation()
    if invitation is None or request.endpoint != "participation.questionnaire":
        written = [runner.clean_text(request.form[key]) for key in definitions.free_text_keys()
                   if request.form.get(key, "").strip()]
        return render_template("errors/form_expired.html", written=written), 400
    if invitation.submitted_at is not None:
        return _already_sent()
    questions = definitions.for_role(invitation.role)
    read = runner.read_form(questions, request.form)
    return _questionnaire_page(questions, read.values, status=400, page_refreshed=True)


@bp.get("/your-say/thank-you")
def thank_you():
    invitation = current_invitation()
    if invitation is None:
        return _link_not_working()
    if invitation.submitted_at is None:
        return redirect(url_for(".questionnaire"), code=303)
    return render_template("participation/thank_you.html")
