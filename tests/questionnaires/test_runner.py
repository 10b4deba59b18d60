"""The runner walks and reads any questionnaire, without a request or a database."""

from __future__ import annotations

import pytest
from flask_babel import LazyString
from werkzeug.datastructures import MultiDict

from consult.models import InvitationPurpose, InviteeRole
from consult.questionnaires import definitions, runner
from consult.questionnaires.model import (
    IN_PERSON,
    AgeAtLeast,
    AnswerIs,
    AnswerIsNot,
    Choice,
    Facts,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
    Unaccompanied,
)

YOUNG = definitions.YOUNG_PERSON_V2
FIFTEEN = Facts(age_at_review=15)


def _asked(questionnaire, facts, answers=None) -> list[str]:
    return [q.key for q in runner.applicable(questionnaire, facts, answers or {})]


@pytest.mark.parametrize("role, purpose, age, form", [
    (InviteeRole.CHILD, InvitationPurpose.VIEWS, 4, "child_under_11"),
    (InviteeRole.CHILD, InvitationPurpose.VIEWS, 10, "child_under_11"),
    (InviteeRole.CHILD, InvitationPurpose.VIEWS, 11, "young_person"),
    (InviteeRole.CHILD, InvitationPurpose.VIEWS, 17, "young_person"),
    (InviteeRole.FOSTER_CARER, InvitationPurpose.VIEWS, 9, "foster_carer"),
    (InviteeRole.PARENT, InvitationPurpose.VIEWS, 9, "parent_family"),
    (InviteeRole.FAMILY_MEMBER, InvitationPurpose.VIEWS, 15, "parent_family"),
    (InviteeRole.CHILD, InvitationPurpose.FEEDBACK, 8, "child_feedback"),
    (InviteeRole.SOCIAL_WORKER, InvitationPurpose.FEEDBACK, 15, "professional_feedback"),
    (InviteeRole.FOSTER_CARER, InvitationPurpose.FEEDBACK, 15, "professional_feedback"),
])
def test_the_form_follows_role_purpose_and_age_at_the_review(role, purpose, age, form):
    assert definitions.choose(role, purpose, age).key == form


def test_conditions_on_facts_and_on_earlier_answers():
    assert AgeAtLeast(16).holds(Facts(age_at_review=16), {})
    assert not AgeAtLeast(16).holds(Facts(age_at_review=15), {})
    assert not AgeAtLeast(16).holds(Facts(), {})
    assert Unaccompanied().holds(Facts(unaccompanied_asylum_seeking=True), {})
    assert not Unaccompanied().holds(FIFTEEN, {})
    assert AnswerIs("a", ("yes",)).holds(FIFTEEN, {"a": "yes"})
    assert AnswerIs("a", ("mum",)).holds(FIFTEEN, {"a": ["dad", "mum"]})
    assert not AnswerIs("a", ("yes",)).holds(FIFTEEN, {})
    assert AnswerIsNot("a", ("no",)).holds(FIFTEEN, {})
    assert not AnswerIsNot("a", ("no",)).holds(FIFTEEN, {"a": "no"})


def test_pathway_and_asylum_questions_are_asked_only_when_they_apply():
    pathway = {"know_pathway_plan", "independence_feeling", "independence_help"}
    asylum = {"asylum_help", "asylum_interpreter", "family_tracing"}
    assert not (pathway | asylum) & set(_asked(YOUNG, FIFTEEN))
    assert pathway <= set(_asked(YOUNG, Facts(age_at_review=16)))
    uasc = set(_asked(YOUNG, Facts(age_at_review=15, unaccompanied_asylum_seeking=True)))
    assert asylum <= uasc and not pathway & uasc


def test_progress_counts_only_the_questions_that_apply():
    before = runner.place_of(YOUNG, FIFTEEN, {}, "need_interpreter")
    after = runner.place_of(YOUNG, FIFTEEN, {"need_interpreter": "yes"}, "need_interpreter")
    assert after.total == before.total + 1
    assert after.next_key == "interpreter_language"
    assert before.next_key == "tell_in_person"
    first = runner.place_of(YOUNG, FIFTEEN, {}, "attend_meeting")
    assert (first.number, first.previous_key) == (1, None)
    last = runner.place_of(YOUNG, FIFTEEN, {}, "only_for_iro")
    assert (last.number, last.next_key) == (last.total, None)
    assert runner.place_of(YOUNG, FIFTEEN, {}, "interpreter_language") is None


