from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from consult.models.base import Base, enum_type, utcnow
from consult.models.encrypted import EncryptedText


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    IRO = "iro"
    SOCIAL_WORKER = "social_worker"
    MANAGER = "manager"


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, "staff_role"))
    # None until the person has chosen a password through their one-time set-up link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_token_expires_at: Mapped[datetime | None]
    # Raised on sign-out and password change: every session carrying an older value ends.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_sign_in_at: Mapped[datetime | None]
    # Two-factor sign-in: the TOTP secret (encrypted at rest), when the person proved their
    # authenticator works, and the last 30-second step used, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    # How the people an IRO works for reach them at work: printed on the invitation letter.
    # Kept up to date by the account holder (or an admin); None until given.
    work_phone: Mapped[str | None] = mapped_column(String(40))
    work_email: Mapped[str | None] = mapped_column(String(254))

    @property
    def first_name(self) -> str:
        """How a child is told who their IRO is: the first word of their name."""
        return self.name.split(maxsplit=1)[0] if self.name.strip() else self.name

    def __repr__(self) -> str:
        return f"<StaffUser {self.id} {self.role.value}>"
