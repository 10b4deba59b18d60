"""The child's journey on a phone, in every shipped language, through every gate."""

from __future__ import annotations

import re

import pytest

from tests.browser.journeys import THANK_YOU, ChildJourney, keyboard_journey
from tests.browser.server import language_params, shipped_locales

# Under pytest-xdist the module stays on one worker: two of its tests write the same
# screenshot, and must not write it at once.
pytestmark = pytest.mark.xdist_group("test_child_journey")

# The journey must run in these at least; any other shipped language runs too.
REQUIRED = ("en_GB", "ar", "ti")
WORDS = "I would like to see my brother more often."


def _first_question(phone, live_server, screenshots, language: str):
    """A child opens their link and starts; their first question is photographed."""
    page, gates = phone(language)
    link = live_server.link(language=language)
    journey = ChildJourney(page, gates, language)
    journey.open_link(link)
    journey.total = journey.start()
    # For people to look at: the first question on a phone, in each language.
    page.screenshot(path=str(screenshots / f"first-question-{language}.png"))
    return journey, gates, link


@pytest.mark.parametrize("language", language_params(*REQUIRED))
def test_a_child_answers_leaves_comes_back_and_sends(phone, live_server, screenshots,
                                                     language):
    journey, gates, link = _first_question(phone, live_server, screenshots, language)
    journey.answer_questions(WORDS, how_many=2)
    journey.leave_and_come_back(link)
    journey.back_shows_the_last_answer()
    journey.write_too_much_then_shorten(WORDS)
    journey.answer_questions(WORDS)
    journey.check_answers(WORDS)
    # The start page's total is the number of questions on the way to Check your answers.
    assert len(set(journey.answered)) == journey.total <= 12
    more = journey.tell_me_more(WORDS)
    journey.send()
    journey.ask_for_an_independent_visitor("Someone to go to football with.")
    journey.come_back_after_sending(link, WORDS)

    assert gates.checked[:2] == ["open the link", "start"]
    assert more and gates.checked.count("tell me more") == 1
    assert {"come back by the link", "back", "write too much"} <= set(
        gates.checked)
    assert gates.checked[-4:] == ["send", "ask for help", "ask for an independent visitor",
                                  "come back after sending"]


@pytest.mark.parametrize("language", [code for code in shipped_locales() if code not in REQUIRED])
def test_every_kind_of_page_of_the_childs_journey_in_every_other_language(
        phone, live_server, screenshots, language):
    """The whole journey, page after page, runs in REQUIRED; in every other shipped language
    each kind of page passes the gates, so the run stays within its time."""
    journey, _gates, link = _first_question(phone, live_server, screenshots, language)
    journey.write_too_much_then_shorten(WORDS)
    journey.go_to_check_answers()
    kinds = journey.visit_one_page_of_each_kind("young_person")
    journey.send()
    journey.come_back_after_sending(link, WORDS)

    assert len(kinds) >= 5


def test_the_keyboard_alone_reaches_send_with_focus_always_visible(phone, live_server):
    page, gates = phone()
    ChildJourney(page, gates).open_link(live_server.link())

    pages = keyboard_journey(page, gates, WORDS, until=THANK_YOU)

    assert len(pages) > 3
    assert all(visited[0] == "a[]" for visited in pages), "each first Tab reaches the skip link"
    assert any("input[radio]" in visited for visited in pages)
    assert any("textarea[textarea]" in visited for visited in pages)


def test_without_javascript_a_younger_childs_whole_journey_completes(phone, live_server):
    page, gates = phone("en_GB", java_script_enabled=False)
    link = live_server.link(age=9)
    journey = ChildJourney(page, gates)

    journey.open_link(link)
    total = journey.start()
    journey.answer_questions(WORDS, how_many=2)
    journey.leave_and_come_back(link)
    journey.write_too_much_then_shorten(WORDS)
    journey.answer_questions(WORDS)
    journey.check_answers(WORDS)
    assert len(set(journey.answered)) == total
    journey.tell_me_more(WORDS)
    journey.send()

    assert sum(step.startswith("question ") for step in gates.checked) > total
    assert gates.checked[-1] == "send"


def test_static_files_reach_the_phone_compressed_with_hashed_names_and_kept_a_year(
        phone, live_server):
    page, gates = phone()
    journey = ChildJourney(page, gates)
    journey.open_link(live_server.link())
    transfers = list(gates.network.transfers.values())
    document = [t for t in transfers if t.resource_type == "Document"][-1]
    # The start page at the link has its stylesheet inline; the file is only prefetched.
    prefetched = [t for t in transfers if t.url.endswith(".css")]
    assert [t.resource_type for t in transfers if t.resource_type == "Stylesheet"] == []
    journey.start()
    stylesheets = [t for t in gates.network.transfers.values()
                   if t.resource_type == "Stylesheet"]

    assert document.headers["content-encoding"] in ("br", "gzip")
    assert document.headers["cache-control"] == "no-store"
    assert len(prefetched) == 1 and stylesheets
    for stylesheet in prefetched + stylesheets:
        assert re.search(r"/static/.+\.[0-9a-f]{12}\.css$", stylesheet.url), stylesheet.url
        assert stylesheet.headers["content-encoding"] in ("br", "gzip")
        assert stylesheet.headers["cache-control"] == "public, max-age=31536000, immutable"


