"""The figures pages. Managers and admins see suppressed figures; an IRO sees exact ones."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import force_locale
from sqlalchemy import select

from consult import audit
from consult.extensions import db
from consult.inputs import clean_text
from consult.models import StaffRole, StaffUser
from consult.reports import bp
from consult.reports.export import table_csv
from consult.reports.figures import Report, Scope, build_report, consented_quotes, suppressed
from consult.reports.period import Period, PeriodError, parse_period
from consult.staff.access import staff_required

READERS = (StaffRole.IRO, StaffRole.MANAGER, StaffRole.ADMIN)
FIRST_YEAR_OFFERED = 2010


def _render(template: str, status: int = 200, **context):
    # Staff pages are English whatever the browser asks for.
    with force_locale("en_GB"):
        return render_template(template, **context), status


def _threshold() -> int:
    return current_app.config["REPORT_SUPPRESSION_THRESHOLD"]


def _exact_on_screen() -> bool:
    """Only an IRO's own screen shows exact figures; a manager's view is shared further."""
    return g.staff.role is StaffRole.IRO


def _iros() -> list[StaffUser]:
    return list(db.session.scalars(
        select(StaffUser).where(StaffUser.role == StaffRole.IRO).order_by(StaffUser.name)))


def _scope(raw: str, iros: list[StaffUser]) -> Scope | None:
    """The scope asked for, if this person may see it; None if not."""
    raw = raw.strip()
    if g.staff.role is StaffRole.IRO:
        if raw in ("", "mine"):
            return Scope(g.staff.id, "reviews you chaired")
        return Scope(label="the whole service") if raw == "service" else None
    if raw in ("", "service"):
        return Scope(label="the whole service", by_iro=True)
    chosen = next((iro for iro in iros if str(iro.id) == raw), None)
    return Scope(chosen.id, f"reviews {chosen.name} chaired") if chosen else None


def _scope_choices(iros: list[StaffUser]) -> list[tuple[str, str]]:
    if g.staff.role is StaffRole.IRO:
        return [("mine", "Reviews I chaired"), ("service", "The whole service")]
    return [("service", "The whole service"),
            *((str(iro.id), f"Reviews {iro.name} chaired") for iro in iros)]


def _council_years(today: date) -> list[Period]:
    latest = Period.council_year_containing(today).start.year
    return [Period.council_year(year) for year in range(latest, FIRST_YEAR_OFFERED - 1, -1)]


def _shown(report: Report) -> Report:
    return report if _exact_on_screen() else suppressed(report, _threshold())


@bp.get("/")
@staff_required(*READERS)
def figures():
    iros = _iros()
    # Shown back in the form as typed, but through the one cleaning step (consult.inputs).
    raw = {name: clean_text(request.args.get(name), multiline=False)
           for name in ("from", "to", "scope")}
    errors: dict[str, str] = {}
    try:
        period = parse_period(raw["from"], raw["to"], date.today())
    except PeriodError as error:
        errors[error.field] = error.message
        period = Period.council_year_containing(date.today())
    scope = _scope(raw["scope"], iros)
    if scope is None:
        errors["scope"] = "Choose whose reviews to count from the list"
    if errors:
        return _render("reports/figures.html", 400, errors=errors, raw=raw, report=None,
                       scope_choices=_scope_choices(iros), years=_council_years(date.today()),
                       exact=_exact_on_screen(), threshold=_threshold())
    report = _shown(build_report(period, scope))
    return _render(
        "reports/figures.html", errors={}, report=report,
        raw={"from": period.start.isoformat(), "to": period.end.isoformat(),
             "scope": raw["scope"] or ("mine" if scope.iro_id == g.staff.id else "service")},
        scope_choices=_scope_choices(iros), years=_council_years(date.today()),
        exact=_exact_on_screen(), threshold=_threshold())


@bp.get("/tables/<key>.csv")
@staff_required(*READERS)
def table_download(key: str):
    try:
        period = parse_period(request.args.get("from"), request.args.get("to"), date.today())
    except PeriodError as error:
        return Response(f"{error.message}.\n", status=400, mimetype="text/plain")
    scope = _scope(request.args.get("scope", ""), _iros())
    if scope is None:
        abort(404)
    # Every export is suppressed, the IRO's own included: a file travels further than a screen.
    report = suppressed(build_report(period, scope), _threshold())
    table = report.table(key)
    if table is None:
        abort(404)
    audit.record("report.exported", staff=g.staff, table=key.lower()[:60], format="csv",
                 period_from=period.start.isoformat(), period_to=period.end.isoformat(),
                 iro_id=scope.iro_id, rows=len(table.rows))
    db.session.commit()
    filename = f"{key}_{period.start.isoformat()}_{period.end.isoformat()}.csv"
    return Response(table_csv(report, key), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/annual")
@staff_required(*READERS)
def annual_pack():
    today = date.today()
    years = _council_years(today)
    raw_year = clean_text(request.args.get("year"), multiline=False)
    if not raw_year:
        period = years[1] if len(years) > 1 else years[0]
    else:
        period = next((year for year in years if str(year.start.year) == raw_year), None)
        if period is None:
            return _render("reports/annual.html", 400, errors={
                "year": "Choose a year from the list"}, years=years, report=None,
                raw_year=raw_year, quotes=[], exact=_exact_on_screen(), threshold=_threshold())
    report = _shown(build_report(period, Scope(label="the whole service")))
    return _render("reports/annual.html", errors={}, years=years, report=report,
                   raw_year=str(period.start.year), quotes=consented_quotes(period),
                   exact=_exact_on_screen(), threshold=_threshold())
