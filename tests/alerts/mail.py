"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail tests."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

from consult.alerts.sender import SmtpSettings

FROM = "alerts@council.example"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(
            envelope.content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "none", None, None, 5, FROM)


def full_text(message) -> str:
    return str(message) + message.get_body(("plain",)).get_content()
