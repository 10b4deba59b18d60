"""The base of every WTForms form, staff and public: what was sent is cleaned on the way in.

Every value a form reads (from a POST or, for a filter, from the query string) goes
through `consult.inputs.clean_text` before any field sees it: several lines for a text
area, one line for everything else (a text box, a date, a choice). So a NUL byte, a
control character or a bidi override never reaches a check, the database, or the page
that shows the value back. Passwords and files are never changed.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, TextAreaField

from consult.inputs import clean_text


def _cleaned(form, formdata):
    if formdata is None:
        return None
    kept_as_sent = {name for name, field in form._fields.items()
                    if isinstance(field, PasswordField)}
    multiline = {name for name, field in form._fields.items()
                 if isinstance(field, TextAreaField)}
    cleaned = MultiDict()
    for name, value in formdata.items(multi=True):
        if isinstance(value, str) and name not in kept_as_sent:
            value = clean_text(value, multiline=name in multiline)
        cleaned.add(name, value)
    return cleaned


class CleanForm(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            return _cleaned(form, super().wrap_formdata(form, formdata))
