"""`flask --app consult import-children --as EMAIL FILE.csv` and `import-reviews`.

Each runs as a named staff account, held to the same rules as that person on the Import
page (an IRO imports only their own children), and audited under their name.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from consult.extensions import db
from consult.imports import finish_import
from consult.imports.csvfile import ImportResult
from consult.models import StaffUser, utcnow
from consult.models.reviews import LOCAL_TIME
from consult.policy import may_manage_caseload

AS_HELP = ("The email of the active staff account this import runs as: an administrator, "
           "or an IRO importing their own children.")


def _account(email: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(
        func.lower(StaffUser.email) == email.strip().lower()))
    if user is None or not user.active or not may_manage_caseload(user):
        raise click.BadParameter(
            "not an active administrator's or IRO's account.", param_hint="--as")
    return user


def commit_or_refuse(result: ImportResult, *, kind: str, by: StaffUser, path: str,
                     where: str = "the file") -> None:
    """Save a good import; for a bad one save nothing but the audit of its refusal
    (finish_import), list every problem and fail the command."""
    finish_import(result, kind=kind, by=by, path=path)
    if not result.ok:
        for error in result.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(result.errors)} problem(s) in {where}.")


def _finish(result: ImportResult, *, kind: str, by: StaffUser, path: str) -> None:
    commit_or_refuse(result, kind=kind, by=by, path=path)
    click.echo(f"Imported {kind}: {result.created} new, {result.updated} updated, "
               f"{result.unchanged} unchanged.")


@click.command("import-children")
@click.option("--as", "as_email", required=True, metavar="EMAIL", help=AS_HELP)
@click.argument("csv_file", type=click.File("rb"))
@with_appcontext
def import_children_command(as_email: str, csv_file) -> None:
    """Create or update children from a CSV file (all or nothing)."""
    from consult.imports import import_children

    by = _account(as_email)
    path = "cli:import-children"
    _finish(import_children(csv_file.read(), by=by, path=path), kind="children", by=by,
            path=path)


@click.command("import-reviews")
@click.option("--as", "as_email", required=True, metavar="EMAIL", help=AS_HELP)
@click.argument("csv_file", type=click.File("rb"))
@with_appcontext
def import_reviews_command(as_email: str, csv_file) -> None:
    """Create or update reviews and their meeting records from a CSV file (all or nothing)."""
    from consult.imports import import_reviews

    by = _account(as_email)
    path = "cli:import-reviews"
    _finish(import_reviews(csv_file.read(), today=utcnow().astimezone(LOCAL_TIME).date(),
                           timetable=current_app.config["REVIEW_TIMETABLE"], by=by, path=path),
            kind="reviews", by=by, path=path)
