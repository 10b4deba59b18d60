"""Importing children and reviews from the case-management system, on a web page."""

from __future__ import annotations

from flask import current_app, g, render_template, request

from consult.i18n import LANGUAGES
from consult.imports import finish_import, import_children, import_reviews
from consult.imports.children import COLUMNS as CHILDREN_COLUMNS
from consult.imports.reviews import COLUMNS as REVIEWS_COLUMNS
from consult.imports.ssda903.apply import import_903
from consult.imports.ssda903.read import TABLES as TABLES_903
from consult.models import StaffRole
from consult.staff import bp
from consult.staff.access import may_allocate, staff_required
from consult.staff.children import today
from consult.staff.forms import Import903Form, ImportForm


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


@bp.route("/import/903", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def import_903_files():
    """The SSDA903 return's tables and our supplement, all at once (docs/903.md)."""
    form = Import903Form()
    result = None
    if form.validate_on_submit():
        files = [(upload.filename, upload.read()) for upload in form.files.data
                 if upload and upload.filename]
        result = import_903(files, by=g.staff, today=today(), path=request.endpoint,
                            timetable=current_app.config["REVIEW_TIMETABLE"])
        finish_import(result, kind="903", by=g.staff, path=request.endpoint)
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render_template("staff/import_903.html", form=form, result=result, failed=failed,
                           tables=TABLES_903), (400 if failed else 200)
