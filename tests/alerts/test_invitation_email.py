"""An invitation emailed to an adult: queued with the link in the outbox, sent in their
language through a real SMTP server, and the link forgotten once it has gone."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, text, update

from consult import council, invitations
from consult.alerts import invitation_email
from consult.alerts.sender import send_due
from consult.extensions import db
from consult.i18n import LANGUAGES
from consult.invitations import InvitationState
from consult.models import (
    AlertEvent,
    AlertOutbox,
    AuditEvent,
    Invitation,
    InviteeRole,
    StaffRole,
    utcnow,
)
from tests import factories
from tests.alerts.mail import free_port, full_text, settings
from tests.html_checks import csrf_token

CARER_EMAIL = "grace.carer@example.org"
CHILD_WORDS = "I want to see my little brother every week"
LINK = re.compile(r"https://haveyoursay\.example(/start/[A-Za-z0-9_-]{43})")


def _review_with_carer(*, language: str = "en_GB", name: str = "Amanuel"):
    """A child who sent views, and their foster carer invited but not yet given the link."""
    iro = factories.staff(StaffRole.IRO)
    review = factories.review(factories.child(iro, name=name))
    child_invitation, _token = factories.invitation(review, name=name)
    factories.send_answers(child_invitation, {"went_well": CHILD_WORDS})
    # The IRO's alert about the child's views has gone: these tests are about the carer's.
    db.session.execute(update(AlertOutbox).values(sent_at=utcnow()))
    carer, _carer_token = factories.invitation(
        review, InviteeRole.FOSTER_CARER, "Grace Mensah", language, handed_over=False)
    db.session.commit()
    return iro, review, carer


def _email_page(invitation: Invitation) -> str:
    return f"/staff/invitations/{invitation.id}/email"


def _send_email(client, invitation: Invitation, address: str):
    page = client.get(_email_page(invitation))
    return client.post(_email_page(invitation), data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": address})


def _queued() -> AlertOutbox:
    return db.session.scalar(select(AlertOutbox).where(
        AlertOutbox.event == AlertEvent.INVITATION))


def test_emailing_queues_the_link_encrypted_in_the_same_transaction(client, app):
    iro, review, carer = _review_with_carer()
    factories.sign_in(client, iro)
    old_hash = carer.token_hash

    sent = _send_email(client, carer, "  Grace.Carer@EXAMPLE.org ")

    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/staff/reviews/{review.id}#invitations"
    db.session.expire_all()
    email = _queued()
    # The domain in lower case, the spaces gone; the part before @ is the person's own.
    assert email.recipient == "Grace.Carer@example.org"
    assert email.invitation_id == carer.id and email.staff_path is None
    assert carer.token_hash != old_hash and carer.short_code_hash is None
    # At rest the token is ciphertext; decrypted, it is the invitation's new link.
    stored = db.session.execute(text(
        "SELECT link_token FROM alert_outbox WHERE id = :id"), {"id": email.id}).scalar_one()
    assert stored != email.link_token and email.link_token not in stored
    assert invitations.find_by_token(email.link_token) == carer
    # Not given to the person until the email has gone.
    assert invitations.state_of(carer, utcnow()) is InvitationState.NOT_SENT
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.emailed"))
    assert event.actor_staff_id == iro.id and event.subject_id == carer.id
    assert "@" not in str(event.details) and "example" not in str(event.details)
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert "Email to Grace.Carer@example.org waiting to be sent" in page


def test_the_email_row_and_the_new_link_are_one_transaction(app):
    _iro, _review, carer = _review_with_carer()
    old_hash = carer.token_hash

    invitations.email_invitation(carer, CARER_EMAIL, carer.review.child.iro, utcnow())
    db.session.rollback()

    assert _queued() is None
    assert db.session.get(Invitation, carer.id).token_hash == old_hash


def test_the_sender_sends_it_in_their_language_with_a_link_that_opens_their_form(
        client, app, smtp_server):
    inbox, port = smtp_server
    app.config["LANGUAGES"] = ("en_GB", "ar")
    council.save({**dict.fromkeys(council.EDITABLE_FIELDS, ""),
                  "council_name": "Northshire County Council",
                  "iro_service_contact": "01632 960000"}, staff=factories.staff(StaffRole.ADMIN))
    iro, review, carer = _review_with_carer(language="ar")
    child = review.child
    factories.sign_in(client, iro)
    assert _send_email(client, carer, CARER_EMAIL).status_code == 303

    report = send_due(settings(port), base_url="https://haveyoursay.example")

    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    [(recipients, message)] = inbox.messages
    assert recipients == [CARER_EMAIL]
    assert message["Content-Language"] == "ar"
    assert re.search(r"[\u0600-\u06ff]", message["Subject"])
    body = message.get_body(("plain",)).get_content()
    assert re.search(r"[\u0600-\u06ff]{3}", body)  # the words are Arabic
    assert "Northshire County Council" in body and "01632 960000" in body
    for personal in (child.preferred_name, child.case_ref, CHILD_WORDS, "little brother",
                     carer.invitee_name, "Grace", iro.name):
        assert personal not in full_text(message)
    # The link is forgotten and the invitation counts as given to the person.
    db.session.expire_all()
    email = _queued()
    assert email.sent_at is not None and email.link_token is None
    assert db.session.execute(text("SELECT link_token FROM alert_outbox WHERE id = :id"),
                              {"id": email.id}).scalar_one() is None
    assert invitations.state_of(carer, utcnow()) is InvitationState.NOT_OPENED
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "invitation.email_sent")).subject_id == carer.id
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert f"Emailed to {CARER_EMAIL} on" in page and "Not opened" in page

    carer_browser = app.test_client()
    opened = carer_browser.get(LINK.search(body).group(1))
    assert opened.status_code == 200  # the start page at the link itself, no redirect
    assert '<html lang="ar" dir="rtl">' in opened.get_data(as_text=True)
    assert carer_browser.get("/your-say/start").status_code == 200


def test_the_english_email_says_who_it_is_from_until_when_and_what_to_do_if_misdirected(
        client, app, smtp_server):
    inbox, port = smtp_server
    iro, review, carer = _review_with_carer()
    factories.sign_in(client, iro)
    _send_email(client, carer, CARER_EMAIL)

    send_due(settings(port), base_url="https://haveyoursay.example")

    [(_recipients, message)] = inbox.messages
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "Your views before the review"
    assert "Independent Reviewing Officer (IRO) would like your views before the review of a " \
           "child you care for." in body
    assert f"The link works until {carer.expires_at:%-d %B %Y}." in body
    assert "If this email was not meant for you, please delete it" in body
    assert "does not give the child's name" in body
    assert LINK.search(body)


def test_a_wrong_address_is_explained_and_kept(client, app):
    iro, _review, carer = _review_with_carer()
    factories.sign_in(client, iro)

    wrong = _send_email(client, carer, "grace.carer@@example")
    empty = _send_email(client, carer, "")

    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "<title>Error: Email the link to Grace Mensah" in html
    assert "Enter an email address in the correct format, like name@example.com." in html
    assert 'value="grace.carer@@example"' in html
    assert "Enter their email address." in empty.get_data(as_text=True)
    assert _queued() is None


def test_only_the_childs_iro_may_email_and_never_to_a_child(client, app):
    iro, review, carer = _review_with_carer()
    child_invitation = review.invitations[0]
    others = [factories.staff(StaffRole.IRO, name="Stranger"),
              factories.staff(StaffRole.SOCIAL_WORKER), factories.staff(StaffRole.MANAGER),
              factories.staff(StaffRole.ADMIN)]
    db.session.commit()
    factories.assert_not_found_for(app, others, _email_page(carer), {"email": CARER_EMAIL})
    factories.sign_in(client, iro)
    assert client.get(_email_page(child_invitation)).status_code == 404
    assert "Email the link" not in client.get(f"/staff/reviews/{review.id}").get_data(
        as_text=True).split("Amanuel</th>", 1)[1].split("</tr>", 1)[0]
    assert db.session.scalar(select(AlertOutbox).where(
        AlertOutbox.event == AlertEvent.INVITATION)) is None


def test_an_smtp_outage_keeps_the_email_and_its_link_queued(client, app, smtp_server):
    inbox, port = smtp_server
    iro, review, carer = _review_with_carer()
    factories.sign_in(client, iro)
    _send_email(client, carer, CARER_EMAIL)
    first_try = utcnow()

    report = send_due(settings(free_port()), base_url="https://haveyoursay.example",
                      now=lambda: first_try)

    assert (report.sent, report.failed, report.waiting) == (0, 1, 1)
    db.session.expire_all()
    email = _queued()
    assert email.link_token is not None and email.attempts == 1 and email.sent_at is None
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert f"Email to {CARER_EMAIL} not sent yet</strong>: tried 1 time" in page
    assert "Not sent yet" in page

    later = first_try + timedelta(minutes=2)
    report = send_due(settings(port), base_url="https://haveyoursay.example", now=lambda: later)

    assert (report.sent, report.waiting) == (1, 0)
    [(_recipients, message)] = inbox.messages
    db.session.expire_all()
    assert invitations.find_by_token(LINK.search(message.get_body(
        ("plain",)).get_content()).group(1).removeprefix("/start/")) == carer


def test_a_printed_letter_stops_working_and_a_replaced_email_is_never_sent(
        client, app, smtp_server):
    inbox, port = smtp_server
    iro, review, carer = _review_with_carer()
    factories.sign_in(client, iro)
    letter = factories.post_form(client, f"/staff/invitations/{carer.id}/reissue", {},
                                 page_url=f"/staff/reviews/{review.id}").get_data(as_text=True)
    letter_link = re.search(r"http://localhost(/start/[A-Za-z0-9_-]{43})", letter).group(1)
    letter_code = re.search(r'<p class="letter__code"><bdi dir="ltr">([0-9A-Z-]{13})<',
                            letter).group(1)
    assert "Email the link to Grace Mensah" in letter

    _send_email(client, carer, "first@example.org")

    assert app.test_client().get(letter_link).status_code == 404
    assert factories.post_form(app.test_client(), "/code",
                               {"code": letter_code}).status_code == 400
    # A new letter before the email went: the email of the old link is withdrawn unsent.
    factories.post_form(client, f"/staff/invitations/{carer.id}/reissue", {},
                        page_url=f"/staff/reviews/{review.id}")
    db.session.expire_all()
    withdrawn = _queued()
    assert withdrawn.withdrawn_at is not None and withdrawn.link_token is None
    assert send_due(settings(port), base_url="https://haveyoursay.example").sent == 0
    assert inbox.messages == []
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert "Email to first@example.org not sent: its link was replaced or withdrawn first" in page


def test_an_email_whose_link_was_used_up_meanwhile_is_withdrawn_not_sent(app, smtp_server):
    inbox, port = smtp_server
    _iro, _review, carer = _review_with_carer()
    invitations.email_invitation(carer, CARER_EMAIL, carer.review.child.iro, utcnow())
    db.session.commit()
    factories.send_answers(carer, {"changes": "all fine"})  # on paper, say, or a new link

    report = send_due(settings(port), base_url="https://haveyoursay.example")

    # Only the IRO's alert about the carer's views goes.
    assert (report.sent, report.waiting) == (1, 0)
    iro_email = carer.review.child.iro.email
    assert [recipients for recipients, _message in inbox.messages] == [[iro_email]]
    db.session.expire_all()
    assert _queued().withdrawn_at is not None and _queued().link_token is None


def test_withdrawing_the_link_withdraws_its_email(client, app):
    iro, review, carer = _review_with_carer()
    factories.sign_in(client, iro)
    _send_email(client, carer, CARER_EMAIL)

    factories.post_form(client, f"/staff/invitations/{carer.id}/revoke", {},
                        page_url=f"/staff/reviews/{review.id}")

    db.session.expire_all()
    assert _queued().withdrawn_at is not None and _queued().link_token is None


def test_sending_is_rate_limited_per_account(client, app):
    iro, _review, carer = _review_with_carer()
    factories.sign_in(client, iro)
    token = csrf_token(client.get(_email_page(carer)).get_data(as_text=True))

    statuses = [client.post(_email_page(carer), data={"csrf_token": token, "email": "x"}
                            ).status_code for _ in range(41)]

    assert statuses[:40] == [400] * 40 and statuses[40] == 429


def test_every_served_language_has_the_email_in_its_own_words(app):
    _iro, _review, carer = _review_with_carer()
    email = invitations.email_invitation(carer, CARER_EMAIL, carer.review.child.iro, utcnow())

    english = invitation_email.compose(email, base_url="", from_address="a@b.example")
    for code in LANGUAGES:
        if code == "en_GB":
            continue
        carer.language = code
        translated = invitation_email.compose(email, base_url="", from_address="a@b.example")
        body = translated.get_body(("plain",)).get_content()
        english_lines = set(english.get_body(("plain",)).get_content().splitlines())
        same = [line for line in body.splitlines()
                if line in english_lines and line.strip() and "/start/" not in line
                and line != "Have Your Say"]
        assert same == [], code
