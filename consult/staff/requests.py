"""The request queue: IROs follow their children's requests, admins see them all."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from consult import audit
from consult.extensions import db
from consult.inputs import PageError, clean_text, page_number
from consult.models import Child, RequestState, StaffRole, utcnow
from consult.requests import workflow
from consult.requests.access import may_link_to_child, may_read_words
from consult.staff import bp
from consult.staff.access import staff_required

KIND_LABELS = {
    "independent_visitor": "Independent visitor",
    "advocate": "Advocate",
    "talk_to_iro": "Talk with the IRO",
    "urgent": "Urgent: worried or unsafe now",
}
SOURCE_LABELS = {
    "consultation": "From the child's link",
    "public_form": "Public form (no link)",
    "help_page": "Help-now page, from the child's link",
}
ACTION_LABELS = {
    RequestState.ACKNOWLEDGED: "Mark acknowledged",
    RequestState.REFERRED: "Mark referred",
    RequestState.MATCHED: "Mark matched",
    RequestState.RESOLVED: "Mark resolved",
    RequestState.DECLINED: "Mark declined",
    RequestState.WITHDRAWN: "Mark withdrawn",
}


def _labels() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS, "source_labels": SOURCE_LABELS,
            "closed_states": workflow.CLOSED_STATES, "page_size": workflow.QUEUE_PAGE_SIZE}


@bp.get("/requests")
@staff_required(StaffRole.IRO, StaffRole.ADMIN)
def help_requests():
    view = request.args.get("view", "open")
    if view not in workflow.QUEUE_VIEWS:
        view = "open"
    try:
        page = page_number(request.args.get("page"))
    except PageError as error:
        return render_template("staff/requests/queue.html", queue=None, view=view,
                               problem=str(error), urgent_hours=workflow.urgent_within_hours(),
                               **_labels()), 400
    return render_template("staff/requests/queue.html", queue=workflow.queue(
        g.staff, view=view, page=page), view=view, problem=None,
        urgent_hours=workflow.urgent_within_hours(), **_labels())


def _request_page(help_request, *, problem: str | None = None, link_problem: str | None = None,
                  case_ref: str = "", status: int = 200):
    words_shown = may_read_words(g.staff, help_request)
    page = render_template(
        "staff/requests/detail.html", help_request=help_request, words_shown=words_shown,
        overdue=workflow.is_overdue(help_request, utcnow()),
        acknowledge_by=workflow.acknowledge_by(help_request),
        actions=[(state, ACTION_LABELS[state])
                 for state in workflow.next_states(help_request.kind, help_request.state)],
        may_link=may_link_to_child(g.staff, help_request), problem=problem,
        link_problem=link_problem, case_ref=case_ref, **_labels())
    audit.record("request.viewed", staff=g.staff, subject=help_request, words_shown=words_shown)
    db.session.commit()
    return page, status


def _found(request_id: int):
    found = workflow.request_for(g.staff, request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/requests/<int:request_id>")
@staff_required(StaffRole.IRO, StaffRole.ADMIN)
def help_request(request_id: int):
    return _request_page(_found(request_id))


@bp.post("/requests/<int:request_id>/state")
@staff_required(StaffRole.IRO, StaffRole.ADMIN)
def change_request_state(request_id: int):
    found = _found(request_id)
    # Locked until the commit, so two people acting at once cannot both move it on.
    db.session.refresh(found, with_for_update=True)
    try:
        to_state = RequestState(request.form.get("to_state", ""))
        workflow.change_state(found, to_state, staff=g.staff)
    except ValueError as error:
        db.session.rollback()
        problem = (str(error) if isinstance(error, workflow.IllegalTransition)
                   else "Choose what has happened to this request.")
        return _request_page(_found(request_id), problem=problem, status=409)
    db.session.commit()
    return redirect(url_for("staff.help_request", request_id=request_id), code=303)


@bp.post("/requests/<int:request_id>/child")
@staff_required(StaffRole.ADMIN)
def link_request_to_child(request_id: int):
    found = _found(request_id)
    if not may_link_to_child(g.staff, found):
        abort(404)
    case_ref = clean_text(request.form.get("case_ref"), multiline=False)
    child = db.session.scalar(select(Child).where(Child.case_ref == case_ref)) if case_ref \
        else None
    if child is None:
        problem = ("Enter the child's case reference." if not case_ref
                   else "There is no child with that case reference.")
        return _request_page(found, link_problem=problem, case_ref=case_ref, status=400)
    workflow.link_to_child(found, child, staff=g.staff)
    db.session.commit()
    return redirect(url_for("staff.help_request", request_id=request_id), code=303)
