"""The journey through a form: start, one question per page, check your answers, send.

Every Next saves a server-side draft; opening the link again resumes where the person
stopped. What someone typed is never dropped: a stale page, a lost session or a failed
save all show it back to them.
"""

from __future__ import annotations

import logging

from flask import g, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from consult import assets, drafts, invitations, policy, submissions, voices
from consult.extensions import db
from consult.models import Invitation, InviteeRole, utcnow
from consult.participation import bp
from consult.participation.journey import (
    WELCOME_BACK,
    Journey,
    already_sent,
    forget_journey,
    link_not_working,
    open_journey,
    url_of,
    welcomed_back,
    with_journey,
    written_in,
)
from consult.participation.session import (
    current_invitation,
    remember_written_here,
    start,
)
from consult.questionnaires import reading, runner
from consult.questionnaires.model import Question
from consult.web import content_security_policy

logger = logging.getLogger(__name__)


@bp.context_processor
def whose_review() -> dict[str, object]:
    """On a foster carer's or a parent's pages: which child and when the review is, and a
    footer for adults (issue 17). Nothing for a child's pages, or before a link is opened."""
    invitation = g.get("invitation")
    if invitation is None or invitation.role is InviteeRole.CHILD:
        return {}
    review = invitation.review
    name = review.child.preferred_name
    return {"for_adults": True, "about_child": name.split(maxsplit=1)[0] if name.strip() else name,
            "meeting_date": review.meeting_date}


@bp.get("/start/<token>")
@policy.public
def open_link(token: str):
    """Swap the secret in the link for a session, and answer with the page the person should
    be on: the start page itself for a fresh link, so it paints in one round trip; one
    redirect to where they stopped for someone coming back, or to a sent form's page."""
    invitation = invitations.find_by_token(token)
    if invitation is None or invitation.revoked_at is not None:
        return link_not_working()
    now = utcnow()
    if invitation.sent_at is None and not invitations.is_usable(invitation, now):
        return link_not_working()
    start(invitation)
    invitations.mark_opened(invitation, now)
    db.session.commit()
    if invitation.sent_at is not None:
        return redirect(url_for(".resume"), code=303)
    # `start` made this request forget what it had read of the old session (another link's
    # invitation, an ended session); the journey and the language are read again too.
    forget_journey()
    refresh_locale()
    journey = open_journey()
    if journey is None:
        return link_not_working()
    if journey.draft is not None:
        session[WELCOME_BACK] = True
    step = journey.resume_step()
    if step.page is not runner.Page.START:
        return redirect(url_of(step), code=303)
    # The start page at the link: its stylesheet in the page (allowed by its hash), so the
    # first paint needs no other request. The token stays in the address bar, so the page
    # is never stored (no-store, web.py), never named to another site (Referrer-Policy
    # no-referrer), its language links lead to the clean address, and the access log
    # records the path redacted (web.RedactSecretLinks).
    stylesheet = assets.inline_style()
    response = make_response(_start_page(journey, inline_style=stylesheet,
                                         language_base=url_for(".start_page")))
    response.headers["Content-Security-Policy"] = content_security_policy(
        style_sources=(stylesheet.csp_source,))
    return response


@bp.get("/your-say")
@policy.invitation_holder
@with_journey()
def resume(journey: Journey):
    """Where the person stopped: the start page, a question, or their answers to check."""
    return redirect(journey.where_to_go(), code=303)


def _start_page(journey: Journey, **page) -> str:
    total = len(runner.core(journey.questionnaire, journey.facts, journey.answers))
    return render_template("participation/start.html", questionnaire=journey.questionnaire,
                           total=total, first_url=journey.first_url(),
                           for_child=journey.invitation.role is InviteeRole.CHILD,
                           iro_name=journey.invitation.review.child.iro.first_name, **page)


@bp.get("/your-say/start")
@policy.invitation_holder
@with_journey()
def start_page(journey: Journey):
    return _start_page(journey)


def _changing() -> bool:
    """Whether the person came from Check your answers to change one answer."""
    return request.values.get("change") == "1"


