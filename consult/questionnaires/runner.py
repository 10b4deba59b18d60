"""The one runner every questionnaire goes through.

It knows which questions apply (conditions on the child's facts and on earlier answers),
walks them one at a time (next, back, "3 of 12"), reads and checks one answer from a
submitted form, and turns a finished set of answers into rows to save.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from consult.inputs import clean_text
from consult.models import Answer, FreeTextAnswer, Response
from consult.questionnaires.model import (
    IN_PERSON,
    Facts,
    Question,
    Questionnaire,
    Section,
    Value,
    Values,
)

# Walking the questions --------------------------------------------------------------------

def core(questionnaire: Questionnaire, facts: Facts, values: Values) -> list[Question]:
    """The walk from Start to Check your answers: every question outside the optional
    sections that applies. In forms whose core turns only on facts, this is known (and
    counted) before the first answer and never changes on the way."""
    return [q for section in questionnaire.core_sections for q in section.questions
            if q.applies(facts, values)]


def in_section(section: Section, facts: Facts, values: Values) -> list[Question]:
    return [q for q in section.questions if q.applies(facts, values)]


def opened(section: Section, facts: Facts, values: Values) -> bool:
    """Whether the person said something in an optional section, so it was theirs to say."""
    return any(values.get(q.key) for q in in_section(section, facts, values))


def applicable(questionnaire: Questionnaire, facts: Facts, values: Values) -> list[Question]:
    """The questions this person is asked, in order, given what we know and what they said:
    the core, and each optional section they gave an answer in."""
    return [q for section in questionnaire.sections
            if not section.optional or opened(section, facts, values)
            for q in in_section(section, facts, values)]


def offered_sections(questionnaire: Questionnaire, facts: Facts) -> list[Section]:
    """The optional sections with at least one question for this person."""
    return [s for s in questionnaire.optional_sections
            if any(q.condition is None or q.condition.on_answers or q.applies(facts, {})
                   for q in s.questions)]


@dataclass(frozen=True)
class Place:
    """Where a question sits in the walk: its number, the total, and its neighbours."""

    number: int
    total: int
    previous_key: str | None  # None: the start page (or, in an optional section, the check page)
    next_key: str | None  # None: the check-your-answers page comes next
    optional: bool = False  # in a "Tell me more" section, counted on its own


def place_of(questionnaire: Questionnaire, facts: Facts, values: Values, key: str
             ) -> Place | None:
    """None when the question is not asked of this person (any more)."""
    section = questionnaire.section_of(key)
    if section is None:
        return None
    walk = in_section(section, facts, values) if section.optional else core(
        questionnaire, facts, values)
    keys = [q.key for q in walk]
    if key not in keys:
        return None
    index = keys.index(key)
    return Place(
        number=index + 1, total=len(keys),
        previous_key=keys[index - 1] if index else None,
        next_key=keys[index + 1] if index + 1 < len(keys) else None,
        optional=section.optional)


def first_key(questionnaire: Questionnaire, facts: Facts) -> str | None:
    asked = core(questionnaire, facts, {})
    return asked[0].key if asked else None


def kept_values(questionnaire: Questionnaire, facts: Facts, values: Values) -> dict[str, Value]:
    """Only the answers to questions still asked: an answer made moot by a later change of
    mind (say, the interpreter's language after "no interpreter") is not sent."""
    return {q.key: values[q.key] for q in applicable(questionnaire, facts, values)
            if values.get(q.key)}


# Reading one answer ------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadAnswer:
    """What the person entered for one question, cleaned, and a message if it needs fixing."""

    value: Value
    error: str | None = None


def read_answer(question: Question, form: MultiDict) -> ReadAnswer:
    """Every question may be left out; what is given must be something we can keep."""
    if question.is_free_text:
        text = clean_text(form.get(question.key, ""))
        if len(text) > question.max_length:
            return ReadAnswer(text, ngettext(
                "Your answer must be %(limit)s character or fewer. It is %(length)s now.",
                "Your answer must be %(limit)s characters or fewer. It is %(length)s now.",
                question.max_length, limit=format_number(question.max_length),
                length=format_number(len(text))))
        return ReadAnswer(text)
    given = [value.strip() for value in form.getlist(question.key) if value.strip()]
    allowed = question.allowed_values
    if any(value not in allowed for value in given):
        return ReadAnswer([] if question.is_multiple else "",
                          _("Choose one of the answers, or leave this question out."))
    if question.is_multiple:
        chosen = [choice.value for choice in question.choices if choice.value in given]
        if IN_PERSON in given and chosen:
            return ReadAnswer(chosen + [IN_PERSON], _(
                "Choose the answers that are true, or that you would rather tell your IRO in "
                "person, not both."))
        return ReadAnswer([IN_PERSON] if IN_PERSON in given else chosen)
    if len(set(given)) > 1:
        return ReadAnswer("", _("Choose one answer, or leave this question out."))
    return ReadAnswer(given[0] if given else "")


def is_keepable(question: Question, value: object) -> bool:
    """Whether a value saved earlier (a draft) is still an answer this question accepts."""
    if question.is_free_text:
        return isinstance(value, str) and len(value) <= question.max_length
    if question.is_multiple:
        return isinstance(value, list) and all(
            isinstance(v, str) and v in question.allowed_values for v in value)
    return isinstance(value, str) and value in question.allowed_values


# Saving ------------------------------------------------------------------------------------

_WELL_FORMED_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_idempotency_key() -> str:
    """Made with the page that sends a form, so a second send of that page is known."""
    return secrets.token_urlsafe(24)


def usable_idempotency_key(posted: str | None) -> str:
    return (posted if posted and _WELL_FORMED_KEY.fullmatch(posted)
            else new_idempotency_key())


def build_response(questionnaire: Questionnaire, values: Values, *, asked: list[str],
                   **fields) -> Response:
    """A response with one row per chosen value, and the words kept apart."""
    response = Response(
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        asked=asked,
        **fields,
    )
    for question in questionnaire.questions:
        value = values.get(question.key)
        if not value or not is_keepable(question, value):
            continue
        if question.is_free_text:
            response.free_texts.append(FreeTextAnswer(
                question_key=question.key, text=value, only_for_iro=question.only_for_iro))
        else:
            for chosen in value if isinstance(value, list) else [value]:
                response.answers.append(Answer(question_key=question.key, value=chosen))
    return response
