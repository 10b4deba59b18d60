"""Typing in a paper booklet: the same questionnaire on one staff page, checked by the same
rules, saved as the response an online form would be, and counted as paper.

Plain functions over the session, so the rules are tested without a request. The words
here are for staff, in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from werkzeug.datastructures import MultiDict

from consult import audit, meeting_record
from consult.models import Invitation, InvitationPurpose, PaperResponse, StaffUser
from consult.questionnaires import definitions, reading, runner
from consult.questionnaires.model import (
    AnswerIs,
    AnswerIsNot,
    Condition,
    Facts,
    Question,
    Questionnaire,
    Section,
    Value,
)
from consult.submissions import SaveOutcome, save_once

NOTHING_TYPED = "Type in at least one answer from the booklet."
ALREADY_IN = ("Their views are in already, so this booklet was not saved. What you typed is "
              "still here: keep it for the meeting or the case file.")
NOT_SAVED = ("The booklet could not be saved just now. What you typed is still here: wait a "
             "minute, then save it again.")


@dataclass(frozen=True)
class BookletQuestion:
    question: Question
    # When a follow-up is asked, in words ("Only if the answer to … is …"); None: always.
    only_when: str | None = None


@dataclass(frozen=True)
class BookletSection:
    section: Section
    questions: tuple[BookletQuestion, ...]


@dataclass(frozen=True)
class Booklet:
    """The form a person was sent on paper, with the facts that chose its questions."""

    questionnaire: Questionnaire
    facts: Facts
    sections: tuple[BookletSection, ...]

    @property
    def questions(self) -> tuple[BookletQuestion, ...]:
        return tuple(shown for section in self.sections for shown in section.questions)


def _labels(question: Question, values: tuple[str, ...]) -> str:
    return " or ".join(f"“{reading.label_of(question, value)}”" for value in values)


def _in_words(questionnaire: Questionnaire, condition: Condition) -> str | None:
    if not isinstance(condition, AnswerIs | AnswerIsNot):
        return None
    earlier = questionnaire.question(condition.key)
    answers = _labels(earlier, condition.answers)
    if isinstance(condition, AnswerIsNot):
        return f"Not asked if the answer to “{earlier.text}” is {answers}."
    return f"Only if the answer to “{earlier.text}” is {answers}."


def booklet_for(invitation: Invitation) -> Booklet:
    """Every question the person's booklet asks them: those their facts (age, asylum) call
    for, follow-ups included, each follow-up saying when it applies, as on paper."""
    questionnaire = definitions.for_invitation(invitation)
    facts = definitions.facts_for(invitation)
    sections = []
    for section in questionnaire.sections:
        shown = tuple(
            BookletQuestion(question, _in_words(questionnaire, question.condition)
                            if question.condition is not None else None)
            for question in section.questions
            if question.condition is None or question.condition.on_answers
            or question.condition.holds(facts, {}))
        if shown:
            sections.append(BookletSection(section, shown))
    return Booklet(questionnaire, facts, tuple(sections))


@dataclass(frozen=True)
class Reading:
    """What was typed, cleaned (every word kept, to show back), and what needs fixing."""

    answers: dict[str, Value]
    errors: dict[str, str]


def read(booklet: Booklet, form: MultiDict) -> Reading:
    """Each answer checked as the online form checks it; a follow-up answered although the
    answer it follows says it was not asked is pointed out, never silently dropped."""
    answers: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for shown in booklet.questions:
        answer = runner.read_answer(shown.question, form)
        if answer.value:
            answers[shown.question.key] = answer.value
        if answer.error:
            errors[shown.question.key] = answer.error
    for shown in booklet.questions:
        key = shown.question.key
        if key in answers and key not in errors and not shown.question.applies(
                booklet.facts, answers):
            errors[key] = (f"{shown.only_when[:-1]}, so leave this empty or change that "
                           "answer.")
    if not answers and not errors:
        errors[booklet.questions[0].question.key] = NOTHING_TYPED
    return Reading(answers, errors)


def save(invitation: Invitation, booklet: Booklet, answers: dict[str, Value], *,
         by: StaffUser, idempotency_key: str, now: datetime) -> SaveOutcome:
    """Save the booklet as this person's response, once, as an online send would be saved
    (their online draft, if they had started one, goes too), marked as typed in by `by`;
    their role's views are recorded as received on paper."""

    def from_paper(response) -> None:
        response.paper = PaperResponse(typed_in_by=by)
        if invitation.purpose is InvitationPurpose.VIEWS:
            meeting_record.record_paper_views(invitation.review, invitation.role)
        audit.record("response.typed_in", staff=by, subject=invitation,
                     questionnaire=booklet.questionnaire.key,
                     version=booklet.questionnaire.version)

    return save_once(invitation, booklet.questionnaire, booklet.facts, answers,
                     language=invitation.language, idempotency_key=idempotency_key, now=now,
                     with_response=from_paper)
