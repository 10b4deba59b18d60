"""`flask --app consult import-children FILE.csv` and `import-reviews FILE.csv`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.extensions import db
from consult.imports.csvfile import ImportResult
from consult.models import utcnow
from consult.models.reviews import LOCAL_TIME


def commit_or_refuse(result: ImportResult, where: str = "the file") -> None:
    """Save a good import; for a bad one, list every problem and save nothing."""
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(result.errors)} problem(s) in {where}.")
    db.session.commit()


def _finish(result: ImportResult, what: str) -> None:
    commit_or_refuse(result)
    click.echo(f"Imported {what}: {result.created} new, {result.updated} updated, "
               f"{result.unchanged} unchanged.")


@click.command("import-children")
@click.argument("csv_file", type=click.File("rb"))
@with_appcontext
def import_children_command(csv_file) -> None:
    """Create or update children from a CSV file (all or nothing)."""
    from consult.imports import import_children

    _finish(import_children(csv_file.read()), "children")


@click.command("import-reviews")
@click.argument("csv_file", type=click.File("rb"))
@with_appcontext
def import_reviews_command(csv_file) -> None:
    """Create or update reviews and their meeting records from a CSV file (all or nothing)."""
    from consult.imports import import_reviews

    _finish(import_reviews(csv_file.read(), today=utcnow().astimezone(LOCAL_TIME).date(),
                           timetable=current_app.config["REVIEW_TIMETABLE"]), "reviews")
