"""The figures pages. An IRO sees exact figures for the reviews they chaired; every other
view (a manager's, an admin's, the whole service for anyone) and every download is
suppressed, and covers whole calendar months."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import force_locale
from sqlalchemy import select

from consult import audit, i18n
from consult.extensions import db
from consult.figures import rollups
from consult.figures.export import table_csv
from consult.figures.period import (
    Period,
    PeriodError,
    hidden_figures_default,
    months_over,
    parse_period,
    require_whole_months,
)
from consult.figures.quotes import consented_quotes
from consult.figures.report import Report, Scope, build_report, suppressed
from consult.inputs import clean_text
from consult.models import StaffRole, StaffUser
from consult.reports import bp
from consult.staff.access import staff_required

READERS = (StaffRole.IRO, StaffRole.MANAGER, StaffRole.ADMIN)
FIRST_YEAR_OFFERED = 2010


def _render(template: str, status: int = 200, **context):
    # Staff pages are English whatever the browser asks for.
    with force_locale(i18n.STAFF_LOCALE):
        return render_template(template, **context), status


def _threshold() -> int:
    return current_app.config["REPORT_SUPPRESSION_THRESHOLD"]


def _exact_on_screen(scope: Scope | None) -> bool:
    """Only an IRO's screen of their own reviews shows exact figures: anything wider holds
    other IROs' children, and a manager's view is shared further."""
    return (scope is not None and g.staff.role is StaffRole.IRO
            and scope.iro_id == g.staff.id)


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


def _council_years(today: date, *, hidden: bool = False) -> list[Period]:
    """The council years offered, newest first; for hidden figures, only the months of
    each that are over (this year so far, none of it in its first month)."""
    latest = Period.council_year_containing(today).start.year
    years = [Period.council_year(year) for year in range(latest, FIRST_YEAR_OFFERED - 1, -1)]
    if not hidden:
        return years
    return [over for year in years if (over := months_over(year, today)) is not None]


def _shown(report: Report) -> Report:
    return report if _exact_on_screen(report.scope) else suppressed(report, _threshold())


def _asked(iros: list[StaffUser], *, suppressed_anyway: bool = False
           ) -> tuple[Period | None, Scope | None, dict[str, str], dict[str, str]]:
    """The period and scope in the query string, and what is wrong with them, by field.

    Figures that will be suppressed (on screen, or `suppressed_anyway` for a download) must
    cover whole calendar months that are over; when no period is asked for, they cover this
    council year up to the end of last month.
    """
    # Shown back in the form as typed, but through the one cleaning step (consult.inputs).
    raw = {name: clean_text(request.args.get(name), multiline=False)
           for name in ("from", "to", "scope")}
    errors: dict[str, str] = {}
    period = None
    try:
        period = parse_period(raw["from"], raw["to"], date.today())
    except PeriodError as error:
        errors[error.field] = error.message
    scope = _scope(raw["scope"], iros)
    if scope is None:
        errors["scope"] = "Choose whose reviews to count from the list"
    elif period is not None and (suppressed_anyway or not _exact_on_screen(scope)):
        if not (raw["from"].strip() or raw["to"].strip()):
            period = hidden_figures_default(date.today())
        try:
            require_whole_months(period, date.today())
        except PeriodError as error:
            errors[error.field] = error.message
    return period, scope, raw, errors


def _refused(raw: dict[str, str], errors: dict[str, str], iros: list[StaffUser]):
    return _render("reports/figures.html", 400, errors=errors, raw=raw, report=None,
                   scope_choices=_scope_choices(iros),
                   years=_council_years(date.today(), hidden=True),
                   exact=False, downloads=False, threshold=_threshold())


def _downloadable(period: Period) -> bool:
    """Downloads are suppressed, so only for periods hidden figures may cover."""
    try:
        require_whole_months(period, date.today())
    except PeriodError:
        return False
    return True


@bp.get("/")
@staff_required(*READERS)
def figures():
    iros = _iros()
    period, scope, raw, errors = _asked(iros)
    if errors:
        return _refused(raw, errors, iros)
    report = _shown(build_report(period, scope))
    return _render(
        "reports/figures.html", errors={}, report=report,
        raw={"from": period.start.isoformat(), "to": period.end.isoformat(),
             "scope": raw["scope"] or ("mine" if scope.iro_id == g.staff.id else "service")},
        scope_choices=_scope_choices(iros),
        years=_council_years(date.today(), hidden=not _exact_on_screen(scope)),
        exact=_exact_on_screen(scope), downloads=_downloadable(period),
        threshold=_threshold(), waiting=rollups.waiting())


@bp.get("/tables/<key>.csv")
@staff_required(*READERS)
def table_download(key: str):
    iros = _iros()
    period, scope, raw, errors = _asked(iros, suppressed_anyway=True)
    if errors:
        # The same form, saying what to change: a link followed by hand, or an old bookmark.
        return _refused(raw, errors, iros)
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
    # The whole service, so hidden figures for everyone: this year only as far as it is over.
    years = _council_years(today, hidden=True)
    raw_year = clean_text(request.args.get("year"), multiline=False)
    if not raw_year:  # the last complete council year
        period = next(year for year in years if year.is_council_year)
    else:
        period = next((year for year in years if str(year.start.year) == raw_year), None)
        if period is None:
            return _render("reports/annual.html", 400, errors={
                "year": "Choose a year from the list"}, years=years, report=None,
                raw_year=raw_year, quotes=[], exact=False, threshold=_threshold())
    report = _shown(build_report(period, Scope(label="the whole service")))
    return _render("reports/annual.html", errors={}, years=years, report=report,
                   raw_year=str(period.start.year), quotes=consented_quotes(period),
                   exact=_exact_on_screen(report.scope), threshold=_threshold(),
                   waiting=rollups.waiting())
