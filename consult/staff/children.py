"""The caseload: my children and where each stands in the review cycle; child records."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from sqlalchemy import select

from consult import (
    allocation,
    audit,
    care_periods,
    caseload,
    caseload_list,
    caseload_query,
    invitations,
)
from consult.extensions import db
from consult.models import Child, Review, ReviewStatus, StaffRole, StaffUser, utcnow
from consult.models.reviews import LOCAL_TIME
from consult.requests.workflow import requests_for_child
from consult.schedule import ScheduleFlag
from consult.staff import attention, bp
from consult.staff.access import (
    may_allocate,
    may_answer_rights_request,
    may_edit_child,
    may_manage_caseload,
    may_open_child_record,
    may_read_child,
    may_record_meeting,
    staff_required,
)
from consult.staff.forms import ChildForm, CloseChildForm, MeetingDateForm

FLAG_LABELS = {
    ScheduleFlag.OVERDUE: "Review overdue",
    ScheduleFlag.BOOKED_LATE: "Booked after its due date",
    ScheduleFlag.DUE_SOON: "Due soon",
    ScheduleFlag.NOT_BOOKED: "No date set",
    ScheduleFlag.DECISIONS_OVERDUE: "Decisions not sent",
    ScheduleFlag.RECORD_OVERDUE: "Record not sent",
}


def today() -> date:
    return utcnow().astimezone(LOCAL_TIME).date()


def schedule_for(child: Child):
    return caseload.schedule_of(child, today(), current_app.config["REVIEW_TIMETABLE"],
                                current_app.config["REVIEW_DUE_SOON_DAYS"])


def _page_context() -> dict[str, object]:
    return {"flag_labels": FLAG_LABELS, "schedule_for": schedule_for, "now": utcnow(),
            "state_of": invitations.state_of, "today": today(),
            "may_read_child": may_read_child}


def _caseload(*, include_closed: bool = False):
    """The list as the address asks (search, filter, sort, page); a page number or search
    it cannot use is a 400 that says so and keeps what was typed."""
    query, problem = caseload_query.read_query(request.args, g.staff,
                                              include_closed=include_closed)
    found = None if problem else caseload_list.caseload_page(
        g.staff, query, today=today(), now=utcnow(),
        timetable=current_app.config["REVIEW_TIMETABLE"],
        due_soon_days=current_app.config["REVIEW_DUE_SOON_DAYS"])
    return render_template(
        "staff/dashboard.html", own=True, include_closed=include_closed, listing=found,
        open_concerns=found.open_concerns if found else {},
        query=query, problem=problem, show_labels=caseload_query.SHOW_LABELS,
        sort_labels=caseload_query.SORT_LABELS, shows=caseload_query.shows_for(g.staff),
        may_add=may_manage_caseload(g.staff), request_counts=attention.request_counts(),
        **_page_context()), 400 if problem else 200


@bp.get("/")
@staff_required()
def dashboard():
    """An IRO's or social worker's own children; admins and managers start elsewhere."""
    if g.staff.role in (StaffRole.IRO, StaffRole.SOCIAL_WORKER):
        return _caseload()
    return render_template("staff/dashboard.html", own=False,
                           request_counts=attention.request_counts(), **_page_context())


@bp.get("/children")
@staff_required(StaffRole.ADMIN, StaffRole.IRO, StaffRole.SOCIAL_WORKER)
def all_children():
    """For an admin, every child record (names and dates, never anyone's words); with
    ?closed=1 the closed ones too, so a record closed by mistake can be opened again."""
    return _caseload(include_closed=request.args.get("closed") == "1")


def _staff_of(role: StaffRole) -> list[StaffUser]:
    return list(db.session.scalars(
        select(StaffUser).where(StaffUser.role == role, StaffUser.active)
        .order_by(StaffUser.name)))


def _child_form(child: Child | None = None, **kwargs) -> ChildForm:
    """The child's details; who their IRO and social worker are only for those who allocate,
    and, on a new child, the social worker for an IRO adding one to their own caseload."""
    allocates = may_allocate(g.staff)
    iros = _staff_of(StaffRole.IRO) if allocates else [g.staff]
    form = ChildForm(iros=iros, social_workers=_staff_of(StaffRole.SOCIAL_WORKER),
                     obj=child, **kwargs)
    if not allocates and child is not None:
        del form.iro_id
        del form.social_worker_id
    return form


def _case_ref_clash(form: ChildForm, child: Child) -> str | None:
    """Whether another child has this case reference, said only to someone who may see
    that child: to anyone else it is simply not a child on their caseload."""
    clash = db.session.scalar(select(Child).where(
        Child.case_ref == form.case_ref.data.strip(), Child.id != child.id))
    if clash is None:
        return None
    if may_open_child_record(g.staff, clash):
        return "Another child already has this case reference."
    audit.record("child.case_ref_refused", staff=g.staff, path=request.endpoint)
    db.session.commit()
    return "This case reference " + allocation.Refusal.NOT_YOUR_CHILD.message


def _save_child(form: ChildForm, child: Child) -> bool:
    """Copy the form onto the record and audit a change of allocation; False, with the
    field's error, when the case reference is taken or the allocation is not theirs to make."""
    if (problem := _case_ref_clash(form, child)) is not None:
        form.case_ref.errors.append(problem)
        return False
    before = allocation.Allocation.of(child)
    iro_id = form.iro_id.data if form.iro_id else child.iro_id
    social_worker_id = ((form.social_worker_id.data or None) if form.social_worker_id
                        else child.social_worker_id)
    refused = allocation.refusal(g.staff, child if child.id else None, iro_id=iro_id,
                                 social_worker_id=social_worker_id)
    if refused is not None:
        (form.iro_id or form.case_ref).errors.append(refused.message)
        return False
    child.case_ref = form.case_ref.data.strip()
    child.preferred_name = form.preferred_name.data.strip()
    child.date_of_birth = form.date_of_birth.data
    child.preferred_language = form.preferred_language.data
    child.looked_after_since = form.looked_after_since.data
    child.ceased_on = form.ceased_on.data
    care_periods.sync_current_period(child)
    child.unaccompanied_asylum_seeking = form.unaccompanied_asylum_seeking.data
    child.iro_id = iro_id
    child.social_worker_id = social_worker_id
    db.session.add(child)
    db.session.flush()
    allocation.record_changes([(child, before)], by=g.staff, path=request.endpoint)
    return True


@bp.route("/children/new", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN, StaffRole.IRO)
def new_child():
    form = _child_form()
    if not form.is_submitted() and g.staff.role is StaffRole.IRO:
        form.iro_id.data = g.staff.id
    if form.validate_on_submit():
        child = Child()
        if _save_child(form, child):
            audit.record("child.created", staff=g.staff, subject=child)
            db.session.commit()
            return redirect(url_for("staff.child", child_id=child.id), code=303)
    return render_template("staff/child_form.html", form=form, child=None), (
        400 if form.errors else 200)


def _found_child(child_id: int, *, edit: bool = False) -> Child:
    child = caseload.child_for(g.staff, child_id)
    if child is None or (edit and not may_edit_child(g.staff, child)):
        abort(404)
    return child


@bp.get("/children/<int:child_id>")
@staff_required()
def child(child_id: int):
    found = _found_child(child_id)
    return render_template(
        "staff/child.html", child=found,
        open_concerns=caseload_list.open_concerns_of([found]) if may_read_child(g.staff, found)
        else {}, may_edit=may_edit_child(g.staff, found),
        may_book=may_record_meeting(g.staff, found), child_requests=requests_for_child(found),
        may_answer_rights=may_answer_rights_request(g.staff, found), **_page_context())


@bp.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN, StaffRole.IRO)
def edit_child(child_id: int):
    found = _found_child(child_id, edit=True)
    form = _child_form(found)
    if not form.is_submitted() and form.social_worker_id:
        form.social_worker_id.data = found.social_worker_id or 0
    if form.validate_on_submit() and _save_child(form, found):
        audit.record("child.updated", staff=g.staff, subject=found)
        db.session.commit()
        return redirect(url_for("staff.child", child_id=found.id), code=303)
    return render_template("staff/child_form.html", form=form, child=found), (
        400 if form.errors else 200)


