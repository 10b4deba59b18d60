"""Signing in (password, then a one-time code), signing out, and choosing a password."""

from __future__ import annotations

import time

from flask import g, redirect, render_template, request, session, url_for

from consult import audit, policy, secret_links
from consult.accounts import accounts, two_factor
from consult.extensions import db, limiter
from consult.inputs import has_control_characters
from consult.models import StaffUser
from consult.staff import bp
from consult.staff.access import (
    TIMED_OUT,
    current_staff,
    sign_in,
    staff_required,
)
from consult.staff.forms import ChangePasswordForm, CodeForm, SetPasswordForm, SignInForm

SETUP_USER = "setup_user_id"
SETUP_FINGERPRINT = "setup_link"
# Between the password and the code: who, which session version, since when, and where to.
PENDING_USER = "pending_staff_id"
PENDING_VERSION = "pending_staff_version"
PENDING_SINCE = "pending_since"
PENDING_NEXT = "pending_next"
PENDING_SECONDS = 10 * 60

GENERIC_FAILURE = "The email address or password is not right."
CODE_FAILURE = "The code is not right. Enter the 6-digit code your authenticator app shows now."
# Per address and per step, shared by every instance (storage from RATELIMIT_STORAGE_URI);
# guessing at one account is slowed sooner, per account and address (consult.accounts.throttle).
SIGN_IN_RATE = "10 per minute"


def _safe_next(target: str | None) -> str:
    """Only ever return to one of our own staff pages after sign-in; a target with a line
    break or any other control character in it is ignored (it could never be a header)."""
    if target and target.startswith("/staff/") and not target.startswith("//") \
            and "\\" not in target and not has_control_characters(target):
        return target
    return url_for("staff.dashboard")


def _begin_second_step(user: StaffUser, next_page: str | None) -> None:
    session.clear()
    session[PENDING_USER] = user.id
    session[PENDING_VERSION] = user.session_version
    session[PENDING_SINCE] = int(time.time())
    session[PENDING_NEXT] = _safe_next(next_page)


def _pending_user() -> StaffUser | None:
    """The person who gave the right password in this browser in the last ten minutes."""
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, int) \
            or time.time() - since > PENDING_SECONDS:
        return None
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or user.session_version != session.get(PENDING_VERSION):
        return None
    return user


def _finish_sign_in(user: StaffUser):
    next_page = session.get(PENDING_NEXT)
    sign_in(user)
    db.session.commit()
    return redirect(_safe_next(next_page), code=303)


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
@policy.public
@limiter.limit(SIGN_IN_RATE, methods=["POST"])
def sign_in_page():
    form = SignInForm()
    problem = None
    timed_out = session.pop(TIMED_OUT, False)
    if form.validate_on_submit():
        attempt = accounts.check_password(form.email.data, form.password.data,
                                          request.remote_addr)
        db.session.commit()
        if attempt.user is not None:
            _begin_second_step(attempt.user, request.args.get("next"))
            return redirect(url_for("staff.sign_in_code" if two_factor.is_enrolled(attempt.user)
                                    else "staff.set_up_authenticator"), code=303)
        problem = (accounts.slowed_message(form.email.data, request.remote_addr)
                   if attempt.slowed else GENERIC_FAILURE)
    return render_template("staff/sign_in.html", form=form, problem=problem,
                           timed_out=timed_out), (
        429 if problem and problem != GENERIC_FAILURE else 400 if problem or form.errors else 200)


def _code_step(template: str, user: StaffUser, **context):
    form = CodeForm()
    problem = None
    if form.validate_on_submit():
        attempt = accounts.check_code(user, form.code.data, request.remote_addr)
        db.session.commit()
        if attempt.user is not None:
            return _finish_sign_in(attempt.user)
        if attempt.slowed:
            session.clear()
            problem = accounts.slowed_message(user.email, request.remote_addr)
        else:
            problem = CODE_FAILURE
    status = 429 if problem and problem != CODE_FAILURE else 400 if problem or form.errors else 200
    return render_template(template, form=form, problem=problem, user=user, **context), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@policy.public
@limiter.limit(SIGN_IN_RATE, methods=["POST"])
def sign_in_code():
    user = _pending_user()
    if user is None or not two_factor.is_enrolled(user):
        return redirect(url_for("staff.sign_in"), code=303)
    return _code_step("staff/sign_in_code.html", user)


@bp.route("/sign-in/authenticator", methods=["GET", "POST"])
@policy.public
@limiter.limit(SIGN_IN_RATE, methods=["POST"])
def set_up_authenticator():
    """First sign-in: add the account to an authenticator app, and prove it with a code."""
    user = _pending_user()
    if user is None or two_factor.is_enrolled(user):
        return redirect(url_for("staff.sign_in"), code=303)
    if user.totp_secret is None:
        accounts.start_two_factor_enrolment(user)
        db.session.commit()
    return _code_step("staff/set_up_authenticator.html", user,
                      qr_code=two_factor.qr_code_svg(user),
                      secret=two_factor.grouped_secret(user.totp_secret))


@bp.post("/sign-out")
@policy.public
def sign_out():
    user = current_staff()
    if user is not None:
        accounts.end_all_sessions(user)
        audit.record("staff.signed_out", staff=user, subject=user)
        db.session.commit()
    session.clear()
    return redirect(url_for("staff.sign_in"), code=303)


@bp.get("/set-password/<token>")
@policy.public
def open_setup_link(token: str):
    user = accounts.find_by_setup_token(token)
    if user is None:
        return render_template("staff/setup_link_not_working.html"), 404
    session.clear()
    session[SETUP_USER] = user.id
    session[SETUP_FINGERPRINT] = secret_links.fingerprint(user.setup_token_hash)
    return redirect(url_for("staff.set_password"), code=303)


@bp.route("/set-password", methods=["GET", "POST"])
@policy.public
def set_password():
    user = None
    user_id = session.get(SETUP_USER)
    if isinstance(user_id, int):
        candidate = db.session.get(StaffUser, user_id)
        if (candidate is not None and accounts.setup_link_works(candidate)
                and secret_links.fingerprint(candidate.setup_token_hash)
                == session.get(SETUP_FINGERPRINT)):
            user = candidate
    if user is None:
        return render_template("staff/setup_link_not_working.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        db.session.commit()
        # A password alone never signs anyone in: the second factor comes next.
        _begin_second_step(user, None)
        return redirect(url_for("staff.sign_in_code" if two_factor.is_enrolled(user)
                                else "staff.set_up_authenticator"), code=303)
    return render_template("staff/set_password.html", form=form, user=user), (
        400 if form.errors else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@staff_required()
def change_password():
    """Change one's own password; every other session of this person ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(g.staff, form.current.data, form.password.data,
                                     request.remote_addr)
        except accounts.AccountError as error:
            db.session.commit()  # the failure's audit record stays
            form.current.errors.append(str(error))
        else:
            sign_in(g.staff)
            db.session.commit()
            return render_template("staff/password_changed.html")
    return render_template("staff/change_password.html", form=form), (
        400 if form.errors else 200)
