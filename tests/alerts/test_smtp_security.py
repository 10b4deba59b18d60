"""Alerts go over STARTTLS or implicit TLS, signing in when configured, to a real server."""

from __future__ import annotations

import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from consult.alerts import sender
from consult.alerts.sender import SmtpSettings, send_due
from consult.extensions import db
from consult.models import AlertEvent, AlertOutbox, StaffRole
from tests import factories
from tests.alerts.mail import FROM, Inbox, free_port

USER, PASSWORD = "alerts", "s3cret-mail-password"


@pytest.fixture(scope="module")
def certificate_authority():
    return trustme.CA()


@pytest.fixture
def trusting_client(certificate_authority, monkeypatch):
    """The sender trusts our test CA, and still verifies the certificate and host name."""
    original = ssl.create_default_context

    def trusting_context(*args, **kwargs):
        context = original(*args, **kwargs)
        certificate_authority.configure_trust(context)
        return context

    monkeypatch.setattr(sender.ssl, "create_default_context", trusting_context)


def _server_context(certificate_authority) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


def _authenticate(_server, _session, _envelope, _mechanism, auth_data):
    return AuthResult(success=(auth_data.login, auth_data.password)
                      == (USER.encode(), PASSWORD.encode()))


def _queue_one():
    iro = factories.staff(StaffRole.IRO)
    db.session.add(AlertOutbox(event=AlertEvent.NEW_REQUEST, recipient=iro.email,
                               staff_path="/staff/requests/1"))
    db.session.commit()


@pytest.fixture
def starttls_server(certificate_authority):
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(),
        tls_context=_server_context(certificate_authority), require_starttls=True,
        authenticator=_authenticate, auth_require_tls=True)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def test_starttls_with_a_user_name_and_password(app, starttls_server, trusting_client):
    inbox, port = starttls_server
    _queue_one()

    report = send_due(SmtpSettings("127.0.0.1", port, "starttls", USER, PASSWORD, 5, FROM),
                      base_url="http://localhost")

    assert report.sent == 1
    assert len(inbox.messages) == 1


def test_a_wrong_password_keeps_the_alert_queued(app, starttls_server, trusting_client):
    inbox, port = starttls_server
    _queue_one()

    report = send_due(SmtpSettings("127.0.0.1", port, "starttls", USER, "wrong", 1, FROM),
                      base_url="http://localhost")

    assert (report.sent, report.failed, report.waiting) == (0, 1, 1)
    alert = db.session.scalar(select(AlertOutbox))
    # smtplib tries each mechanism in turn; the server refuses, then may stall or hang up.
    assert alert.last_error in (
        "SMTPAuthenticationError", "SMTPServerDisconnected", "TimeoutError")
    assert alert.sent_at is None and alert.attempts == 1
    assert inbox.messages == []


def test_an_untrusted_certificate_is_refused(app, starttls_server):
    _inbox, port = starttls_server
    _queue_one()

    report = send_due(SmtpSettings("127.0.0.1", port, "starttls", USER, PASSWORD, 5, FROM),
                      base_url="http://localhost")

    assert report.failed == 1
    assert db.session.scalar(select(AlertOutbox)).last_error == "SSLCertVerificationError"


def test_implicit_tls(app, certificate_authority, trusting_client):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            ssl_context=_server_context(certificate_authority))
    controller.start()
    try:
        _queue_one()
        report = send_due(SmtpSettings("127.0.0.1", controller.port, "tls", None, None, 5, FROM),
                          base_url="http://localhost")
    finally:
        controller.stop()

    assert report.sent == 1 and len(inbox.messages) == 1
