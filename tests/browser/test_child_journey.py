"""The child's journey on a phone, in every shipped language, through every gate."""

from __future__ import annotations

import re

import pytest

from tests.browser.journeys import THANK_YOU, ChildJourney, keyboard_to_send
from tests.browser.server import language_params, shipped_locales

# The journey must run in these at least; any other shipped language runs too.
REQUIRED = ("en_GB", "ar", "ti")
WORDS = "I would like to see my brother more often."


@pytest.mark.parametrize("language", language_params(*REQUIRED, *shipped_locales()))
def test_a_child_answers_leaves_comes_back_and_sends(phone, live_server, screenshots,
                                                     language):
    page, gates = phone(language)
    link = live_server.link(language=language)
    journey = ChildJourney(page, gates, language)

    journey.open_link(link)
    # For people to look at: the first question on a phone, in each language.
    page.screenshot(path=str(screenshots / f"first-question-{language}.png"))
    journey.answer(WORDS)
    journey.send_too_much_then_shorten(WORDS)
    journey.leave_and_come_back(link)
    journey.answer(WORDS)
    journey.send()
    journey.come_back_after_sending(link, WORDS)

    assert gates.checked == [
        "open the link", "send with an answer that is too long", "come back by the link",
        "send", "come back after sending"]


@pytest.mark.parametrize("language", language_params("en_GB", "ar"))
def test_the_keyboard_alone_reaches_send_with_focus_always_visible(phone, live_server, language):
    page, gates = phone(language)
    link = live_server.link(language=language)
    ChildJourney(page, gates, language).open_link(link)

    visited = keyboard_to_send(page, gates, WORDS)
    gates.check("sent by keyboard")

    assert page.url.endswith(THANK_YOU)
    assert visited[0] == "a[]", "the first Tab reaches the skip link"
    assert any(step.startswith("input[radio]") for step in visited)
    assert "textarea[textarea]" in visited


def test_without_javascript_the_journey_completes(phone, live_server):
    page, gates = phone("en_GB", java_script_enabled=False)
    link = live_server.link()
    journey = ChildJourney(page, gates)

    journey.open_link(link)
    journey.answer(WORDS)
    journey.send_too_much_then_shorten(WORDS)
    journey.send()

    assert gates.checked == ["open the link", "send with an answer that is too long", "send"]


def test_static_files_reach_the_phone_compressed_with_hashed_names_and_kept_a_year(
        phone, live_server):
    page, gates = phone()
    ChildJourney(page, gates).open_link(live_server.link())

    transfers = list(gates.network.transfers.values())
    document = [t for t in transfers if t.resource_type == "Document"][-1]
    stylesheets = [t for t in transfers if t.resource_type == "Stylesheet"]

    assert document.headers["content-encoding"] in ("br", "gzip")
    assert document.headers["cache-control"] == "no-store"
    assert stylesheets
    for stylesheet in stylesheets:
        assert re.search(r"/static/.+\.[0-9a-f]{12}\.css$", stylesheet.url), stylesheet.url
        assert stylesheet.headers["content-encoding"] in ("br", "gzip")
        assert stylesheet.headers["cache-control"] == "public, max-age=31536000, immutable"
