"""Importing children and reviews from the case-management system, on a web page."""

from __future__ import annotations

from flask import current_app, g, render_template

from consult.extensions import db
from consult.i18n import LANGUAGES
from consult.imports import import_children, import_reviews
from consult.imports.children import COLUMNS as CHILDREN_COLUMNS
from consult.imports.reviews import COLUMNS as REVIEWS_COLUMNS
from consult.models import StaffRole
from consult.staff import bp
from consult.staff.access import staff_required
from consult.staff.children import today
from consult.staff.forms import ImportForm


@bp.route("/import", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN, StaffRole.IRO)
def import_file():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        data = form.csv_file.data.read()
        if form.kind.data == "children":
            result = import_children(data, by=g.staff)
        else:
            result = import_reviews(data, today=today(), by=g.staff,
                                    timetable=current_app.config["REVIEW_TIMETABLE"])
        if result.ok:
            db.session.commit()
        else:
            db.session.rollback()
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render_template(
        "staff/import.html", form=form, result=result, failed=failed,
        children_columns=CHILDREN_COLUMNS, reviews_columns=REVIEWS_COLUMNS,
        language_codes=list(LANGUAGES)), (
        400 if failed else 200)
