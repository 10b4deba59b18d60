"""What a questionnaire is made of: sections of questions, each with a kind and a condition.

Nothing here knows about requests or the database, so a questionnaire can be read, walked
and checked in a plain unit test.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import LazyString

# What someone has answered so far: one value for a single answer, a list for multiple
# choice, the words themselves for free text.
Value = str | list[str]
Answers = Mapping[str, Value]

IN_PERSON = "in_person"  # "I'd rather tell my IRO in person": a real answer, not a skip


class QuestionKind(enum.StrEnum):
    FEELINGS = "feelings"  # five faces, each with its words
    YES_NO_NOT_SURE = "yes_no_not_sure"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    FREE_TEXT = "free_text"


@dataclass(frozen=True)
class Facts:
    """What we know about the child before anyone answers: enough to choose the questions."""

    age_at_review: int | None = None
    unaccompanied_asylum_seeking: bool = False


class Condition(ABC):
    """When a question is asked. Conditions are data, so a test can name what each one is."""

    # Whether it turns on an earlier answer (a follow-up question) rather than on the facts.
    on_answers = False

    @abstractmethod
    def holds(self, facts: Facts, answers: Answers) -> bool:
        """Whether the question is asked, given the facts and the answers so far."""


@dataclass(frozen=True)
class AgeAtLeast(Condition):
    years: int

    def holds(self, facts: Facts, answers: Answers) -> bool:
        return facts.age_at_review is not None and facts.age_at_review >= self.years


@dataclass(frozen=True)
class Unaccompanied(Condition):
    def holds(self, facts: Facts, answers: Answers) -> bool:
        return facts.unaccompanied_asylum_seeking


@dataclass(frozen=True)
class AnswerIs(Condition):
    """An earlier answer is one of `answers` (for multiple choice: includes one of them)."""

    key: str
    answers: tuple[str, ...]
    on_answers = True

    def holds(self, facts: Facts, answers: Answers) -> bool:
        given = answers.get(self.key)
        chosen = given if isinstance(given, list) else [given]
        return any(wanted in chosen for wanted in self.answers)


@dataclass(frozen=True)
class AnswerIsNot(Condition):
    """Asked unless an earlier answer is one of `answers` (asked when that one was skipped)."""

    key: str
    answers: tuple[str, ...]
    on_answers = True

    def holds(self, facts: Facts, answers: Answers) -> bool:
        return not AnswerIs(self.key, self.answers).holds(facts, answers)


@dataclass(frozen=True)
class Concern:
    """Why an answer needs the IRO's attention soon, for staff: a code kept in the database
    and a short reason in English. `docs/concerns.md` explains each one."""

    key: str
    reason: str


@dataclass(frozen=True)
class Choice:
    value: str
    label: LazyString
    # Choosing this answer raises a concern for the child's IRO (see `consult.concerns`).
    concern: Concern | None = None


@dataclass(frozen=True)
class Question:
    key: str
    kind: QuestionKind
    text: LazyString
    hint: LazyString | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int = 0
    only_for_iro: bool = False
    # What an adult writes here is marked by the question itself as not to be shared (say,
    # with the child's parents): kept out of the meeting copy, like what is only for the IRO.
    not_to_be_shared: bool = False
    condition: Condition | None = None
    # Offer "I'd rather tell my IRO in person" beside the choices (children's forms).
    in_person: bool = False

    @property
    def is_free_text(self) -> bool:
        return self.kind is QuestionKind.FREE_TEXT

    @property
    def for_meeting(self) -> bool:
        """Whether the answer goes in the copy printed or shared for the meeting."""
        return not (self.only_for_iro or self.not_to_be_shared)

    @property
    def is_multiple(self) -> bool:
        return self.kind is QuestionKind.MULTIPLE_CHOICE

    @property
    def allowed_values(self) -> set[str]:
        offered = {choice.value for choice in self.choices}
        return offered | {IN_PERSON} if self.in_person else offered

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return self.condition is None or self.condition.holds(facts, answers)

    def concerns_in(self, value: Value | None) -> list[Concern]:
        """The concerns that this answer raises, in the order of the choices."""
        chosen = value if isinstance(value, list) else [value]
        return [choice.concern for choice in self.choices
                if choice.concern is not None and choice.value in chosen]


@dataclass(frozen=True)
class Section:
    key: str
    title: LazyString
    questions: tuple[Question, ...]
    # Not in the walk from Start: offered from Check your answers ("Tell me more about ...").
    optional: bool = False


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    title: LazyString
    intro: LazyString
    sections: tuple[Section, ...] = field(default_factory=tuple)
    # How long the walk from Start to Send takes a child, in minutes, as timed in a browser
    # (bench/journey_time.py); None where it was never timed.
    minutes: int | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    @property
    def core_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if not s.optional)

    @property
    def optional_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.optional)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def section_of(self, key: str) -> Section | None:
        return next((s for s in self.sections if any(q.key == key for q in s.questions)), None)