@bp.route("/children/<int:child_id>/close", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN, StaffRole.IRO)
def close_child(child_id: int):
    found = _found_child(child_id, edit=True)
    form = CloseChildForm()
    if not form.is_submitted():
        form.ceased_on.data = today()
    if form.validate_on_submit():
        problem = care_periods.date_problems(
            found.date_of_birth, found.looked_after_since, form.ceased_on.data).get("ceased_on")
        if problem:
            form.ceased_on.errors.append(problem)
        else:
            found.ceased_on = form.ceased_on.data
            care_periods.sync_current_period(found)
            for review in found.reviews:
                if review.status is ReviewStatus.SCHEDULED:
                    review.status = ReviewStatus.CANCELLED
            audit.record("child.closed", staff=g.staff, subject=found)
            db.session.commit()
            return redirect(url_for("staff.child", child_id=found.id), code=303)
    return render_template("staff/close_child.html", form=form, child=found), (
        400 if form.errors else 200)


def _meeting_datetime(form: MeetingDateForm) -> datetime:
    # A date without a time is kept as midnight in London: the day is known, the hour not.
    local = datetime.combine(form.meeting_on.data, form.time_of_day() or time(0),
                             tzinfo=LOCAL_TIME)
    return local.astimezone(UTC)


@bp.route("/children/<int:child_id>/reviews/new", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
def book_review(child_id: int):
    found = _found_child(child_id)
    planned = schedule_for(found)
    if (not may_record_meeting(g.staff, found) or found.ceased_on is not None
            or not planned.reviewed):
        abort(404)
    if planned.next_review is not None:
        return redirect(url_for("staff.review_date", review_id=planned.next_review.id), code=303)
    form = MeetingDateForm()
    if form.validate_on_submit():
        review = Review(child=found, review_type=planned.review_type, due_on=planned.due_on,
                        scheduled_for=_meeting_datetime(form), chair=found.iro)
        db.session.add(review)
        db.session.flush()
        audit.record("review.booked", staff=g.staff, subject=review)
        db.session.commit()
        return redirect(url_for("staff.review", review_id=review.id), code=303)
    return render_template("staff/review_date.html", form=form, child=found, review=None,
                           planned=planned), 400 if form.errors else 200


def _booked_review_i_chair(review_id: int) -> Review:
    review = caseload.review_record_for(g.staff, review_id)
    if (review is None or not may_record_meeting(g.staff, review.child)
            or review.status is not ReviewStatus.SCHEDULED):
        abort(404)
    return review


@bp.route("/reviews/<int:review_id>/date", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
def review_date(review_id: int):
    review = _booked_review_i_chair(review_id)
    form = MeetingDateForm()
    if not form.is_submitted() and review.scheduled_for:
        local = review.scheduled_for.astimezone(LOCAL_TIME)
        form.meeting_on.data = local.date()
        form.meeting_time.data = local.strftime("%H:%M") if local.time() != time(0) else ""
    if form.validate_on_submit():
        review.scheduled_for = _meeting_datetime(form)
        audit.record("review.date_set", staff=g.staff, subject=review)
        db.session.commit()
        return redirect(url_for("staff.review", review_id=review.id), code=303)
    return render_template("staff/review_date.html", form=form, child=review.child,
                           review=review, planned=schedule_for(review.child)), (
        400 if form.errors else 200)


@bp.post("/reviews/<int:review_id>/cancel")
@staff_required(StaffRole.IRO)
def cancel_review(review_id: int):
    review = _booked_review_i_chair(review_id)
    review.status = ReviewStatus.CANCELLED
    audit.record("review.cancelled", staff=g.staff, subject=review)
    db.session.commit()
    return redirect(url_for("staff.child", child_id=review.child_id), code=303)


@bp.app_template_filter("meeting_when")
def meeting_when(moment: datetime | None) -> str:
    """A meeting's date, and its time when one was set (midnight means no time given)."""
    if moment is None:
        return "Not set"
    local = moment.astimezone(LOCAL_TIME)
    if local.time() == time(0):
        return format_date(local.date(), "d MMMM y")
    return format_datetime(moment, "d MMMM y, HH:mm")
