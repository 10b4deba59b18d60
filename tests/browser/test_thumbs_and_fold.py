"""Made for thumbs on a 360×740 phone (issue 17), in every shipped language, for every
question with choices of the children's current forms:

- every choice is a full-width row at least 44×44 CSS pixels, all of it tappable;
- a single-choice question shows its heading, all its choices and Next without scrolling.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from consult.questionnaires import definitions
from consult.questionnaires.model import AnswerIs, Question
from tests.browser.server import language_params, shipped_locales

TAP = 44  # CSS pixels: WCAG 2.5.5 and the platforms' guidance

MEASURE = """() => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, width: r.width, height: r.height};
  };
  const main = document.querySelector('main');
  const style = getComputedStyle(main);
  const content = main.getBoundingClientRect().width
    - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {
    viewport: window.innerHeight, scrolled: window.scrollY, content: content,
    heading: box(document.querySelector('main h1')),
    next: box(document.querySelector('main button[name=action][value=next]')),
    rows: [...document.querySelectorAll('main .choice')].map(box),
    labels: [...document.querySelectorAll('main .choice__label')].map(box),
  };
}"""

CHILD_FORMS = ((definitions.CURRENT["child_under_11"], {"age": 8}),
               (definitions.CURRENT["young_person"], {"age": 16, "uasc": True}))


def _with_choices(question: Question) -> bool:
    return not question.is_free_text


def _open_question(page, base_url: str, question: Question) -> bool:
    """Goes to the question's page, first giving the answer it follows from, if any."""
    condition = question.condition
    if isinstance(condition, AnswerIs):
        page.goto(f"{base_url}/your-say/questions/{condition.key}")
        page.check(f"main .choice__input[value={condition.answers[0]}]")
        with page.expect_navigation():
            page.click("main button[name=action][value=next]")
    else:
        page.goto(f"{base_url}/your-say/questions/{question.key}")
    return urlsplit(page.url).path == f"/your-say/questions/{question.key}"


@pytest.mark.parametrize("language", language_params(*shipped_locales()))
def test_every_choice_is_a_thumb_sized_row_and_single_choices_fit_the_screen(
        phone, live_server, language):
    page, _no_gates = phone(language, gated=False)  # measured, not gated
    problems, measured = [], 0
    for form, child in CHILD_FORMS:
        page.goto(live_server.link(language=language, **child))
        for question in filter(_with_choices, form.questions):
            assert _open_question(page, live_server.url, question), question.key
            at = page.evaluate(MEASURE)
            measured += 1
            where = f"{form.key} {question.key}"
            for row, label in zip(at["rows"], at["labels"], strict=True):
                if row["width"] < at["content"] - 1 or row["height"] < TAP:
                    problems.append(f"{where}: a choice is {row['width']:.0f}×"
                                    f"{row['height']:.0f}, not a full-width row of {TAP}+")
                if label["height"] < TAP - 4 or label["width"] < at["content"] * 0.75:
                    problems.append(f"{where}: a choice's tappable label is "
                                    f"{label['width']:.0f}×{label['height']:.0f}")
            if question.is_multiple:
                continue
            assert at["scrolled"] == 0
            lowest = max([at["heading"]["bottom"], at["next"]["bottom"]]
                         + [row["bottom"] for row in at["rows"]])
            if lowest > at["viewport"]:
                problems.append(f"{where}: Next or a choice ends at {lowest:.0f} px, below "
                                f"the fold at {at['viewport']}")
    assert measured > 30
    assert not problems, "\n".join(problems)
