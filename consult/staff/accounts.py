"""Staff accounts: creation with a one-time set-up link, passwords, and sign-in checks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consult import audit, secret_links
from consult.extensions import db
from consult.models import StaffRole, StaffUser, utcnow
from consult.staff import passwords
from consult.staff.access import end_all_sessions


class AccountError(ValueError):
    pass


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


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active user with this email and password, or None; costs the same either way."""
    user = find_by_email(email)
    valid = passwords.verify(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        audit.record("staff.sign_in_failed", subject=user)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_sign_in_at = utcnow()
    audit.record("staff.signed_in", staff=user, subject=user)
    return user
