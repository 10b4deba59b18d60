"""The first question runs in the language's direction: mirrored in right-to-left."""

from __future__ import annotations

import pytest

from consult import i18n
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
                   end: rtl ? right - r.left : r.right - left, left: r.left, right: r.right};
  }
  return found;
}"""

ELEMENTS = {
    "heading": "main h1",
    "first choice": ".choice:first-child .choice__input",
    "its label": ".choice:first-child .choice__label",
    "send": "main form button[type=submit]",
    "site name": ".site-header__name",
}


@pytest.mark.parametrize("language", language_params(*COMPARED))
def test_the_first_question_runs_in_the_languages_direction(phone, live_server, language):
    page, gates = phone(language)
    ChildJourney(page, gates, language).open_link(live_server.link(language=language))
    at = page.evaluate(POSITIONS, ELEMENTS)
    rtl = i18n.LANGUAGES[language].direction == "rtl"

    assert set(at) == set(ELEMENTS)
    # Heading, Send and the site's name all begin at the inline start: the right in RTL.
    for name in ("heading", "send"):
        assert abs(at[name]["start"]) <= 1, (name, at[name])
    assert abs(at["site name"]["start"]) <= 1
    # The radio button comes before its label in reading order: right of it in RTL.
    choice, label = at["first choice"], at["its label"]
    assert (choice["left"] > label["right"] - 1) if rtl else (choice["right"] < label["left"] + 1)
    # Send sits at the right edge in RTL and at the left in LTR.
    assert (at["send"]["right"] > 300) if rtl else (at["send"]["left"] < 60)
