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
    Facts,
    QuestionKind,
    Unaccompanied,
)

YOUNG = definitions.YOUNG_PERSON_V2
FIFTEEN = Facts(age_at_review=15)


def _asked(questionnaire, facts, values=None) -> list[str]:
    return [q.key for q in runner.applicable(questionnaire, facts, values or {})]


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
    values = {"need_interpreter": "no", "interpreter_language": "Dari", "home_feeling": ""}
    assert runner.kept_values(YOUNG, FIFTEEN, values) == {"need_interpreter": "no"}


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


def test_answers_are_split_into_countable_choices_and_own_words():
    response = runner.build_response(YOUNG, {
        "home_feeling": "okay", "want_there": ["mum", "dad"], "went_well": "football",
        "only_for_iro": "private", "co_chair": "not_a_choice"}, asked=["home_feeling"],
        language="ti")
    assert (response.questionnaire_key, response.questionnaire_version) == ("young_person", 2)
    assert [(a.question_key, a.value) for a in response.answers] == [
        ("want_there", "mum"), ("want_there", "dad"), ("home_feeling", "okay")]
    assert [(f.question_key, f.text, f.only_for_iro) for f in response.free_texts] == [
        ("went_well", "football", False), ("only_for_iro", "private", True)]


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
