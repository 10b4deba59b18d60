from __future__ import annotations

import logging

from flask import redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from consult import council, policy
from consult.extensions import db, limiter
from consult.models import Invitation, InviteeRole, RequestKind, RequestSource
from consult.participation.session import current_invitation
from consult.requests.workflow import (
    ACKNOWLEDGE_WITHIN_WORKING_DAYS,
    MESSAGE_MAX_LENGTH,
    create_request,
)
from consult.rights import bp
from consult.rights.forms import CHOICES, HONEYPOT, RequestForm, read_message, read_request_form

logger = logging.getLogger(__name__)

# Only saved requests count towards a limit: a page that showed a mistake costs nothing.
# Without a link, per address: enough for a child and a carer sharing one connection, too
# few for a flood.
PUBLIC_REQUEST_LIMIT = "5 per 10 minutes;20 per day"
# From a child's link, per invitation, never per address: children in one foster home or
# hostel share an address. Far above what a child asking again and again would reach, it
# only stops a leaked link being used to flood their IRO. /help-now has no limit at all.
LINK_REQUEST_LIMIT = "60 per hour;200 per day"
SENT = "request_sent"


def _child_invitation() -> Invitation | None:
    """The child's own link session, if this browser has one: their requests go to their IRO."""
    invitation = current_invitation()
    if invitation is not None and invitation.role is InviteeRole.CHILD:
        return invitation
    return None


def _page(name: str, **context):
    return render_template(f"rights/{name}.html", council=council.current(),
                           child_invitation=_child_invitation(),
                           reply_within_days=ACKNOWLEDGE_WITHIN_WORKING_DAYS, **context)


# Pages that only explain: (address, endpoint and template name).
EXPLAINING_PAGES = (
    ("/your-rights", "index"),
    ("/your-rights/iro", "iro"),
    ("/your-rights/advocacy", "advocacy"),
    ("/your-rights/independent-visitors", "independent_visitors"),
    ("/your-rights/complaints", "complaints"),
    ("/your-rights/who-reads-what-i-write", "privacy"),
)


def _explaining_view(name: str):
    def view():
        return _page(name)
    return view


for path, name in EXPLAINING_PAGES:
    bp.add_url_rule(path, name, policy.public(_explaining_view(name)), methods=["GET"])


@bp.get("/your-rights/pledge")
@policy.public
def pledge():
    return _page("pledge", pledge=council.pledge_for(str(get_locale())))


def _from_child_link() -> bool:
    return _child_invitation() is not None


def _from_no_link() -> bool:
    return _child_invitation() is None


def _invitation_key() -> str:
    invitation = _child_invitation()
    return f"invitation:{invitation.id}" if invitation is not None else ""


def _saved(response) -> bool:
    """Only a request that was saved (the redirect to the sent page) counts."""
    return response.status_code == 303 and session.get(SENT) not in (None, "robot")


def _ask_page(read: RequestForm | None = None, status: int = 200, **notices):
    read = read or RequestForm(values={"kind": request.args.get("kind", "")})
    public = _child_invitation() is None
    return _page("ask", public=public, values=read.values, errors=read.errors, choices=CHOICES,
                 message_max_length=MESSAGE_MAX_LENGTH, honeypot=HONEYPOT, **notices), status


def _help_page(values=None, errors=None, status: int = 200, **notices):
    return _page("help_now", values=values or {}, errors=errors or {},
                 message_max_length=MESSAGE_MAX_LENGTH, **notices), status


def _save(kind: RequestKind, source: RequestSource, invitation: Invitation | None,
          values: dict[str, str]) -> bool:
    try:
        create_request(kind, source, invitation=invitation, message=values.get("message"),
                       contact_name=values.get("contact_name"),
                       contact_detail=values.get("contact_detail"),
                       language=str(get_locale()))
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.error("could not save a request: %s", type(error).__name__)
        return False
    session[SENT] = kind.value
    return True


@bp.route("/ask-for-help", methods=["GET", "POST"])
@policy.public
@limiter.limit(PUBLIC_REQUEST_LIMIT, methods=["POST"], exempt_when=_from_child_link,
               deduct_when=_saved)
@limiter.limit(lambda: LINK_REQUEST_LIMIT, methods=["POST"], key_func=_invitation_key,
               exempt_when=_from_no_link, deduct_when=_saved)
def ask():
    if request.method == "GET":
        return _ask_page()
    invitation = _child_invitation()
    read = read_request_form(request.form, public=invitation is None)
    if read.is_robot:
        # Looks sent, saves nothing: a robot learns nothing from the answer.
        session[SENT] = "robot"
        return redirect(url_for(".sent"), code=303)
    if read.errors:
        return _ask_page(read, 400)
    source = RequestSource.CONSULTATION if invitation else RequestSource.PUBLIC_FORM
    if not _save(read.kind, source, invitation, read.values):
        return _ask_page(read, 503, not_saved=True)
    return redirect(url_for(".sent"), code=303)


@bp.route("/help-now", methods=["GET", "POST"])
@policy.public
def help_now():
    """Never rate-limited: a child saying they are unsafe now is always heard. Without a
    link the form is not offered and a post saves nothing."""
    invitation = _child_invitation()
    if request.method == "GET" or invitation is None:
        return _help_page()
    errors: dict[str, str] = {}
    values = {"message": read_message(request.form, errors)}
    if errors:
        return _help_page(values, errors, 400)
    if not _save(RequestKind.URGENT, RequestSource.HELP_PAGE, invitation, values):
        return _help_page(values, status=503, not_saved=True)
    return redirect(url_for(".sent"), code=303)


@bp.get("/ask-for-help/sent")
@policy.public
def sent():
    kind = session.pop(SENT, None)
    if kind is None:
        return redirect(url_for(".ask"), code=303)
    return _page("sent", urgent=kind == RequestKind.URGENT.value,
                 to_iro=_child_invitation() is not None)


def _typed_back(status: int, **notices):
    """Show the form again with everything that was typed, and say why it was not sent."""
    if request.endpoint == "rights.help_now":
        return _help_page({"message": read_message(request.form, {})}, status=status,
                          **notices)
    read = read_request_form(request.form, public=_child_invitation() is None)
    read.errors = {}
    return _ask_page(read, status, **notices)


@bp.errorhandler(TooManyRequests)
def too_many_requests(_error: TooManyRequests):
    return _typed_back(429, too_many="link" if _from_child_link() else "address")


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError):
    return _typed_back(400, page_refreshed=True)
