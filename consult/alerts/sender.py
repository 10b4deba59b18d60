"""Sending queued alerts and emailed invitations through SMTP, outside any web request.

Each email is taken with a row lock that other senders skip (PostgreSQL), sent, and
committed on its own, so two senders never send the same email and a crash resends at
most one. A failure leaves the email queued with a later next attempt: 1, 2, 4 … minutes,
then every hour, until the mail server takes it. Nothing is ever given up, except an
invitation whose link was replaced, withdrawn or used up meanwhile: that one is withdrawn
unsent, because its link would no longer open anything.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select

from consult import audit
from consult.alerts import invitation_email, setup_email
from consult.alerts.envelope import new_message
from consult.extensions import db
from consult.models import STAFF_SETUP_EVENTS, AlertEvent, AlertOutbox, utcnow

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)

SUBJECTS = {
    AlertEvent.NEW_SUBMISSION: "Have Your Say: new views for a review",
    AlertEvent.NEW_REQUEST: "Have Your Say: a new request for help",
    AlertEvent.NEW_URGENT_REQUEST: "Have Your Say: URGENT request for help",
    AlertEvent.SIGN_IN_FAILURES: "Have Your Say: attempts to sign in to your account",
    AlertEvent.CODE_FAILURES: "Have Your Say: your password was used with wrong codes",
    AlertEvent.NEW_CONCERN: "Have Your Say: a child's answers need your attention",
}
OPENINGS = {
    AlertEvent.NEW_SUBMISSION: "New views have been sent for a review you chair.",
    AlertEvent.NEW_REQUEST: "A new request for help is waiting for you.",
    AlertEvent.NEW_URGENT_REQUEST: (
        "A child has told us they are worried or feel unsafe now and asked for you urgently."),
    AlertEvent.SIGN_IN_FAILURES: (
        "Someone got the password wrong several times when signing in to your account, so "
        "signing in from where they are is slowed down for a while. Your account is not "
        "locked: you can still sign in from your usual place. If it was you, wait a few "
        "minutes. If it was not, your account is still safe without your code, but tell your "
        "administrator, and consider choosing a new password."),
    AlertEvent.CODE_FAILURES: (
        "Someone gave your password correctly but then wrong codes several times when signing "
        "in to your account, so signing in from where they are is slowed down for a while. "
        "If it was not you, someone knows your password: change it now, and tell your "
        "administrator."),
    AlertEvent.NEW_CONCERN: (
        "A child's answers need your attention: please read them and record what you did "
        "within 1 working day."),
}
# What the link in each email is for.
LINK_LINES = {
    AlertEvent.SIGN_IN_FAILURES: "To change your password, sign in and go to:",
    AlertEvent.CODE_FAILURES: "To change your password, sign in and go to:",
}
# Problems with one message; anything else (connection, sign-in) affects every message.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                   smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls, tls or none
    username: str | None
    password: str | None
    timeout: int
    from_address: str

    @classmethod
    def from_config(cls, config) -> SmtpSettings | None:
        if not config.get("SMTP_HOST"):
            return None
        return cls(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"],
                   config["SMTP_USERNAME"], config["SMTP_PASSWORD"], config["SMTP_TIMEOUT"],
                   config["ALERT_FROM_ADDRESS"])


def compose(alert: AlertOutbox, *, base_url: str, from_address: str) -> EmailMessage:
    """The email: what happened and a link to sign in. No name, no words, no reference."""
    if alert.event is AlertEvent.INVITATION:
        return invitation_email.compose(alert, base_url=base_url, from_address=from_address)
    if alert.event in STAFF_SETUP_EVENTS:
        return setup_email.compose(alert, base_url=base_url, from_address=from_address)
    message = new_message(subject=SUBJECTS[alert.event], from_address=from_address,
                          recipient=alert.recipient)
    message.set_content(
        f"{OPENINGS[alert.event]}\n\n"
        f"{LINK_LINES.get(alert.event, 'Sign in to see it:')}\n{base_url}{alert.staff_path}\n\n"
        "This email leaves out names and what anyone wrote on purpose, because email is not a "
        "safe place for them.\n")
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 10)), MAX_BACKOFF)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            smtp.starttls(context=context)
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def _next_due(now: datetime) -> AlertOutbox | None:
    return db.session.scalar(
        select(AlertOutbox)
        .where(AlertOutbox.sent_at.is_(None), AlertOutbox.withdrawn_at.is_(None),
               AlertOutbox.next_attempt_at <= now)
        .order_by(AlertOutbox.next_attempt_at, AlertOutbox.id)
        .limit(1)
        .with_for_update(skip_locked=True))


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def send_due(settings: SmtpSettings, *, base_url: str, limit: int = 200,
             now=utcnow) -> SendReport:
    """Send the alerts that are due, until none is left, the limit is reached or the mail
    server stops answering (the rest wait for the next run)."""
    report = SendReport()
    smtp: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            alert = _next_due(now())
            if alert is None:
                break
            if not _is_current(alert, now()):
                _withdraw(alert, now())
                db.session.commit()
                continue
            try:
                smtp = smtp or _connect(settings)
                smtp.send_message(compose(alert, base_url=base_url,
                                          from_address=settings.from_address))
            except (smtplib.SMTPException, OSError) as error:
                _failed(alert, error, now())
                report.failed += 1
                db.session.commit()
                if not isinstance(error, _MESSAGE_ERRORS):
                    break
                continue
            _sent(alert, now())
            db.session.commit()
            report.sent += 1
            logger.info("alert %d sent", alert.id)
    finally:
        db.session.rollback()
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    report.waiting = waiting_count()
    return report


def _is_current(alert: AlertOutbox, now: datetime) -> bool:
    """False for an email whose link would no longer open anything: withdraw it unsent."""
    if alert.event is AlertEvent.INVITATION:
        return invitation_email.is_current(alert, now)
    if alert.event in STAFF_SETUP_EVENTS:
        return setup_email.is_current(alert, now)
    return True


def _sent(alert: AlertOutbox, now: datetime) -> None:
    alert.sent_at = now
    alert.attempts += 1
    alert.last_error = None
    if alert.event in STAFF_SETUP_EVENTS:
        alert.link_token = None
        audit.record("staff.setup_email_sent", subject=alert.staff_user,
                     attempts=alert.attempts)
    if alert.event is AlertEvent.INVITATION:
        # The link is in the person's inbox now; the database need not hold it any more.
        alert.link_token = None
        invitation = alert.invitation
        if invitation.handed_over_at is None:
            invitation.handed_over_at = now
        audit.record("invitation.email_sent", subject=invitation, attempts=alert.attempts)


def _withdraw(alert: AlertOutbox, now: datetime) -> None:
    alert.withdrawn_at = now
    alert.link_token = None
    logger.info("alert %d withdrawn unsent: its link no longer works", alert.id)


def _failed(alert: AlertOutbox, error: Exception, now: datetime) -> None:
    alert.attempts += 1
    alert.last_error = type(error).__name__[:60]
    alert.next_attempt_at = now + backoff(alert.attempts)
    # The class name only: an SMTP reply can quote the message or the address back.
    logger.warning("alert %d not sent (%s), attempt %d; next try at %s",
                   alert.id, alert.last_error, alert.attempts,
                   alert.next_attempt_at.isoformat(timespec="seconds"))


def waiting_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AlertOutbox)
        .where(AlertOutbox.sent_at.is_(None), AlertOutbox.withdrawn_at.is_(None)))
