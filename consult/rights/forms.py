"""Reading the request forms: what was typed, cleaned and kept whole, and a translated message
per field."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from consult.inputs import clean_text
from consult.models import RequestKind
from consult.requests.workflow import MESSAGE_MAX_LENGTH

NAME_MAX_LENGTH = 120
CONTACT_MAX_LENGTH = 254
# Filled in only by robots: people never see it. Any value means "do not save".
HONEYPOT = "website"

CHOICES = {
    RequestKind.INDEPENDENT_VISITOR: (
        _l("An independent visitor"),
        _l("Someone from outside who visits you, spends time with you and is your friend.")),
    RequestKind.ADVOCATE: (
        _l("An advocate"),
        _l("Someone who helps you say what you want and makes sure adults listen.")),
    RequestKind.TALK_TO_IRO: (
        _l("A talk with my IRO"),
        _l("The person who chairs your review meetings. You can talk to them before your "
           "meeting.")),
}


@dataclass
class RequestForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    is_robot: bool = False

    @property
    def kind(self) -> RequestKind:
        return RequestKind(self.values["kind"])


def read_message(form: MultiDict, errors: dict[str, str]) -> str:
    message = clean_text(form.get("message"))
    if len(message) > MESSAGE_MAX_LENGTH:
        errors["message"] = str(_l(
            "Your message must be %(count)s characters or fewer. It has %(actual)s.",
            count=format_number(MESSAGE_MAX_LENGTH), actual=format_number(len(message))))
    return message


def read_request_form(form: MultiDict, *, public: bool) -> RequestForm:
    read = RequestForm()
    read.is_robot = bool(form.get(HONEYPOT, "").strip())
    kind = form.get("kind", "")
    read.values["kind"] = kind if kind in {k.value for k in CHOICES} else ""
    if not read.values["kind"]:
        read.errors["kind"] = str(_l("Choose what you would like to ask for."))
    read.values["message"] = read_message(form, read.errors)
    if public:
        name = clean_text(form.get("contact_name"), multiline=False)
        contact = clean_text(form.get("contact_detail"), multiline=False)
        read.values.update(contact_name=name, contact_detail=contact)
        if not name:
            read.errors["contact_name"] = str(_l("Enter your name."))
        elif len(name) > NAME_MAX_LENGTH:
            read.errors["contact_name"] = str(_l(
                "Your name must be %(count)d characters or fewer.", count=NAME_MAX_LENGTH))
        if not contact:
            read.errors["contact_detail"] = str(_l(
                "Enter a phone number or email address so we can reach you."))
        elif len(contact) > CONTACT_MAX_LENGTH:
            read.errors["contact_detail"] = str(_l(
                "This must be %(count)d characters or fewer.", count=CONTACT_MAX_LENGTH))
    return read
