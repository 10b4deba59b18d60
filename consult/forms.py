"""The base of every WTForms form, staff and public: typed text is cleaned on the way in.

Text fields get `consult.inputs.clean_text` as their first filter (one line for a text
box, several for a text area), so a NUL byte, a control character or a bidi override never
reaches a check, the database or a page; passwords are never changed.
"""

from __future__ import annotations

from functools import partial

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from consult.inputs import clean_text


class CleanForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class,
                                                                       PasswordField):
                clean = partial(clean_text, multiline=issubclass(field_class, TextAreaField))
                options["filters"] = (clean, *unbound_field.kwargs.get("filters", ()))
            return super().bind_field(form, unbound_field, options)
