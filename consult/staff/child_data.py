"""A child's rights over their data: everything we hold about them, and erasure. Audited."""

from __future__ import annotations

import json

from flask import Response, abort, g, render_template

from consult import audit, data_protection
from consult.extensions import db
from consult.models import Child, StaffRole
from consult.staff import bp
from consult.staff.access import may_answer_rights_request, staff_required
from consult.staff.forms import EraseChildForm


def _child_for_rights_request(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or not may_answer_rights_request(g.staff, child):
        abort(404)
    return child


def _export(child_id: int, form: str) -> dict:
    """Everything held about the child, recorded as exported before it is shown."""
    child = _child_for_rights_request(child_id)
    audit.record("child.exported", staff=g.staff, subject=child, format=form)
    db.session.commit()
    return data_protection.child_export(child_id)


@bp.get("/children/<int:child_id>/data")
@staff_required(StaffRole.IRO)
def child_data(child_id: int):
    return render_template("staff/child_data.html", child_id=child_id,
                           data=_export(child_id, "page"))


@bp.get("/children/<int:child_id>/data.json")
@staff_required(StaffRole.IRO)
def child_data_json(child_id: int):
    body = json.dumps(_export(child_id, "json"), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="child-{child_id}.json"'})


@bp.route("/children/<int:child_id>/erase", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
def erase_child(child_id: int):
    """Erase one child: typed confirmation, because it cannot be undone."""
    child = _child_for_rights_request(child_id)
    form = EraseChildForm()
    if form.validate_on_submit():
        if form.case_ref.data.strip() != child.case_ref:
            form.case_ref.errors.append("Type the case reference exactly as shown.")
        else:
            counts = data_protection.erase_child(child, by=g.staff)
            db.session.commit()
            return render_template("staff/child_erased.html", counts=counts)
    return render_template("staff/erase_child.html", child=child, form=form), (
        400 if form.errors else 200)
