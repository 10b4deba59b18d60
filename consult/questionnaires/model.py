from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flask_babel import LazyString


class QuestionKind(enum.StrEnum):
    FEELINGS = "feelings"          # five faces, each with its words
    YES_NO_NOT_SURE = "yes_no_not_sure"
    SINGLE_CHOICE = "single_choice"
    FREE_TEXT = "free_text"


@dataclass(frozen=True)
class Choice:
    value: str
    label: LazyString
    symbol: str = ""  # decoration only: hidden from screen readers, the label carries meaning


@dataclass(frozen=True)
class Question:
    key: str
    kind: QuestionKind
    text: LazyString
    hint: LazyString | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int = 0
    only_for_iro: bool = False

    @property
    def is_free_text(self) -> bool:
        return self.kind is QuestionKind.FREE_TEXT

    def label_for(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return str(choice.label)
        return value


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    title: LazyString
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)