def _question_page(journey: Journey, question: Question, *, value=None, error=None,
                   status=200, notice=None):
    place = journey.place(question.key)
    section = journey.questionnaire.section_of(question.key)
    written_before = question.key in journey.hidden
    if value is None:
        value = ("" if written_before else
                 journey.answers.get(question.key, [] if question.is_multiple else ""))
    return render_template(
        "participation/question.html", questionnaire=journey.questionnaire, question=question,
        section=section, place=place, value=value, errors={question.key: error} if error else {},
        changing=_changing(), written_before=written_before,
        listen=voices.listen_for(journey.questionnaire, question),
        notice=notice or ("welcome_back" if welcomed_back() else None),
        back_url=url_of(runner.step(place, runner.Action.BACK, changing=_changing())),
    ), status


def _answer_to_save(journey: Journey, question: Question, value, form):
    """What to save for this answer. Words written in an earlier session were not shown:
    left empty (or skipped), they stay as they are unless the person chose to delete them."""
    if question.key in journey.hidden and not value and form.get("forget_earlier") != "1":
        return journey.answers[question.key]
    return value


def _remember_written_here(question: Question, value) -> None:
    """Words written and saved in this session are shown back in it from now on."""
    if question.is_free_text and value:
        remember_written_here(question.key, value)


def _asked_question(journey: Journey, key: str) -> Question | None:
    question = journey.questionnaire.question(key)
    return question if question is not None and journey.place(key) else None


# The buttons of a question page; anything else posted counts as Next.
_POSTED_ACTIONS = {action.value: action for action in (
    runner.Action.NEXT, runner.Action.SKIP, runner.Action.BACK)}


def _read(question: Question, action: runner.Action) -> runner.ReadAnswer:
    if action is runner.Action.SKIP:
        return runner.ReadAnswer([] if question.is_multiple else "")
    return runner.read_answer(question, request.form)


@bp.route("/your-say/questions/<key>", methods=["GET", "POST"])
@policy.invitation_holder
@with_journey()
def question(journey: Journey, key: str):
    asked = _asked_question(journey, key)
    if asked is None:
        # Not a question of this form, or no longer asked after a change of answer.
        return redirect(url_for(".resume"), code=303)
    if request.method == "GET":
        return _question_page(journey, asked)
    action = _POSTED_ACTIONS.get(request.form.get("action", ""), runner.Action.NEXT)
    read = _read(asked, action)
    if read.error:
        return _question_page(journey, asked, value=read.value, error=read.error)
    value = _answer_to_save(journey, asked, read.value, request.form)
    journey.answers = {k: v for k, v in journey.answers.items() if k != key}
    if value:
        journey.answers[key] = value
    place = journey.place(key)
    if place is None:
        return redirect(url_for(".check_answers"), code=303)
    to = runner.step(place, action, changing=_changing())
    if not drafts.save_answer(journey.invitation, journey.questionnaire, key, value,
                              to.resume_at):
        return _question_page(journey, asked, value=read.value, status=503, notice="not_saved")
    _remember_written_here(asked, read.value)
    return redirect(url_of(to), code=303)


def _background_not_open(_invitation: Invitation | None):
    return jsonify(saved=False, message=_("This page has timed out")), 409


@bp.post("/your-say/questions/<key>/save")
@policy.invitation_holder
@with_journey(otherwise=_background_not_open)
def save_in_background(journey: Journey, key: str):
    """The optional script's save: the same checks as Next, without leaving the page."""
    asked = _asked_question(journey, key)
    if asked is None:
        return jsonify(saved=False, message=""), 409
    read = runner.read_answer(asked, request.form)
    if read.error:
        return jsonify(saved=False, message=read.error), 422
    value = _answer_to_save(journey, asked, read.value, request.form)
    if not drafts.save_answer(journey.invitation, journey.questionnaire, key, value, key):
        return jsonify(saved=False, message=_("Not saved yet. Press Next to try again.")), 503
    _remember_written_here(asked, read.value)
    return jsonify(saved=True, message=_("Saved"))


