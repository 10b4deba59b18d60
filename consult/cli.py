"""Command-line tasks: create-user, demo, and the data-protection ones (keys, retention)."""

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
    from consult.imports.ssda903.commands import (
        export_903_reviews_command,
        import_903_command,
        reconcile_903_command,
    )

    app.cli.add_command(import_903_command)
    app.cli.add_command(export_903_reviews_command)
    app.cli.add_command(reconcile_903_command)
    app.cli.add_command(send_alerts_command)
    from consult.figures.commands import refresh_figures_command, report_command

    app.cli.add_command(report_command)
    app.cli.add_command(refresh_figures_command)
    app.cli.add_command(new_encryption_key_command)
    app.cli.add_command(rotate_key_command)
    app.cli.add_command(retention_command)


@click.command("create-user")
@click.option("--email", required=True, help="Their work email address; they sign in with it.")
@click.option("--role", required=True, type=click.Choice([role.value for role in StaffRole]))
@click.option("--name", required=True, help="Their name as colleagues know it.")
@with_appcontext
def create_user_command(email: str, role: str, name: str) -> None:
    """Create a staff account and print the one-time link with which they choose a password."""
    from consult.accounts.accounts import AccountError, create_user

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
    click.echo("Demo data is ready. Staff accounts (passwords are new on every run; add the "
               "key to an authenticator app for the sign-in code):")
    for account in loaded.staff:
        click.echo(f"  {account.role:<14} {account.email:<40} {account.password:<20} "
                   f"key {account.authenticator_key}")
    click.echo(f"Staff sign in at {external_url('staff.sign_in')}")
    click.echo("Invitation links (new on every run; the old ones stop working):")
    for link in loaded.links:
        click.echo(f"  {link.description}:")
        click.echo(f"    {external_url('participation.open_link', token=link.token)}")


@click.command("new-encryption-key")
def new_encryption_key_command() -> None:
    """Print a new key for DATA_ENCRYPTION_KEYS (put it first, then run rotate-key)."""
    from consult.encryption import new_key

    click.echo(new_key())


@click.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Re-encrypt every encrypted value with the first key in DATA_ENCRYPTION_KEYS."""
    from consult import audit
    from consult.encryption import rotate
    from consult.models.encrypted import CIPHER

    rewritten = rotate(current_app.extensions[CIPHER])
    audit.record("encryption.rotated", values=rewritten)
    db.session.commit()
    click.echo(f"Re-encrypted {rewritten} values with the first key. Older keys can now be "
               "removed from DATA_ENCRYPTION_KEYS.")


@click.command("retention")
@click.option("--apply", "apply_", is_flag=True,
              help="Delete for real. Without it, only say what would be deleted.")
@with_appcontext
def retention_command(apply_: bool) -> None:
    """Delete what children sent, RETENTION_DAYS_AFTER_CARE days after they left care."""
    from datetime import date

    from consult import audit
    from consult.data_protection import apply_retention, retention_due

    days = current_app.config["RETENTION_DAYS_AFTER_CARE"]
    due = retention_due(date.today(), days)
    verb = "Deleting" if apply_ else "Would delete"
    for item in due:
        click.echo(f"{verb} {item.submissions} submissions and {item.help_requests} requests "
                   f"of {item.child.case_ref} (left care {item.child.ceased_on.isoformat()})")
    if not due:
        click.echo(f"Nothing is due: no child who left care over {days} days ago has "
                   "submissions left.")
    elif apply_:
        apply_retention(due)
        db.session.commit()
        click.echo(f"Deleted the submissions of {len(due)} children.")
    else:
        audit.record("retention.dry_run", children=len(due))
        db.session.commit()
        click.echo(f"Dry run: nothing was deleted. Run again with --apply to delete these "
                   f"{len(due)} children's submissions.")
