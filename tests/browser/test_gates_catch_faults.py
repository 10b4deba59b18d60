"""Each gate proves it can fail: a test-only page with one planted fault is caught by it."""

from __future__ import annotations

import pytest

from tests.browser.gates import GateFailed
from tests.browser.journeys import keyboard_to_primary


def _visit(phone, live_server, path: str):
    page, gates = phone()
    gates.begin()
    page.goto(f"{live_server.url}/_planted/{path}")
    return page, gates


def test_the_clean_planted_page_passes_every_gate(phone, live_server):
    _page, gates = _visit(phone, live_server, "clean")
    gates.check("clean")
    assert gates.weights["clean"][1].total < 30 * 1024


@pytest.mark.parametrize(("path", "caught"), [
    ("image-without-alt", "image-alt"),
    ("heavy-html", "the HTML is"),
    ("heavy-image", "the page is"),
    ("other-origin", "requests to other origins"),
    ("inline-style", "console errors"),
    ("style-not-hashed", "console errors"),
])
def test_a_planted_fault_is_caught(phone, live_server, path, caught):
    _page, gates = _visit(phone, live_server, path)
    with pytest.raises(GateFailed, match=caught):
        gates.check(path)


def test_the_heavy_image_page_is_light_itself_and_heavy_in_all(phone, live_server):
    _page, gates = _visit(phone, live_server, "heavy-image")
    weight = gates.network.weight()
    assert weight.html < 14 * 1024 < 30 * 1024 < weight.total


def test_focus_that_cannot_be_seen_is_caught(phone, live_server):
    page, gates = _visit(phone, live_server, "no-visible-focus")
    with pytest.raises(GateFailed, match="no visible focus"):
        keyboard_to_primary(page, gates, "words")
