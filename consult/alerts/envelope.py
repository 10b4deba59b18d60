"""The headers every email from the outbox carries."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid


def new_message(*, subject: str, from_address: str, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = from_address
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    return message
