"""`flask --app consult send-alerts`: send queued alerts once, or keep doing so."""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from consult.alerts.sender import SmtpSettings, send_due
from consult.extensions import db

logger = logging.getLogger(__name__)


@click.command("send-alerts")
@click.option("--loop", is_flag=True, help="Keep running, checking the outbox every INTERVAL.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(min=1),
              help="Seconds between checks with --loop.")
@with_appcontext
def send_alerts_command(loop: bool, interval: int) -> None:
    """Send the email alerts waiting in the outbox (retrying failed ones when they are due)."""
    settings = SmtpSettings.from_config(current_app.config)
    if settings is None:
        raise click.ClickException(
            "SMTP_HOST is not set, so alerts cannot be sent; they stay in the outbox.")
    base_url = current_app.config["BASE_URL"]
    while True:
        try:
            report = send_due(settings, base_url=base_url)
            click.echo(f"alerts sent: {report.sent}, failed: {report.failed}, "
                       f"waiting: {report.waiting}")
        except OperationalError as error:
            # The database may come back; a loop that dies here would stop every alert.
            db.session.rollback()
            logger.error("outbox unavailable: %s", type(error.orig).__name__)
            if not loop:
                raise click.ClickException("The database could not be reached.") from None
        finally:
            db.session.remove()
        if not loop:
            return
        time.sleep(interval)
