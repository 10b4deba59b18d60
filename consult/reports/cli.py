"""`flask --app consult report`: the same figures for analysts and scheduled jobs."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from consult import audit
from consult.extensions import db
from consult.models import StaffRole, StaffUser
from consult.reports.export import report_csv, report_json
from consult.reports.figures import Scope, build_report, suppressed
from consult.reports.period import PeriodError, parse_period


@click.command("report")
@click.option("--from", "first_day", metavar="YYYY-MM-DD",
              help="First day of the period; with --to. Default: the current council year.")
@click.option("--to", "last_day", metavar="YYYY-MM-DD", help="Last day of the period.")
@click.option("--iro", "iro_email", metavar="EMAIL",
              help="Only the reviews this IRO chaired. Default: the whole service.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@with_appcontext
def report_command(first_day: str | None, last_day: str | None, iro_email: str | None,
                   output_format: str) -> None:
    """Print the participation figures for a period, small numbers suppressed."""
    try:
        period = parse_period(first_day, last_day, date.today())
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
    report = suppressed(build_report(period, scope), threshold)
    audit.record("report.exported", table="all", format=output_format, source="cli",
                 period_from=period.start.isoformat(), period_to=period.end.isoformat(),
                 iro_id=scope.iro_id)
    db.session.commit()
    click.echo(report_json(report, threshold) if output_format == "json" else report_csv(report),
               nl=output_format == "json")
