"""Command-line tasks: `flask --app consult create-user` and `flask --app consult demo`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from consult.alerts.cli import send_alerts_command
from consult.extensions import db
from consult.links import external_url
from consult.models import StaffRole


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    from consult.imports.commands import import_children_command, import_reviews_command

    app.cli.add_command(import_children_command)
    app.cli.add_command(import_reviews_command)
    app.cli.add_command(send_alerts_command)
    from consult.reports.cli import report_command

    app.cli.add_command(report_command)


@click.command("create-user")
@click.option("--email", required=True, help="Their work email address; they sign in with it.")
@click.option("--role", required=True, type=click.Choice([role.value for role in StaffRole]))
@click.option("--name", required=True, help="Their name as colleagues know it.")
@with_appcontext
def create_user_command(email: str, role: str, name: str) -> None:
    """Create a staff account and print the one-time link with which they choose a password."""
    from consult.staff.accounts import AccountError, create_user

    hours = current_app.config["STAFF_SETUP_LINK_HOURS"]
    try:
        user, token = create_user(
            email=email, name=name, role=StaffRole(role), setup_link_hours=hours)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account for {user.name} <{user.email}>.")
    click.echo(f"To sign in the first time, they open this link within {hours} hours and choose "
               "a password (it works once):")
    click.echo(external_url("staff.open_setup_link", token=token))


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo children, reviews and staff (again and again: it never duplicates)."""
    from consult.demo import load_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is never loaded in production.")
    loaded = load_demo(current_app.config["INVITATION_DAYS_AFTER_REVIEW"])
    db.session.commit()
    click.echo("Demo data is ready. Staff accounts (passwords are new on every run):")
    for account in loaded.staff:
        click.echo(f"  {account.role:<14} {account.email:<40} {account.password}")
    click.echo(f"Staff sign in at {external_url('staff.sign_in')}")
    click.echo("Invitation links (new on every run; the old ones stop working):")
    for link in loaded.links:
        click.echo(f"  {link.description}:")
        click.echo(f"    {external_url('participation.open_link', token=link.token)}")
