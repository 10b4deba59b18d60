"""A person's journey through their form, loaded once per request and given to each view
(`with_journey`): the open invitation, its form, the facts it is decided on and the draft
answers; and the pages for a link that cannot be used or a form already sent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, render_template, request, session, url_for

from consult import drafts
from consult.inputs import clean_text
from consult.models import Invitation
from consult.participation import session as link_session
from consult.participation.session import current_invitation, written_here
from consult.questionnaires import definitions, runner
from consult.questionnaires.model import Questionnaire

# Set when someone opens their link again with answers saved; the page they land on greets
# them once ("Welcome back") and says where they are.
WELCOME_BACK = "welcome_back"


def welcomed_back() -> bool:
    return bool(session.pop(WELCOME_BACK, False))


def link_not_working():
    if g.get(link_session.TIMED_OUT):
        # Their answers are in the draft; what they typed on this page comes back to them.
        written = written_in(request.form) if request.method == "POST" else []
        return render_template("participation/timed_out.html", written=written,
                               minutes=link_session.IDLE_SECONDS // 60), 404
    return render_template("participation/link_not_working.html"), 404


def already_sent():
    # Typed on another tab or device after the answers were sent: give the words back.
    written = written_in(request.form) if request.method == "POST" else []
    return render_template("participation/already_sent.html", written=written)


def written_in(form) -> list[str]:
    """Whatever the person wrote in their own words in this form, cleaned, to give back."""
    return [clean_text(form[key]) for key in definitions.free_text_keys()
            if form.get(key, "").strip()]


class Journey:
    """The open invitation, its form, facts and draft answers, loaded once per request."""

    def __init__(self, invitation: Invitation):
        self.invitation = invitation
        self.draft = invitation.draft
        self.questionnaire: Questionnaire = drafts.questionnaire_for(invitation, self.draft)
        self.facts = definitions.facts_for(invitation)
        self.answers = dict(self.draft.answers) if self.draft else {}
        # Words written in an earlier browser session: saved, never shown back here.
        self.hidden = frozenset(
            q.key for q in self.questionnaire.questions
            if q.is_free_text and self.answers.get(q.key)
            and not written_here(q.key, self.answers[q.key]))

    def place(self, key: str) -> runner.Place | None:
        return runner.place_of(self.questionnaire, self.facts, self.answers, key)

    def resume_step(self) -> runner.Step:
        """The start page before anything was saved, else the question where they stopped,
        else their answers to check."""
        resume_at = self.draft.resume_at if self.draft else None
        return runner.step(self.place(resume_at) if resume_at else None,
                           runner.Action.RESUME, started=self.draft is not None)

    def where_to_go(self) -> str:
        return url_of(self.resume_step())

    def first_url(self) -> str:
        first = runner.first_key(self.questionnaire, self.facts)
        return url_for(".question", key=first) if first else url_for(".check_answers")


def url_of(step: runner.Step) -> str:
    if step.page is runner.Page.QUESTION:
        return url_for(".question", key=step.key)
    return url_for(".check_answers" if step.page is runner.Page.CHECK else ".start_page")


_JOURNEY = "journey"


def open_journey() -> Journey | None:
    """This request's journey, loaded once; None without a usable link or once sent."""
    if _JOURNEY not in g:
        invitation = current_invitation()
        setattr(g, _JOURNEY, Journey(invitation) if invitation is not None
                and invitation.sent_at is None else None)
    return g.get(_JOURNEY)


def forget_journey() -> None:
    """Load the journey again on next asking (a link just opened starts a new one)."""
    g.pop(_JOURNEY, None)


def not_open(invitation: Invitation | None):
    return link_not_working() if invitation is None else already_sent()


def with_journey(otherwise: Callable[[Invitation | None], object] = not_open):
    """Give the view this request's open journey as its first argument; when there is none
    (no usable link, or the form was sent), `otherwise(the invitation or None)` answers."""

    def decorate(view):
        @functools.wraps(view)
        def with_open_journey(*args, **kwargs):
            journey = open_journey()
            if journey is None:
                return otherwise(current_invitation())
            return view(journey, *args, **kwargs)
        return with_open_journey
    return decorate
