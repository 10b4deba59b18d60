"""`flask --app consult import-903 FILE...`, `export-903-reviews` and `reconcile-903`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.extensions import db
from consult.imports.commands import commit_or_refuse
from consult.models import StaffUser, utcnow
from consult.models.reviews import LOCAL_TIME


def _today():
    return utcnow().astimezone(LOCAL_TIME).date()


def _account(email: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower(),
                                                     StaffUser.active))
    if user is None:
        raise click.BadParameter("no active staff account has this email address",
                                 param_hint="--by")
    return user


@click.command("import-903")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by_email", required=True, metavar="EMAIL",
              help="The staff account the import is made as (an administrator).")
@with_appcontext
def import_903_command(files: tuple[Path, ...], by_email: str) -> None:
    """Import the SSDA903 return: its CSV tables in any order (Header, Episodes, Reviews,
    SWEpisodes) or its XML file, with the supplement (and the social workers' table).
    All or nothing; importing the same files again changes nothing."""
    from consult.imports.ssda903.apply import import_903

    by = _account(by_email)
    result = import_903([(path.name, path.read_bytes()) for path in files],
                        by=by, today=_today(), timetable=current_app.config["REVIEW_TIMETABLE"])
    commit_or_refuse(result, kind="903", by=by, path="cli:import-903", where="the files")
    click.echo(f"Imported children: {result.children}; reviews: {result.reviews}.")
    for notice in result.notices:
        click.echo(notice)


def _period(first_day: str | None, last_day: str | None):
    from consult.figures.period import PeriodError, parse_period

    try:
        return parse_period(first_day, last_day, _today())
    except PeriodError as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.field}") from None


def _council_files(paths: tuple[Path, ...]) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in paths]


@click.command("export-903-reviews")
@click.option("--from", "first_day", metavar="YYYY-MM-DD", required=True)
@click.option("--to", "last_day", metavar="YYYY-MM-DD", required=True)
@click.option("--check-against", "council", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The council's own 903 Header and Episodes tables (CSV or XML) to check "
                   "against. Default: our children and their periods of care.")
@click.option("--accept", "accepted", multiple=True, metavar="RULE[:CHILD:DD/MM/YYYY]",
              help="Write in spite of this breach (or of every breach of RULE).")
@with_appcontext
def export_903_reviews_command(first_day: str, last_day: str, council: tuple[Path, ...],
                               accepted: tuple[str, ...]) -> None:
    """Write the 903 Reviews table (CHILD,DOB,REVIEW,REVIEW_CODE) of the reviews held in the
    period to stdout, if it passes the DfE review rules or each breach is accepted."""
    from consult import audit
    from consult.imports.ssda903.export import export_reviews
    from consult.imports.ssda903.rules import unaccepted

    period = _period(first_day, last_day)
    export = export_reviews(period.start, period.end, _council_files(council))
    if export.problems:
        for problem in export.problems:
            click.echo(problem, err=True)
        raise click.ClickException("Nothing written: the files to check against cannot be read.")
    refused = unaccepted(export.breaches, accepted)
    for breach in export.breaches:
        click.echo(("Accepted: " if breach not in refused else "") + str(breach), err=True)
    if refused:
        raise click.ClickException(
            f"Nothing written: {len(refused)} breach(es) of the DfE review rules. Correct the "
            "meeting records, or accept each with --accept RULE:CHILD:DD/MM/YYYY "
            "(--accept RULE for every breach of that rule).")
    audit.record("export.903_reviews", source="cli", rows=len(export.rows),
                 period_from=period.start.isoformat(), period_to=period.end.isoformat(),
                 accepted=len(export.breaches))
    db.session.commit()
    click.echo(export.csv(), nl=False)


@click.command("reconcile-903")
@click.argument("reviews_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "first_day", metavar="YYYY-MM-DD", required=True)
@click.option("--to", "last_day", metavar="YYYY-MM-DD", required=True)
@with_appcontext
def reconcile_903_command(reviews_file: Path, first_day: str, last_day: str) -> None:
    """Compare the council's 903 Reviews table with our meeting records, child by child:
    reviews only in one, dates that differ, PN codes that differ."""
    from consult import audit
    from consult.imports.ssda903.reconcile import reconcile

    period = _period(first_day, last_day)
    result = reconcile(reviews_file.name, reviews_file.read_bytes(), period.start, period.end)
    if result.problems:
        for problem in result.problems:
            click.echo(problem, err=True)
        raise click.ClickException("The council's Reviews table cannot be read.")
    audit.record("reconcile.903", source="cli", differences=len(result.differences),
                 period_from=period.start.isoformat(), period_to=period.end.isoformat())
    db.session.commit()
    for difference in result.differences:
        click.echo(str(difference))
    click.echo(f"{result.ours} reviews in ours, {result.theirs} in the council's: "
               f"{len(result.differences) or 'no'} difference(s).")
