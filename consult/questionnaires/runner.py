"""Reading a submitted form against a questionnaire, and saving the answers it holds."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from consult.models import Answer, FreeTextAnswer, Response
from consult.questionnaires.model import Question, Questionnaire

# Bidi controls that can make a message display differently from how it is stored
# (Trojan Source); they have no place in an answer, so they are removed, not refused.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


@dataclass
class ReadAnswers:
    """What the person entered, cleaned, and a message for each question that needs fixing."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def clean_text(raw: str) -> str:
    """Typed text as we keep it: one kind of newline, composed, without invisible controls.

    NUL bytes, other control characters and lone surrogates cannot be stored by every
    database or shown safely, and carry nothing a person meant to write.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_BIDI_CONTROLS)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", text).strip()


def _read_one(question: Question, raw: str) -> tuple[str, str | None]:
    if question.is_free_text:
        text = clean_text(raw)
        if len(text) > question.max_length:
            return text, ngettext(
                "Your answer must be %(limit)s character or fewer. It is %(length)s now.",
                "Your answer must be %(limit)s characters or fewer. It is %(length)s now.",
                question.max_length, limit=format_number(question.max_length),
                length=format_number(len(text)))
        return text, None
    value = raw.strip()
    if value and value not in {choice.value for choice in question.choices}:
        return "", _("Choose one of the answers, or leave this question out.")
    return value, None


def read_form(questionnaire: Questionnaire, form: MultiDict) -> ReadAnswers:
    """Every question may be left out; what is given must be something we can keep."""
    result = ReadAnswers()
    for question in questionnaire.questions:
        value, error = _read_one(question, form.get(question.key, ""))
        if value:
            result.values[question.key] = value
        if error:
            result.errors[question.key] = error
    return result


def build_response(questionnaire: Questionnaire, values: dict[str, str], **fields) -> Response:
    response = Response(
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        **fields,
    )
    for question in questionnaire.questions:
        value = values.get(question.key)
        if not value:
            continue
        if question.is_free_text:
            response.free_texts.append(FreeTextAnswer(
                question_key=question.key, text=value, only_for_iro=question.only_for_iro))
        else:
            response.answers.append(Answer(question_key=question.key, value=value))
    return response
