"""Staff accounts: creation with a one-time set-up link, passwords, and sign-in checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from consult import audit, secret_links
from consult.accounts import passwords, throttle, two_factor
from consult.alerts import outbox
from consult.alerts.outbox import queue_setup_email
from consult.extensions import db
from consult.models import AlertEvent, StaffRole, StaffUser, utcnow


class AccountError(ValueError):
    pass


def end_all_sessions(user: StaffUser) -> None:
    """Every session this person has, on any device, stops working (each staff session
    carries the account's session_version, checked on every request by consult.staff.access)."""
    user.session_version += 1


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email)))


def issue_setup_link(user: StaffUser, hours: int) -> str:
    """A single-use token with which the person chooses their own password."""
    token = secret_links.new_token()
    user.setup_token_hash = secret_links.token_hash(token)
    user.setup_token_expires_at = utcnow() + timedelta(hours=hours)
    return token


def create_user(*, email: str, name: str, role: StaffRole, setup_link_hours: int,
                created_by: StaffUser | None = None) -> tuple[StaffUser, str]:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("That is not an email address.")
    if not name.strip():
        raise AccountError("A name is needed.")
    if find_by_email(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    user = StaffUser(email=email, name=name.strip(), role=role)
    db.session.add(user)
    token = issue_setup_link(user, setup_link_hours)
    db.session.flush()
    audit.record("staff.created", staff=created_by, subject=user, role=role.value)
    return user, token


def invite(*, email: str, name: str, role: StaffRole, setup_link_hours: int,
           by: StaffUser) -> StaffUser:
    """An administrator's invitation: the account, and its set-up link emailed to the
    account's own address through the outbox. The administrator never sees the link."""
    user, token = create_user(email=email, name=name, role=role,
                              setup_link_hours=setup_link_hours, created_by=by)
    queue_setup_email(user, token, event=AlertEvent.STAFF_WELCOME, now=utcnow())
    return user


def setup_link_works(user: StaffUser) -> bool:
    return (user.active and user.setup_token_hash is not None
            and user.setup_token_expires_at is not None
            and user.setup_token_expires_at > utcnow())


def find_by_setup_token(token: str) -> StaffUser | None:
    digest = secret_links.hash_if_well_formed(token)
    if digest is None:
        return None
    user = db.session.scalar(select(StaffUser).where(StaffUser.setup_token_hash == digest))
    return user if user is not None and setup_link_works(user) else None


def set_password(user: StaffUser, password: str) -> None:
    problem = passwords.problem_with(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(password)
    user.setup_token_hash = None
    user.setup_token_expires_at = None
    end_all_sessions(user)
    audit.record("staff.password_set", staff=user, subject=user)
    start_two_factor_enrolment(user)  # the next step, for an account not yet enrolled


@dataclass(frozen=True)
class Attempt:
    """One step of signing in: the person, when it succeeded, and whether attempts at this
    account from this address must now wait."""

    user: StaffUser | None
    slowed: bool = False


def slowed_message(email: str, address: str | None) -> str:
    return (f"Too many attempts to sign in to this account. For your security, wait "
            f"{throttle.wait_minutes(email, address)} minutes before trying again from here. "
            "If you have forgotten your password, ask an administrator to reset your sign-in.")


def _failed(email: str, user: StaffUser | None, address: str | None, factor: str) -> bool:
    """Count a wrong password or code; True when attempts from here must now wait. The
    account's owner is told by email then, with nothing in it a guesser could use."""
    if not throttle.record_failure(email, address):
        return False
    audit.record("staff.sign_in_slowed", subject=user, factor=factor)
    if user is not None and user.active and throttle.may_tell_owner(email):
        outbox.queue_sign_in_warning(user, code_was_wrong=factor == "code")
    return True


def _refused(email: str, user: StaffUser | None, address: str | None, factor: str) -> Attempt:
    audit.record("staff.sign_in_failed", subject=user, factor=factor)
    return Attempt(None, slowed=_failed(email, user, address, factor))


def _waiting(email: str, user: StaffUser | None, address: str | None, action: str) -> bool:
    if not throttle.is_slowed(email, address):
        return False
    audit.record(action, subject=user)
    return True


def check_password(email: str, password: str, address: str | None) -> Attempt:
    """The first step. Costs the same for an unknown email as for a wrong password."""
    user = find_by_email(email)
    if _waiting(email, user, address, "staff.sign_in_refused_slowed"):
        return Attempt(None, slowed=True)
    valid = passwords.verify(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        return _refused(email, user, address, "password")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if not two_factor.is_enrolled(user):
        start_two_factor_enrolment(user)
    return Attempt(user)


def check_code(user: StaffUser, code: str, address: str | None) -> Attempt:
    """The second step: a one-time code from the person's authenticator app."""
    if _waiting(user.email, user, address, "staff.sign_in_refused_slowed"):
        return Attempt(None, slowed=True)
    if not user.active or not two_factor.accept_code(user, code):
        return _refused(user.email, user, address, "code")
    throttle.clear(user.email, address)
    user.last_sign_in_at = utcnow()
    audit.record("staff.signed_in", staff=user, subject=user)
    return Attempt(user)


def start_two_factor_enrolment(user: StaffUser) -> None:
    """A new secret to add to an authenticator app, kept until the first code proves it.

    Called each time someone passes the password step of an account not yet enrolled: an
    enrolment never finished starts again, and a secret once shown is never shown again.
    """
    if two_factor.is_enrolled(user):
        return
    user.totp_secret = two_factor.new_secret()
    user.totp_last_step = None
    audit.record("staff.two_factor_enrolment_started", staff=user, subject=user)


def change_password(user: StaffUser, current: str, new: str, address: str | None) -> None:
    """Guesses at the current password count like sign-in attempts, and are audited."""
    if _waiting(user.email, user, address, "staff.password_change_refused_slowed"):
        raise AccountError(slowed_message(user.email, address))
    if not passwords.verify(user.password_hash, current):
        audit.record("staff.password_change_failed", staff=user, subject=user)
        if _failed(user.email, user, address, "password"):
            raise AccountError(slowed_message(user.email, address))
        raise AccountError("Your current password is not right.")
    throttle.clear(user.email, address)
    set_password(user, new)


def disable(user: StaffUser, *, by: StaffUser) -> None:
    """The person can no longer sign in, and every session they have ends now."""
    if user.id == by.id:
        raise AccountError("You cannot disable your own account.")
    user.active = False
    end_all_sessions(user)
    audit.record("staff.disabled", staff=by, subject=user)


def enable(user: StaffUser, *, by: StaffUser) -> None:
    user.active = True
    audit.record("staff.enabled", staff=by, subject=user)


def reset_sign_in(user: StaffUser, *, by: StaffUser, setup_link_hours: int) -> None:
    """For a forgotten password or a lost phone: two-factor afresh, and a new set-up link
    emailed to the account's own address (replacing any earlier one not yet sent)."""
    user.password_hash = None
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    end_all_sessions(user)
    token = issue_setup_link(user, setup_link_hours)
    queue_setup_email(user, token, event=AlertEvent.STAFF_RESET, now=utcnow())
    audit.record("staff.sign_in_reset", staff=by, subject=user)


def set_work_contact(user: StaffUser, *, phone: str | None, email: str | None,
                     by: StaffUser) -> bool:
    """The work phone and email printed on this person's letters; False if unchanged."""
    phone, email = phone or None, email or None
    if (user.work_phone, user.work_email) == (phone, email):
        return False
    audit.record("staff.work_contact_changed", staff=by, subject=user,
                 phone=phone is not None, email=email is not None)
    user.work_phone, user.work_email = phone, email
    return True
