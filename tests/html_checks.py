"""Checks every HTML page the tests fetch, in the spirit of GOV.UK Notify's test client.

A page fails if it does not parse as HTML5 without errors, lacks `lang` or `dir` on
<html>, has other than one <h1>, has a <title> that does not start with the <h1> (after
an "Error: " prefix), has a POST form without a CSRF token, repeats an id, carries
inline script or style that the Content-Security-Policy would block (a <style> element
passes only when the sha256 hash of its exact text is in the response's own policy), or is
a public page that says "IRO" with no explanation of it on the page.
"""

from __future__ import annotations

import base64
import gettext
import hashlib
import re
from collections import Counter
from functools import cache
from xml.etree.ElementTree import Element

import html5lib

from consult.config import PROJECT_ROOT


class PageProblem(AssertionError):
    pass


def text_of(element: Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def parse(html: str) -> Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        return parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        line, column = parser.errors[-1][0] if parser.errors else ("?", "?")
        raise PageProblem(f"not valid HTML5 at line {line}, column {column}: {error}") from None


def style_hash(text: str) -> str:
    """The CSP source that allows a <style> element with exactly this text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def style_sources(policy: str | None) -> list[str]:
    """The sources of a Content-Security-Policy's style-src directive."""
    for directive in (policy or "").split(";"):
        name, *sources = directive.split() or [""]
        if name == "style-src":
            return sources
    return []


def check_page(html: str, policy: str | None = None) -> Element:
    """`policy`: the response's Content-Security-Policy, which may allow a <style> by hash."""
    if not html.lstrip().lower().startswith("<!doctype html>"):
        raise PageProblem("page does not start with <!DOCTYPE html>")
    root = parse(html)
    problems = []
    if not root.get("lang"):
        problems.append("<html> has no lang")
    if root.get("dir") not in ("ltr", "rtl"):
        problems.append("<html> has no dir of ltr or rtl")

    headings = root.findall(".//h1")
    if len(headings) != 1:
        problems.append(f"expected exactly one <h1>, found {len(headings)}")
    title = root.find(".//title")
    if title is None or not text_of(title):
        problems.append("no <title>")
    elif len(headings) == 1:
        title_text = text_of(title).removeprefix(_error_prefix(root.get("lang")))
        if not title_text.startswith(text_of(headings[0])):
            problems.append(
                f"<title> {text_of(title)!r} does not start with <h1> {text_of(headings[0])!r}")

    for form in root.iter("form"):
        if (form.get("method") or "get").lower() == "post":
            tokens = [field for field in form.iter("input") if field.get("name") == "csrf_token"]
            if len(tokens) != 1 or not tokens[0].get("value"):
                problems.append(f"POST form to {form.get('action')!r} has no CSRF token")

    ids = Counter(element.get("id") for element in root.iter() if element.get("id"))
    duplicates = sorted(name for name, count in ids.items() if count > 1)
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")

    allowed_styles = style_sources(policy)
    if "'unsafe-inline'" in allowed_styles:
        problems.append("the Content-Security-Policy allows 'unsafe-inline' styles")
    for element in root.iter():
        if element.get("style") is not None:
            problems.append(f"inline style on <{element.tag}>")
        if element.tag == "style" and style_hash(element.text or "") in allowed_styles:
            pass  # allowed by the hash of its exact text
        elif element.tag == "style" or (element.tag == "script" and not element.get("src")):
            problems.append(f"inline <{element.tag}>")
        if any(name.startswith("on") for name in element.attrib):
            problems.append(f"inline event handler on <{element.tag}>")

    # A public page (it has the language menu) that says "IRO" says what it means within
    # reach: the footer's "What is an IRO?" (issue 17).
    public = root.find(".//nav[@class='language-menu']") is not None
    if public and re.search(r"\bIRO\b", text_of(root.find(".//body"))) and root.find(
            ".//details[@class='iro-explained']") is None:
        problems.append("says IRO without explaining it (details.iro-explained)")

    if problems:
        raise PageProblem("; ".join(problems))
    return root


@cache
def _error_prefix(html_lang: str | None) -> str:
    """The "Error: " title prefix in the page's language (GOV.UK pattern, translated)."""
    translations = PROJECT_ROOT / "translations"
    code = (html_lang or "").replace("-", "_")
    if not (translations / code / "LC_MESSAGES" / "messages.mo").is_file():
        return "Error: "
    return gettext.translation("messages", translations, languages=[code]).gettext("Error:") + " "


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    if not match:
        raise PageProblem("no CSRF token on the page")
    return match.group(1)
