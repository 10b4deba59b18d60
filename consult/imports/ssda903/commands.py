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

    result = import_903([(path.name, path.read_bytes()) for path in files],
                        by=_account(by_email), today=_today(),
                        timetable=current_app.config["REVIEW_TIMETABLE"])
    commit_or_refuse(result, "the files")
    click.echo(f"Imported children: {result.children}; reviews: {result.reviews}.")
    for notice in result.notices:
        click.echo(notice)