def test_an_answer_made_moot_by_a_change_of_mind_is_not_kept():
    answers = {"need_interpreter": "no", "interpreter_language": "Dari", "home_feeling": ""}
    kept = runner.kept_answers(YOUNG, FIFTEEN, answers)
    assert kept.answers == {"need_interpreter": "no"}
    assert kept.asked == _asked(YOUNG, FIFTEEN, {"need_interpreter": "no"})
    assert "interpreter_language" not in kept.asked


def _chain(*, optional_tail: bool = False) -> Questionnaire:
    """Three questions, each asked only after a yes to the one before; the third alone in an
    optional section when `optional_tail`."""
    def yes_no(key, condition=None):
        return Question(key, QuestionKind.YES_NO_NOT_SURE, "?", choices=(
            Choice("yes", "Yes"), Choice("no", "No")), condition=condition)
    first, second = yes_no("first"), yes_no("second", AnswerIs("first", ("yes",)))
    third = yes_no("third", AnswerIs("second", ("yes",)))
    if optional_tail:
        return Questionnaire("chain", 1, "Chain", "", (Section("core", "Core", (first, second)),
                             Section("more", "More", (third,), optional=True)))
    return Questionnaire("chain", 1, "Chain", "", (Section("all", "All", (first, second, third)),))


def test_an_answer_that_hung_on_a_moot_one_is_not_kept_either():
    # "first" changed to no: "second" is moot, and so is "third", which followed from it.
    kept = runner.kept_answers(_chain(), FIFTEEN, {"first": "no", "second": "yes", "third": "yes"})
    assert (kept.answers, kept.asked) == ({"first": "no"}, ["first"])
    kept = runner.kept_answers(_chain(), FIFTEEN, {"first": "yes", "second": "yes"})
    assert (kept.answers, kept.asked) == ({"first": "yes", "second": "yes"},
                                          ["first", "second", "third"])


def test_an_optional_section_is_asked_only_when_something_in_it_was_kept():
    form = _chain(optional_tail=True)
    assert runner.kept_answers(form, FIFTEEN, {"first": "yes", "second": "yes"}).asked == [
        "first", "second"]
    kept = runner.kept_answers(form, FIFTEEN, {"first": "yes", "second": "yes", "third": "no"})
    assert kept.asked == ["first", "second", "third"] and kept.answers["third"] == "no"
    moot = runner.kept_answers(form, FIFTEEN, {"first": "yes", "second": "no", "third": "no"})
    assert (moot.answers, moot.asked) == ({"first": "yes", "second": "no"}, ["first", "second"])


@pytest.mark.parametrize("form", [*definitions.ALL.values()], ids=lambda q: f"{q.key}-v{q.version}")
def test_kept_answers_agree_with_the_walk_and_keep_themselves(form):
    for choice in (0, -1):
        every_answer = {q.key: (q.choices[choice].value if q.choices else "words")
                        for q in form.questions}
        for facts in (FIFTEEN, Facts(age_at_review=17, unaccompanied_asylum_seeking=True)):
            kept = runner.kept_answers(form, facts, every_answer)
            assert kept.answers and set(kept.answers) <= set(kept.asked)
            assert runner.kept_answers(form, facts, kept.answers) == kept
            assert kept.asked == [q.key for q in runner.applicable(form, facts, kept.answers)]


# Next, back, skip and resume ------------------------------------------------------------

MIDDLE = runner.Place("b", 2, 3, previous_key="a", next_key="c")
FIRST = runner.Place("a", 1, 3, previous_key=None, next_key="b")
LAST = runner.Place("c", 3, 3, previous_key="b", next_key=None)
FIRST_MORE = runner.Place("x", 1, 2, previous_key=None, next_key="y", optional=True)
Q, CHECK, START = runner.Page.QUESTION, runner.Page.CHECK, runner.Page.START


