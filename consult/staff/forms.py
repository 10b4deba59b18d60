from __future__ import annotations

import functools
import re
from datetime import time

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from consult import care_periods
from consult.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_common
from consult.forms import CleanForm
from consult.i18n import LANGUAGES, language_name
from consult.inputs import DATE_RANGE_MESSAGE, is_sane_date
from consult.models import InvitationPurpose, InviteeRole, StaffRole
from consult.vocabulary import ATTENDEE_LABELS, CHANNEL_LABELS, INVITEE_LABELS, PN_MEANINGS

PURPOSE_LABELS = {
    InvitationPurpose.VIEWS: "Their views before the review",
    InvitationPurpose.FEEDBACK: "Feedback after the review",
}


def _lowered(label: str) -> str:
    return label[0].lower() + label[1:]


def _date_field_errors(form: FlaskForm) -> bool:
    """WTForms says "Not a valid date value": replace it with which date to fix; and refuse
    dates outside the sane range. False when a date was refused."""
    sane = True
    for field in form:
        if not isinstance(field, DateField):
            continue
        if "Not a valid date value." in field.errors:
            field.errors[:] = [f"Enter {_lowered(field.label.text)} as a real date, for "
                               "example 2026-03-27."]
        elif field.data is not None and not is_sane_date(field.data):
            field.errors[:] = [f"{field.label.text} {DATE_RANGE_MESSAGE}."]
            sane = False
    return sane


class StaffForm(CleanForm):
    """Every staff form: typed text cleaned (`CleanForm`), dates real and in a sane range."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _date_field_errors(self) and valid


class SignInForm(StaffForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def _not_common(_form, field) -> None:
    if field.data and is_common(field.data):
        raise FieldError(
            "That password is one of the most common, so it is among the first tried. "
            "Choose another: a few unrelated words make a good one.")


class SetPasswordForm(StaffForm):
    password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a good one.",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters."),
            _not_common,
        ])
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired("Type the password again."),
                    EqualTo("password", "The two passwords are not the same.")])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")])


class CodeForm(StaffForm):
    code = StringField(
        "Code from your authenticator app",
        description="The 6 digits it shows now. Each code works once.",
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
        validators=[DataRequired("Enter the 6-digit code from your authenticator app.")])


STAFF_ROLE_LABELS = {
    StaffRole.IRO: "Independent Reviewing Officer",
    StaffRole.SOCIAL_WORKER: "Social worker",
    StaffRole.MANAGER: "Manager or performance analyst (figures only)",
    StaffRole.ADMIN: "Administrator (accounts and settings; no children's words)",
}


class InviteStaffForm(StaffForm):
    email = EmailField("Work email address", validators=[
        DataRequired("Enter their work email address."),
        Length(max=254, message="Use 254 characters or fewer.")])
    name = StringField("Name", description="As colleagues know them.", validators=[
        DataRequired("Enter their name."), Length(max=120, message="Use 120 characters or fewer.")])
    role = SelectField("Role", choices=[
        SelectChoice(role.value, label) for role, label in STAFF_ROLE_LABELS.items()])


class AuditFilterForm(StaffForm):
    """Read from the query string: filtering changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", validators=[Optional()])
    actor = SelectField("Done by", validators=[Optional()])
    since = DateField("From (inclusive)", validators=[Optional()])
    until = DateField("To (inclusive)", validators=[Optional()])


class InvitationForm(StaffForm):
    role = SelectField(
        "Who is this for?",
        choices=[SelectChoice(role.value, label) for role, label in INVITEE_LABELS.items()])
    invitee_name = StringField(
        "Their name", description="The name they like to be called. It is shown only to staff.",
        validators=[DataRequired("Enter their name."),
                    Length(max=120, message="Use 120 characters or fewer.")])
    language = SelectField("Language for their form")
    purpose = SelectField(
        "What is the form for?",
        choices=[SelectChoice(purpose.value, label) for purpose, label in PURPOSE_LABELS.items()],
        default=InvitationPurpose.VIEWS.value)

    def __init__(self, *args, offered_languages: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, language_name(code)) for code in offered_languages]

    def validate_role(self, field) -> None:
        # A social worker's views before the review are in their own report to it; what we
        # ask them is how the review and the IRO service went.
        if (field.data == InviteeRole.SOCIAL_WORKER.value
                and self.purpose.data != InvitationPurpose.FEEDBACK.value):
            raise FieldError("Social workers can only be asked for feedback after the "
                                  "review. Choose \u201cFeedback after the review\u201d.")


