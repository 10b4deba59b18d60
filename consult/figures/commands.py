"""`flask --app consult report`: the same figures for analysts and scheduled jobs; and
`refresh-figures`, which brings the figures' rollups up to date when something other than
the app's own writes marked them (a migration)."""

from __future__ import annotations

import time
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from consult import audit
from consult.extensions import db
from consult.figures.export import report_csv, report_json
from consult.figures.period import (
    PeriodError,
    hidden_figures_default,
    parse_period,
    require_whole_months,
)
from consult.figures.report import Scope, build_report, suppressed
from consult.figures.rollups import refresh_figures
from consult.models import AnswerFiguresStale, ReviewFiguresStale, StaffRole, StaffUser


@click.command("report")
@click.option("--from", "first_day", metavar="YYYY-MM-DD",
              help="First day of a month; with --to. Default: the current council year up to "
              "the end of last month.")
@click.option("--to", "last_day", metavar="YYYY-MM-DD",
              help="Last day of a month that is over.")
@click.option("--iro", "iro_email", metavar="EMAIL",
              help="Only the reviews this IRO chaired. Default: the whole service.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@with_appcontext
def report_command(first_day: str | None, last_day: str | None, iro_email: str | None,
                   output_format: str) -> None:
    """Print the participation figures for whole calendar months that are over, small
    numbers suppressed."""
    try:
        # Suppressed, like every export: whole calendar months that are over.
        period = (require_whole_months(parse_period(first_day, last_day, date.today()),
                                       date.today())
                  if first_day or last_day else hidden_figures_default(date.today()))
    except PeriodError as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.field}") from None
    scope = Scope(label="the whole service", by_iro=True)
    if iro_email:
        iro = db.session.scalar(select(StaffUser).where(
            StaffUser.email == iro_email.strip(), StaffUser.role == StaffRole.IRO))
        if iro is None:
            raise click.BadParameter("no IRO has this email address", param_hint="--iro")
        scope = Scope(iro.id, f"reviews {iro.name} chaired")
    threshold = current_app.config["REPORT_SUPPRESSION_THRESHOLD"]
    refresh_figures()  # a command may write; the pages only read
    report = suppressed(build_report(period, scope), threshold)
    audit.record("report.exported", table="all", format=output_format, source="cli",
                 period_from=period.start.isoformat(), period_to=period.end.isoformat(),
                 iro_id=scope.iro_id)
    db.session.commit()
    click.echo(report_json(report, threshold) if output_format == "json" else report_csv(report),
               nl=output_format == "json")


@click.command("refresh-figures")
@with_appcontext
def refresh_figures_command() -> None:
    """Bring the figures' rollups up to date now.

    Every write through the app brings them up to date as it commits; run this after
    `flask db upgrade` (a migration may mark every review and day, which takes a minute or
    more at national scale), or when a figures page says some changes are not counted yet.
    """
    waiting = [db.session.scalar(select(func.count()).select_from(marks))
               for marks in (ReviewFiguresStale, AnswerFiguresStale)]
    db.session.rollback()
    started = time.monotonic()
    refresh_figures()
    click.echo(f"Brought the figures of {waiting[0]} reviews and {waiting[1]} days of answers "
               f"up to date in {time.monotonic() - started:.1f} s.")
