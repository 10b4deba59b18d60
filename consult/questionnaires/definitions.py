"""Every questionnaire we have ever asked, by key and version.

A published version is never edited: a new version is added beside it, so a submission
is always read with the questions its writer saw. Which one a person gets depends on who
they are, why they were invited, and (for children) their age on the day of the review.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from consult.models import Invitation, InvitationPurpose, InviteeRole
from consult.questionnaires.model import (
    AgeAtLeast,
    AnswerIs,
    AnswerIsNot,
    Choice,
    Concern,
    Facts,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
    Unaccompanied,
)

FEELINGS = (
    Choice("very_happy", _l("Very happy")),
    Choice("happy", _l("Happy")),
    Choice("okay", _l("Okay")),
    Choice("sad", _l("Sad")),
    Choice("very_sad", _l("Very sad")),
)

YES_NO_NOT_SURE = (
    Choice("yes", _l("Yes")),
    Choice("no", _l("No")),
    Choice("not_sure", _l("Not sure")),
)

WORDS_LIMIT = 2000
SHORT_LIMIT = 200
YOUNG_PERSON_FROM_AGE = 11
PATHWAY_FROM_AGE = 16
LEAVING_CARE_AGE = 18  # a pathway plan is about life after this age

ONLY_FOR_IRO_HINT = _l(
    "Only your IRO will read this. Your social worker, your carers and your family will not "
    "see it. If you tell us you or someone else is not safe, your IRO may need to tell other "
    "people so that they can help keep you safe. Your IRO will tell you first.")


# Answers that need the IRO's attention soon, whatever the meeting date. Why each one is
# here, and why others are not, is in docs/concerns.md; the keys are stored with each concern
# raised, so a key is never reused for a different reason.
NOT_SAFE_AT_HOME = Concern("not_safe_at_home", "Does not feel safe where they live")
UNSURE_SAFE_AT_HOME = Concern("unsure_safe_at_home", "Not sure they feel safe where they live")
NO_HEALTH_HELP = Concern("no_health_help", "Not getting the help they need with their health")
NO_ASYLUM_HELP = Concern("no_asylum_help",
                         "Not getting the help they need with their asylum claim")
NO_ASYLUM_INTERPRETER = Concern(
    "no_asylum_interpreter", "No interpreter when meeting their solicitor or the Home Office")
PLACEMENT_AT_RISK = Concern("placement_at_risk",
                            "Foster carer says the placement is at risk of ending")
NOT_IN_EDUCATION = Concern("not_in_education", "Foster carer says the child is not in education")
SAFE_AT_HOME_CONCERNS = {"no": NOT_SAFE_AT_HOME, "not_sure": UNSURE_SAFE_AT_HOME}


def _raising(choices: tuple[Choice, ...], concerns: dict[str, Concern] | None
             ) -> tuple[Choice, ...]:
    """The choices, with a concern on each answer named in `concerns`."""
    concerns = concerns or {}
    unknown = set(concerns) - {choice.value for choice in choices}
    if unknown:
        raise ValueError(f"no such answer to raise a concern on: {sorted(unknown)}")
    return tuple(replace(choice, concern=concerns[choice.value]) if choice.value in concerns
                 else choice for choice in choices)


def _feelings(key: str, text, *, very_sad: str, **extra) -> Question:
    """Five faces; "Very sad" always raises a concern, whose reason is `very_sad`."""
    concern = Concern(f"very_sad_{key.removesuffix('_feeling')}", very_sad)
    return Question(key, QuestionKind.FEELINGS, text,
                    choices=_raising(FEELINGS, {"very_sad": concern}), **extra)


def _yes_no(key: str, text, *, concerns: dict[str, Concern] | None = None, **extra) -> Question:
    return Question(key, QuestionKind.YES_NO_NOT_SURE, text,
                    choices=_raising(YES_NO_NOT_SURE, concerns), **extra)


def _words(key: str, text, limit: int = WORDS_LIMIT, **extra) -> Question:
    return Question(key, QuestionKind.FREE_TEXT, text, max_length=limit, **extra)


def _one_of(key: str, text, choices, **extra) -> Question:
    return Question(key, QuestionKind.SINGLE_CHOICE, text, choices=tuple(choices), **extra)


def _any_of(key: str, text, choices, **extra) -> Question:
    return Question(key, QuestionKind.MULTIPLE_CHOICE, text, choices=tuple(choices), **extra)


# People a child may want at their meeting, or not.
PEOPLE = (
    Choice("social_worker", _l("My social worker")),
    Choice("carer", _l("My foster carer or key worker")),
    Choice("mum", _l("My mum")),
    Choice("dad", _l("My dad")),
    Choice("brothers_sisters", _l("My brothers or sisters")),
    Choice("other_family", _l("Other family")),
    Choice("teacher", _l("My teacher")),
    Choice("advocate", _l("An advocate")),
    Choice("friend", _l("A friend")),
)

MEETING_PLACES = (
    Choice("where_i_live", _l("Where I live")),
    Choice("school", _l("At school or college")),
    Choice("council", _l("At the council office")),
    Choice("online", _l("On a video call")),
    Choice("dont_mind", _l("I don't mind")),
)

MEETING_TIMES = (
    Choice("school_hours", _l("During school or college time")),
    Choice("after_school", _l("After school or college")),
    Choice("holidays", _l("In the school holidays")),
    Choice("dont_mind", _l("I don't mind")),
)


def _meeting_section(*, young: bool) -> Section:
    """The child's wishes about their own meeting: who, where, when, and with what help.

    Younger children get the few that matter most to them; the adult helping them, and the
    IRO's visit, cover the practical rest.
    """
    co_chair = _yes_no(
        "co_chair", _l("Would you like to help run your meeting with your IRO?"),
        hint=_l("This is called co-chairing. You can choose what to talk about first, and your "
                "IRO will help you."),
        condition=AnswerIsNot("attend_meeting", ("no",)), in_person=True)
    when = _one_of("meeting_time", _l("When would be a good time for your meeting?"),
                   MEETING_TIMES, in_person=True)
    interpreter = (
        _yes_no("need_interpreter", _l("Would you like an interpreter at your meeting?"),
                in_person=True),
        _words("interpreter_language",
               _l("Which language would you like the interpreter to speak?"), SHORT_LIMIT,
               condition=AnswerIs("need_interpreter", ("yes", "not_sure"))),
    )
    return Section("meeting", _l("Your meeting"), (
        _yes_no("attend_meeting", _l("Would you like to come to your review meeting?"),
                hint=_l("You can come to all of it, part of it, or not at all. It is up to you."),
                in_person=True),
        *([co_chair] if young else []),
        _any_of("want_there", _l("Who would you like to be at your meeting?"), PEOPLE,
                hint=_l("Choose as many as you like.")),
        _any_of("not_want_there", _l("Is there anyone you do not want at your meeting?"), PEOPLE,
                hint=_l("Choose as many as you like. Your IRO will talk with you about it.")),
        _one_of("meeting_place", _l("Where would you like your meeting to be?"), MEETING_PLACES,
                in_person=True),
        *([when] if young else []),
        _yes_no("want_advocate", _l("Would you like an advocate to help you say what you think?"),
                hint=_l("An advocate is someone who does not work for children's services. They "
                        "help you say what you want, or say it for you."), in_person=True),
        *(interpreter if young else ()),
        _yes_no("tell_in_person", _l("Would you rather tell your IRO some things in person?"),
                hint=_l("Your IRO can meet you alone before the meeting. You do not have to "
                        "write everything here.")),
    ))


def _only_for_iro_section() -> Section:
    return Section("only_for_iro", _l("Only for your IRO"), (
        _words("only_for_iro", _l("Is there anything you want only your IRO to know?"),
               hint=ONLY_FOR_IRO_HINT, only_for_iro=True),
    ))


CHILD_UNDER_11_V1 = Questionnaire(
    key="child_under_11",
    version=1,
    title=_l("Have your say about your meeting"),
    intro=_l("Tell us how things are for you, so that the grown-ups at your meeting know what "
             "you think. A grown-up can help you. You can leave out any question."),
    sections=(
        _meeting_section(young=False),
        Section("home", _l("Where you live"), (
            _feelings("home_feeling", _l("How do you feel about where you live?"), in_person=True,
                      very_sad="Very sad about where they live"),
            _yes_no("home_safe", _l("Do you feel safe where you live?"), in_person=True,
                    concerns=SAFE_AT_HOME_CONCERNS),
            _yes_no("own_room", _l("Do you like your bedroom?"), in_person=True),
            _yes_no("adults_notice", _l("Do the grown-ups you live with notice how you feel?"),
                    in_person=True),
        )),
        Section("school", _l("School and friends"), (
            _feelings("school_feeling", _l("How do you feel about school?"), in_person=True,
                      very_sad="Very sad about school"),
            _yes_no("have_friends", _l("Do you have friends to play with?"), in_person=True),
        )),
        Section("people", _l("People in your life"), (
            _words("see_more", _l("Who would you like to see more?"), SHORT_LIMIT),
            _words("see_less", _l("Who would you like to see less?"), SHORT_LIMIT),
            _yes_no("know_social_worker", _l("Do you know who your social worker is?"),
                    in_person=True),
            _yes_no("know_why_in_care", _l("Has someone explained why you live where you do?"),
                    in_person=True),
        )),
        Section("you", _l("You"), (
            _feelings("overall_feeling", _l("How do you feel most days?"), in_person=True,
                      very_sad="Very sad most days"),
            _words("anything_else", _l("Is there anything else you want to say?")),
        )),
        _only_for_iro_section(),
        Section("helper", _l("Who helped you"), (
            _one_of("helped_by", _l("Who helped you fill this in?"), (
                Choice("nobody", _l("Nobody, I did it myself")),
                Choice("carer", _l("My foster carer")),
                Choice("social_worker", _l("My social worker")),
                Choice("advocate", _l("An advocate")),
                Choice("family", _l("Someone in my family")),
                Choice("someone_else", _l("Someone else")),
            )),
        )),
    ),
)


YOUNG_PERSON_V2 = Questionnaire(
    key="young_person",
    version=2,
    title=_l("Have your say about your review"),
    intro=_l("Your review is a meeting about your life and your plans. Tell us what you think, "
             "so that it is about what matters to you. You can leave out any question, and you "
             "can stop and come back later: your answers are saved each time you press Next."),
    sections=(
        _meeting_section(young=True),
        Section("since_last", _l("Since your last review"), (
            _words("went_well", _l("What has gone well since your last review?")),
            _words("not_gone_well", _l("What has not gone well?")),
            _yes_no("decisions_happened",
                    _l("Did the things agreed at your last review happen?"), in_person=True),
        )),
        Section("plan", _l("Your plan"), (
            _yes_no("know_plan", _l("Do you know what your care plan says?"), in_person=True),
            _yes_no("agree_plan", _l("Do you agree with your care plan?"),
                    condition=AnswerIs("know_plan", ("yes",)), in_person=True),
            _words("plan_change", _l("What would you change about your plan?"),
                   condition=AnswerIs("agree_plan", ("no", "not_sure"))),
        )),
        Section("home", _l("Where you live"), (
            _feelings("home_feeling", _l("How do you feel about where you live?"), in_person=True,
                      very_sad="Very sad about where they live"),
            _yes_no("home_safe", _l("Do you feel safe where you live?"), in_person=True,
                    concerns=SAFE_AT_HOME_CONCERNS),
            _yes_no("settled", _l("Do you feel settled there?"), in_person=True),
        )),
        Section("family", _l("Family and friends"), (
            _feelings("family_time_feeling",
                      _l("How do you feel about the time you spend with your family?"),
                      in_person=True, very_sad="Very sad about time with their family"),
            _words("family_time_change",
                   _l("Is there anyone you want to see more, or less? Brothers and sisters too."),
                   SHORT_LIMIT * 2),
        )),
        Section("education", _l("School, college or work"), (
            _feelings("education_feeling",
                      _l("How do you feel about school, college or work?"), in_person=True,
                      very_sad="Very sad about school, college or work"),
            _words("education_help", _l("What help would make school, college or work better?")),
        )),
        Section("health", _l("Health and feelings"), (
            _feelings("overall_feeling", _l("How do you feel most days?"), in_person=True,
                      very_sad="Very sad most days"),
            _yes_no("health_help", _l("Are you getting the help you need with your health?"),
                    hint=_l("This includes doctors, dentists, opticians and someone to talk to."),
                    in_person=True, concerns={"no": NO_HEALTH_HELP}),
        )),
        Section("identity", _l("Who you are"), (
            _yes_no("identity_respected",
                    _l("Are your culture, religion and language respected where you live?"),
                    in_person=True),
            _any_of("everyday", _l("Do you have what you need for everyday life?"), (
                Choice("phone", _l("A phone")),
                Choice("money", _l("Pocket money")),
                Choice("free_time", _l("Things to do in my free time")),
                Choice("clothes", _l("Clothes I like")),
            ), hint=_l("Choose the ones you have.")),
        )),
        Section("rights", _l("Your rights"), (
            _any_of("know_about", _l("Which of these do you know about?"), (
                Choice("advocate", _l("How to get an advocate")),
                Choice("independent_visitor", _l("Independent visitors")),
                Choice("complain", _l("How to complain")),
                Choice("contact_iro", _l("How to contact my IRO")),
            ), hint=_l("Choose all that you know about. Your IRO can explain the others.")),
            _yes_no("involved_in_decisions",
                    _l("Do you feel involved in decisions about your life?"), in_person=True),
        )),
        Section("pathway", _l("Getting ready for adult life"), (
            _yes_no("know_pathway_plan", _l("Do you know what your pathway plan says?"),
                    hint=_l("Your pathway plan is about your life after %(age)s: where you will "
                            "live, money, work or study, and who will help you.",
                            age=LazyString(format_number, LEAVING_CARE_AGE)),
                    condition=AgeAtLeast(PATHWAY_FROM_AGE), in_person=True),
            _feelings("independence_feeling",
                      _l("How do you feel about living on your own one day?"),
                      condition=AgeAtLeast(PATHWAY_FROM_AGE), in_person=True,
                      very_sad="Very sad about living on their own one day"),
            _any_of("independence_help", _l("What would you like help with?"), (
                Choice("cooking", _l("Cooking")),
                Choice("money", _l("Managing money")),
                Choice("housing", _l("Finding somewhere to live")),
                Choice("work", _l("Finding work or training")),
                Choice("forms", _l("Letters, forms and appointments")),
            ), hint=_l("Choose as many as you like."), condition=AgeAtLeast(PATHWAY_FROM_AGE)),
        )),
        Section("asylum", _l("Your asylum claim"), (
            _yes_no("asylum_help", _l("Are you getting the help you need with your asylum claim?"),
                    condition=Unaccompanied(), in_person=True, concerns={"no": NO_ASYLUM_HELP}),
            _yes_no("asylum_interpreter",
                    _l("Do you have an interpreter when you meet your solicitor or the Home "
                       "Office?"), condition=Unaccompanied(), in_person=True,
                    concerns={"no": NO_ASYLUM_INTERPRETER}),
            _yes_no("family_tracing", _l("Would you like help to find or contact your family?"),
                    hint=_l("This is called family tracing. The Red Cross can help, and it is "
                            "free."), condition=Unaccompanied(), in_person=True),
        )),
        Section("change", _l("What needs to change"), (
            _words("needs_to_change", _l("What is the most important thing that needs to "
                                         "change?")),
            _words("anything_else", _l("Is there anything else you want your review to know?")),
        )),
        _only_for_iro_section(),
    ),
)


FOSTER_CARER_V1 = Questionnaire(
    key="foster_carer",
    version=1,
    title=_l("Your views before the child's review"),
    intro=_l("Thank you for telling us how things are for the child you look after. The IRO "
             "and the child's social worker read this before the review. You can leave out any "
             "question and come back later."),
    sections=(
        Section("changes", _l("Since the last review"), (
            _words("changes", _l("What has changed for the child since the last review?")),
            _yes_no("decisions_done", _l("Have the actions agreed at the last review been done?")),
            _words("decisions_not_done", _l("Which actions have not been done, and why?"),
                   condition=AnswerIs("decisions_done", ("no", "not_sure"))),
        )),
        Section("health", _l("Health"), (
            _any_of("health_checks", _l("Which health checks are up to date?"), (
                Choice("health_assessment", _l("Health assessment")),
                Choice("dentist", _l("Dentist")),
                Choice("optician", _l("Optician")),
                Choice("immunisations", _l("Immunisations")),
            ), hint=_l("Choose all that are up to date.")),
            _words("health_notes", _l("Anything else about the child's health?")),
        )),
        Section("education", _l("Education"), (
            _one_of("attendance", _l("How is the child's attendance at school or college?"), (
                Choice("good", _l("Good")),
                Choice("some_concerns", _l("Some concerns")),
                Choice("poor", _l("Poor")),
                Choice("not_in_education", _l("Not in education"), NOT_IN_EDUCATION),
            )),
            _yes_no("pep_current", _l("Is the Personal Education Plan (PEP) up to date?")),
            _words("achievements", _l("What has the child achieved or enjoyed?")),
        )),
        Section("development", _l("Feelings and behaviour"), (
            _words("emotional", _l("How is the child doing emotionally and in their behaviour?")),
        )),
        Section("family", _l("Family time and identity"), (
            _words("family_time", _l("How is family time going, and how does it affect the "
                                     "child?")),
            _words("identity_needs", _l("How are the child's identity, culture, religion and "
                                        "language needs being met?")),
            _words("friends_activities", _l("What friendships and activities does the child "
                                            "have?")),
        )),
        Section("placement", _l("The placement"), (
            _words("independence_skills", _l("Which independence skills is the child learning?")),
            _yes_no("delegated_authority",
                    _l("Do you have the delegated authority you need for everyday decisions?")),
            _one_of("stability", _l("How stable is the placement?"), (
                Choice("stable", _l("Stable")),
                Choice("some_concerns", _l("Some concerns")),
                Choice("at_risk", _l("At risk of ending"), PLACEMENT_AT_RISK),
            )),
            _words("support_needed", _l("What support do you need?")),
            _words("child_views", _l("What do you understand the child's views to be?")),
        )),
        Section("confidential", _l("Not to be shared"), (
            _words("not_for_parents", _l("Is there anything that must not be shared with the "
                                         "child's parents?"),
                   hint=_l("The IRO will keep this out of what parents receive."),
                   not_to_be_shared=True),
        )),
        Section("meeting", _l("The meeting"), (
            _yes_no("attend_meeting", _l("Will you come to the review meeting?")),
        )),
    ),
)


PARENT_FAMILY_V1 = Questionnaire(
    key="parent_family",
    version=1,
    title=_l("Your views before the review"),
    intro=_l("You are invited to give your views before the review of a child in your family. "
             "The IRO and the child's social worker read this. You can leave out any question, "
             "and you can send your views even if you cannot come to the meeting."),
    sections=(
        Section("child", _l("How the child is doing"), (
            _one_of("child_doing", _l("How do you think things are going for the child?"), (
                Choice("well", _l("Well")),
                Choice("mixed", _l("Some things well, some not")),
                Choice("not_well", _l("Not well")),
                Choice("not_sure", _l("Not sure")),
            )),
            _words("child_doing_more", _l("Tell us more, if you want to.")),
        )),
        Section("plan", _l("Family time and the plan"), (
            _words("family_time_views", _l("What do you think about family time with the "
                                           "child?")),
            _yes_no("agree_plan", _l("Do you agree with the plan for the child?")),
            _words("disagreements", _l("What do you disagree with, and why?"),
                   condition=AnswerIs("agree_plan", ("no", "not_sure"))),
            _words("cultural_needs", _l("What should we know about the child's culture, "
                                        "religion or language?")),
        )),
        Section("you", _l("You"), (
            _yes_no("kept_informed", _l("Are you kept informed about the child?")),
            _words("support_needed", _l("What support would help you?")),
        )),
        Section("meeting", _l("The meeting"), (
            _yes_no("attend_meeting", _l("Will you come to the review meeting?")),
            _yes_no("need_interpreter", _l("Do you need an interpreter at the meeting?")),
            _words("interpreter_language", _l("Which language should the interpreter speak?"),
                   SHORT_LIMIT, condition=AnswerIs("need_interpreter", ("yes",))),
            _words("views", _l("What should the review know or talk about?")),
        )),
    ),
)


MAY_QUOTE = _yes_no(
    "may_quote", _l("Can we use what you wrote in our yearly report, without your name?"),
    hint=_l("We would only use your words, never your name. If you say no or leave this out, "
            "we will not use them."))

CHILD_FEEDBACK_V1 = Questionnaire(
    key="child_feedback",
    version=1,
    title=_l("How was your review?"),
    intro=_l("Your review meeting has happened. Tell us how it went, so that we can make "
             "reviews better. You can leave out any question."),
    sections=(
        Section("review", _l("Your review"), (
            _feelings("review_feeling", _l("How did you feel about your review?"), in_person=True,
                      very_sad="Very sad about their review"),
            _yes_no("listened_to", _l("Did you feel listened to?"), in_person=True),
            _yes_no("know_contact_iro", _l("Do you know how to contact your IRO?"), in_person=True),
            _words("review_good", _l("What was good about your review?")),
            _words("review_better", _l("What could make your review better?")),
        )),
        Section("sharing", _l("Sharing what you wrote"), (MAY_QUOTE,)),
    ),
)

PROFESSIONAL_FEEDBACK_V1 = Questionnaire(
    key="professional_feedback",
    version=1,
    title=_l("Feedback on the IRO service"),
    intro=_l("Tell us how the review and the IRO service worked for you. We use the answers to "
             "improve the service and in our yearly report. You can leave out any question."),
    sections=(
        Section("service", _l("The IRO service"), (
            _one_of("review_useful", _l("How useful was the review?"), (
                Choice("very", _l("Very useful")),
                Choice("quite", _l("Quite useful")),
                Choice("not_very", _l("Not very useful")),
                Choice("not_at_all", _l("Not useful at all")),
            )),
            _words("does_well", _l("What does the IRO service do well?")),
            _words("could_do_better", _l("What could the IRO service do better?")),
            _words("other_comments", _l("Any other comments about the IRO service?")),
        )),
        Section("sharing", _l("Sharing what you wrote"), (MAY_QUOTE,)),
    ),
)



# Issue 17: a short core, then more only if the child wants it. The core (at most 12
# questions) is what the review needs: the meeting, home, what needs to change and the word
# only for the IRO. It turns only on facts known before the first question, so the total
# shown on the start page never changes. The rest of the earlier forms are optional
# sections, offered from Check your answers. Questions are the earlier versions' own
# objects, so their keys (and anything attached to them) carry over unchanged.
CORE_LIMIT = 12


def _from(form: Questionnaire, *keys: str) -> tuple[Question, ...]:
    return tuple(form.question(key) for key in keys)


def _more(section: Section, key: str | None = None) -> Section:
    """An earlier section offered as "Tell me more": the same title and questions."""
    return Section(key or section.key, section.title, section.questions, optional=True)


def _sections(form: Questionnaire) -> dict[str, Section]:
    return {section.key: section for section in form.sections}


_UNDER_11 = _sections(CHILD_UNDER_11_V1)

CHILD_UNDER_11_V2 = Questionnaire(
    key="child_under_11",
    version=2,
    title=CHILD_UNDER_11_V1.title,
    intro=CHILD_UNDER_11_V1.intro,
    minutes=13,  # bench/journey_time.py, 3 Dec 2026: 12.9 min (English, slowest)
    sections=(
        Section("meeting", _UNDER_11["meeting"].title, _from(
            CHILD_UNDER_11_V1, "attend_meeting", "want_there", "not_want_there",
            "meeting_place", "want_advocate")),
        Section("home", _UNDER_11["home"].title, _from(
            CHILD_UNDER_11_V1, "home_feeling", "home_safe")),
        Section("you", _UNDER_11["you"].title, _from(CHILD_UNDER_11_V1, "overall_feeling")),
        Section("change", _l("What needs to change"), _from(YOUNG_PERSON_V2, "needs_to_change")),
        _UNDER_11["only_for_iro"],
        _UNDER_11["helper"],
        Section("meeting_more", _UNDER_11["meeting"].title,
                _from(CHILD_UNDER_11_V1, "tell_in_person"), optional=True),
        Section("home_more", _UNDER_11["home"].title,
                _from(CHILD_UNDER_11_V1, "own_room", "adults_notice"), optional=True),
        _more(_UNDER_11["school"]),
        _more(_UNDER_11["people"]),
        Section("anything", _UNDER_11["you"].title, _from(CHILD_UNDER_11_V1, "anything_else"),
                optional=True),
    ),
)

_YOUNG = _sections(YOUNG_PERSON_V2)

YOUNG_PERSON_V3 = Questionnaire(
    key="young_person",
    version=3,
    title=YOUNG_PERSON_V2.title,
    intro=YOUNG_PERSON_V2.intro,
    minutes=10,  # bench/journey_time.py, 3 Dec 2026: 9.8 min (English, slowest)
    sections=(
        Section("meeting", _YOUNG["meeting"].title, _from(
            YOUNG_PERSON_V2, "attend_meeting", "want_there", "not_want_there", "meeting_place",
            "want_advocate")),
        Section("home", _YOUNG["home"].title, _from(YOUNG_PERSON_V2, "home_feeling", "home_safe")),
        Section("health", _YOUNG["health"].title, _from(
            YOUNG_PERSON_V2, "overall_feeling", "health_help")),
        Section("asylum", _YOUNG["asylum"].title, _from(YOUNG_PERSON_V2, "asylum_help")),
        Section("change", _YOUNG["change"].title, _from(YOUNG_PERSON_V2, "needs_to_change")),
        _YOUNG["only_for_iro"],
        Section("meeting_more", _YOUNG["meeting"].title, _from(
            YOUNG_PERSON_V2, "co_chair", "meeting_time", "need_interpreter",
            "interpreter_language", "tell_in_person"), optional=True),
        _more(_YOUNG["since_last"]),
        _more(_YOUNG["plan"]),
        Section("home_more", _YOUNG["home"].title, _from(YOUNG_PERSON_V2, "settled"),
                optional=True),
        _more(_YOUNG["family"]),
        _more(_YOUNG["education"]),
        _more(_YOUNG["identity"]),
        _more(_YOUNG["rights"]),
        _more(_YOUNG["pathway"]),
        Section("asylum_more", _YOUNG["asylum"].title, _from(
            YOUNG_PERSON_V2, "asylum_interpreter", "family_tracing"), optional=True),
        Section("anything", _YOUNG["change"].title, _from(YOUNG_PERSON_V2, "anything_else"),
                optional=True),
    ),
)

# The first forms, kept so that answers given to them are still read with their own words.
YOUNG_PERSON_V1 = Questionnaire(
    key="young_person",
    version=1,
    title=_l("Have your say about your review"),
    intro=_l("Every question can be left out. You can tell your IRO in person instead."),
    sections=(Section("views", _l("Your views"), (
        _feelings("home_feeling", _l("How do you feel about where you live?"),
                  very_sad="Very sad about where they live"),
        _yes_no("attend_meeting", _l("Would you like to come to your review meeting?")),
        _words("talk_about", _l("What would you like to talk about at your review?"),
               hint=_l("Your IRO and your social worker will read this.")),
        _words("only_for_iro", _l("Is there anything you want only your IRO to know?"),
               hint=ONLY_FOR_IRO_HINT, only_for_iro=True),
    )),),
)

ADULT_V1 = Questionnaire(
    key="adult",
    version=1,
    title=_l("Your views before the review"),
    intro=_l("Every question can be left out. You can tell your IRO in person instead."),
    sections=(Section("views", _l("Your views"), (
        PARENT_FAMILY_V1.question("child_doing"),
        _yes_no("attend_meeting", _l("Will you come to the review meeting?")),
        _words("views", _l("What should the review know or talk about?"),
               hint=_l("The IRO and the child's social worker will read this.")),
    )),),
)

ALL = {(q.key, q.version): q for q in (
    YOUNG_PERSON_V1, ADULT_V1, CHILD_UNDER_11_V1, YOUNG_PERSON_V2, CHILD_UNDER_11_V2,
    YOUNG_PERSON_V3, FOSTER_CARER_V1, PARENT_FAMILY_V1, CHILD_FEEDBACK_V1,
    PROFESSIONAL_FEEDBACK_V1)}
CURRENT = {q.key: q for q in (
    CHILD_UNDER_11_V2, YOUNG_PERSON_V3, FOSTER_CARER_V1, PARENT_FAMILY_V1, CHILD_FEEDBACK_V1,
    PROFESSIONAL_FEEDBACK_V1)}


def choose(role: InviteeRole, purpose: InvitationPurpose, age_at_review: int | None
           ) -> Questionnaire:
    """The form a person gets: by why they were invited, who they are, and a child's age."""
    if purpose is InvitationPurpose.FEEDBACK:
        return CHILD_FEEDBACK_V1 if role is InviteeRole.CHILD else PROFESSIONAL_FEEDBACK_V1
    if role is InviteeRole.CHILD:
        young = age_at_review is None or age_at_review >= YOUNG_PERSON_FROM_AGE
        return YOUNG_PERSON_V3 if young else CHILD_UNDER_11_V2
    if role is InviteeRole.FOSTER_CARER:
        return FOSTER_CARER_V1
    return PARENT_FAMILY_V1


def facts_for(invitation: Invitation) -> Facts:
    """What we know about the child of this invitation's review, to choose the questions."""
    review = invitation.review
    child = review.child
    return Facts(age_at_review=child.age_on(review.meeting_date),
                 unaccompanied_asylum_seeking=child.unaccompanied_asylum_seeking)


def for_invitation(invitation: Invitation) -> Questionnaire:
    """The current form for this person, whether they answer online or on paper."""
    return choose(invitation.role, invitation.purpose, facts_for(invitation).age_at_review)


def version(key: str, number: int) -> Questionnaire | None:
    return ALL.get((key, number))


def concerns() -> dict[str, Concern]:
    """Every concern any version of any form can raise, by key."""
    found: dict[str, Concern] = {}
    for form in ALL.values():
        for question in form.questions:
            for concern in (choice.concern for choice in question.choices if choice.concern):
                if found.setdefault(concern.key, concern) != concern:
                    raise ValueError(f"two reasons for concern {concern.key!r}")
    return found


def free_text_keys() -> list[str]:
    """Every key under which someone may have written in their own words, in any form."""
    return sorted({q.key for form in ALL.values() for q in form.questions if q.is_free_text})
