"""The figures pages. An IRO sees exact figures for the reviews they chaired, and prints them
exact only when they choose to; every other view (a manager's, an admin's, the whole service
for anyone), every other print and every download is suppressed, and covers whole calendar
months. `_exact` is the one place that says which."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, g, render_template, request
from sqlalchemy import select

from consult import audit
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
from consult.figures.tables import Table
from consult.inputs import clean_text
from consult.models import StaffRole, StaffUser
from consult.reports import bp
from consult.staff.access import staff_required

READERS = (StaffRole.IRO, StaffRole.MANAGER, StaffRole.ADMIN)
FIRST_YEAR_OFFERED = 2010

# Where figures go. Whether they may go there exact is decided by `_exact` alone.
SCREEN, PRINT, DOWNLOAD = "screen", "print", "download"
# What the print view's `figures=` asks for: small numbers hidden (the default), or exact.
PRINT_EXACT = "exact"

# The figures page in parts, each with its tables (by key) and whether they start open.
# The headline tables the annual report leads with (seed §3.2 to §3.4) are open; the rest
# are closed, and the contents list at the top leads to each.
SECTIONS = (
    ("headline", "Reviews, views and attendance", True,
     ("reviews_by_type", "views_by_role", "attendance_by_role", "participation_codes")),
    ("breakdowns", "Breakdowns", False, ("by_",)),
    ("requests", "Requests and concerns", False, ("requests", "concerns")),
    ("answers", "Answers given in the forms", False, ("answers_",)),
)


def _render(template: str, status: int = 200, **context):
    # In English, as every staff page: consult.i18n decides that by the path alone.
    return render_template(template, **context), status


def _threshold() -> int:
    return current_app.config["REPORT_SUPPRESSION_THRESHOLD"]


def _exact(scope: Scope | None, medium: str, *, asked: bool = False) -> bool:
    """Whether figures go to `medium` exact: the one rule (docs/reports.md "Who sees what").

    Only an IRO's own reviews are ever exact, since anything wider holds other IROs'
    children and a manager's view is shared further: on their screen always; on paper only
    when they ask to print their exact figures (`asked`), the printed pack being otherwise
    the suppressed one; never in a download, which travels further than a screen or a page.
    """
    own = (scope is not None and g.staff.role is StaffRole.IRO
           and scope.iro_id == g.staff.id)
    if medium == SCREEN:
        return own
    if medium == PRINT:
        return own and asked
    return False


def _sections(report: Report) -> list[tuple[str, str, bool, list[Table]]]:
    """The report's tables in the page's parts (SECTIONS), in the report's order; a table
    no part names goes in the last part, so none is ever left out."""
    parts: list[tuple[str, str, bool, list[Table]]] = [
        (key, title, open_, []) for key, title, open_, _names in SECTIONS]
    for table in report.tables:
        index = next((i for i, (*_first, names) in enumerate(SECTIONS)
                      if any(table.key == name or (name.endswith("_")
                                                   and table.key.startswith(name))
                             for name in names)), len(SECTIONS) - 1)
        parts[index][3].append(table)
    return [part for part in parts if part[3]]


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


def _shown(report: Report, exact: bool) -> Report:
    return report if exact else suppressed(report, _threshold())


def _asked(iros: list[StaffUser], medium: str
           ) -> tuple[Period | None, Scope | None, dict[str, str], dict[str, str]]:
    """The period and scope in the query string, and what is wrong with them, by field.

    Figures that will be suppressed on their `medium` (see `_exact`) must cover whole
    calendar months that are over; when no period is asked for, they cover this council
    year up to the end of last month.
    """
    # Shown back in the form as typed, but through the one cleaning step (consult.inputs).
    raw = {name: clean_text(request.args.get(name), multiline=False)
           for name in ("from", "to", "scope", "figures")}
    errors: dict[str, str] = {}
    period = None
    try:
        period = parse_period(raw["from"], raw["to"], date.today())
    except PeriodError as error:
        errors[error.field] = error.message
    scope = _scope(raw["scope"], iros)
    # Anything but "exact" prints with small numbers hidden, the safe way to be wrong.
    exact_asked = raw["figures"] == PRINT_EXACT
    if scope is None:
        errors["scope"] = "Choose whose reviews to count from the list"
    elif medium == PRINT and exact_asked and not _exact(scope, PRINT, asked=True):
        errors["scope"] = ("Only an IRO's own reviews can be printed exact: print these "
                           "with small numbers hidden")
    elif period is not None and not _exact(scope, medium, asked=exact_asked):
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


def _query(period: Period, raw_scope: str) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "scope": raw_scope}


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
    period, scope, raw, errors = _asked(iros, SCREEN)
    if errors:
        return _refused(raw, errors, iros)
    exact = _exact(scope, SCREEN)
    report = _shown(build_report(period, scope), exact)
    raw_scope = raw["scope"] or ("mine" if scope.iro_id == g.staff.id else "service")
    return _render(
        "reports/figures.html", errors={}, report=report, sections=_sections(report),
        raw={"from": period.start.isoformat(), "to": period.end.isoformat(), "scope": raw_scope},
        query=_query(period, raw_scope), scope_choices=_scope_choices(iros),
        years=_council_years(date.today(), hidden=not exact),
        exact=exact, may_print_exact=_exact(scope, PRINT, asked=True),
        downloads=_downloadable(period), threshold=_threshold(), waiting=rollups.waiting())


@bp.get("/print")
@staff_required(*READERS)
def printable():
    """Every table laid out to print, saying whether small numbers are hidden: they are,
    unless an IRO asks to print the exact figures of their own reviews."""
    iros = _iros()
    period, scope, raw, errors = _asked(iros, PRINT)
    if errors:
        return _refused(raw, errors, iros)
    exact = _exact(scope, PRINT, asked=raw["figures"] == PRINT_EXACT)
    report = _shown(build_report(period, scope), exact)
    raw_scope = raw["scope"] or ("mine" if scope.iro_id == g.staff.id else "service")
    return _render("reports/print.html", report=report, sections=_sections(report),
                   query=_query(period, raw_scope), exact=exact, threshold=_threshold())


@bp.get("/tables/<key>.csv")
@staff_required(*READERS)
def table_download(key: str):
    iros = _iros()
    period, scope, raw, errors = _asked(iros, DOWNLOAD)
    if errors:
        # The same form, saying what to change: a link followed by hand, or an old bookmark.
        return _refused(raw, errors, iros)
    # Every export is suppressed, the IRO's own included: a file travels further than a screen.
    report = _shown(build_report(period, scope), _exact(scope, DOWNLOAD))
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
    # A pack to print: suppressed, since the whole service is never an IRO's own reviews.
    scope = Scope(label="the whole service")
    exact = _exact(scope, PRINT)
    report = _shown(build_report(period, scope), exact)
    return _render("reports/annual.html", errors={}, years=years, report=report,
                   raw_year=str(period.start.year), quotes=consented_quotes(period),
                   exact=exact, threshold=_threshold(), waiting=rollups.waiting())
