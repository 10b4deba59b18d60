"""The runner reads any questionnaire from a form, without a request or a database."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from consult.questionnaires import definitions, runner


@pytest.fixture(autouse=True)
def babel_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


YOUNG_PERSON = definitions.YOUNG_PERSON_V1


def test_every_question_may_be_left_out():
    read = runner.read_form(YOUNG_PERSON, MultiDict())
    assert read.valid and read.values == {}


def test_choices_and_words_are_read_and_cleaned():
    read = runner.read_form(YOUNG_PERSON, MultiDict({
        "home_feeling": " happy ", "talk_about": "  line one\r\nline two\u202e  "}))
    assert read.valid
    assert read.values == {"home_feeling": "happy", "talk_about": "line one\nline two"}


@pytest.mark.parametrize("raw, kept", [
    ("nul\x00byte", "nulbyte"),
    ("bell\x07", "bell"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("e\u0301", "\u00e9"),
    ("\u2067isolate\u2069", "isolate"),
    ("\ud800lone surrogate", "lone surrogate"),
])
def test_text_is_kept_without_invisible_controls(raw, kept):
    assert runner.clean_text(raw) == kept


def test_a_choice_that_is_not_offered_is_refused():
    read = runner.read_form(YOUNG_PERSON, MultiDict({"attend_meeting": "maybe"}))
    assert read.errors == {
        "attend_meeting": "Choose one of the answers, or leave this question out."}
    assert "attend_meeting" not in read.values


def test_too_long_text_is_refused_but_kept():
    text = "a" * 2001
    read = runner.read_form(YOUNG_PERSON, MultiDict({"talk_about": text}))
    assert read.values["talk_about"] == text
    assert read.errors["talk_about"] == (
        "Your answer must be 2,000 characters or fewer. It is 2,001 now.")


def test_answers_are_split_into_countable_choices_and_own_words():
    response = runner.build_response(YOUNG_PERSON, {
        "home_feeling": "okay", "talk_about": "football", "only_for_iro": "private"},
        language="ti")
    assert (response.questionnaire_key, response.questionnaire_version) == ("young_person", 1)
    assert [(a.question_key, a.value) for a in response.answers] == [("home_feeling", "okay")]
    assert [(f.question_key, f.text, f.only_for_iro) for f in response.free_texts] == [
        ("talk_about", "football", False), ("only_for_iro", "private", True)]


def test_question_keys_are_unique_and_versions_are_registered():
    for questionnaire in definitions.CURRENT.values():
        keys = [question.key for question in questionnaire.questions]
        assert len(keys) == len(set(keys))
        assert definitions.version(questionnaire.key, questionnaire.version) is questionnaire
