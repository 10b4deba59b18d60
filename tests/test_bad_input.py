"""The bad-input corpus against every form and query string the URL map reaches.

For each kind of visitor (each staff role, someone not signed in, a child with their
link), on SQLite and PostgreSQL: every GET route of the URL map that the visitor can open
is fetched, and every form on those pages (a child's every question, a set-up link's and a
half-finished sign-in's pages included) is filled with plausible values and then posted
once per field and corpus entry: NUL, a lone surrogate, bidi overrides, CR/LF, other
control characters, Arabic-Indic and full-width digits, huge and negative numbers, dates
in year 1 and 9999, and 100,000 emoji. Every GET route also gets each entry in every query
parameter the code reads, and each GET form its fields one at a time. POST routes that no
page holds a form for get the entries under every field name seen.

Nothing may answer with a 5xx, and wherever a child's or a member of the public's words
are not taken (an error, a limit), what they typed comes back on the page, cleaned (the
staff side's sign-in, a person half signed in, is held to no 5xx only: a one-time code is
not shown back).
Query strings never carry the 100,000 emoji: a 1.2 MB URL is refused by any server (and
by gunicorn at 4 KB) before it reaches the app.
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote_plus, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from consult import drafts, invitations
from consult.accounts import accounts
from consult.config import PROJECT_ROOT
from consult.extensions import db
from consult.inputs import clean_text
from consult.models import StaffRole
from consult.rights.forms import HONEYPOT
from tests import factories
from tests.html_checks import PageProblem, parse
from tests.test_policy import ANONYMOUS, CHILD, EVERYONE, _browser, _data_set, _requests

EMOJI = "\U0001F600" * 100_000
CORPUS = {
    "nul": "before\x00after",
    "surrogate": "before\ud800after",
    "bidi": "right\u202eleft \u2066isolate\u2069",
    "crlf": "line one\r\nX-Injected: yes",
    "control": "bell\x07escape\x1b[31m",
    "arabic_digits": "\u0661\u0662\u0663\u0664\u0665\u0666",
    "fullwidth_digits": "\uff11\uff12\uff13",
    "huge_number": "9223372036854775807",
    "huger_number": "9" * 40,
    "negative": "-1",
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31",
    "emoji": EMOJI,
}
# A date field gets these; a choice (select, radio, checkbox) these.
DATE_ENTRIES = ("year_1", "year_9999", "nul", "arabic_digits", "crlf")
CHOICE_ENTRIES = ("nul", "huge_number", "crlf", "arabic_digits")
TEXT_KINDS = {"text", "textarea", "email", "search", "tel", "url", "password", "number"}
SHOWN_BACK = {"text", "textarea", "email", "search", "tel", "url"}
PUBLIC_VISITORS = {ANONYMOUS, CHILD}
# Forms whose success changes what the others find go last, the session-ending ones after.
LAST = ("/meeting", "/cancel", "/close", "/paper", "/send", "/erase", "/account/password",
        "/sign-in")


@dataclass
class Field:
    name: str
    kind: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field]

    def plausible(self) -> dict[str, object]:
        """What a person filling the form in sensibly would send."""
        data: dict[str, object] = {}
        for each in self.fields:
            if each.kind == "radio":
                if each.checked or each.name not in data:
                    data[each.name] = each.value
            elif each.kind == "checkbox":
                if each.checked:
                    data.setdefault(each.name, []).append(each.value)  # type: ignore[union-attr]
            elif each.kind == "select":
                data[each.name] = each.value or next((o for o in each.options if o), "")
            elif each.kind == "hidden":
                data[each.name] = each.value
            elif each.kind == "file":
                data[each.name] = "name,date\nPlausible,2024-01-15\n"
            elif each.kind == "date":
                data[each.name] = each.value or "2024-01-15"
            elif each.kind == "email":
                data[each.name] = "corpus@example.com"
            elif each.kind == "password":
                data[each.name] = "not the password at all"
            elif each.kind == "number":
                data[each.name] = each.value or "1"
            elif each.kind == "button":
                data.setdefault(each.name, each.value)
            else:
                data[each.name] = each.value or ("14:30" if "time" in each.name
                                                 else "Plausible words")
        return data

    def variants(self):
        """(field, corpus entry, data): each field in turn given each entry that fits it."""
        names = {each.name: each for each in self.fields if each.kind != "button"}
        for name, each in names.items():
            if each.kind in TEXT_KINDS or each.kind == "file":
                entries = CORPUS
            elif each.kind == "date":
                entries = DATE_ENTRIES
            elif each.kind in ("select", "radio", "checkbox"):
                entries = CHOICE_ENTRIES
            else:
                continue  # hidden: the CSRF token and idempotency keys
            for entry in entries:
                data = self.plausible()
                data[name] = CORPUS[entry]
                yield each, entry, data


def _forms(html: str, page_url: str) -> list[Form]:
    found = []
    for element in parse(html).iter("form"):
        fields = []
        for control in element.iter():
            name = control.get("name")
            if not name:
                continue
            if control.tag == "input":
                kind = (control.get("type") or "text").lower()
                if kind in ("submit", "image", "reset"):
                    continue
                fields.append(Field(name, kind, control.get("value") or "",
                                    checked=control.get("checked") is not None))
            elif control.tag == "textarea":
                fields.append(Field(name, "textarea", "".join(control.itertext())))
            elif control.tag == "select":
                options = [option.get("value", "".join(option.itertext()))
                           for option in control.iter("option")]
                selected = next((option.get("value", "") for option in control.iter("option")
                                 if option.get("selected") is not None), "")
                fields.append(Field(name, "select", selected, options))
            elif control.tag == "button":
                fields.append(Field(name, "button", control.get("value") or ""))
        action = element.get("action") or page_url
        found.append(Form((element.get("method") or "get").lower(), action, fields))
    return found


@cache  # the code does not change during the run: parsed once, not once per visitor
def _query_names() -> frozenset[str]:
    """Every query parameter the code reads: request.args.get("...") and the like."""
    names = {"next", "lang", "page"}
    for path in (PROJECT_ROOT / "consult").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "getlist")
                    and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr in ("args", "values")
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                names.add(node.args[0].value)
    return frozenset(names)


@cache  # the same few values are sent thousands of times, the 100,000 emoji among them
def _quoted(value: str | bytes, safe: str = "", encoding: str | None = None,
            errors: str | None = None) -> str:
    return quote_plus(value, safe, encoding, errors)


def _body(data: dict[str, object]) -> str:
    pairs = [(name, item) for name, value in data.items()
             for item in (value if isinstance(value, list) else [value])]
    # surrogatepass: a lone surrogate sent as a browser could, as bytes that are not UTF-8.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass", quote_via=_quoted)


@cache  # a corpus entry (100,000 emoji among them) is read the same every time
def _as_received(value: str) -> str:
    """The value as the app reads it from a form: Werkzeug keeps bytes that are not UTF-8
    (the lone surrogate's) as their %-escapes."""
    environ = EnvironBuilder(method="POST", data=_body({"field": value}),
                             content_type="application/x-www-form-urlencoded").get_environ()
    return Request(environ).form["field"]


class Run:
    """One visitor's browser, and what went wrong for them."""

    def __init__(self, app: Flask, browser: FlaskClient, visitor: str):
        self.app, self.browser, self.visitor = app, browser, visitor
        self.problems: list[str] = []
        self.requests = 0

    def _open(self, heavy: bool, method: str, url: str, **kwargs):
        """Pages of megabytes are not put through html5lib: they are read for the words."""
        self.requests += 1
        self.browser.check_pages = not heavy
        try:
            return self.browser.open(url, method=method, **kwargs)
        except PageProblem as problem:
            body = kwargs.get("data")
            raise PageProblem(f"{self.visitor}: {method} {url} "
                              f"{str(body)[:200] if body else ''}: {problem}") from None
        finally:
            self.browser.check_pages = True

    def get(self, url: str, *, heavy: bool = False):
        response = self._open(heavy, "GET", url)
        self._check(response, "GET", url)
        return response

    def post(self, form: Form, data: dict[str, object], label: str, *, heavy: bool = False):
        files = {name: value for name, value in data.items()
                 if any(f.name == name and f.kind == "file" for f in form.fields)}
        if files:
            payload = {name: value for name, value in data.items() if name not in files}
            for name, content in files.items():
                payload[name] = (io.BytesIO(str(content).encode("utf-8", "surrogatepass")),
                                 "corpus.csv")
            for name, value in list(payload.items()):
                if isinstance(value, str):
                    payload[name] = value.encode("utf-8", "surrogatepass").decode(
                        "utf-8", "replace")
            response = self._open(heavy, "POST", form.action, data=payload,
                                  content_type="multipart/form-data")
        else:
            response = self._open(heavy, "POST", form.action, data=_body(data),
                                  content_type="application/x-www-form-urlencoded")
        self._check(response, "POST", f"{form.action} {label}")
        return response

    def _check(self, response, method: str, what: str) -> None:
        if response.status_code >= 500:
            self.problems.append(f"{self.visitor}: {method} {what} -> {response.status_code}")


def _given_back(run: Run, response, form: Form, each: Field, entry: str) -> None:
    """A public visitor's words not taken come back on the page, as we keep them."""
    if (run.visitor not in PUBLIC_VISITORS or each.kind not in SHOWN_BACK
            or each.name == HONEYPOT or urlsplit(form.action).path.startswith("/staff/")
            or 300 <= response.status_code < 400 or response.mimetype != "text/html"):
        return
    expected = clean_text(_as_received(CORPUS[entry]), multiline=each.kind == "textarea")
    if expected and expected not in response.get_data(as_text=True):
        run.problems.append(f"{run.visitor}: {form.action} {each.name}={entry} "
                            f"({response.status_code}) did not give the words back")


def _extra_pages(app: Flask, visitor: str, data: dict, browser: FlaskClient) -> list[str]:
    """Pages the URL map reaches only with a key or a half-finished journey."""
    if visitor == CHILD:
        invitation = invitations.find_by_token(data["child_token"])
        questionnaire = drafts.questionnaire_for(invitation, None)
        return [f"/your-say/questions/{question.key}" for question in questionnaire.questions]
    if visitor == ANONYMOUS:
        # A staff member's set-up link, opened in this browser: the set-password page.
        newcomer = factories.staff(StaffRole.IRO, name="Newcomer")
        token = accounts.issue_setup_link(newcomer, 72)
        db.session.commit()
        browser.get(f"/staff/set-password/{token}")
        return ["/staff/set-password"]
    return []


def _pending_sign_in(run: Run) -> list[str]:
    """A person past the password step: the code page, where codes are typed."""
    person = factories.staff(StaffRole.SOCIAL_WORKER, name="Halfway")
    db.session.commit()
    page = run.get("/staff/sign-in")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      page.get_data(as_text=True))[1]
    run.browser.post("/staff/sign-in", data={"csrf_token": token, "email": person.email,
                                              "password": factories.PASSWORD})
    return ["/staff/sign-in/code"]