EXIT = "https://www.bbc.co.uk/weather"


def _neutral_site(page) -> list[str]:
    """Stands in for the neutral site (the test has no internet): what was asked of it."""
    asked: list[str] = []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html",
                      body="<!DOCTYPE html><title>Weather</title><p>Sunny")
    page.route("https://www.bbc.co.uk/**", answer)
    return asked


def _other_origins(gates, app_url: str) -> list[str]:
    return [url for url in gates.network.every_url
            if not url.startswith(app_url) and not url.startswith("data:")]


def _leave(page, how: str) -> None:
    """Leave by "Exit this page": a tap on it, or Shift three times."""
    with page.expect_navigation(url=EXIT, wait_until="load"):
        if how == "tap":
            page.locator("a[data-exit-this-page]").tap()
        else:
            for _ in range(3):
                page.keyboard.press("Shift")


@pytest.mark.parametrize("how", ["tap", "shift three times"])
def test_exit_this_page_leaves_for_the_neutral_site_and_asks_nothing_else(
        phone, live_server, how):
    page, gates = phone()
    asked = _neutral_site(page)
    journey = ChildJourney(page, gates)
    journey.open_link(live_server.link())  # the gates: nothing asked of another origin
    journey.start()
    assert page.locator("a[data-exit-this-page]").get_attribute("href") == EXIT

    gates.begin()
    _leave(page, how)

    # Nothing is asked of the other site before leaving: the first request to it is the
    # browser going there (what the neutral page then loads, its icon, is its own).
    assert asked[0] == EXIT
    assert _other_origins(gates, live_server.url)[0] == EXIT
    assert [t.resource_type for t in gates.network.transfers.values()
            if t.url == EXIT] == ["Document"]
    assert page.title() == "Weather"


@pytest.mark.parametrize("how", ["tap", "shift three times"])
def test_leaving_from_the_link_page_tells_the_neutral_site_nothing_of_the_link(
        phone, live_server, how):
    """The start page is at the secret link itself: no Referer, no document.referrer."""
    page, gates = phone()
    referrers: list[str | None] = []

    def answer(route):
        referrers.append(route.request.all_headers().get("referer"))
        route.fulfill(status=200, content_type="text/html",
                      body="<!DOCTYPE html><title>Weather</title><p>Sunny")
    page.route("https://www.bbc.co.uk/**", answer)
    link = live_server.link()
    ChildJourney(page, gates).open_link(link)

    _leave(page, how)

    assert referrers and referrers == [None] * len(referrers)
    assert page.evaluate("document.referrer") == ""


def test_shift_twice_only_says_so_and_stays(phone, live_server):
    page, gates = phone()
    asked = _neutral_site(page)
    link = live_server.link()
    ChildJourney(page, gates).open_link(link)

    page.keyboard.press("Shift")
    page.keyboard.press("Shift")

    assert page.locator(".exit-this-page__status").inner_text() == (
        "Shift, press 1 more time to exit.")
    page.keyboard.press("a")
    page.keyboard.press("Shift")
    assert page.locator(".exit-this-page__status").inner_text() == (
        "Shift, press 2 more times to exit.")
    assert asked == [] and page.url == link  # still on the start page, at the link


def test_a_fresh_browser_is_told_words_were_written_but_not_shown_them(phone, live_server):
    link = live_server.link()
    page, gates = phone()
    child = ChildJourney(page, gates)
    child.open_link(link)
    child.start()
    child.write_words_then_check(WORDS)

    other_page, other_gates = phone()
    other = ChildJourney(other_page, other_gates)
    other.open_link(link, path=re.compile(r"/your-say/(questions/\w+|check)"))
    other.go_to_check_answers()  # through the gates: axe, weight, one origin
    assert WORDS not in other_page.content()
    row = other_page.locator("main .summary-list__row", has_text="You wrote something here")
    assert row.count() == 1
    other.arrive("change the earlier words", row.locator("a").click,
                 path=re.compile(r"/your-say/questions/\w+"))
    assert other_page.locator("main .written-before").count() == 1
    assert other_page.input_value("main textarea") == ""
    assert WORDS not in other_page.content()
    # Left empty, Next keeps them: the first browser still sees its own words.
    other.next("")
    child.go_to_check_answers()
    child.check_answers(WORDS)
