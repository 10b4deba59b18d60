"""The first question runs in the language's direction: mirrored in right-to-left."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from consult import i18n
from consult.questionnaires import definitions
from consult.questionnaires.model import QuestionKind
from tests.browser.journeys import ChildJourney
from tests.browser.server import language_params

# Left-to-right, right-to-left, and a script of its own (Ethiopic).
COMPARED = ("en_GB", "ar", "ti", "fa_AF")

# Where each element sits along the reading direction, measured from the inline start:
# the distance from the left edge of main's content in LTR, from its right edge in RTL.
POSITIONS = """(selectors) => {
  const main = document.querySelector('main');
  const style = getComputedStyle(main);
  const box = main.getBoundingClientRect();
  const left = box.left + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.paddingRight);
  const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
  const found = {};
  for (const [name, selector] of Object.entries(selectors)) {
    const element = document.querySelector(selector);
    if (!element) continue;
    const r = element.getBoundingClientRect();
    found[name] = {start: rtl ? right - r.right : r.left - left,
                   end: rtl ? right - r.left : r.right - left, left: r.left, right: r.right,
                   top: r.top, bottom: r.bottom};
  }
  return found;
}"""

ELEMENTS = {
    "progress": "main .progress",
    "heading": "main h1",
    "first choice": ".choice:first-child .choice__input",
    "its label": ".choice:first-child .choice__label",
    "next": "main button[value=next]",
    "back": "main button[value=back]",
    "site name": ".site-header__name",
}


@pytest.mark.parametrize("language", language_params(*COMPARED))
def test_the_first_question_runs_in_the_languages_direction(phone, live_server, language):
    page, gates = phone(language)
    journey = ChildJourney(page, gates, language)
    journey.open_link(live_server.link(language=language))
    journey.start()
    at = page.evaluate(POSITIONS, ELEMENTS)
    rtl = i18n.LANGUAGES[language].direction == "rtl"

    assert set(at) == set(ELEMENTS)
    # Progress, heading, Next and the site's name begin at the inline start: right in RTL.
    for name in ("progress", "heading", "next", "site name"):
        assert abs(at[name]["start"]) <= 1, (name, at[name])
    # Reading order runs from the inline start: radio button before its label, Next before
    # Back (on a later line, when the buttons wrap on a narrow phone)...
    for first, then in (("first choice", "its label"), ("next", "back")):
        assert _reads_before(at[first], at[then]), (first, then, at)
    # ...so that on the screen, on one line, they run right to left in RTL.
    for first, then in (("first choice", "its label"), ("next", "back")):
        if not _same_line(at[first], at[then]):
            continue
        if rtl:
            assert at[first]["left"] >= at[then]["right"] - 1, (first, then, at)
        else:
            assert at[first]["right"] <= at[then]["left"] + 1, (first, then, at)


def _same_line(first: dict, then: dict) -> bool:
    return first["top"] < then["bottom"] and then["top"] < first["bottom"]


def _reads_before(first: dict, then: dict) -> bool:
    if _same_line(first, then):
        return first["end"] <= then["start"] + 1
    return first["bottom"] <= then["top"] + 1


def _first_faces_question() -> str:
    questionnaire = definitions.CURRENT["young_person"]
    return next(question.key for section in questionnaire.sections
                for question in section.questions if question.kind is QuestionKind.FEELINGS)


@pytest.mark.parametrize("language", language_params(*COMPARED))
def test_the_scale_of_faces_runs_from_the_inline_start(phone, live_server, language):
    page, gates = phone(language)
    journey = ChildJourney(page, gates, language)
    journey.open_link(live_server.link(language=language))
    faces = f"{live_server.url}/your-say/questions/{_first_faces_question()}"
    journey.arrive("a scale of faces", lambda: page.goto(faces), path=urlsplit(faces).path)
    at = page.evaluate(POSITIONS, {"very happy": ".choices--faces .choice:first-child",
                                   "very sad": ".choices--faces .choice:last-child"})
    rtl = i18n.LANGUAGES[language].direction == "rtl"

    assert abs(at["very happy"]["start"]) <= 1
    assert _reads_before(at["very happy"], at["very sad"])
    if _same_line(at["very happy"], at["very sad"]):
        # In a row, the scale runs right to left in RTL.
        assert (at["very happy"]["left"] > at["very sad"]["left"]) is rtl
