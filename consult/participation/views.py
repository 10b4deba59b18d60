"""The journey through a form: start, one question per page, check your answers, send.

Every Next saves a server-side draft; opening the link again resumes where the person
stopped. What someone typed is never dropped: a stale page, a lost session or a failed
save all show it back to them.
"""

from __future__ import annotations

import logging

from flask import g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from consult import invitations, policy, submissions
from consult.extensions import db
from consult.inputs import clean_text
from consult.models import Invitation, InviteeRole, utcnow
from consult.participation import bp, drafts
from consult.participation import session as link_session
from consult.participation.session import (
    current_invitation,
    remember_written_here,
    start,
    written_here,
)
from consult.questionnaires import definitions, reading, runner
from consult.questionnaires.model import Question, Questionnaire

logger = logging.getLogger(__name__)


# Set when someone opens their link again with answers saved; the page they land on greets
# them once ("Welcome back") and says where they are.
WELCOME_BACK = "welcome_back"


def _welcomed_back() -> bool:
    return bool(session.pop(WELCOME_BACK, False))


def _link_not_working():
    if g.get(link_session.TIMED_OUT):
        # Their answers are in the draft; what they typed on this page comes back to them.
        written = _written_in(request.form) if request.method == "POST" else []
        return render_template("participation/timed_out.html", written=written,
                               minutes=link_session.IDLE_SECONDS // 60), 404
    return render_template("participation/link_not_working.html"), 404


def _already_sent():
    # Typed on another tab or device after the answers were sent: give the words back.
    written = _written_in(request.form) if request.method == "POST" else []
    return render_template("participation/already_sent.html", written=written)


def _written_in(form) -> list[str]:
    """Whatever the person wrote in their own words in this form, cleaned, to give back."""
    return [clean_text(form[key]) for key in definitions.free_text_keys()
            if form.get(key, "").strip()]


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


class _Journey:
    """The open invitation, its form and draft, loaded once per request."""

    def __init__(self, invitation: Invitation):
        self.invitation = invitation
        self.draft = invitation.draft
        self.questionnaire: Questionnaire = drafts.questionnaire_for(invitation, self.draft)
        self.facts = definitions.facts_for(invitation)
        self.values = dict(self.draft.answers) if self.draft else {}
        # Words written in an earlier browser session: saved, never shown back here.
        self.hidden = frozenset(
            q.key for q in self.questionnaire.questions
            if q.is_free_text and self.values.get(q.key)
            and not written_here(q.key, self.values[q.key]))

    def place(self, key: str):
        return runner.place_of(self.questionnaire, self.facts, self.values, key)

    def where_to_go(self) -> str:
        """The start page before anything was saved, else the question where they stopped,
        else their answers to check."""
        if self.draft is None:
            return url_for(".start_page")
        if self.draft.resume_at and self.place(self.draft.resume_at):
            return url_for(".question", key=self.draft.resume_at)
        return url_for(".check_answers")

    def first_url(self) -> str:
        first = runner.first_key(self.questionnaire, self.facts)
        return url_for(".question", key=first) if first else url_for(".check_answers")


def _open_journey():
    """(journey, None) for a usable session, else (None, the page to show instead)."""
    invitation = current_invitation()
    if invitation is None:
        return None, _link_not_working()
    if invitation.sent_at is not None:
        return None, _already_sent()
    return _Journey(invitation), None


@bp.get("/start/<token>")
@policy.public
def open_link(token: str):
    """Swap the secret in the link for a session, then leave the secret out of the URL."""
    invitation = invitations.find_by_token(token)
    if invitation is None or invitation.revoked_at is not None:
        return _link_not_working()
    now = utcnow()
    if invitation.sent_at is None and not invitations.is_usable(invitation, now):
        return _link_not_working()
    start(invitation)
    invitations.mark_opened(invitation, now)
    db.session.commit()
    if invitation.sent_at is not None:
        return redirect(url_for(".resume"), code=303)
    journey = _Journey(invitation)
    if journey.draft is not None:
        session[WELCOME_BACK] = True
    # Straight to where the person should be: one redirect, to leave the secret out of the URL.
    return redirect(journey.where_to_go(), code=303)


@bp.get("/your-say")
@policy.invitation_holder
def resume():
    """Where the person stopped: the start page, a question, or their answers to check."""
    journey, other = _open_journey()
    if journey is None:
        return other
    return redirect(journey.where_to_go(), code=303)


@bp.get("/your-say/start")
@policy.invitation_holder
def start_page():
    journey, other = _open_journey()
    if journey is None:
        return other
    total = len(runner.core(journey.questionnaire, journey.facts, journey.values))
    return render_template("participation/start.html", questionnaire=journey.questionnaire,
                           total=total, first_url=journey.first_url(),
                           for_child=journey.invitation.role is InviteeRole.CHILD,
                           iro_name=journey.invitation.review.child.iro.first_name)


def _question_page(journey: _Journey, question: Question, *, value=None, error=None,
                   status=200, changing=False, notice=None):
    place = journey.place(question.key)
    section = journey.questionnaire.section_of(question.key)
    written_before = question.key in journey.hidden
    if value is None:
        value = ("" if written_before else
                 journey.values.get(question.key, [] if question.is_multiple else ""))
    return render_template(
        "participation/question.html", questionnaire=journey.questionnaire, question=question,
        section=section, place=place, value=value, errors={question.key: error} if error else {},
        changing=changing, written_before=written_before,
        notice=notice or ("welcome_back" if _welcomed_back() else None),
        back_url=(url_for(".check_answers") if changing else
                  url_for(".question", key=place.previous_key) if place.previous_key else
                  url_for(".check_answers") if place.optional else url_for(".start_page")),
    ), status


def _answer_to_save(journey: _Journey, question: Question, value, form):
    """What to save for this answer. Words written in an earlier session were not shown:
    left empty (or skipped), they stay as they are unless the person chose to delete them."""
    if question.key in journey.hidden and not value and form.get("forget_earlier") != "1":
        return journey.values[question.key]
    return value


def _remember_written_here(question: Question, value) -> None:
    """Words written and saved in this session are shown back in it from now on."""
    if question.is_free_text and value:
        remember_written_here(question.key, value)


def _asked_question(journey: _Journey, key: str) -> Question | None:
    question = journey.questionnaire.question(key)
    return question if question is not None and journey.place(key) else None


@bp.route("/your-say/questions/<key>", methods=["GET", "POST"])
@policy.invitation_holder
def question(key: str):
    journey, other = _open_journey()
    if journey is None:
        return other
    asked = _asked_question(journey, key)
    if asked is None:
        # Not a question of this form, or no longer asked after a change of answer.
        return redirect(url_for(".resume"), code=303)
    changing = request.values.get("change") == "1"
    if request.method == "GET":
        return _question_page(journey, asked, changing=changing)

    action = request.form.get("action", "next")
    read = (runner.ReadAnswer([] if asked.is_multiple else "") if action == "skip"
            else runner.read_answer(asked, request.form))
    if read.error:
        return _question_page(journey, asked, value=read.value, error=read.error,
                              changing=changing)
    value = _answer_to_save(journey, asked, read.value, request.form)
    journey.values = {k: v for k, v in journey.values.items() if k != key}
    if value:
        journey.values[key] = value
    place = journey.place(key)
    if place is None:
        return redirect(url_for(".check_answers"), code=303)
    if changing:
        resume_at, destination = None, url_for(".check_answers")
    elif action == "back":
        resume_at = place.previous_key or key
        destination = (url_for(".question", key=place.previous_key) if place.previous_key
                       else url_for(".check_answers") if place.optional
                       else url_for(".start_page"))
    else:
        resume_at = place.next_key
        destination = (url_for(".question", key=place.next_key) if place.next_key
                       else url_for(".check_answers"))
    if not drafts.save_answer(journey.invitation, journey.questionnaire, key, value,
                              resume_at):
        return _question_page(journey, asked, value=read.value, status=503, changing=changing,
                              notice="not_saved")
    _remember_written_here(asked, read.value)
    return redirect(destination, code=303)


@bp.post("/your-say/questions/<key>/save")
@policy.invitation_holder
def save_in_background(key: str):
    """The optional script's save: the same checks as Next, without leaving the page."""
    journey, other = _open_journey()
    if journey is None:
        return jsonify(saved=False, message=_("This page has timed out")), 409
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


def _check_page(journey: _Journey, idempotency_key: str, status=200, notice=None):
    kept = runner.kept_values(journey.questionnaire, journey.facts, journey.values)
    asked = [q.key for q in runner.applicable(journey.questionnaire, journey.facts, kept)]
    core = [q.key for q in runner.core(journey.questionnaire, journey.facts, kept)]
    sections = reading.lay_out(journey.questionnaire, asked, kept, include_only_for_iro=True)
    # "Tell me more about ...": each optional section not yet opened, at its first question.
    more = [(section, runner.in_section(section, journey.facts, kept)[0].key)
            for section in runner.offered_sections(journey.questionnaire, journey.facts)
            if not runner.opened(section, journey.facts, kept)
            and runner.in_section(section, journey.facts, kept)]
    return render_template(
        "participation/check_answers.html", questionnaire=journey.questionnaire,
        sections=sections, idempotency_key=idempotency_key, more=more,
        written_before=journey.hidden,
        notice=notice or ("welcome_back" if _welcomed_back() else None),
        last_url=url_for(".question", key=core[-1]) if core else url_for(".start_page"),
    ), status


@bp.get("/your-say/check")
@policy.invitation_holder
def check_answers():
    journey, other = _open_journey()
    if journey is None:
        return other
    draft = journey.draft or drafts.ensure_draft(journey.invitation, journey.questionnaire)
    return _check_page(journey, draft.idempotency_key)


@bp.post("/your-say/send")
@policy.invitation_holder
def send():
    invitation = current_invitation()
    if invitation is None:
        return _link_not_working()
    idempotency_key = runner.usable_idempotency_key(request.form.get("idempotency_key"))
    if invitation.sent_at is not None:
        if submissions.sent_with_key(invitation, idempotency_key):
            return redirect(url_for(".thank_you"), code=303)
        return _already_sent()
    journey = _Journey(invitation)
    outcome = drafts.send(invitation, journey.questionnaire, journey.values,
                          idempotency_key=idempotency_key, language=str(get_locale()),
                          now=utcnow())
    if outcome is submissions.SaveOutcome.SAVED:
        return redirect(url_for(".thank_you"), code=303)
    if outcome is submissions.SaveOutcome.ALREADY_SENT:
        if submissions.sent_with_key(invitation, idempotency_key):
            return redirect(url_for(".thank_you"), code=303)
        return _already_sent()
    return _check_page(journey, idempotency_key, status=503, notice="not_saved")


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError):
    """Never lose what someone typed because their page went stale: show it back to them."""
    if request.endpoint == "participation.save_in_background":
        return jsonify(saved=False, message=_("This page has timed out")), 400
    journey, _other = _open_journey()
    if journey is None:
        return render_template("errors/form_expired.html", written=_written_in(request.form)), 400
    if request.endpoint == "participation.question":
        asked = _asked_question(journey, request.view_args["key"])
        if asked is not None:
            read = runner.read_answer(asked, request.form)
            return _question_page(journey, asked, value=read.value, error=read.error,
                                  status=400, changing=request.values.get("change") == "1",
                                  notice="refreshed")
    if request.endpoint == "participation.send":
        draft = journey.draft or drafts.ensure_draft(journey.invitation, journey.questionnaire)
        return _check_page(journey, draft.idempotency_key, status=400, notice="refreshed")
    return render_template("errors/form_expired.html", written=_written_in(request.form)), 400


@bp.errorhandler(OperationalError)
def database_unavailable(_error: OperationalError):
    """The database is out of reach: say so kindly and give back what was typed."""
    db.session.rollback()
    logger.error("database unavailable: %s", type(_error.orig).__name__)
    return render_template("errors/unavailable.html", written=_written_in(request.form)), 503


@bp.get("/your-say/thank-you")
@policy.invitation_holder
def thank_you():
    invitation = current_invitation()
    if invitation is None:
        return _link_not_working()
    if invitation.sent_at is None:
        return redirect(url_for(".resume"), code=303)
    return render_template("participation/thank_you.html", purpose=invitation.purpose.value)
