"""Administration: staff accounts by invitation, and the audit log. No child's words here."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from consult import allocation, audit
from consult.accounts import accounts, two_factor
from consult.alerts.outbox import latest_setup_emails
from consult.extensions import db
from consult.inputs import PageError, page_number
from consult.models import AuditEvent, StaffRole, StaffUser
from consult.staff import bp
from consult.staff.access import staff_required
from consult.staff.forms import (
    STAFF_ROLE_LABELS,
    AuditFilterForm,
    InviteStaffForm,
    WorkContactForm,
)

AUDIT_PAGE_SIZE = 100


@bp.get("/admin/users")
@staff_required(StaffRole.ADMIN)
def users():
    people = list(db.session.scalars(select(StaffUser).order_by(
        StaffUser.active.desc(), StaffUser.name, StaffUser.id)))
    return render_template(
        "staff/admin/users.html", people=people, role_labels=STAFF_ROLE_LABELS,
        is_enrolled=two_factor.is_enrolled,
        setup_emails=latest_setup_emails([person.id for person in people if person.active
                                          and not person.password_hash]))


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def invite_user():
    form = InviteStaffForm()
    if form.validate_on_submit():
        hours = current_app.config["STAFF_SETUP_LINK_HOURS"]
        try:
            user = accounts.invite(
                email=form.email.data, name=form.name.data, role=StaffRole(form.role.data),
                setup_link_hours=hours, by=g.staff)
        except accounts.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            return _setup_email_page(user, hours, reset=False)
    return render_template("staff/admin/invite.html", form=form), 400 if form.errors else 200


def _setup_email_page(user: StaffUser, hours: int, *, reset: bool):
    # The link went into the outbox for the person's own address: no one here sees it.
    return render_template("staff/admin/setup_emailed.html", person=user, hours=hours,
                           reset=reset)


def _person(user_id: int) -> StaffUser:
    person = db.session.get(StaffUser, user_id)
    if person is None:
        abort(404)
    return person


@bp.post("/admin/users/<int:user_id>/disable")
@staff_required(StaffRole.ADMIN)
def disable_user(user_id: int):
    person = _person(user_id)
    try:
        accounts.disable(person, by=g.staff)
    except accounts.AccountError:
        abort(404)
    db.session.commit()
    return redirect(url_for("staff.users"), code=303)


@bp.post("/admin/users/<int:user_id>/enable")
@staff_required(StaffRole.ADMIN)
def enable_user(user_id: int):
    accounts.enable(_person(user_id), by=g.staff)
    db.session.commit()
    return redirect(url_for("staff.users"), code=303)


@bp.post("/admin/users/<int:user_id>/reset")
@staff_required(StaffRole.ADMIN)
def reset_user(user_id: int):
    """A forgotten password or a lost phone: a new set-up link, emailed to the person."""
    person = _person(user_id)
    if person.id == g.staff.id or not person.active:
        abort(404)
    hours = current_app.config["STAFF_SETUP_LINK_HOURS"]
    accounts.reset_sign_in(person, by=g.staff, setup_link_hours=hours)
    db.session.commit()
    return _setup_email_page(person, hours, reset=True)


def work_contact_page(person: StaffUser, *, done_url: str):
    """Edit a person's work phone and email (their own, or anyone's for an admin)."""
    form = WorkContactForm(obj=person)
    if form.validate_on_submit():
        accounts.set_work_contact(person, phone=form.work_phone.data,
                                  email=form.work_email.data, by=g.staff)
        db.session.commit()
        return redirect(done_url, code=303)
    return render_template("staff/work_contact.html", form=form, person=person,
                           own=person.id == g.staff.id), (400 if form.errors else 200)


@bp.route("/account/contact", methods=["GET", "POST"])
@staff_required()
def work_contact():
    return work_contact_page(g.staff, done_url=url_for("staff.work_contact", saved=1))


@bp.route("/admin/users/<int:user_id>/contact", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def user_work_contact(user_id: int):
    return work_contact_page(_person(user_id), done_url=url_for("staff.users"))


def _audit_filter_choices(form: AuditFilterForm) -> dict[int, str]:
    """The filter's choices; and every account's name, for the "Done by" column."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    form.action.choices = [("", "Any action")] + [(action, action) for action in actions]
    people = db.session.execute(select(StaffUser.id, StaffUser.name, StaffUser.email)
                                .order_by(StaffUser.name, StaffUser.id)).all()
    form.actor.choices = [("", "Anyone"), ("link", "Someone with a secret link")] + [
        (str(person_id), f"{name} ({email})") for person_id, name, email in people]
    return {person_id: name for person_id, name, _email in people}


def filtered_events(*, action: str | None, actor: str | None, since, until,
                    page: int) -> tuple[list[AuditEvent], bool]:
    """One page of events, newest first, and whether there are more."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor == "link":
        query = query.where(AuditEvent.actor_invitation_id.is_not(None))
    elif actor:
        query = query.where(AuditEvent.actor_staff_id == int(actor))
    if since:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(since, time(), UTC))
    if until:
        query = query.where(AuditEvent.occurred_at
                            < datetime.combine(until + timedelta(days=1), time(), UTC))
    rows = list(db.session.scalars(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)))
    return rows[:AUDIT_PAGE_SIZE], len(rows) > AUDIT_PAGE_SIZE


@bp.get("/admin/audit")
@staff_required(StaffRole.ADMIN)
def audit_log():
    """One page of the log. The same six statements however long the log is."""
    try:
        page = page_number(request.args.get("page"))
        page_problem = None
    except PageError as error:
        page, page_problem = 1, str(error)
    # Reading the log is itself recorded, before the read.
    audit.record("audit.viewed", staff=g.staff, page=page)
    db.session.commit()
    form = AuditFilterForm(request.args)
    names = _audit_filter_choices(form)
    events, more = [], False
    valid = form.validate()
    if valid and page_problem is None:
        events, more = filtered_events(
            action=form.action.data, actor=form.actor.data, since=form.since.data,
            until=form.until.data, page=page)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    arguments = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "staff/admin/audit.html", form=form, events=events, names=names, total=total,
        page=page, more=more, arguments=arguments, page_problem=page_problem), (
        400 if form.errors or page_problem else 200)


@bp.get("/admin/allocations")
@staff_required(StaffRole.ADMIN)
def allocations():
    """Every change of a child's IRO or social worker: from, to, by whom and by which way."""
    try:
        page = page_number(request.args.get("page"))
    except PageError as error:
        return render_template("staff/admin/allocations.html", changes=[], names={}, page=1,
                               more=False, page_problem=str(error)), 400
    changes, more = allocation.history(page=page, page_size=AUDIT_PAGE_SIZE)
    names = dict(db.session.execute(select(StaffUser.id, StaffUser.name)).all())
    return render_template("staff/admin/allocations.html", changes=changes, names=names,
                           page=page, more=more, page_problem=None)
