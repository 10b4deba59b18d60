"""A response laid out for reading, without a request or a database."""

from __future__ import annotations

from datetime import UTC, datetime

from consult.models import Answer, FreeTextAnswer, Invitation, Response
from consult.questionnaires import definitions, reading
from consult.submissions import build_response

SENT_AT = datetime(2026, 5, 4, 16, 30, tzinfo=UTC)


def _sent(answers, asked):
    return build_response(definitions.YOUNG_PERSON_V2, answers, asked=asked, language="ar",
                          invitation=Invitation(sent_at=SENT_AT))


def test_sections_hold_the_asked_questions_with_their_answers():
    response = _sent({"attend_meeting": "in_person", "want_there": ["mum", "dad"],
                      "went_well": "words"},
                     ["attend_meeting", "want_there", "meeting_place", "went_well"])

    prepared = reading.prepare_submission(response, include_only_for_iro=True)

    assert prepared.language == "ar" and prepared.version == 2
    # When it was sent is the invitation's, the one time every reader uses.
    assert prepared.sent_at == SENT_AT
    assert [s.title for s in prepared.sections] == ["Your meeting", "Since your last review"]
    meeting = prepared.sections[0].answers
    assert [(a.question, a.chosen, a.answered) for a in meeting] == [
        ("Would you like to come to your review meeting?",
         ("I'd rather tell my IRO in person",), True),
        ("Who would you like to be at your meeting?", ("My mum", "My dad"), True),
        ("Where would you like your meeting to be?", (), False)]
    assert prepared.sections[1].answers[0].words == "words"


def test_only_for_iro_text_is_left_out_unless_the_reader_may_see_it():
    response = _sent({"only_for_iro": "private"}, ["only_for_iro"])

    hidden = reading.prepare_submission(response, include_only_for_iro=False)
    shown = reading.prepare_submission(response, include_only_for_iro=True)

    assert hidden.sections == ()
    assert shown.sections[0].answers[0].only_for_iro
    assert shown.sections[0].answers[0].words == "private"


def test_a_response_from_before_asked_was_recorded_shows_what_was_certainly_asked():
    response = Response(
        questionnaire_key="young_person", questionnaire_version=1, language="en_GB", asked=None,
        invitation=Invitation(sent_at=SENT_AT),
        answers=[Answer(question_key="attend_meeting", value="no")],
        free_texts=[FreeTextAnswer(question_key="talk_about", text="my brother")])

    prepared = reading.prepare_submission(response, include_only_for_iro=True)

    rows = [(a.key, a.answered) for s in prepared.sections for a in s.answers]
    assert rows == [("home_feeling", False), ("attend_meeting", True), ("talk_about", True),
                    ("only_for_iro", False)]


def test_a_face_chosen_is_kept_for_showing_beside_its_words():
    """As sent (every answer in a list) and as drafted (one value)."""
    response = _sent({"home_feeling": "sad", "home_safe": "yes"}, ["home_feeling", "home_safe"])

    prepared = reading.prepare_submission(response, include_only_for_iro=True)
    drafted = reading.lay_out(definitions.YOUNG_PERSON_V3, ["home_feeling", "home_safe"],
                              {"home_feeling": "very_sad", "home_safe": "no"},
                              include_only_for_iro=True)

    assert [(a.key, a.face) for a in prepared.answers] == [
        ("home_feeling", "sad"), ("home_safe", None)]
    assert [(a.key, a.face) for s in drafted for a in s.answers] == [
        ("home_feeling", "very_sad"), ("home_safe", None)]
