"""Answers laid out for reading: by section, each question beside what was answered.

One shape serves the person checking their answers before Send (in their language) and
staff reading a sent response (in English, with the questions of the version the person
answered, so a later change to a question never makes an old answer mean something else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from consult import i18n
from consult.models import Response
from consult.questionnaires import definitions
from consult.questionnaires.model import IN_PERSON, Answers, Question, QuestionKind, Questionnaire

STAFF_LOCALE = i18n.STAFF_LOCALE


@dataclass(frozen=True)
class ShownAnswer:
    key: str
    question: str
    chosen: tuple[str, ...]  # the labels of the chosen answers, as the person saw them
    words: str  # what they wrote in their own words, "" if nothing
    only_for_iro: bool
    face: str | None = None  # the chosen face, for a question answered with faces
    not_to_be_shared: bool = False

    @property
    def answered(self) -> bool:
        return bool(self.chosen or self.words)

    @property
    def answer(self) -> str:
        """The answer in one line of text: their words, or the chosen answers."""
        return self.words or ", ".join(self.chosen)


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str
    answers: tuple[ShownAnswer, ...]


@dataclass(frozen=True)
class PreparedSubmission:
    """Everything a page needs to show one response; plain values, nothing left to load."""

    response_id: int
    title: str
    questionnaire_key: str
    version: int
    language: str
    sent_at: datetime | None
    sections: tuple[ShownSection, ...]
    # The member of staff who typed it in from a paper booklet; None when sent online.
    typed_in_by: str | None = None

    @property
    def answers(self) -> tuple[ShownAnswer, ...]:
        return tuple(shown for section in self.sections for shown in section.answers)


def label_of(question: Question, value: str) -> str:
    """The words of one chosen answer, in the current locale."""
    if value == IN_PERSON:
        return _("I'd rather tell my IRO in person")
    return next((str(c.label) for c in question.choices if c.value == value), value)


def lay_out(questionnaire: Questionnaire, asked: list[str], answers: Answers, *,
            include_only_for_iro: bool, for_meeting: bool = False) -> tuple[ShownSection, ...]:
    """The asked questions by section, each with its answer (or none), in the current locale.

    `for_meeting` leaves out every question whose answer stays out of the meeting copy: what
    is only for the IRO and what an adult wrote not to be shared."""
    sections = []
    for section in questionnaire.sections:
        shown = []
        for question in section.questions:
            if (question.key not in asked
                    or (question.only_for_iro and not include_only_for_iro)
                    or (for_meeting and not question.for_meeting)):
                continue
            value = answers.get(question.key) or ""
            if question.is_free_text:
                chosen, words = (), value if isinstance(value, str) else ""
            else:
                chosen = tuple(label_of(question, v) for v in
                               (value if isinstance(value, list) else [value]) if v)
                words = ""
            # A sent response holds every answer in a list; a draft, one value.
            given = value if isinstance(value, list) else [value]
            face = next((v for v in given if v in {c.value for c in question.choices}),
                        None) if question.kind is QuestionKind.FEELINGS else None
            shown.append(ShownAnswer(
                question.key, str(question.text), chosen, words, question.only_for_iro, face,
                question.not_to_be_shared))
        if shown:
            sections.append(ShownSection(section.key, str(section.title), tuple(shown)))
    return tuple(sections)


def _answers_of(response: Response) -> dict[str, str | list[str]]:
    answers: dict[str, str | list[str]] = {}
    for answer in response.answers:
        answers.setdefault(answer.question_key, []).append(answer.value)
    for text in response.free_texts:
        answers[text.question_key] = text.text
    return answers


def prepare_submission(response: Response, *, include_only_for_iro: bool,
                       for_meeting: bool = False) -> PreparedSubmission:
    """A sent response as staff read it: in English, grouped by section.

    `include_only_for_iro` decides whether what the person wrote only for their IRO is
    taken at all, and `for_meeting` whether anything kept out of the meeting copy is; what
    is left out here cannot leak from a template.
    """
    questionnaire = definitions.version(response.questionnaire_key, response.questionnaire_version)
    answers = _answers_of(response)
    # Responses from before the asked list was recorded: every question answered, plus
    # every unconditional one, is what the person certainly saw.
    asked = response.asked if response.asked is not None else [
        q.key for q in questionnaire.questions if q.condition is None or q.key in answers]
    with force_locale(STAFF_LOCALE):
        return PreparedSubmission(
            response_id=response.id,
            title=str(questionnaire.title),
            questionnaire_key=questionnaire.key,
            version=questionnaire.version,
            language=response.language,
            sent_at=response.invitation.sent_at,
            sections=lay_out(questionnaire, asked, answers,
                             include_only_for_iro=include_only_for_iro,
                             for_meeting=for_meeting),
            typed_in_by=response.paper.typed_in_by.name if response.from_paper else None,
        )
