"""Saving a response: the rows it is made of and the keys that know a second send."""

from __future__ import annotations

from consult import submissions
from consult.questionnaires import definitions


def test_answers_are_split_into_countable_choices_and_own_words():
    response = submissions.build_response(definitions.YOUNG_PERSON_V2, {
        "home_feeling": "okay", "want_there": ["mum", "dad"], "went_well": "football",
        "only_for_iro": "private", "co_chair": "not_a_choice"}, asked=["home_feeling"],
        language="ti")
    assert (response.questionnaire_key, response.questionnaire_version) == ("young_person", 2)
    assert [(a.question_key, a.value) for a in response.answers] == [
        ("want_there", "mum"), ("want_there", "dad"), ("home_feeling", "okay")]
    assert [(f.question_key, f.text, f.only_for_iro) for f in response.free_texts] == [
        ("went_well", "football", False), ("only_for_iro", "private", True)]


def test_a_posted_idempotency_key_is_kept_only_when_well_formed():
    made = submissions.new_idempotency_key()
    assert submissions.usable_idempotency_key(made) == made
    for posted in (None, "", "short", "x" * 65, "a" * 20 + "<script>"):
        replaced = submissions.usable_idempotency_key(posted)
        assert replaced != posted and submissions.usable_idempotency_key(replaced) == replaced
