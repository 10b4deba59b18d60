"""A person going through their form with the test client, page by page, as a browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.html_checks import csrf_token

QUESTION_URL = re.compile(r"^/your-say/questions/([a-z0-9_]+)")
PROGRESS = re.compile(r"Question <bdi>(\d+)</bdi> of <bdi>(\d+)</bdi>")


@dataclass
class Page:
    url: str
    status: int
    html: str
    policy: str | None = None  # its Content-Security-Policy, which may allow a <style>

    @property
    def question_key(self) -> str | None:
        match = QUESTION_URL.match(self.url)
        return match.group(1) if match else None

    @property
    def progress(self) -> tuple[int, int]:
        number, total = PROGRESS.search(self.html).groups()
        return int(number), int(total)


@dataclass
class Respondent:
    client: object
    seen: list[str] = field(default_factory=list)
    token: str | None = None  # the session's CSRF token, as the last form carried it
    link: str | None = None  # the secret link's token, for opening it again elsewhere

    def open_link(self, token: str) -> Page:
        """A fresh link answers with the start page at its own address; a returning one
        redirects once to where they stopped."""
        return self.follow_from(f"/start/{token}", self.client.get(f"/start/{token}"))

    def follow(self, response) -> Page:
        url = None
        while response.status_code in (302, 303):
            url = response.headers["Location"]
            response = self.client.get(url)
        html = response.get_data(as_text=True)
        if 'name="csrf_token"' in html:
            self.token = csrf_token(html)
        return Page(url or "", response.status_code, html,
                    response.headers.get("Content-Security-Policy"))

    def get(self, url: str) -> Page:
        return self.follow_from(url, self.client.get(url))

    def follow_from(self, url: str, response) -> Page:
        page = self.follow(response)
        return page if page.url else Page(url, page.status, page.html, page.policy)

    def post(self, url: str, data: dict) -> Page:
        if self.token is None:
            self.get(url)
        return self.follow_from(url, self.client.post(url, data={"csrf_token": self.token, **data}))

    def answer(self, key: str, value=None, action: str = "next", change: bool = False) -> Page:
        data: dict = {"action": action}
        if value is not None:
            data[key] = value
        if change:
            data["change"] = "1"
        return self.post(f"/your-say/questions/{key}", data)

    def walk(self, answers: dict, start: Page) -> Page:
        """Answer every question shown, from `start` to Check your answers; skip the rest.

        Each answer's redirect names the next question, so the pages in between are not
        fetched: the other tests look at them.
        """
        url = start.url
        if url == "/your-say/start" or url.startswith("/start/"):
            url = re.search(r'href="(/your-say/questions/[a-z0-9_]+)"', start.html)[1]
        if self.token is None:
            self.get(url)
        while match := QUESTION_URL.match(url):
            key = match.group(1)
            self.seen.append(key)
            data = {"csrf_token": self.token, "action": "next" if key in answers else "skip"}
            if key in answers:
                data[key] = answers[key]
            response = self.client.post(f"/your-say/questions/{key}", data=data)
            assert response.status_code == 303, response.get_data(as_text=True)
            url = response.headers["Location"]
        return self.get(url)

    def press_send(self):
        """Send from the check-your-answers page; the raw response, redirect and all."""
        check = self.client.get("/your-say/check").get_data(as_text=True)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', check)[1]
        return self.client.post(
            "/your-say/send", data={"csrf_token": csrf_token(check), "idempotency_key": key})

    def send(self) -> Page:
        return self.follow_from("/your-say/send", self.press_send())
