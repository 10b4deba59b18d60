from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from consult import secret_links
from consult.extensions import db, limiter
from consult.models import StaffUser
from consult.staff import accounts, bp
from consult.staff.access import current_staff, end_all_sessions, sign_in
from consult.staff.forms import SetPasswordForm, SignInForm

SETUP_USER = "setup_user_id"
SETUP_FINGERPRINT = "setup_link"


def _safe_next(target: str | None) -> str:
    """Only ever return to one of our own staff pages after sign-in."""
    if target and target.startswith("/staff/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for("staff.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
@limiter.limit("10 per minute", methods=["POST"])  # per address, shared by every instance
def sign_in_page():
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
        db.session.commit()
        failed = True
    return render_template("staff/sign_in.html", form=form, failed=failed), (
        400 if failed or form.errors else 200)


@bp.post("/sign-out")
def sign_out():
    user = current_staff()
    if user is not None:
        end_all_sessions(user)
        db.session.commit()
    session.clear()
    return redirect(url_for("staff.sign_in"), code=303)


@bp.get("/set-password/<token>")
def open_setup_link(token: str):
    user = accounts.find_by_setup_token(token)
    if user is None:
        return render_template("staff/setup_link_not_working.html"), 404
    session.clear()
    session[SETUP_USER] = user.id
    session[SETUP_FINGERPRINT] = secret_links.fingerprint(user.setup_token_hash)
    return redirect(url_for("staff.set_password"), code=303)


@bp.route("/set-password", methods=["GET", "POST"])
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
        sign_in(user)
        db.session.commit()
        return redirect(url_for("staff.dashboard"), code=303)
    return render_template("staff/set_password.html", form=form, user=user), (
        400 if form.errors else 200)
