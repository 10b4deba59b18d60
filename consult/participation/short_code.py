"""/code: for a letter's short code, typed in by someone who cannot scan its QR code.

It leads to the same session as the secret link. Guessing is rate-limited per address;
at 54 bits a code cannot be guessed within any limit we allow.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_limiter.errors import RateLimitExceeded
from wtforms import StringField

from consult import invitations, policy, short_codes
from consult.extensions import db, limiter
from consult.forms import CleanForm
from consult.models import utcnow
from consult.participation import bp
from consult.participation.session import start

CODE_ATTEMPTS = "10 per minute;30 per hour"


class ShortCodeForm(CleanForm):
    code = StringField(
        _l("Code"),
        description=_l("It is on your letter, under the QR code. It has %(length)s letters and "
                       "numbers, for example 7KQ4-M2XH-9PD.",
                       length=LazyString(format_number, short_codes.LENGTH)))


def _page(form: ShortCodeForm, error: str | None = None, status: int = 200):
    return render_template("participation/enter_code.html", form=form, error=error), status


@bp.route("/")
@policy.public
def home():
    """The bare address, typed from a letter: the page where its short code goes."""
    return redirect(url_for(".enter_code"))


@bp.route("/code", methods=["GET", "POST"])
@policy.public
@limiter.limit(CODE_ATTEMPTS, methods=["POST"])
def enter_code():
    form = ShortCodeForm()
    if not form.validate_on_submit():
        return _page(form)
    typed = (form.code.data or "").strip()
    if not typed:
        return _page(form, str(_l("Enter the code from your letter.")), 400)
    invitation = invitations.find_by_short_code(typed, current_app.config["SECRET_KEY"])
    now = utcnow()
    if (invitation is None or invitation.revoked_at is not None
            or (invitation.sent_at is None and not invitations.is_usable(invitation, now))):
        return _page(form, str(_l(
            "That code does not work. Check it against your letter and try again. If your "
            "letter is old, the code may have stopped working: ask your IRO for a new one.")),
            400)
    start(invitation)
    invitations.mark_opened(invitation, now)
    db.session.commit()
    return redirect(url_for(".resume"), code=303)


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded):
    if request.endpoint != "participation.enter_code":
        return error
    # The code typed stays in the box, so it can be checked against the letter later.
    return _page(ShortCodeForm(), str(_l(
        "You have tried too many codes. Wait a few minutes, then try again.")), 429)
