"""Every questionnaire we have ever asked, by key and version.

A published version is never edited: a new version is added beside it, so a submission
is always read with the questions its writer saw.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.models import InviteeRole
from consult.questionnaires.model import Choice, Question, QuestionKind, Questionnaire

FEELINGS = (
    Choice("very_happy", _l("Very happy"), "😄"),
    Choice("happy", _l("Happy"), "🙂"),
    Choice("okay", _l("Okay"), "😐"),
    Choice("sad", _l("Sad"), "🙁"),
    Choice("very_sad", _l("Very sad"), "😢"),
)

YES_NO_NOT_SURE = (
    Choice("yes", _l("Yes")),
    Choice("no", _l("No")),
    Choice("not_sure", _l("Not sure")),
)

WORDS_LIMIT = 2000

YOUNG_PERSON_V1 = Questionnaire(
    key="young_person",
    version=1,
    title=_l("Have your say about your review"),
    questions=(
        Question(
            key="home_feeling",
            kind=QuestionKind.FEELINGS,
            text=_l("How do you feel about where you live?"),
            choices=FEELINGS,
        ),
        Question(
            key="attend_meeting",
            kind=QuestionKind.YES_NO_NOT_SURE,
            text=_l("Would you like to come to your review meeting?"),
            choices=YES_NO_NOT_SURE,
        ),
        Question(
            key="talk_about",
            kind=QuestionKind.FREE_TEXT,
            text=_l("What would you like to talk about at your review?"),
            hint=_l("Your IRO and your social worker will read this."),
            max_length=WORDS_LIMIT,
        ),
        Question(
            key="only_for_iro",
            kind=QuestionKind.FREE_TEXT,
            text=_l("Is there anything you want only your IRO to know?"),
            hint=_l("Only your IRO will read this. Your social worker and your carers will not "
                    "see it. If you tell us you are not safe, your IRO may need to tell other "
                    "people so that they can keep you safe."),
            max_length=WORDS_LIMIT,
            only_for_iro=True,
        ),
    ),
)

ADULT_V1 = Questionnaire(
    key="adult",
    version=1,
    title=_l("Your views before the review"),
    questions=(
        Question(
            key="child_doing",
            kind=QuestionKind.SINGLE_CHOICE,
            text=_l("How do you think things are going for the child?"),
            choices=(
                Choice("well", _l("Well")),
                Choice("mixed", _l("Some things well, some not")),
                Choice("not_well", _l("Not well")),
                Choice("not_sure", _l("Not sure")),
            ),
        ),
        Question(
            key="attend_meeting",
            kind=QuestionKind.YES_NO_NOT_SURE,
            text=_l("Will you come to the review meeting?"),
            choices=YES_NO_NOT_SURE,
        ),
        Question(
            key="views",
            kind=QuestionKind.FREE_TEXT,
            text=_l("What should the review know or talk about?"),
            hint=_l("The IRO and the child's social worker will read this."),
            max_length=WORDS_LIMIT,
        ),
    ),
)

ALL = {(q.key, q.version): q for q in (YOUNG_PERSON_V1, ADULT_V1)}
CURRENT = {"young_person": YOUNG_PERSON_V1, "adult": ADULT_V1}


def for_role(role: InviteeRole) -> Questionnaire:
    return CURRENT["young_person" if role is InviteeRole.CHILD else "adult"]


def version(key: str, number: int) -> Questionnaire | None:
    return ALL.get((key, number))


def free_text_keys() -> list[str]:
    """Every key under which someone may have written in their own words, in any form."""
    return sorted({q.key for form in CURRENT.values() for q in form.questions if q.is_free_text})
