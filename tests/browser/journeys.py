"""Journeys through the app as people make them, one method per step.

Each step acts as a person would (opens a link, taps, types, presses Send) and then runs
every gate (tests/browser/gates.py) on the page it arrives at. Elements are found by
their ids and roles, never by their words, so one journey runs in every language. To cover
a new page, add a step here and call it from the tests.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyotp

from consult import i18n
from consult.accounts.two_factor import DRIFT_STEPS, STEP_SECONDS
from consult.questionnaires import definitions
from tests.browser.gates import FOCUS_STEP, GateFailed, Gates, focus_is_visible

NEXT = "main form button[name=action][value=next]"
BACK = "main form button[name=action][value=back]"
SEND = "main form[action$='/your-say/send'] button[type=submit]"
# A fresh link answers with the start page itself, at the link's own address (issue 17).
START_PAGE = re.compile(r"/start/[A-Za-z0-9_-]+")
QUESTION = re.compile(r"/your-say/questions/\w+")
CHECK = "/your-say/check"
THANK_YOU = "/your-say/thank-you"
ALREADY_SENT = "/your-say"
QUESTION_OR_CHECK = re.compile(rf"{QUESTION.pattern}|{CHECK}")


@dataclass
class Journey:
    page: object
    gates: Gates
    language: str = "en_GB"
    answered: list[str] = field(default_factory=list)  # each question answered with Next
    total: int = 0  # how many questions the start page said there are

    def arrive(self, step: str, action, *, path: str | re.Pattern, public: bool = True) -> None:
        """Does `action`, then checks where it led and runs the gates there."""
        self.gates.begin()
        with self.page.expect_navigation(wait_until="load"):
            action()
        self.gates.check(step, public=public)
        arrived = urlsplit(self.page.url).path
        expected = path if isinstance(path, re.Pattern) else re.compile(re.escape(path))
        assert expected.fullmatch(arrived), f"{step}: expected {path}, arrived at {arrived}"
        if public:
            self.assert_in_language(step)

    def assert_in_language(self, step: str) -> None:
        language = i18n.LANGUAGES[self.language]
        # One round trip to the browser for both (each costs about 15 ms on a busy machine).
        lang, direction = self.page.evaluate(
            "() => [document.documentElement.getAttribute('lang'),"
            " document.documentElement.getAttribute('dir')]")
        assert (lang, direction) == (language.html_lang, language.direction), step

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def question_key(self) -> str | None:
        return self.path.rsplit("/", 1)[-1] if QUESTION.fullmatch(self.path) else None


class Consultation(Journey):
    """Anyone with a secret link: start, one question per page, check, send."""

    def open_link(self, link: str, *, path: str | re.Pattern = START_PAGE) -> None:
        self.arrive("open the link", lambda: self.page.goto(link), path=path)
        if path is START_PAGE:
            assert urlsplit(self.page.url).path == urlsplit(link).path
            # Painted from the page alone: the stylesheet is in it, the file only prefetched.
            assert self.page.locator("head > link[rel=stylesheet]").count() == 0
            assert self.page.locator("head > style").count() == 1

    def start(self) -> int:
        """Presses Start; returns how many questions the start page said there are."""
        said = self.page.inner_text("main .list li:first-child")
        self.arrive("start", lambda: self.page.click("main a.button"), path=QUESTION)
        return int(re.search(r"\d+", said)[0])

    def answer_here(self, words: str) -> None:
        """Answers the question on this page: words in a text box, else the first choice."""
        text = self.page.locator("main textarea, main input[type=text]")
        if text.count():
            text.first.fill(words)
        else:
            self.page.locator("main .choice__input").first.check()

    def next(self, words: str) -> None:
        key = self.question_key()
        self.answered.append(key)
        self.answer_here(words)
        self.arrive(f"question {key}", lambda: self.page.click(NEXT), path=QUESTION_OR_CHECK)

    def answer_questions(self, words: str, *, how_many: int | None = None) -> list[str]:
        """Answers question after question with Next, up to the check page or `how_many`."""
        answered = []
        while (key := self.question_key()) is not None and len(answered) != how_many:
            answered.append(key)
            self.next(words)
        return answered

    def tell_me_more(self, words: str) -> list[str]:
        """From Check your answers, opens the first "Tell me more about ..." section and
        answers it, back to Check your answers."""
        link = self.page.locator("main a.more-list__link").first
        self.arrive("tell me more", link.click, path=QUESTION)
        answered = self.answer_questions(words)
        assert self.path == CHECK, self.path
        return answered

    def write_too_much_then_shorten(self, words: str) -> None:
        """Bad input on the next page with a text box: the error is explained on the page,
        and nothing typed is lost."""
        while self.page.locator("main textarea").count() == 0:
            self.next(words)
        key = self.question_key()
        too_long = "x" * (int(self.page.get_attribute("main textarea", "maxlength") or 2000) + 1)
        self.page.fill("main textarea", too_long)
        self.arrive("write too much", lambda: self.page.click(NEXT), path=QUESTION)
        assert self.page.locator(f".error-summary a[href='#{key}']").count() == 1
        assert self.page.input_value("main textarea") == too_long
        self.next(words)

    def leave_and_come_back(self, link: str) -> None:
        """The draft is on the server: the link opens again where the person stopped."""
        stopped_at = self.path
        self.page.goto("about:blank")
        self.arrive("come back by the link", lambda: self.page.goto(link), path=stopped_at)

    def back_shows_the_last_answer(self) -> None:
        self.arrive("back", lambda: self.page.click(BACK), path=QUESTION)
        assert (self.page.locator("main .choice__input:checked").count()
                or self.page.input_value("main textarea, main input[type=text]"))

    def go_to_check_answers(self) -> None:
        """Straight to the check page, as by a bookmark: it lists every question with a
        Change link, whatever has been answered."""
        origin = self.page.url.split("/your-say", 1)[0]
        self.arrive("check answers", lambda: self.page.goto(origin + CHECK), path=CHECK)

    def visit_one_page_of_each_kind(self, questionnaire_key: str) -> list[str]:
        """From the check page, one Change link to a question of each kind of page (faces,
        yes / no, one or many choices, words, words only for the IRO, with "tell my IRO in
        person"), and back: every kind of question page passes the gates in this language."""
        questionnaire = definitions.CURRENT[questionnaire_key]
        seen, visited = set(), []
        hrefs = self.page.eval_on_selector_all(
            "main a[href*='/your-say/questions/']", "links => links.map(a => a.href)")
        for href in hrefs:
            key = urlsplit(href).path.rsplit("/", 1)[-1]
            question = questionnaire.question(key)
            shape = (question.kind, question.only_for_iro, question.in_person, bool(question.hint))
            if shape in seen:
                continue
            seen.add(shape)
            visited.append(key)
            self.arrive(f"change {key}", lambda href=href: self.page.goto(href), path=QUESTION)
        self.go_to_check_answers()
        return visited

    def choose_on(self, key: str, value: str, words: str) -> None:
        """Answers every question up to `key` (words, or the first choice), chooses `value`
        there, and goes on to the next page."""
        while self.question_key() != key:
            self.next(words)
        self.page.check(f"main input[name={key}][value={value}]")
        self.arrive(f"choose {value} on {key}", lambda: self.page.click(NEXT),
                    path=QUESTION_OR_CHECK)

    def write_words_then_check(self, words: str) -> None:
        """Answers up to the first question that asks for words, writes them, then goes to
        the check page."""
        while self.page.locator("main textarea").count() == 0:
            self.next(words)
        self.next(words)
        self.go_to_check_answers()

    def check_answers(self, words: str) -> None:
        assert self.path == CHECK, self.path
        assert words in self.page.inner_text("main")

    def send(self) -> None:
        self.arrive("send", lambda: self.page.click(SEND), path=THANK_YOU)

    def come_back_after_sending(self, link: str, words: str) -> None:
        """The link still opens, but shows none of what was sent: a shared phone is safe."""
        self.arrive("come back after sending", lambda: self.page.goto(link), path=ALREADY_SENT)
        assert self.page.locator("form[method=post]").count() == 0
        assert words not in self.page.content()


class ChildJourney(Consultation):
    """A child or young person with their secret link."""

    def ask_for_an_independent_visitor(self, message: str) -> None:
        """From the thank-you page: the request form, with the child's link behind it."""
        link = self.page.locator("main a[href$='/ask-for-help']").first
        self.arrive("ask for help", link.click, path="/ask-for-help")
        self.page.check("main input[name=kind][value=independent_visitor]")
        self.page.fill("#message", message)
        self.arrive("ask for an independent visitor",
                    lambda: self.page.click("main form button[type=submit]"),
                    path="/ask-for-help/sent")


    def send_an_urgent_message(self, message: str) -> None:
        """From any page's footer: help now, then the urgent message to their IRO."""
        link = self.page.locator("footer a[href$='/help-now']").first
        self.arrive("help now", link.click, path="/help-now")
        self.page.fill("#message", message)
        self.arrive("send an urgent message",
                    lambda: self.page.click("main form button[type=submit]"),
                    path="/ask-for-help/sent")


class AdultJourney(Consultation):
    """A foster carer, parent or family member with their secret link."""


# The last time step each authenticator signed in with in this run: the app refuses a
# code of a step already used (consult.accounts.two_factor), as it must, so two sign-ins
# of one account within 30 seconds need the next step's code, which the drift allows.
_LAST_STEP: dict[str, int] = {}


def fresh_code(authenticator_key: str) -> str:
    """A code of a step this account has not signed in with yet: the current one, or the
    next (within the allowed drift); after that, wait for time to catch up."""
    while True:
        current = int(time.time() // STEP_SECONDS)
        step = max(current, _LAST_STEP.get(authenticator_key, current - 1) + 1)
        if step <= current + DRIFT_STEPS:
            _LAST_STEP[authenticator_key] = step
            return pyotp.TOTP(authenticator_key).at(step * STEP_SECONDS)
        time.sleep(1)


class IroJourney(Journey):
    """An IRO signs in and reads a child's views before the meeting."""

    # Waits for issue 8 (two-factor sign-in): the TOTP step after the password.

    def sign_in(self, base_url: str, email: str, password: str, authenticator_key: str) -> None:
        self.arrive("open sign-in", lambda: self.page.goto(f"{base_url}/staff/sign-in"),
                    path="/staff/sign-in", public=False)
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.arrive("password", lambda: self.page.click("main form button[type=submit]"),
                    path="/staff/sign-in/code", public=False)
        self.page.fill("#code", fresh_code(authenticator_key))
        self.arrive("sign in", lambda: self.page.click("main form button[type=submit]"),
                    path="/staff/", public=False)

    def open_requests(self) -> None:
        """From the staff menu."""
        link = self.page.locator("nav[aria-label='Staff pages'] a[href$='/staff/requests']")
        self.arrive("open the requests", link.click, path="/staff/requests", public=False)

    def open_child(self, child_name: str) -> None:
        link = self.page.get_by_role("link", name=child_name, exact=True)
        self.arrive("open the child", link.click, path=re.compile(r"/staff/children/\d+"),
                    public=False)

    def open_review(self) -> None:
        link = self.page.locator("main a[href*='/staff/reviews/']").first
        self.arrive("open the review", link.click, path=re.compile(r"/staff/reviews/\d+"),
                    public=False)

    def type_in_a_paper_booklet(self, key: str, words: str) -> None:
        link = self.page.locator("main a[href$='/paper']").first
        self.arrive("open the paper booklet", link.click,
                    path=re.compile(r"/staff/invitations/\d+/paper"), public=False)
        self.page.fill(f"#{key}", words)
        self.arrive("save the booklet", lambda: self.page.click("main form button[type=submit]"),
                    path=re.compile(r"/staff/reviews/\d+"), public=False)

    def open_meeting_record(self) -> None:
        link = self.page.locator("main a[href$='/record']").first
        self.arrive("open the meeting record", link.click,
                    path=re.compile(r"/staff/reviews/\d+/record"), public=False)

    def post_refused(self, step: str, button) -> None:
        """A form answered 400 with its problems: the gates run on it as on any page."""
        self.gates.begin()
        with self.page.expect_navigation(wait_until="load") as navigation:
            button.click()
        assert navigation.value.status == 400, step
        assert self.gates.console_errors == [
            "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
        self.gates.console_errors.clear()
        self.gates.check(step, public=False)
        assert self.page.locator(".error-summary").is_visible()

    def open_caseload(self) -> None:
        link = self.page.locator("header nav a[href$='/staff/']").first
        self.arrive("open my children", link.click, path="/staff/", public=False)

    def acknowledge_without_saying_what_was_done(self) -> None:
        """The IRO is asked to say what they did: the review page again, with the problem."""
        step = "acknowledge without a note"
        panel = self.page.locator("main #concerns")
        self.gates.begin()
        with self.page.expect_navigation(wait_until="load") as navigation:
            panel.locator("form button[type=submit]").first.click()
        # A refused form is answered 400, which Chromium reports on the console as a failed
        # load: that one message is expected; every other gate runs as on any page.
        assert navigation.value.status == 400, step
        assert self.gates.console_errors == [
            "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
        self.gates.console_errors.clear()
        self.gates.check(step, public=False)
        assert re.fullmatch(r"/staff/concerns/\d+/acknowledge", self.path), self.path
        assert self.page.locator(".error-summary").is_visible()

    def acknowledge_concern(self, what_was_done: str) -> None:
        panel = self.page.locator("main #concerns")
        panel.locator("textarea").first.fill(what_was_done)
        self.arrive("acknowledge the concern",
                    lambda: panel.locator("form button[type=submit]").first.click(),
                    path=re.compile(r"/staff/reviews/\d+"), public=False)

    def open_private_copy(self) -> None:
        link = self.page.locator("main a[href$='/before-the-meeting/private']").first
        self.arrive("open the private copy", link.click,
                    path=re.compile(r"/staff/reviews/\d+/before-the-meeting/private"),
                    public=False)

    def open_pre_meeting_view(self) -> None:
        link = self.page.locator("main a[href$='/before-the-meeting']")
        self.arrive("open the pre-meeting view", link.click,
                    path=re.compile(r"/staff/reviews/\d+/before-the-meeting"), public=False)


def keyboard_to_primary(page, gates: Gates, words: str, *, limit: int = 150) -> list[str]:
    """Tabs through the page to its main button (Start, Next, Send), answering on the way,
    as a keyboard user does, then presses Enter and waits for the next page.

    Every element that takes focus must show it. Radio buttons and checkboxes are chosen
    with Space, text is typed. Returns what was focused, in order.
    """
    visited: list[str] = []
    previous = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        step = page.evaluate(FOCUS_STEP)
        if previous is not None and not focus_is_visible(previous, step["before"]):
            raise GateFailed(f"no visible focus on {previous}")
        focused = previous = step["focused"]
        if focused is None:
            raise GateFailed(f"Tab left the page after {visited}")
        visited.append(f"{focused['tag']}[{focused['type'] or focused['name']}]")
        if focused["type"] in ("radio", "checkbox") and focused["unanswered"]:
            page.keyboard.press("Space")
        elif focused["tag"] == "textarea" and focused["unanswered"]:
            page.keyboard.type(words)
        if focused["isPrimary"]:
            # Away and back by keyboard, to see the button without its focus.
            page.keyboard.press("Shift+Tab")
            if not focus_is_visible(focused, page.evaluate(FOCUS_STEP)["before"]):
                raise GateFailed(f"no visible focus on {focused}")
            page.keyboard.press("Tab")
            gates.begin()
            with page.expect_navigation(wait_until="load"):
                page.keyboard.press("Enter")
            return visited
    raise GateFailed(f"no main button reached in {limit} presses of Tab: {visited}")


def keyboard_journey(page, gates: Gates, words: str, *, until: str) -> list[list[str]]:
    """Page after page by keyboard alone, through every gate, until the path `until`."""
    pages: list[list[str]] = []
    while urlsplit(page.url).path != until:
        if len(pages) == 40:
            raise GateFailed(f"{until} not reached by keyboard in 40 pages")
        pages.append(keyboard_to_primary(page, gates, words))
        gates.check(f"page {len(pages)} by keyboard")
    return pages
