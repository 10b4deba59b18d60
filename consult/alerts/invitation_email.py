"""An invitation emailed to a foster carer, parent or other adult: the words and the checks.

The email is in the person's language and says who it is from, what the link is for, until
when it works and what to do if it was not meant for them. It never names the child or
gives a case reference: email is not a safe place for them, and it may reach the wrong
person.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult import council, invitations, secret_links
from consult.alerts.envelope import new_message
from consult.i18n import served_language
from consult.models import AlertOutbox, Invitation, InvitationPurpose, InviteeRole

DATE_FORMAT = "d MMMM y"


def is_current(email: AlertOutbox, now: datetime) -> bool:
    """Whether the link in this email still opens the form: not replaced, withdrawn, used
    up or out of time since it was queued."""
    invitation = email.invitation
    return (email.link_token is not None and invitation is not None
            and secret_links.token_hash(email.link_token) == invitation.token_hash
            and invitation.sent_at is None and invitations.is_usable(invitation, now))


def _why(invitation: Invitation) -> str:
    if invitation.purpose is InvitationPurpose.FEEDBACK:
        return _("The Independent Reviewing Officer (IRO) service would like your feedback "
                 "on a recent review.")
    if invitation.role is InviteeRole.FOSTER_CARER:
        return _("The Independent Reviewing Officer (IRO) would like your views before the "
                 "review of a child you care for.")
    if invitation.role in (InviteeRole.PARENT, InviteeRole.FAMILY_MEMBER):
        return _("The Independent Reviewing Officer (IRO) would like your views before the "
                 "review of a child in your family.")
    return _("The Independent Reviewing Officer (IRO) would like your views before the "
             "review of a child you know.")


def _body(invitation: Invitation, link: str, locale: str) -> str:
    settings = council.current()
    paragraphs = [_("Hello,"), _why(invitation)]
    if invitation.purpose is InvitationPurpose.VIEWS:
        paragraphs.append(_("The review meeting is on %(date)s.", date=format_date(
            invitation.review.meeting_date, DATE_FORMAT, locale=locale)))
    paragraphs += [
        _("It takes a few minutes. You can skip any question."),
        _("Open this link to start:") + "\n" + link,
        _("The link works until %(date)s. Keep this email private: anyone who has the link "
          "can answer as you.", date=format_date(
              invitation.expires_at.date(), DATE_FORMAT, locale=locale)),
        _("If this email was not meant for you, please delete it and do not open the link."),
    ]
    if settings.iro_service_contact:
        paragraphs.append(_("To contact the IRO service: %(contact)s",
                            contact=settings.iro_service_contact))
    paragraphs.append(_("For privacy, this email does not give the child's name or any other "
                        "details about them."))
    paragraphs.append("\n".join(filter(None, [_("Have Your Say"), settings.council_name])))
    return "\n\n".join(paragraphs) + "\n"


def compose(email: AlertOutbox, *, base_url: str, from_address: str) -> EmailMessage:
    """The email with the link, in the invitation's language."""
    invitation = email.invitation
    language = served_language(invitation.language)
    path = current_app.url_map.bind("localhost").build(
        "participation.open_link", {"token": email.link_token})
    with force_locale(language.code):
        subject = (_("Feedback on the IRO service")
                   if invitation.purpose is InvitationPurpose.FEEDBACK
                   else _("Your views before the review"))
        body = _body(invitation, base_url + path, language.code)
    message = new_message(subject=subject, from_address=from_address,
                          recipient=email.recipient)
    message.set_content(body)
    # After the content: setting it clears every Content-* header.
    message["Content-Language"] = language.html_lang
    return message
