from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.mail import Inbox, free_port


@pytest.fixture
def smtp_server():
    """(inbox, port) of an SMTP server on loopback, for one test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
