from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from consult.i18n import language_name
from consult.models import InviteeRole
from consult.staff.passwords import MAX_LENGTH, MIN_LENGTH

ROLE_LABELS = {
    InviteeRole.CHILD: "Child or young person",
    InviteeRole.FOSTER_CARER: "Foster carer",
    InviteeRole.PARENT: "Parent",
    InviteeRole.FAMILY_MEMBER: "Family member",
    InviteeRole.OTHER: "Someone else",
}


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a good one.",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters."),
        ])
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired("Type the password again."),
                    EqualTo("password", "The two passwords are not the same.")])


class InvitationForm(FlaskForm):
    role = SelectField(
        "Who is this for?",
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    invitee_name = StringField(
        "Their name", description="The name they like to be called. It is shown only to staff.",
        validators=[DataRequired("Enter their name."),
                    Length(max=120, message="Use 120 characters or fewer.")])
    language = SelectField("Language for their form")

    def __init__(self, *args, offered_languages: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, language_name(code)) for code in offered_languages]
