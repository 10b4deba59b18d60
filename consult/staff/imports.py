"""Importing children and reviews from the case-management system, on a web page."""

from __future__ import annotations

from flask import current_app, g, render_template, request

from consult.i18n import LANGUAGES
from consult.imports import finish_import, import_children, import_reviews
from consult.imports.children import COLUMNS as CHILDREN_COLUMNS
from consult.imports.reviews import COLUMNS as REVIEWS_COLUMNS
from consult.models import StaffRole
from consult.staff import bp
from consult.staff.access import may_allocate, staff_required
from consult.staff.children import today
from consult.staff.forms import ImportForm


@bp.route("/import", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN, StaffRole.IRO)
def import_file():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        data = form.csv_file.data.read()
        path = request.endpoint
        if form.kind.data == "children":
            result = import_children(data, by=g.staff, path=path)
        else:
            result = import_reviews(data, today=today(), by=g.staff, path=path,
                                    timetable=current_app.config["REVIEW_TIMETABLE"])
        finish_import(result, kind=form.kind.data, by=g.staff, path=path)
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render_template(
        "staff/import.html", form=form, result=result, failed=failed,
        children_columns=CHILDREN_COLUMNS, reviews_columns=REVIEWS_COLUMNS,
        language_codes=list(LANGUAGES), may_allocate=may_allocate(g.staff)), (
        400 if failed else 200)