def _check_page(journey: Journey, idempotency_key: str, status=200, notice=None):
    kept = runner.kept_answers(journey.questionnaire, journey.facts, journey.answers)
    core = [q.key for q in runner.core(journey.questionnaire, journey.facts, kept.answers)]
    sections = reading.lay_out(journey.questionnaire, kept.asked, kept.answers,
                               include_only_for_iro=True)
    # "Tell me more about ...": each optional section not yet opened, at its first question.
    more = [(section, runner.in_section(section, journey.facts, kept.answers)[0].key)
            for section in runner.offered_sections(journey.questionnaire, journey.facts)
            if not runner.opened(section, journey.facts, kept.answers)
            and runner.in_section(section, journey.facts, kept.answers)]
    return render_template(
        "participation/check_answers.html", questionnaire=journey.questionnaire,
        sections=sections, idempotency_key=idempotency_key, more=more,
        written_before=journey.hidden,
        notice=notice or ("welcome_back" if welcomed_back() else None),
        last_url=url_for(".question", key=core[-1]) if core else url_for(".start_page"),
    ), status


@bp.get("/your-say/check")
@policy.invitation_holder
@with_journey()
def check_answers(journey: Journey):
    draft = journey.draft or drafts.ensure_draft(journey.invitation, journey.questionnaire)
    return _check_page(journey, draft.idempotency_key)


def _posted_key() -> str:
    return submissions.usable_idempotency_key(request.form.get("idempotency_key"))


def _sent_before(invitation: Invitation | None):
    """Sent already: by this very page (a double click, a resend after a lost reply), which
    thanks them again, or by another tab or device."""
    if invitation is None:
        return link_not_working()
    if submissions.sent_with_key(invitation, _posted_key()):
        return redirect(url_for(".thank_you"), code=303)
    return already_sent()


@bp.post("/your-say/send")
@policy.invitation_holder
@with_journey(otherwise=_sent_before)
def send(journey: Journey):
    idempotency_key = _posted_key()
    outcome = drafts.send(journey.invitation, journey.questionnaire, journey.facts,
                          journey.answers, idempotency_key=idempotency_key,
                          language=str(get_locale()), now=utcnow())
    if outcome is submissions.SaveOutcome.SAVED:
        return redirect(url_for(".thank_you"), code=303)
    if outcome is submissions.SaveOutcome.ALREADY_SENT:
        return _sent_before(journey.invitation)
    return _check_page(journey, idempotency_key, status=503, notice="not_saved")


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError):
    """Never lose what someone typed because their page went stale: show it back to them."""
    if request.endpoint == "participation.save_in_background":
        return jsonify(saved=False, message=_("This page has timed out")), 400
    journey = open_journey()
    if journey is None:
        return render_template("errors/form_expired.html", written=written_in(request.form)), 400
    if request.endpoint == "participation.question":
        asked = _asked_question(journey, request.view_args["key"])
        if asked is not None:
            read = runner.read_answer(asked, request.form)
            return _question_page(journey, asked, value=read.value, error=read.error,
                                  status=400, notice="refreshed")
    if request.endpoint == "participation.send":
        draft = journey.draft or drafts.ensure_draft(journey.invitation, journey.questionnaire)
        return _check_page(journey, draft.idempotency_key, status=400, notice="refreshed")
    return render_template("errors/form_expired.html", written=written_in(request.form)), 400


@bp.errorhandler(OperationalError)
def database_unavailable(_error: OperationalError):
    """The database is out of reach: say so kindly and give back what was typed."""
    db.session.rollback()
    logger.error("database unavailable: %s", type(_error.orig).__name__)
    return render_template("errors/unavailable.html", written=written_in(request.form)), 503


@bp.get("/your-say/thank-you")
@policy.invitation_holder
def thank_you():
    invitation = current_invitation()
    if invitation is None:
        return link_not_working()
    if invitation.sent_at is None:
        return redirect(url_for(".resume"), code=303)
    return render_template("participation/thank_you.html", purpose=invitation.purpose.value)