def _deliverable_shape(_form, field) -> None:
    """An address mail can be sent to, as written; normalised (the domain in lower case).

    Its domain is not looked up: that would make the page wait on DNS, and a mistyped
    address shows up as a failing email on the review page instead.
    """
    try:
        field.data = validate_email(field.data.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise FieldError("Enter an email address in the correct format, like "
                         "name@example.com.") from None


class InvitationEmailForm(StaffForm):
    email = EmailField(
        "Their email address", description="Used only to send them this invitation.",
        validators=[DataRequired("Enter their email address."),
                    Length(max=254, message="Use 254 characters or fewer."),
                    _deliverable_shape])


_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,30}")


def _phone_shape(_form, field) -> None:
    field.data = " ".join(field.data.split())
    if not _PHONE.fullmatch(field.data):
        raise FieldError("Enter a phone number in digits, like 01632 960 123 or +44 1632 960123.")


class WorkContactForm(StaffForm):
    """How the people an IRO works for reach them: printed on every invitation letter."""

    work_phone = StringField(
        "Work phone", description="Printed on letters to children and adults. Leave it empty "
                                  "to print no number.",
        validators=[Optional(), Length(max=40, message="Use 40 characters or fewer."),
                    _phone_shape])
    work_email = EmailField(
        "Work email address for letters",
        description="Printed on letters. It may differ from the address you sign in with.",
        validators=[Optional(), Length(max=254, message="Use 254 characters or fewer."),
                    _deliverable_shape])


def _date_field(label: str, *, required: bool = True, description: str = "") -> DateField:
    message = f"Enter the {label[0].lower() + label[1:]}."
    return DateField(label, description=description,
                     validators=[InputRequired(message) if required else Optional()],
                     render_kw={"class": "input input--date"})