@pytest.mark.parametrize("place, action, changing, expected", [
    (MIDDLE, runner.Action.NEXT, False, runner.Step(Q, "c", resume_at="c")),
    (MIDDLE, runner.Action.SKIP, False, runner.Step(Q, "c", resume_at="c")),
    (LAST, runner.Action.NEXT, False, runner.Step(CHECK)),
    (LAST, runner.Action.SKIP, False, runner.Step(CHECK)),
    (MIDDLE, runner.Action.BACK, False, runner.Step(Q, "a", resume_at="a")),
    # Back from the first question: the start page, or for an optional section the page
    # that offered it; opening the link again comes back to this question.
    (FIRST, runner.Action.BACK, False, runner.Step(START, resume_at="a")),
    (FIRST_MORE, runner.Action.BACK, False, runner.Step(CHECK, resume_at="x")),
    (FIRST_MORE, runner.Action.NEXT, False, runner.Step(Q, "y", resume_at="y")),
    # Changing one answer from Check your answers goes back there, whichever button.
    (MIDDLE, runner.Action.NEXT, True, runner.Step(CHECK)),
    (MIDDLE, runner.Action.BACK, True, runner.Step(CHECK)),
    (FIRST, runner.Action.SKIP, True, runner.Step(CHECK)),
])
def test_step_decides_next_back_and_skip(place, action, changing, expected):
    assert runner.step(place, action, changing=changing) == expected


def test_step_resumes_where_the_person_stopped():
    assert runner.step(None, runner.Action.RESUME, started=False) == runner.Step(START)
    assert runner.step(MIDDLE, runner.Action.RESUME) == runner.Step(Q, "b", resume_at="b")
    # Stopped at Check your answers, or at a question no longer asked.
    assert runner.step(None, runner.Action.RESUME) == runner.Step(CHECK)


def test_a_walk_from_first_to_last_by_step_visits_every_core_question_once():
    form, facts = definitions.YOUNG_PERSON_V3, FIFTEEN
    key, seen = runner.first_key(form, facts), []
    while key is not None:
        seen.append(key)
        to = runner.step(runner.place_of(form, facts, {}, key), runner.Action.NEXT)
        key = to.key
    assert to == runner.Step(CHECK)
    assert seen == [q.key for q in runner.core(form, facts, {})]


def test_choices_and_words_are_read_and_cleaned():
    question = YOUNG.question("went_well")
    assert runner.read_answer(question, MultiDict({"went_well": "  a\r\nb\u202e "})).value == "a\nb"
    feeling = YOUNG.question("home_feeling")
    assert runner.read_answer(feeling, MultiDict({"home_feeling": " happy "})).value == "happy"
    assert runner.read_answer(feeling, MultiDict()).value == ""


def test_multiple_choice_keeps_the_offered_order_and_refuses_unknown_values():
    question = YOUNG.question("want_there")
    read = runner.read_answer(question, MultiDict([("want_there", "mum"),
                                                   ("want_there", "social_worker")]))
    assert read.value == ["social_worker", "mum"] and read.error is None
    refused = runner.read_answer(question, MultiDict({"want_there": "the_queen"}))
    assert refused.error == "Choose one of the answers, or leave this question out."


def test_i_would_rather_tell_in_person_is_an_answer_of_its_own():
    feeling = YOUNG.question("home_feeling")
    assert runner.read_answer(feeling, MultiDict({"home_feeling": IN_PERSON})).value == IN_PERSON
    carer = definitions.FOSTER_CARER_V1.question("decisions_done")
    assert runner.read_answer(carer, MultiDict({"decisions_done": IN_PERSON})).error


def test_too_long_text_is_refused_but_kept():
    text = "a" * 2001
    read = runner.read_answer(YOUNG.question("went_well"), MultiDict({"went_well": text}))
    assert read.value == text
    assert read.error == "Your answer must be 2,000 characters or fewer. It is 2,001 now."


@pytest.mark.parametrize("questionnaire", definitions.ALL.values(),
                         ids=lambda q: f"{q.key}-v{q.version}")
def test_every_questionnaire_is_well_formed_and_translatable(questionnaire):
    keys = [question.key for question in questionnaire.questions]
    assert len(keys) == len(set(keys))
    assert definitions.version(questionnaire.key, questionnaire.version) is questionnaire
    assert isinstance(questionnaire.title, LazyString)
    for section in questionnaire.sections:
        assert isinstance(section.title, LazyString)
    for question in questionnaire.questions:
        assert isinstance(question.text, LazyString)
        assert question.hint is None or isinstance(question.hint, LazyString)
        assert all(isinstance(choice.label, LazyString) for choice in question.choices)
        assert (question.max_length > 0) is question.is_free_text
        assert bool(question.choices) is not question.is_free_text
        if question.kind is QuestionKind.FEELINGS:
            assert [c.value for c in question.choices] == [
                "very_happy", "happy", "okay", "sad", "very_sad"]
        if isinstance(question.condition, AnswerIs | AnswerIsNot):
            assert keys.index(question.condition.key) < keys.index(question.key)


