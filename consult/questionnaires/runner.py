"""The one runner every questionnaire goes through: walking it and reading its answers.

It knows which questions apply (conditions on the child's facts and on earlier answers),
walks them one at a time ("3 of 12"; next, back, skip and resume are decided by `step`),
and reads and checks one answer from a sent form. It saves nothing: turning the answers
into rows is `consult.submissions`'s.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from consult.inputs import clean_text
from consult.questionnaires.model import (
    IN_PERSON,
    Answers,
    Facts,
    Question,
    Questionnaire,
    Section,
    Value,
)

# Walking the questions --------------------------------------------------------------------

def core(questionnaire: Questionnaire, facts: Facts, answers: Answers) -> list[Question]:
    """The walk from Start to Check your answers: every question outside the optional
    sections that applies. In forms whose core turns only on facts, this is known (and
    counted) before the first answer and never changes on the way."""
    return [q for section in questionnaire.core_sections for q in section.questions
            if q.applies(facts, answers)]


def in_section(section: Section, facts: Facts, answers: Answers) -> list[Question]:
    return [q for q in section.questions if q.applies(facts, answers)]


def opened(section: Section, facts: Facts, answers: Answers) -> bool:
    """Whether the person said something in an optional section, so it was theirs to say."""
    return any(answers.get(q.key) for q in in_section(section, facts, answers))


def applicable(questionnaire: Questionnaire, facts: Facts, answers: Answers) -> list[Question]:
    """The questions this person is asked, in order, given what we know and what they said:
    the core, and each optional section they gave an answer in."""
    return [q for section in questionnaire.sections
            if not section.optional or opened(section, facts, answers)
            for q in in_section(section, facts, answers)]


def offered_sections(questionnaire: Questionnaire, facts: Facts) -> list[Section]:
    """The optional sections with at least one question for this person."""
    return [s for s in questionnaire.optional_sections
            if any(q.condition is None or q.condition.on_answers or q.applies(facts, {})
                   for q in s.questions)]


@dataclass(frozen=True)
class Place:
    """Where a question sits in the walk: its number, the total, and its neighbours."""

    key: str
    number: int
    total: int
    previous_key: str | None  # None: the start page (or, in an optional section, the check page)
    next_key: str | None  # None: the check-your-answers page comes next
    optional: bool = False  # in a "Tell me more" section, counted on its own


def place_of(questionnaire: Questionnaire, facts: Facts, answers: Answers, key: str
             ) -> Place | None:
    """None when the question is not asked of this person (any more)."""
    section = questionnaire.section_of(key)
    if section is None:
        return None
    walk = in_section(section, facts, answers) if section.optional else core(
        questionnaire, facts, answers)
    keys = [q.key for q in walk]
    if key not in keys:
        return None
    index = keys.index(key)
    return Place(
        key=key, number=index + 1, total=len(keys),
        previous_key=keys[index - 1] if index else None,
        next_key=keys[index + 1] if index + 1 < len(keys) else None,
        optional=section.optional)


def first_key(questionnaire: Questionnaire, facts: Facts) -> str | None:
    asked = core(questionnaire, facts, {})
    return asked[0].key if asked else None


@dataclass(frozen=True)
class Kept:
    """What goes with a send: the answers still asked, and the questions that were asked."""

    answers: dict[str, Value]
    asked: list[str]


def kept_answers(questionnaire: Questionnaire, facts: Facts, answers: Answers) -> Kept:
    """Only the answers to questions still asked: an answer made moot by a later change of
    mind (say, the interpreter's language after "no interpreter") is not sent, nor one that
    hung on it. One walk in order, each condition read against the answers kept before it
    (a condition only ever names an earlier question); an optional section is asked when
    something in it was answered."""
    kept: dict[str, Value] = {}
    asked: list[str] = []
    for section in questionnaire.sections:
        walked = []
        for question in section.questions:
            if question.applies(facts, kept):
                walked.append(question.key)
                if answers.get(question.key):
                    kept[question.key] = answers[question.key]
        if not section.optional or any(key in kept for key in walked):
            asked.extend(walked)
    return Kept(kept, asked)


# Where to go next ---------------------------------------------------------------------------

class Action(enum.StrEnum):
    NEXT = "next"
    SKIP = "skip"  # as Next, with the answer left out
    BACK = "back"
    RESUME = "resume"  # opening the link again


class Page(enum.Enum):
    START = enum.auto()
    QUESTION = enum.auto()
    CHECK = enum.auto()  # check your answers


@dataclass(frozen=True)
class Step:
    """Where the person goes, and the question to resume at when they open the link again
    (None: their answers to check)."""

    page: Page
    key: str | None = None  # the question, on Page.QUESTION
    resume_at: str | None = None


def step(place: Place | None, action: Action, *, changing: bool = False,
         started: bool = True) -> Step:
    """Where `action` on the question at `place` leads.

    `changing`: the person came from Check your answers to change this one answer, and goes
    back there. For RESUME, `place` is where they stopped (None: at Check your answers) and
    `started` whether anything was saved yet (if not, the start page).
    """
    if action is Action.RESUME:
        if not started:
            return Step(Page.START)
        return (Step(Page.QUESTION, place.key, place.key) if place is not None
                else Step(Page.CHECK))
    if changing:
        return Step(Page.CHECK)
    if action is Action.BACK:
        resume_at = place.previous_key or place.key
        if place.previous_key:
            return Step(Page.QUESTION, place.previous_key, resume_at)
        # Back from the first question of an optional section: to where it was offered.
        return Step(Page.CHECK if place.optional else Page.START, resume_at=resume_at)
    if place.next_key:
        return Step(Page.QUESTION, place.next_key, place.next_key)
    return Step(Page.CHECK)


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
