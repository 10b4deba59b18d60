"""Journeys through the app as people make them, one method per step.

Each step acts as a person would (opens a link, taps, types, presses Send) and then runs
every gate (tests/browser/gates.py) on the page it arrives at. Elements are found by
their ids and roles, never by their words, so one journey runs in every language. To cover
a new page, add a step here and call it from the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from consult import i18n
from tests.browser.gates import FOCUSED_STYLE, UNFOCUSED_STYLE, GateFailed, Gates, focus_is_visible

SEND = "main form[method=post] button[type=submit]"
QUESTIONNAIRE = "/your-say"
THANK_YOU = "/your-say/thank-you"


@dataclass
class Journey:
    page: object
    gates: Gates
    language: str = "en_GB"

    def arrive(self, step: str, action, *, path: str, public: bool = True) -> None:
        """Does `action`, then checks where it led and runs the gates there."""
        self.gates.begin()
        with self.page.expect_navigation(wait_until="load"):
            action()
        self.gates.check(step, public=public)
        arrived = urlsplit(self.page.url).path
        assert arrived == path, f"{step}: expected {path}, arrived at {arrived}"
        if public:
            self.assert_in_language(step)

    def assert_in_language(self, step: str) -> None:
        language = i18n.LANGUAGES[self.language]
        html = self.page.locator("html")
        assert html.get_attribute("lang") == language.html_lang, step
        assert html.get_attribute("dir") == language.direction, step

    def press_send(self) -> None:
        self.page.click(SEND)

    def h1(self) -> str:
        return self.page.inner_text("h1")


class ChildJourney(Journey):
    """A child or young person with their secret link."""

    # Waits for issue 3 (drafts): coming back restores what was answered before leaving.
    # Waits for issue 5 (requests): asking for an independent visitor from the consultation.

    def open_link(self, link: str) -> None:
        self.arrive("open the link", lambda: self.page.goto(link), path=QUESTIONNAIRE)

    def answer(self, words: str) -> None:
        self.page.check("#home_feeling-happy")
        self.page.check("#attend_meeting-yes")
        self.page.fill("#talk_about", words)
        assert self.page.is_checked("#home_feeling-happy")

    def send_too_much_then_shorten(self, words: str) -> None:
        """Bad input: the error is explained on the page, and nothing typed is lost."""
        too_long = "x" * 2001
        self.page.fill("#only_for_iro", too_long)
        self.arrive("send with an answer that is too long", self.press_send, path=QUESTIONNAIRE)
        assert self.page.locator(".error-summary a[href='#only_for_iro']").count() == 1
        assert self.page.input_value("#talk_about") == words
        assert self.page.input_value("#only_for_iro") == too_long
        assert self.page.is_checked("#home_feeling-happy")
        self.page.fill("#only_for_iro", "")

    def leave_and_come_back(self, link: str) -> None:
        self.page.goto("about:blank")
        self.arrive("come back by the link", lambda: self.page.goto(link), path=QUESTIONNAIRE)

    def send(self) -> None:
        self.arrive("send", self.press_send, path=THANK_YOU)
        assert self.page.locator(".panel h1").count() == 1

    def come_back_after_sending(self, link: str, words: str) -> None:
        """The link still opens, but shows none of what was sent: a shared phone is safe."""
        self.arrive("come back after sending", lambda: self.page.goto(link), path=QUESTIONNAIRE)
        assert self.page.locator("form[method=post]").count() == 0
        assert words not in self.page.content()


class AdultJourney(Journey):
    """A foster carer, parent or family member with their secret link."""

    def open_link(self, link: str) -> None:
        self.arrive("open the link", lambda: self.page.goto(link), path=QUESTIONNAIRE)

    def answer(self, words: str) -> None:
        self.page.check("#child_doing-well")
        self.page.check("#attend_meeting-not_sure")
        self.page.fill("#views", words)

    def send(self) -> None:
        self.arrive("send", self.press_send, path=THANK_YOU)


class IroJourney(Journey):
    """An IRO signs in and reads a child's views before the meeting."""

    # Waits for issue 8 (two-factor sign-in): the TOTP step after the password.
    # Waits for issue 6 (the pre-meeting view): today the review page holds the submissions.

    def sign_in(self, base_url: str, email: str, password: str) -> None:
        self.arrive("open sign-in", lambda: self.page.goto(f"{base_url}/staff/sign-in"),
                    path="/staff/sign-in", public=False)
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.arrive("sign in", self.press_send, path="/staff/", public=False)

    def open_review(self, child_name: str) -> None:
        link = self.page.get_by_role("link", name=child_name, exact=True)
        review_path = urlsplit(link.get_attribute("href")).path
        self.arrive("open the review", link.click, path=review_path, public=False)


def keyboard_to_send(page, gates: Gates, words: str, *, limit: int = 120) -> list[str]:
    """Tabs through the page to its Send button, answering on the way, as a keyboard user.

    Every element that takes focus must show it. Radio buttons are chosen with Space,
    text is typed. Returns what was focused, in order. Stops on Send and presses Enter.
    """
    visited: list[str] = []
    previous = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_STYLE)
        if focused is None:
            raise GateFailed(f"Tab left the page after {visited}")
        if previous is not None:
            _assert_focus_was_visible(page, *previous)
        handle = page.evaluate_handle("document.activeElement")
        previous = (focused, handle)
        visited.append(f"{focused['tag']}[{focused['type'] or focused['name']}]")
        if focused["type"] == "radio" and not page.evaluate(
                "(e) => !!document.querySelector(`input[name='${e.name}']:checked`)", handle):
            page.keyboard.press("Space")
        elif focused["tag"] == "textarea" and not page.evaluate("(e) => e.value", handle):
            page.keyboard.type(words)
        if focused["isSubmit"]:
            # Measure the button unfocused, then come back to it by keyboard.
            page.keyboard.press("Shift+Tab")
            _assert_focus_was_visible(page, *previous)
            page.keyboard.press("Tab")
            gates.begin()
            with page.expect_navigation(wait_until="load"):
                page.keyboard.press("Enter")
            return visited
    raise GateFailed(f"Send not reached in {limit} presses of Tab: {visited}")


def _assert_focus_was_visible(page, focused: dict, handle) -> None:
    if not focus_is_visible(focused, page.evaluate(UNFOCUSED_STYLE, handle)):
        raise GateFailed(f"no visible focus on {focused}")