class ChildForm(StaffForm):
    case_ref = StringField(
        "Case reference", description="As in the case-management system.",
        validators=[DataRequired("Enter the case reference."),
                    Length(max=40, message="Use 40 characters or fewer.")])
    preferred_name = StringField(
        "Preferred name", description="The name the child likes to be called. No surname.",
        validators=[DataRequired("Enter the name the child likes to be called."),
                    Length(max=80, message="Use 80 characters or fewer.")])
    date_of_birth = _date_field("Date of birth")
    preferred_language = SelectField(
        "Language", description="Their invitations and letters start in this language.",
        choices=[SelectChoice(code, language_name(code)) for code in LANGUAGES])
    looked_after_since = _date_field(
        "Looked after since", description="The first review is due 20 working days after.")
    ceased_on = _date_field("Ceased to be looked after on", required=False,
                            description="Leave empty while the child is looked after.")
    unaccompanied_asylum_seeking = BooleanField(
        "Unaccompanied and seeking asylum",
        description="Their consultation then asks about the asylum process, interpreters "
                    "and family tracing.")
    iro_id = SelectField("IRO", coerce=int)
    social_worker_id = SelectField("Social worker", coerce=int)

    def __init__(self, *args, iros, social_workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.iro_id.choices = [SelectChoice(user.id, user.name) for user in iros]
        self.social_worker_id.choices = [SelectChoice(0, "Not allocated")] + [
            SelectChoice(user.id, user.name) for user in social_workers]

    def _date_problem(self, field) -> None:
        problem = care_periods.date_problems(
            self.date_of_birth.data, self.looked_after_since.data, self.ceased_on.data
        ).get(field.name)
        if problem:
            raise FieldError(problem)

    validate_looked_after_since = _date_problem
    validate_ceased_on = _date_problem


class CloseChildForm(StaffForm):
    ceased_on = _date_field("Ceased to be looked after on")


_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


class MeetingDateForm(StaffForm):
    meeting_on = _date_field("Date of the meeting")
    meeting_time = StringField(
        "Time (optional)", description="24-hour clock, for example 14:30.",
        validators=[Optional()], render_kw={"class": "input input--time"})

    def validate_meeting_time(self, field) -> None:
        if field.data and not _TIME.fullmatch(field.data.strip()):
            raise FieldError("Enter the time as hours and minutes, for example 14:30.")

    def time_of_day(self) -> time | None:
        match = _TIME.fullmatch((self.meeting_time.data or "").strip())
        return time(int(match[1]), int(match[2])) if match else None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


_CHANNELS = [SelectChoice(channel.value, label) for channel, label in CHANNEL_LABELS.items()]


def _channel_field(label: str) -> MultiCheckboxField:
    return MultiCheckboxField(
        label, choices=_CHANNELS, description="Tick every way they came.",
        validators=[InputRequired(f"Tick how the {label.lower()}'s views reached the review, "
                                  "or that they were not given.")])


class RecordMeetingForm(StaffForm):
    held_on = _date_field("Date the review was held")
    attended = MultiCheckboxField(
        "Who attended", choices=[SelectChoice(role.value, label)
                                 for role, label in ATTENDEE_LABELS.items()])
    participation_code = RadioField(
        "How the child took part",
        choices=[SelectChoice(code.value, f"{code.value}: {meaning}")
                 for code, meaning in PN_MEANINGS.items()],
        validators=[InputRequired("Choose how the child took part (PN0 to PN7).")])
    views_child = _channel_field("Child or young person")
    views_foster_carer = _channel_field("Foster carer")
    views_parent_or_family = _channel_field("Parent or family member")
    decisions_sent_on = _date_field(
        "Decisions sent on", required=False,
        description="Due within 5 working days of the review. Leave empty until sent.")
    record_sent_on = _date_field(
        "Full record sent on", required=False,
        description="Due within 20 working days of the review. Leave empty until sent.")


# Decisions: this many rows at first (or one more than recorded), at most MAX_DECISION_ROWS.
DECISION_ROWS = 3
MAX_DECISION_ROWS = 40


@functools.cache
def record_meeting_form(decision_rows: int,
                        wishes: tuple[tuple[str, str], ...] = ()) -> type[RecordMeetingForm]:
    """The meeting record's form with `decision_rows` rows of decisions (what, who, by when,
    done on) and a "you said, we did" answer for each (question key, question) the child
    asked: fields decision_<n>_what, ..., we_did_<key>."""
    fields: dict[str, object] = {}
    for row in range(decision_rows):
        number = row + 1
        fields[f"decision_{row}_what"] = StringField(f"Decision {number}: what was decided")
        fields[f"decision_{row}_who"] = StringField(f"Decision {number}: who will do it")
        fields[f"decision_{row}_due_on"] = _date_field(
            f"Date decision {number} is to be done by", required=False)
        fields[f"decision_{row}_done_on"] = _date_field(
            f"Date decision {number} was done", required=False,
            description="Leave empty until it is done.")
    for key, question in wishes:
        fields[f"we_did_{key}"] = TextAreaField(f"What we did, or will do: {question}",
                                                render_kw={"rows": 3})
    return type("RecordMeetingFormWithRows", (RecordMeetingForm,), fields)


class ImportForm(StaffForm):
    kind = RadioField("What does the file hold?", choices=[
        SelectChoice("children", "Children"), SelectChoice("reviews", "Reviews")],
        validators=[InputRequired("Choose whether the file holds children or reviews.")])
    csv_file = FileField("CSV file", description="UTF-8 CSV with a header row.",
                         validators=[FileRequired("Choose a CSV file to import.")])


class Import903Form(StaffForm):
    files = MultipleFileField(
        "903 files and the supplement",
        description="The Header, Episodes, Reviews and SWEpisodes tables as CSV (or the "
                    "return as one XML file), with the supplement and, if you name social "
                    "workers by SW_ID, the social workers' table. Choose them all at once.")

    def validate_files(self, field) -> None:
        if not [upload for upload in field.data or [] if upload and upload.filename]:
            raise FieldError("Choose the 903 files to import.")


class EraseChildForm(StaffForm):
    case_ref = StringField("Type the child's case reference to confirm", validators=[
        DataRequired("Type the case reference to confirm."),
        Length(max=40, message="Use 40 characters or fewer.")])