def _order(form: Form) -> int:
    path = urlsplit(form.action).path
    return next((position + 1 for position, ending in enumerate(LAST) if ending in path), 0)


@pytest.mark.parametrize("visitor", sorted(EVERYONE))
def test_the_bad_input_corpus_never_makes_a_5xx_and_public_words_come_back(app, visitor):
    data = _data_set(app)
    browser = _browser(app, visitor, data)
    run = Run(app, browser, visitor)
    pages = [url for endpoint, method, url in _requests(app, data["values"])
             if method == "GET" and endpoint not in ("static", "participation.open_link",
                                                     "staff.open_setup_link")]
    pages += _extra_pages(app, visitor, data, browser)
    if visitor == ANONYMOUS:
        pages += _pending_sign_in(run)

    opened, forms = [], []
    for url in pages:
        response = run.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            opened.append(url)
            forms += _forms(response.get_data(as_text=True), url)
    assert opened, visitor

    # Query strings: every parameter the code reads, on every page this visitor opens.
    names = sorted(_query_names())
    for url in opened:
        for entry, value in CORPUS.items():
            if entry != "emoji":
                run.get(f"{url}?{_body({name: value for name in names})}")
    for form in (f for f in forms if f.method == "get"):
        for _each, entry, values in form.variants():
            if entry != "emoji":
                run.get(f"{form.action}?{_body(values)}")

    # Forms: each field in turn, each entry that fits it, the rest filled in sensibly.
    posted = set()
    seen_names = {each.name for form in forms for each in form.fields}
    for form in sorted((f for f in forms if f.method == "post"), key=_order):
        if not any(each.kind not in ("hidden", "button") for each in form.fields):
            continue  # a button alone (sign out, revoke): nothing to type
        posted.add(urlsplit(form.action).path)
        for each, entry, values in form.variants():
            response = run.post(form, values, f"{each.name}={entry}", heavy=entry == "emoji")
            _given_back(run, response, form, each, entry)

    # POST routes no page held a form for (the background save): every field name seen.
    token = next((each.value for form in forms for each in form.fields
                  if each.name == "csrf_token"), "")
    for endpoint, method, url in _requests(app, data["values"]):
        if method != "POST" or url in posted or endpoint in ("staff.sign_out",):
            continue
        bare = Form("post", url, [Field(name, "text") for name in seen_names])
        for entry, value in CORPUS.items():
            if entry == "emoji":
                continue  # 100,000 emoji in each of every field name: past the size limit
            values = {name: value for name in seen_names if name != "csrf_token"}
            values["csrf_token"] = token
            run.post(bare, values, f"*={entry}")

    assert run.problems == [], "\n".join(run.problems)
    assert run.requests > 100, run.requests