def test_children_and_young_people_get_their_meeting_wishes_and_a_private_word():
    young = set(_asked(YOUNG, FIFTEEN, {"need_interpreter": "yes"}))
    assert {"attend_meeting", "co_chair", "want_there", "not_want_there", "meeting_place",
            "meeting_time", "want_advocate", "need_interpreter", "interpreter_language",
            "tell_in_person", "only_for_iro"} <= young
    under_11 = _asked(definitions.CHILD_UNDER_11_V1, Facts(age_at_review=8))
    assert "only_for_iro" in under_11 and under_11[-1] == "helped_by"
    assert definitions.YOUNG_PERSON_V2.question("only_for_iro").only_for_iro


def test_feedback_forms_ask_for_consent_to_quote():
    for form in (definitions.CHILD_FEEDBACK_V1, definitions.PROFESSIONAL_FEEDBACK_V1):
        consent = form.question("may_quote")
        assert str(consent.text) == (
            "Can we use what you wrote in our yearly report, without your name?")
        assert "yes" in consent.allowed_values


CORE_FORMS = (definitions.CHILD_UNDER_11_V2, definitions.YOUNG_PERSON_V3)
EVERY_CHILD = (Facts(age_at_review=5), Facts(age_at_review=10), Facts(age_at_review=11),
               Facts(age_at_review=15), Facts(age_at_review=16),
               Facts(age_at_review=17, unaccompanied_asylum_seeking=True),
               Facts(age_at_review=12, unaccompanied_asylum_seeking=True))


@pytest.mark.parametrize("form", CORE_FORMS, ids=lambda q: f"{q.key}-v{q.version}")
def test_the_core_is_short_decided_by_facts_and_holds_what_the_review_needs(form):
    for section in form.core_sections:
        for question in section.questions:
            assert question.condition is None or not question.condition.on_answers, question.key
    for facts in EVERY_CHILD:
        core = [q.key for q in runner.core(form, facts, {})]
        assert len(core) <= definitions.CORE_LIMIT, (facts, core)
        # Meeting wishes, home (feeling safe first of all), what needs to change, and the
        # word only for the IRO.
        assert {"attend_meeting", "want_there", "not_want_there", "home_feeling",
                "home_safe", "needs_to_change", "only_for_iro"} <= set(core)
        # Nothing answered can change the walk.
        every_answer = {q.key: (q.choices[-1].value if q.choices else "words")
                        for q in form.questions}
        assert [q.key for q in runner.core(form, facts, every_answer)] == core


@pytest.mark.parametrize("form", CORE_FORMS, ids=lambda q: f"{q.key}-v{q.version}")
def test_the_rest_of_the_earlier_form_is_offered_with_the_same_keys(form):
    earlier = definitions.version(form.key, form.version - 1)
    assert {q.key for q in form.questions} == {q.key for q in earlier.questions} | {
        "needs_to_change"}
    for question in form.questions:
        # The very same questions, so anything attached to them carries over.
        earlier_one = earlier.question(question.key) or definitions.YOUNG_PERSON_V2.question(
            question.key)
        assert question is earlier_one


def test_an_optional_section_counts_on_its_own_and_is_asked_once_opened():
    form = definitions.YOUNG_PERSON_V3
    assert "co_chair" not in _asked(form, FIFTEEN)
    assert "co_chair" in _asked(form, FIFTEEN, {"meeting_time": "holidays"})
    place = runner.place_of(form, FIFTEEN, {}, "co_chair")
    assert (place.number, place.total, place.previous_key, place.optional) == (1, 4, None, True)
    last = runner.place_of(form, FIFTEEN, {}, "tell_in_person")
    assert last.next_key is None
    core_last = runner.place_of(form, FIFTEEN, {}, "only_for_iro")
    assert (core_last.number, core_last.total, core_last.next_key) == (11, 11, None)
    offered = [s.key for s in runner.offered_sections(form, FIFTEEN)]
    assert "pathway" not in offered and "asylum_more" not in offered
    assert "pathway" in [s.key for s in runner.offered_sections(form, Facts(age_at_review=16))]
