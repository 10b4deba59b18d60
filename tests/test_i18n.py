"""Languages: the table, locale choice in the order issue 4 gives, and every public page in
every language with the right lang and dir and none of the English page's words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import OperationalError

from consult import i18n
from consult.extensions import db
from consult.models import InvitationPurpose, InviteeRole, StaffRole, utcnow
from consult.questionnaires import definitions
from tests import factories
from tests.conftest import CheckedClient, empty_database, make_app
from tests.html_checks import parse, text_of

ALL = tuple(i18n.LANGUAGES)
RTL = {"ar", "ps", "fa_AF", "fa", "ckb"}


def _html_lang_dir(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', response.get_data(as_text=True))
    assert match, "no <html lang dir>"
    return match.group(1), match.group(2)


# --- the table -----------------------------------------------------------------------------

def test_the_table_has_the_thirteen_languages_with_their_directions():
    rtl = {code for code, language in i18n.LANGUAGES.items() if language.direction == "rtl"}
    assert len(i18n.LANGUAGES) == 13
    assert rtl == RTL
    assert i18n.LANGUAGES["fa_AF"].own_name == "دری"
    assert i18n.LANGUAGES["fa_AF"].html_lang == "fa-AF"
    assert i18n.LANGUAGES["ckb"].own_name == "کوردیی ناوەندی"


def test_staff_see_a_respondents_language_in_english_and_its_own_name():
    assert i18n.english_name("fa_AF") == "Dari"
    assert i18n.english_name("ckb") == "Kurdish (Sorani)"
    assert i18n.language_name("ti") == "Tigrinya (ትግርኛ)"
    assert i18n.language_name("fa_AF") == "Dari (دری)"
    assert i18n.language_name("en_GB") == "English"
    assert i18n.language_name("xx") == "xx"


@pytest.mark.parametrize(("code", "expected"), [
    ("en_GB", "Friends, School and Sport"),
    ("ar", "Friends وSchool وSport"),
    ("fa", "Friends،‏ School، و Sport"),
    ("am", "Friends፣ School እና Sport"),
])
def test_lists_are_joined_the_way_the_language_writes_them(app: Flask, code, expected):
    with app.test_request_context(), force_locale(code):
        assert i18n.list_format(["Friends", "School", "Sport"]) == expected


def test_a_configured_locale_without_a_compiled_catalog_is_refused(tmp_path: Path):
    (tmp_path / "ar" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ar" / "LC_MESSAGES" / "messages.po").write_text("")
    with pytest.raises(i18n.LocaleConfigError, match="'ar' but .*messages.mo does not exist"):
        i18n.check_configured(("en_GB", "ar"), tmp_path)
    with pytest.raises(i18n.LocaleConfigError, match="must include en_GB"):
        i18n.check_configured(("so",), Path(__file__).parent.parent / "translations")
    i18n.check_configured(ALL, Path(__file__).parent.parent / "translations")


# --- tags onto our locales -----------------------------------------------------------------

@pytest.mark.parametrize("tag, expected", [
    ("ar-SA", "ar"), ("ar", "ar"), ("AR-eg", "ar"), ("prs", "fa_AF"), ("prs-AF", "fa_AF"),
    ("fa-AF", "fa_AF"), ("fa-af", "fa_AF"), ("fa_AF", "fa_AF"), ("fa-IR", "fa"), ("fa", "fa"),
    ("ps-AF", "ps"), ("ckb-IQ", "ckb"), ("ku-Arab", "ckb"), ("kmr", "ku"), ("ku-TR", "ku"),
    ("ti-ER", "ti"), ("am-ET", "am"), ("so-SO", "so"), ("vi-VN", "vi"), ("sq-AL", "sq"),
    ("ro-RO", "ro"), ("en-US", "en_GB"), ("en", "en_GB"), ("en_GB", "en_GB"),
    ("xx", None), ("", None), (None, None), ("../../etc", None), ("a" * 500, None),
    ("ar\x00", None), ("*", None), (["ar"], None), ("de-DE", None),
])
def test_tags_map_onto_our_locales(tag, expected):
    assert i18n.normalise(tag, ALL) == expected


def test_only_available_locales_are_chosen():
    assert i18n.normalise("ar-SA", ("en_GB",)) is None
    assert i18n.negotiate_accept_language(["de", "ar-SA", "en"], ALL) == "ar"
    assert i18n.negotiate_accept_language(["de", "fr"], ALL) is None


# --- locale choice on a request ------------------------------------------------------------

def _open_link(client, token, **headers):
    return client.get(f"/start/{token}", headers=headers, follow_redirects=True)


def test_query_sets_the_language_and_the_session_remembers_it(client):
    _invitation, token = factories.child_with_link()
    _open_link(client, token)

    assert _html_lang_dir(client.get("/your-say?lang=ar", follow_redirects=True)) == ("ar", "rtl")
    assert _html_lang_dir(client.get("/your-say", follow_redirects=True)) == ("ar", "rtl")
    assert _html_lang_dir(client.get("/your-say?lang=ti", follow_redirects=True)) == ("ti", "ltr")
    assert _html_lang_dir(client.get("/your-say", follow_redirects=True)) == ("ti", "ltr")


@pytest.mark.parametrize("value", ["xx", "", "../../etc/passwd", "ar%00", "<script>", "a" * 300,
                                   "de-DE", "null"])
def test_unknown_query_values_are_ignored(client, value):
    _invitation, token = factories.child_with_link()
    _open_link(client, token)
    client.get("/your-say?lang=so", follow_redirects=True)

    response = client.get("/your-say", follow_redirects=True, query_string={"lang": value})

    assert response.status_code == 200
    assert _html_lang_dir(response) == ("so", "ltr")


@pytest.mark.parametrize("header, expected", [
    ("ar-SA,ar;q=0.9,en;q=0.5", ("ar", "rtl")),
    ("prs", ("fa-AF", "rtl")),
    ("fa-AF,fa;q=0.8", ("fa-AF", "rtl")),
    ("fa-IR", ("fa", "rtl")),
    ("de-DE,ti;q=0.5", ("ti", "ltr")),
    ("en-US,ar;q=0.8", ("en-GB", "ltr")),
    ("ar;q=0.2,so;q=0.9", ("so", "ltr")),
    ("*", ("en-GB", "ltr")),
    ("ar;q=0", ("en-GB", "ltr")),
    ("ar;q=0, so;q=0.1", ("so", "ltr")),
    (";;;,,q=abc, =", ("en-GB", "ltr")),
    ("x" * 2000, ("en-GB", "ltr")),
])
def test_accept_language_is_negotiated(client, header, expected):
    response = client.get("/page-that-does-not-exist", headers={"Accept-Language": header})
    assert response.status_code == 404
    assert _html_lang_dir(response) == expected


def test_the_order_query_session_stored_choice_iro_browser_english(client, app: Flask):
    invitation, token = factories.child_with_link()
    invitation.language = "so"  # what the IRO set
    db.session.commit()
    browser_vi = {"headers": {"Accept-Language": "vi"}, "follow_redirects": True}

    # Nothing chosen: the IRO's language, even on a phone set to another one (issue 17).
    assert _html_lang_dir(_open_link(client, token, **{"Accept-Language": "vi"})) == ("so", "ltr")
    assert _html_lang_dir(client.get("/your-say", **browser_vi)) == ("so", "ltr")
    # A choice beats the IRO's, and is kept in the session and on the invitation.
    client.get("/your-say?lang=ps", **browser_vi)
    assert _html_lang_dir(client.get("/your-say", **browser_vi)) == ("ps", "rtl")
    db.session.refresh(invitation)
    assert invitation.chosen_language == "ps"

    # On another device, with another browser language, the choice follows the person.
    other_device = app.test_client()
    page = _open_link(other_device, token, **{"Accept-Language": "en-GB"})
    assert _html_lang_dir(page) == ("ps", "rtl")
    # ...and that device's own session choice beats it.
    page = other_device.get("/your-say?lang=ro", follow_redirects=True)
    assert _html_lang_dir(page) == ("ro", "ltr")
    # Without an invitation behind the page, the browser's language is next.
    assert _html_lang_dir(app.test_client().get("/not-found", headers={
        "Accept-Language": "vi"})) == ("vi", "ltr")


def test_a_dari_invitation_opens_in_dari_on_a_phone_set_to_persian(client):
    invitation, token = factories.child_with_link()
    invitation.language = "fa_AF"
    db.session.commit()
    assert _html_lang_dir(_open_link(client, token, **{"Accept-Language": "fa-IR,fa"})) == (
        "fa-AF", "rtl")


def test_a_language_chosen_before_opening_the_link_is_kept(client):
    invitation, token = factories.child_with_link()
    client.get("/not-found?lang=am")
    assert _html_lang_dir(_open_link(client, token)) == ("am", "ltr")
    db.session.refresh(invitation)
    assert invitation.chosen_language == "am"
    page = client.get(f"/start/{token}?lang=ckb", follow_redirects=True)
    assert _html_lang_dir(page) == ("ckb", "rtl")
    db.session.refresh(invitation)
    assert invitation.chosen_language == "ckb"


def test_staff_pages_are_always_english(client):
    iro = factories.staff(StaffRole.IRO)
    db.session.commit()
    factories.sign_in(client, iro)
    client.get("/not-found?lang=ar")  # a public choice in the same browser
    page = client.get("/staff/?lang=ar", headers={"Accept-Language": "ar"},
                      follow_redirects=True)
    assert page.status_code == 200
    assert _html_lang_dir(page) == ("en-GB", "ltr")


@pytest.mark.parametrize("signed_in", [True, False])
def test_every_staff_address_is_english_even_an_error_and_keeps_no_language(client, signed_in):
    """The figures pages, a staff address that matches nothing, and `?lang=` on either:
    English, and the public language stored in the session is left as it was."""
    manager = factories.staff(StaffRole.MANAGER)
    db.session.commit()
    if signed_in:
        factories.sign_in(client, manager)
    client.get("/not-found?lang=ckb")  # a public choice in the same browser
    for url in ("/staff/no-such-page", "/staff/reports/?lang=ar", "/staff/nothing?lang=ar",
                "/staff/reports/no-such-table?lang=ar"):
        page = client.get(url, headers={"Accept-Language": "ar"}, follow_redirects=True)
        assert _html_lang_dir(page) == ("en-GB", "ltr"), url
    with client.session_transaction() as session:
        assert session.get(i18n.SESSION_KEY) == "ckb"
    public = client.get("/not-found", headers={"Accept-Language": "ar"})
    assert _html_lang_dir(public) == ("ckb", "rtl")


def test_a_staff_404_asked_for_in_arabic_is_in_english(client):
    """Issue 20: a signed-in manager whose browser asks for Arabic gets the English 404
    under /staff/, word for word the public English one, not the Arabic one."""
    manager = factories.staff(StaffRole.MANAGER)
    db.session.commit()
    factories.sign_in(client, manager)

    def heading(url: str, language: str) -> str:
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 404, url
        return text_of(parse(response.get_data(as_text=True)).find(".//h1"))

    english = heading("/no-such-page", "en-GB")
    assert heading("/staff/no-such-page", "ar") == english
    assert heading("/staff/reports/no-such-page", "ar") == english
    assert heading("/no-such-page", "ar") != english  # the public page does follow Arabic


def test_the_language_menu_is_one_control_naming_the_current_language(client):
    """Closed, it shows the current language's own name; opened (a <details>, no script
    needed), every language by its own name."""
    page = parse(client.get("/not-found?lang=fa_AF").get_data(as_text=True))
    menus = page.findall(".//nav[@class='language-menu']")
    assert len(menus) == 1
    details = menus[0].find("details")
    summary = details.find("summary")
    current = summary.find("span[@lang='fa-AF']")
    assert current is not None and current.text == "دری" and current.get("dir") == "rtl"
    items = details.findall("ul/li")
    assert len(items) == len(i18n.LANGUAGES)
    for item, language in zip(items, i18n.LANGUAGES.values(), strict=True):
        if language.code == "fa_AF":
            span = item.find("span")
            assert span.get("aria-current") == "true" and span.text == "دری"
            continue
        link = item.find("a")
        assert link.get("href") == f"?lang={language.code}"
        assert link.get("hreflang") == link.get("lang") == language.html_lang
        assert link.get("dir") == language.direction
        assert link.text == language.own_name


# --- every public page in every language ---------------------------------------------------

LETTER = re.compile(r"[^\W\d_]")
VISIBLE_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
NOT_SHOWN = {"script", "style", "template", "textarea"}  # a textarea holds what was typed
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
PERSON = "Amanuel"  # a proper name: the same in every language


class _PageWords(HTMLParser):
    """The page's words in its own language: text and labelled attributes, leaving out
    anything marked as another language (the language menu) and anything without letters.
    (html.parser, not html5lib: this runs on hundreds of pages, which the client has
    already checked strictly.)"""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang = self.html_dir = None
        self.words: set[str] = set()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.language_links: set[tuple[str | None, str | None]] = set()
        self._hidden: list[str | None] = []  # open elements that hide their content: tag

    def _keep(self, text: str | None) -> None:
        cleaned = re.sub(r"\s+", " ", text or "").strip()
        if cleaned and LETTER.search(cleaned) and PERSON not in cleaned:
            self.words.add(cleaned)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang, self.html_dir = attributes.get("lang"), attributes.get("dir")
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self.forms.append((attributes.get("action") or "", {}))
        if tag == "a" and "hreflang" in attributes:
            self.language_links.add((attributes.get("lang"), attributes["hreflang"]))
        if self.forms and tag in ("input", "textarea"):
            self._wrong_answer(tag, attributes)
        if self._hidden:
            if tag not in VOID:
                self._hidden.append(tag)
            return
        other_language = "lang" in attributes and attributes["lang"] != self.html_lang
        if (tag in NOT_SHOWN or other_language) and tag not in VOID:
            self._hidden.append(tag)
            return
        for name in VISIBLE_ATTRIBUTES:
            self._keep(attributes.get(name))
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self._keep(attributes.get("value"))

    def _wrong_answer(self, tag, attributes):
        """Fill every form so that it cannot be accepted."""
        name, kind, data = attributes.get("name"), attributes.get("type"), self.forms[-1][1]
        if not name:
            return
        if tag == "textarea":
            # Longer than any answer may be; digits, so never taken for English words.
            data[name] = "7" * 10_000
        elif kind in ("radio", "checkbox"):
            data[name] = "not-one-of-the-choices"
        elif kind == "hidden":
            data[name] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if self._hidden:
            self._hidden.pop()

    def handle_data(self, data):
        if not self._hidden:
            self._keep(data)


def _read_page(html: str) -> _PageWords:
    page = _PageWords()
    page.feed(html)
    page.close()
    return page


# Files, not pages: the static files and the recorded clips (issue 17).
NOT_PAGES = ("static", "participation.voice_clip")


def _public_rules(app: Flask, method: str):
    # "health" holds the load balancer's JSON probes (/healthz, /readyz), not pages.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint = rule.endpoint.rpartition(".")[0]
        staff = rule.rule == i18n.STAFF_PATH or rule.rule.startswith(i18n.STAFF_PATH + "/")
        if rule.endpoint not in NOT_PAGES and not staff and blueprint != "health" and (
                method in rule.methods):
            yield rule


def _urls(rule, values: dict[str, str | tuple[str, ...]]) -> list[str]:
    """The rule filled in with a visitor's sample values; a tuple of samples gives one URL
    each (e.g. one question page of every kind)."""
    missing = set(rule.arguments) - set(values)
    assert not missing, (
        f"{rule.rule}: add a sample value for {sorted(missing)} to test_i18n._people, so "
        "the page is checked in every language")
    urls = [rule.rule]
    for name in rule.arguments:
        samples = values[name] if isinstance(values[name], tuple) else (values[name],)
        pattern = rf"<(?:\w+(?:\([^)]*\))?:)?{name}>"
        urls = [re.sub(pattern, sample, url) for url in urls for sample in samples]
    return urls


def _with_lang(url: str, code: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={code}"


def _people(app: Flask) -> dict[str, tuple[object, dict[str, str]]]:
    """A browser for each kind of visitor, with the sample URL values its pages need."""
    iro = factories.staff(StaffRole.IRO)
    people = {}
    for label, role, age in (("young person", InviteeRole.CHILD, 15),
                             ("child under 11", InviteeRole.CHILD, 8),
                             ("foster carer", InviteeRole.FOSTER_CARER, 12),
                             ("parent", InviteeRole.PARENT, 12),
                             ("after sending", InviteeRole.CHILD, 14)):
        review = factories.review(factories.child(iro, name=PERSON, age=age))
        invitation, token = factories.invitation(review, role=role, name=PERSON)
        if label == "after sending":
            invitation.sent_at = utcnow()
        form = definitions.choose(role, InvitationPurpose.VIEWS, age)
        people[label] = (app.test_client(),
                         {"token": token, "key": _one_question_of_each_kind(form)})
    people["visitor without a link"] = (app.test_client(), {"token": "not-a-real-link",
                                                            "key": "no-such-question"})
    db.session.commit()
    for client, values in people.values():
        if values["token"] != "not-a-real-link":
            client.get(f"/start/{values['token']}")
    return people


def _one_question_of_each_kind(form) -> tuple[str, ...]:
    first_of_kind = {}
    for question in form.questions:
        if question.condition is None:
            first_of_kind.setdefault(question.kind, question.key)
    return tuple(first_of_kind.values())


def _database_down(*_args, **_kwargs):
    raise OperationalError("SELECT", {}, Exception("connection refused"))


def _pages(people, code: str) -> dict[str, _PageWords]:
    """Every public page each visitor can reach, in one language: GET routes from the URL
    map (a redirect is skipped: it leads to another route on the list), each POST form on
    them answered wrongly, each POST route without a CSRF token, and the 404 page."""
    pages = {}
    app = next(iter(people.values()))[0].application
    for label, (client, values) in people.items():
        anonymous = {name: "<token>" if name == "token" else sample
                     for name, sample in values.items() if isinstance(sample, str)}
        for rule in _public_rules(app, "GET"):
            for url in _urls(rule, values):
                response = client.get(_with_lang(url, code))
                if 300 <= response.status_code < 400:
                    continue
                where = url.replace(values["token"], anonymous["token"])
                page = pages[f"{label}: GET {where}"] = _read_page(
                    response.get_data(as_text=True))
                for action, data in page.forms:
                    pages[f"{label}: wrong answers to {action.replace(values['token'], '')}"] = (
                        client.post(action, data=data))
        for rule in _public_rules(app, "POST"):
            for url in _urls(rule, values):
                where = url.replace(values["token"], anonymous["token"])
                pages[f"{label}: POST {where} after the page expired"] = client.post(
                    url, data={"anything": "typed"})
    visitor = people["visitor without a link"][0]
    pages["404"] = visitor.get(_with_lang("/no-such-page", code))
    pages["405"] = visitor.open(_with_lang("/your-say", code), method="DELETE")
    pages["413"] = visitor.post(_with_lang("/your-say", code),
                                data={"words": "7" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    young_person = people["young person"][0]
    with mock.patch.object(db.session, "get", _database_down):
        pages["503"] = young_person.get(_with_lang("/your-say", code))
    return {where: page if isinstance(page, _PageWords) else _read_page(page.get_data(
        as_text=True)) for where, page in pages.items()
        if isinstance(page, _PageWords) or (
            page.mimetype == "text/html" and not 300 <= page.status_code < 400)}


def _fail():
    raise RuntimeError("a bug, for the 500 page")


@pytest.fixture(scope="module")
def rendering_app(tmp_path_factory) -> Iterator[Flask]:
    """What a page says does not depend on the database: one SQLite app for the module."""
    with empty_database("sqlite", tmp_path_factory) as url:
        application = make_app(url, AUTO_MIGRATE="1")
        application.test_client_class = CheckedClient
        # So that the 500 page is among the public pages, in every language.
        application.config["PROPAGATE_EXCEPTIONS"] = False
        application.add_url_rule("/test-only-failure", "test_only_failure", _fail)
        with application.app_context():
            yield application
            db.session.remove()
            db.engine.dispose()


def test_every_public_page_is_in_every_language(rendering_app: Flask):
    # Wrong answers can move a visitor on (a draft is saved, a question skipped), so each
    # language gets visitors of its own, in the same state as the English ones.
    english = {where: page.words
               for where, page in _pages(_people(rendering_app), "en_GB").items()}
    assert len(english) >= 15 and all(english.values()), english

    problems = []
    for code, language in i18n.LANGUAGES.items():
        if code == i18n.SOURCE_LOCALE:
            continue
        pages = _pages(_people(rendering_app), code)
        assert pages.keys() == english.keys(), (
            f"{code}: not the same pages as in English: {pages.keys() ^ english.keys()}")
        for where, page in pages.items():
            if (page.html_lang, page.html_dir) != (language.html_lang, language.direction):
                problems.append(f"{code} {where}: <html lang={page.html_lang} "
                                f"dir={page.html_dir}>")
            others = {(other.html_lang, other.html_lang) for other in i18n.LANGUAGES.values()
                      if other is not language}
            if page.language_links != others:
                problems.append(f"{code} {where}: the language menu links to "
                                f"{sorted(page.language_links)}")
            left_in_english = sorted(page.words & english[where])
            if left_in_english:
                problems.append(f"{code} {where}: still in English: {left_in_english}")
    assert not problems, "\n".join(problems)


# --- the stylesheet mirrors by itself ------------------------------------------------------

STYLESHEET = Path(__file__).parent.parent / "consult" / "static" / "css" / "app.css"
PHYSICAL = re.compile(
    r"(?:^|[;{\s])(?:[\w-]*-)?(?:left|right)\s*:"  # margin-left:, left:, border-right-width:
    r"|:\s*(?:left|right)\b"  # text-align: left, float: right
    r"|\b(?:translateX|scaleX|rotateY)\(")


def _declarations(css: str) -> list[str]:
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return [d.strip() for block in re.findall(r"\{([^{}]*)\}", without_comments)
            for d in block.split(";") if d.strip()]


def test_the_stylesheet_uses_logical_properties_only():
    physical = [d for d in _declarations(STYLESHEET.read_text()) if PHYSICAL.search(d)]
    lopsided = []
    for declaration in _declarations(STYLESHEET.read_text()):
        name, _, value = declaration.partition(":")
        parts = value.split()
        if name.strip() in ("margin", "padding", "inset", "border-width", "border-style",
                            "border-color") and len(parts) == 4 and parts[1] != parts[3]:
            lopsided.append(declaration)
        if name.strip() == "border-radius" and len(set(parts)) > 1:
            lopsided.append(declaration)
    assert physical == [] and lopsided == [], (
        "use inline/block properties so right-to-left pages mirror: "
        f"{physical + lopsided}")


def test_the_checks_on_the_stylesheet_see_physical_properties():
    css = ".a { margin-left: 1rem; text-align: right; padding: 0 1rem 0 2rem; left: 0 }"
    assert [d for d in _declarations(css) if PHYSICAL.search(d)] == [
        "margin-left: 1rem", "text-align: right", "left: 0"]
