"""Sample records built through the same domain functions the app uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import count

import pyotp
from sqlalchemy import update

from consult import care_periods, invitations
from consult.accounts import passwords, two_factor
from consult.extensions import db
from consult.models import (
    Child,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    Response,
    Review,
    ReviewType,
    StaffRole,
    StaffUser,
)
from tests.html_checks import csrf_token

PASSWORD = "correct horse battery staple"
_serial = count(1)


def _password_hash() -> str:
    return _password_hash_by(passwords.HASHER)


@cache
def _password_hash_by(_hasher) -> str:
    # Hashed once per run for each set of parameters in use (a test may ask for production's).
    return passwords.hash_password(PASSWORD)


def staff(role: StaffRole = StaffRole.IRO, name: str = "Imani", email: str | None = None
          ) -> StaffUser:
    user = StaffUser(
        email=email or f"{role.value}{next(_serial)}@council.example",
        name=name, role=role, password_hash=_password_hash(),
        totp_secret=two_factor.new_secret(), totp_confirmed_at=datetime.now(UTC))
    db.session.add(user)
    db.session.flush()
    return user


def child(iro: StaffUser, social_worker: StaffUser | None = None, *, name: str = "Amanuel",
          age: int = 15, language: str = "en_GB") -> Child:
    today = date.today()
    record = Child(
        case_ref=f"CASE-{next(_serial):05d}", preferred_name=name,
        date_of_birth=today.replace(year=today.year - age) - timedelta(days=30),
        preferred_language=language, looked_after_since=today - timedelta(days=200),
        iro=iro, social_worker=social_worker)
    care_periods.sync_current_period(record)
    db.session.add(record)
    db.session.flush()
    return record


def review(for_child: Child, *, days_ahead: int = 10,
           review_type: ReviewType = ReviewType.SUBSEQUENT) -> Review:
    meeting = date.today() + timedelta(days=days_ahead)
    record = Review(child=for_child, review_type=review_type, due_on=meeting,
                    scheduled_for=datetime.combine(meeting, time(10), tzinfo=UTC))
    db.session.add(record)
    db.session.flush()
    return record


def invitation(for_review: Review, role: InviteeRole = InviteeRole.CHILD,
               name: str = "Amanuel", language: str = "en_GB", *, handed_over: bool = True,
               purpose: InvitationPurpose = InvitationPurpose.VIEWS) -> tuple[Invitation, str]:
    created, token = invitations.create_invitation(
        for_review, role=role, invitee_name=name, language=language,
        created_by=for_review.child.iro, days_after_review=14, purpose=purpose)
    if handed_over:
        created.handed_over_at = created.created_at or datetime.now(UTC)
    return created, token


def child_with_link(**child_fields) -> tuple[Invitation, str]:
    """An IRO, a child of theirs with a review, and the child's invitation, committed."""
    iro = staff(StaffRole.IRO)
    invite, token = invitation(review(child(iro, **child_fields)))
    db.session.commit()
    return invite, token


def wav_clip(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A small valid WAV file: a quiet 440 Hz tone, mono, 16-bit."""
    import io
    import math
    import struct
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(
            struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))))
    return buffer.getvalue()


def totp_code(user: StaffUser) -> str:
    """The code the person's authenticator app shows now."""
    return pyotp.TOTP(user.totp_secret).now()


def sign_in(client, user: StaffUser, password: str = PASSWORD):
    """Sign in as a person would: password, then the code from their authenticator app.

    Returns the last response: the password step's when that fails, else the code step's.
    """
    page = client.get("/staff/sign-in")
    response = client.post("/staff/sign-in", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": user.email, "password": password})
    if response.status_code != 303 or not response.headers["Location"].startswith(
            "/staff/sign-in/"):
        return response
    # Tests sign one person in many times within a 30-second step, which a person cannot;
    # the refusal of a reused code has its own test (tests/staff/test_two_factor.py).
    db.session.execute(update(StaffUser).where(StaffUser.id == user.id)
                       .values(totp_last_step=None))
    page = client.get(response.headers["Location"])
    return client.post(response.headers["Location"], data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "code": totp_code(user)})


def post_form(client, url: str, data: dict[str, str], *, page_url: str | None = None):
    """Post as a browser would: with the CSRF token from the page that holds the form."""
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


def send_answers(invite: Invitation, answers: dict[str, str | list[str]],
                 language: str = "en_GB") -> Response:
    """Send a response for an invitation as its form would, without a browser; committed."""
    from consult import drafts
    from consult.questionnaires import definitions
    from consult.submissions import SaveOutcome

    questionnaire = drafts.questionnaire_for(invite, None)
    outcome = drafts.send(
        invite, questionnaire, definitions.facts_for(invite), answers,
        idempotency_key=f"key-{next(_serial):013d}", language=language, now=datetime.now(UTC))
    assert outcome is SaveOutcome.SAVED, outcome
    return invite.response


def assert_not_found_for(app, people: list[StaffUser], path: str, data: dict) -> None:
    """Each of these people, signed in, gets 404 for the page and for posting to it."""
    for person in people:
        browser = app.test_client()
        sign_in(browser, person)
        token = csrf_token(browser.get("/staff/sign-in").get_data(as_text=True))
        assert browser.get(path).status_code == 404, person.role
        assert browser.post(path, data={"csrf_token": token, **data}).status_code == 404, (
            person.role)
