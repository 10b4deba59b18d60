"""The 903 return on the figures side (administrators): the Reviews table checked against
the DfE's review rules and downloaded, and the council's own table reconciled with ours.

Both name children (their case reference and date of birth), so only an administrator
has them, as on the command line (`export-903-reviews`, `reconcile-903`).
"""

from __future__ import annotations

from datetime import date

from flask import Response, g, request

from consult import audit
from consult.extensions import db
from consult.figures.period import Period, PeriodError, parse_period
from consult.imports.ssda903.export import export_reviews
from consult.imports.ssda903.reconcile import reconcile
from consult.imports.ssda903.rules import unaccepted
from consult.models import StaffRole
from consult.reports import bp
from consult.reports.views import _render
from consult.staff.access import staff_required


def _period() -> tuple[Period, dict[str, str]]:
    source = request.form if request.method == "POST" else request.args
    try:
        return parse_period(source.get("from"), source.get("to"), date.today()), {}
    except PeriodError as error:
        return Period.council_year_containing(date.today()), {error.field: error.message}


def _page(period: Period, errors: dict[str, str], status: int = 200, **context):
    export = export_reviews(period.start, period.end)
    return _render("reports/return903.html", status, period=period, errors=errors,
                   export=export, reconciliation=context.pop("reconciliation", None),
                   accepted=context.pop("accepted", set()), **context)


@bp.get("/903")
@staff_required(StaffRole.ADMIN)
def return_903():
    period, errors = _period()
    return _page(period, errors, 400 if errors else 200)


@bp.post("/903/reviews.csv")
@staff_required(StaffRole.ADMIN)
def reviews_903_download():
    period, errors = _period()
    if errors:
        return _page(period, errors, 400)
    export = export_reviews(period.start, period.end)
    accepted = set(request.form.getlist("accept"))
    refused = unaccepted(export.breaches, accepted)
    if refused:
        return _page(period, {"accept": f"{len(refused)} breach(es) of the DfE review rules "
                              "are not accepted: correct the meeting records, or tick each "
                              "breach you accept."}, 400, accepted=accepted)
    audit.record("export.903_reviews", staff=g.staff, source="web", rows=len(export.rows),
                 period_from=period.start.isoformat(), period_to=period.end.isoformat(),
                 accepted=len(export.breaches))
    db.session.commit()
    filename = f"reviews_{period.start.isoformat()}_{period.end.isoformat()}.csv"
    return Response(export.csv(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/903/reconcile")
@staff_required(StaffRole.ADMIN)
def reconcile_903():
    period, errors = _period()
    upload = request.files.get("reviews_file")
    if upload is None or not upload.filename:
        errors["reviews_file"] = "Choose the council's Reviews table (a CSV file)."
    if errors:
        return _page(period, errors, 400)
    result = reconcile(upload.filename, upload.read(), period.start, period.end)
    if result.problems:
        return _page(period, {"reviews_file": result.problems[0]}, 400,
                     file_problems=result.problems)
    audit.record("reconcile.903", staff=g.staff, source="web",
                 differences=len(result.differences),
                 period_from=period.start.isoformat(), period_to=period.end.isoformat())
    db.session.commit()
    return _page(period, {}, reconciliation=result)
