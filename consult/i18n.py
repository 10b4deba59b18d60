"""Everything about languages: which locales exist, their names and direction, which one a
request gets, and the start-up check that each configured locale can be served.

Locale choice, first match wins (issue 4, reordered by issue 17):
1. `?lang=` on any public page, remembered in the session (and on the invitation, by the
   participation blueprint, so it follows the person to another device);
2. the stored choice: the session, then the language the person chose on their invitation;
3. the language the IRO set on the invitation: they asked the person, and a phone set to
   English (or to Persian, for a Dari speaker) says little about what its holder reads best;
4. the browser's Accept-Language, negotiated (`ar-SA` gets `ar`, `prs` gets Dari);
5. English.
Unknown or malformed values are ignored at every step. Staff pages are always in English;
they show a respondent's language by its English and its own name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel import negotiate_locale
from babel.lists import format_list
from flask import Flask, current_app, g, request, session
from flask_babel import Babel, get_locale

SOURCE_LOCALE = "en_GB"
# Staff read every page, figure, letter preview and reading of an answer in English.
STAFF_LOCALE = SOURCE_LOCALE
SESSION_KEY = "locale"
QUERY_PARAMETER = "lang"
# Every staff page lives under this path (the staff and reports blueprints), and so does
# any staff address that matches no page: all of them are in English, whatever the browser
# asks for or `?lang=` says, and a staff page never stores a language in the session.
STAFF_PATH = "/staff"
# Set on `g` by whoever knows the invitation behind the request (the participation blueprint).
INVITATION_LANGUAGE = "invitation_language"  # what the IRO chose when creating the link
INVITATION_CHOSEN_LANGUAGE = "invitation_chosen_language"  # what the person chose since


@dataclass(frozen=True)
class Language:
    code: str
    own_name: str
    direction: str  # "ltr" or "rtl"
    english_name: str

    @property
    def html_lang(self) -> str:
        """BCP 47 tag for lang= and hreflang=: en-GB, fa-AF."""
        return self.code.replace("_", "-")


# The languages children in care in England most often speak (../shared/domain.md).
# Names are written out rather than taken from Babel: Dari is "دری" to its speakers (Babel
# says "فارسی (افغانستان)"), and staff in England say Sorani and Kurmanji.
LANGUAGES = {
    language.code: language
    for language in (
        Language("en_GB", "English", "ltr", "English"),
        Language("ar", "العربية", "rtl", "Arabic"),
        Language("ps", "پښتو", "rtl", "Pashto"),
        Language("fa_AF", "دری", "rtl", "Dari"),
        Language("fa", "فارسی", "rtl", "Persian (Farsi)"),
        Language("ckb", "کوردیی ناوەندی", "rtl", "Kurdish (Sorani)"),
        Language("ku", "kurdî (kurmancî)", "ltr", "Kurdish (Kurmanji)"),
        Language("ti", "ትግርኛ", "ltr", "Tigrinya"),
        Language("am", "አማርኛ", "ltr", "Amharic"),
        Language("so", "Soomaali", "ltr", "Somali"),
        Language("vi", "Tiếng Việt", "ltr", "Vietnamese"),
        Language("sq", "shqip", "ltr", "Albanian"),
        Language("ro", "română", "ltr", "Romanian"),
    )
}

# Language tags browsers send that Babel does not map onto our codes: Dari's own ISO 639-3
# code, Kurmanji's and Sorani's, and Kurdish written in Arabic script (Sorani).
ALIASES = {
    "prs": "fa_AF", "fa_af": "fa_AF", "kmr": "ku", "ku_latn": "ku", "ku_tr": "ku",
    "ku_arab": "ckb", "ku_iq": "ckb", "ckb_iq": "ckb", "ckb_ir": "ckb", "en": SOURCE_LOCALE,
}
# The shape of a BCP 47 language tag (RFC 5646): a language and at most four subtags.
_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")


class LocaleConfigError(RuntimeError):
    pass


def compiled_catalog(translations_dir: Path, code: str) -> Path:
    return translations_dir / code / "LC_MESSAGES" / "messages.mo"


def check_configured(codes: tuple[str, ...], translations_dir: Path) -> None:
    """Refuse to start with a locale we know nothing of or cannot serve."""
    for code in codes:
        if code not in LANGUAGES:
            raise LocaleConfigError(
                f"LANGUAGES names {code!r}, which is not one of ours: {', '.join(LANGUAGES)}.")
        if code == SOURCE_LOCALE:
            continue
        catalog = compiled_catalog(translations_dir, code)
        if not catalog.is_file():
            raise LocaleConfigError(
                f"LANGUAGES names {code!r} but {catalog} does not exist: "
                "compile the catalogs (see README, 'Translations').")
    if SOURCE_LOCALE not in codes:
        raise LocaleConfigError(f"LANGUAGES must include {SOURCE_LOCALE}.")


def normalise(tag: object, available: tuple[str, ...]) -> str | None:
    """Map a tag such as 'ar-SA', 'fa-af' or 'prs' onto an available code, or None."""
    if not isinstance(tag, str) or not _TAG.fullmatch(tag.strip()):
        return None
    by_lower_case = {code.lower(): code for code in available}
    cleaned = tag.strip().replace("-", "_").lower()
    # A regional variant we do not have ('en-US', 'fa-IR') falls back to its language.
    primary = cleaned.split("_", 1)[0]
    candidates = (cleaned, ALIASES.get(cleaned),
                  negotiate_locale([cleaned], list(by_lower_case), sep="_"),
                  primary, ALIASES.get(primary))
    for candidate in candidates:
        if candidate and candidate.lower() in by_lower_case:
            return by_lower_case[candidate.lower()]
    return None


def negotiate_accept_language(header_values: list[str], available: tuple[str, ...]) -> str | None:
    for tag in header_values:
        code = normalise(tag, available)
        if code:
            return code
    return None


def _available() -> tuple[str, ...]:
    return current_app.config["LANGUAGES"]


def is_staff_request() -> bool:
    """Whether this request is for the staff side, decided by its path alone, so that error
    pages and addresses that match no route are covered too."""
    return request.path == STAFF_PATH or request.path.startswith(STAFF_PATH + "/")


def requested_locale() -> str | None:
    """The language asked for with `?lang=` on this request, if it is one we offer."""
    if is_staff_request():
        return None
    return normalise(request.args.get(QUERY_PARAMETER), _available())


def select_locale() -> str:
    if is_staff_request():
        return SOURCE_LOCALE
    available = _available()
    return (requested_locale()
            or normalise(session.get(SESSION_KEY), available)
            or normalise(g.get(INVITATION_CHOSEN_LANGUAGE), available)
            or normalise(g.get(INVITATION_LANGUAGE), available)
            or negotiate_accept_language(
                # q=0 means "not this one"; Werkzeug lists it last rather than dropping it.
                [tag for tag, quality in request.accept_languages if quality > 0], available)
            or SOURCE_LOCALE)


def _remember_requested_locale() -> None:
    # Stored before the view runs, so it is kept even by pages that only redirect.
    chosen = requested_locale()
    if chosen and session.get(SESSION_KEY) != chosen:
        session[SESSION_KEY] = chosen


def current_language() -> Language:
    locale = get_locale()
    code = str(locale) if locale else SOURCE_LOCALE
    return LANGUAGES.get(code, LANGUAGES[SOURCE_LOCALE])


def served_language(code: str) -> Language:
    """The person's language when we serve it, else English (never a half-translation):
    for what we send them, a letter or an email, whatever language the sender uses."""
    if code in current_app.config["LANGUAGES"]:
        return LANGUAGES[code]
    return LANGUAGES[SOURCE_LOCALE]


def english_name(code: str | None) -> str:
    """A language's English name, for staff pages: 'Dari', 'Kurdish (Sorani)'."""
    language = LANGUAGES.get(code or "")
    return language.english_name if language else (code or "")


def language_name(code: str | None) -> str:
    """A respondent's language as staff see it: its English name and its own."""
    language = LANGUAGES.get(code or "")
    if language is None:
        return code or ""
    if language.english_name == language.own_name:
        return language.english_name
    return f"{language.english_name} ({language.own_name})"


def list_format(items) -> str:
    """A list as the page's language writes one: 'A, B and C', 'A، B، و C', 'A፣ B እና C'."""
    return format_list([str(item) for item in items], locale=get_locale())


def init_app(app: Flask) -> None:
    check_configured(app.config["LANGUAGES"], Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale, default_locale=SOURCE_LOCALE)
    app.before_request(_remember_requested_locale)
    app.add_template_filter(list_format, "listformat")

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {
            "current_language": current_language(),
            "offered_languages": [LANGUAGES[code] for code in app.config["LANGUAGES"]],
            "language_name": language_name,
            "english_name": english_name,
            "staff_locale": STAFF_LOCALE,
            "source_locale": SOURCE_LOCALE,
        }
