"""Time-based one-time codes (TOTP, RFC 6238): the second factor every staff sign-in needs.

A code is accepted for the current 30-second step or the one either side (clock drift),
and only for a step later than the last one used, so a code seen over a shoulder or
replayed from a captured request is refused.
"""

from __future__ import annotations

import hmac
import re
import time

import pyotp
import segno

from consult.inputs import is_ascii_digits
from consult.models import StaffUser, utcnow

ISSUER = "Have Your Say"
STEP_SECONDS = 30
DRIFT_STEPS = 1
CODE_LENGTH = 6


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: StaffUser) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(user: StaffUser) -> str:
    """The enrolment QR code as inline SVG: drawn on the page, no image request, no script."""
    return segno.make(provisioning_uri(user), error="m").svg_inline(
        scale=4, border=4, light="#fff", svgclass="qr-code", lineclass=None,
        title="QR code for your authenticator app")


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app than to read as one run."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step this code belongs to, within the allowed drift, or None."""
    code = normalised(code)
    # ASCII digits only: `\d` and int() take Arabic-Indic and other digits, never a code.
    if not is_ascii_digits(code, CODE_LENGTH):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def accept_code(user: StaffUser, code: str) -> bool:
    """Whether the code is right and unused; if so, no code of that step or before works again."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    if user.totp_confirmed_at is None:
        user.totp_confirmed_at = utcnow()
    return True


def is_enrolled(user: StaffUser) -> bool:
    return user.totp_secret is not None and user.totp_confirmed_at is not None
