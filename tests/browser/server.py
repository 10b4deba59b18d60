"""The live app the browser talks to, and the people it knows, made through tests/factories."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from flask import Flask

from consult import i18n
from consult.config import PROJECT_ROOT
from consult.extensions import db
from consult.models import InviteeRole, StaffRole
from tests import factories


def shipped_locales() -> list[str]:
    """Every locale we could offer: English, and each language with a compiled catalog."""
    translations = PROJECT_ROOT / "translations"
    return [code for code in i18n.LANGUAGES if code == i18n.SOURCE_LOCALE
            or (translations / code / "LC_MESSAGES" / "messages.mo").is_file()]


def language_params(*codes: str) -> list:
    """One pytest parameter per locale, skipped while that locale's catalog is not compiled."""
    shipped = shipped_locales()
    return [pytest.param(code, marks=pytest.mark.skipif(
        code not in shipped, reason=f"no compiled catalog for {code} yet (issue 4)"))
        for code in dict.fromkeys(codes)]


@dataclass(frozen=True)
class StaffLogin:
    email: str
    password: str
    authenticator_key: str  # the TOTP secret their authenticator app would hold


@dataclass
class LiveServer:
    app: Flask
    url: str
    # Tests run one at a time, but the server's threads share the database with them.
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def link(self, role: InviteeRole = InviteeRole.CHILD, language: str = "en_GB",
             uasc: bool = False, **child_fields) -> str:
        """A new child with a review and a secret link for one person invited to it."""
        with self._lock, self.app.app_context():
            iro = factories.staff(StaffRole.IRO)
            child = factories.child(iro, language=language, **child_fields)
            child.unaccompanied_asylum_seeking = uasc
            review = factories.review(child)
            _invitation, token = factories.invitation(review, role=role, language=language)
            db.session.commit()
        return f"{self.url}/start/{token}"

    def iro_with_child_link(self, language: str = "en_GB", *, other_children: tuple[str, ...] = ()
                            ) -> tuple[StaffLogin, str]:
        """An IRO who can sign in, and the secret link of a child of theirs (with, if named,
        other children on their caseload)."""
        with self._lock, self.app.app_context():
            iro = factories.staff(StaffRole.IRO, name="Imani Reviewing")
            for name in other_children:
                factories.invitation(factories.review(factories.child(iro, name=name)), name=name)
            review = factories.review(factories.child(iro, name="Layla", language=language))
            _invitation, token = factories.invitation(review, name="Layla", language=language)
            db.session.commit()
            login = StaffLogin(iro.email, factories.PASSWORD, iro.totp_secret)
        return login, f"{self.url}/start/{token}"
