"""A staff account's one-time set-up link, emailed to the account's own address.

Sent when an administrator invites someone and when they reset someone's sign-in, so no
administrator ever holds another person's link (and through it their account). The email
says who it is from, what the link does, until when it works, that it must not be
forwarded, and what to do if it was not expected. Staff emails are in English.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from flask import current_app

from consult import council, secret_links
from consult.alerts.envelope import new_message
from consult.models import AlertEvent, AlertOutbox
from consult.models.reviews import LOCAL_TIME

SUBJECTS = {
    AlertEvent.STAFF_WELCOME: "Have Your Say: set up your staff account",
    AlertEvent.STAFF_RESET: "Have Your Say: your sign-in was reset",
}
OPENINGS = {
    AlertEvent.STAFF_WELCOME: (
        "An administrator has made you a staff account on Have Your Say. Open this link to "
        "choose your password and set up the authenticator app you will sign in with:"),
    AlertEvent.STAFF_RESET: (
        "An administrator has reset how you sign in to Have Your Say: your password and "
        "authenticator no longer work. Open this link to choose a new password and set up "
        "your authenticator again:"),
}


def is_current(email: AlertOutbox, now: datetime) -> bool:
    """Whether the link in this email still opens the set-up page: the account is active,
    has not used it, and no later reset replaced it."""
    user = email.staff_user
    return (email.link_token is not None and user is not None and user.active
            and user.setup_token_hash == secret_links.token_hash(email.link_token)
            and user.setup_token_expires_at is not None and user.setup_token_expires_at > now)


def compose(email: AlertOutbox, *, base_url: str, from_address: str) -> EmailMessage:
    user = email.staff_user
    path = current_app.url_map.bind("localhost").build(
        "staff.open_setup_link", {"token": email.link_token})
    until = user.setup_token_expires_at.astimezone(LOCAL_TIME).strftime("%d %B %Y, %H:%M")
    settings = council.current()
    message = new_message(subject=SUBJECTS[email.event], from_address=from_address,
                          recipient=email.recipient)
    message.set_content("\n\n".join(filter(None, [
        f"Hello {user.name},",
        OPENINGS[email.event] + "\n" + base_url + path,
        f"The link works once, until {until} (UK time). Do not forward it: whoever opens it "
        "can choose the password of your account. No one at the council will ask you for it.",
        "If you did not expect this email, do not open the link, and tell your administrator.",
        "\n".join(filter(None, ["Have Your Say", settings.council_name])),
    ])) + "\n")
    return message
