"""Everything about languages: which locales exist, their names and direction, which one a
request gets, and the start-up check that each configured locale can be served.

Locale choice, first match wins: `?lang=` (remembered in the session), the session,
the browser's Accept-Language, the invitation's language, then English. Staff pages are
always in English; they show the respondent's language instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel import Locale, negotiate_locale
from flask import Flask, current_app, g, request, session
from flask_babel import Babel, get_locale

SOURCE_LOCALE = "en_GB"
SESSION_KEY = "locale"


@dataclass(frozen=True)
class Language:
    code: str
    own_name: str
    direction: str  # "ltr" or "rtl"

    @property
    def html_lang(self) -> str:
        """BCP 47 tag for lang= and hreflang=: en-GB, fa-AF."""
        return self.code.replace("_", "-")


# The languages children in care in England most often speak (../shared/domain.md).
# Own names are written out rather than taken from Babel because Dari is "دری" to its
# speakers, which Babel calls "فارسی (افغانستان)".
LANGUAGES = {
    language.code: language
    for language in (
        Language("en_GB", "English", "ltr"),
        Language("ar", "العربية", "rtl"),
        Language("ps", "پښتو", "rtl"),
        Language("fa_AF", "دری", "rtl"),
        Language("fa", "فارسی", "rtl"),
        Language("ckb", "کوردیی ناوەندی", "rtl"),
        Language("ku", "kurdî (kurmancî)", "ltr"),
        Language("ti", "ትግርኛ", "ltr"),
        Language("am", "አማርኛ", "ltr"),
        Language("so", "Soomaali", "ltr"),
        Language("vi", "Tiếng Việt", "ltr"),
        Language("sq", "shqip", "ltr"),
        Language("ro", "română", "ltr"),
    )
}

# Language tags browsers send that Babel does not map onto our codes.
ALIASES = {"prs": "fa_AF", "fa_af": "fa_AF", "kmr": "ku", "en": SOURCE_LOCALE}


class LocaleConfigError(RuntimeError):
    pass


def check_configured(codes: tuple[str, ...], translations_dir: Path) -> None:
    """Refuse to start with a locale we know nothing of or cannot serve."""
    for code in codes:
        if code not in LANGUAGES:
            raise LocaleConfigError(
                f"LANGUAGES names {code!r}, which is not one of ours: {', '.join(LANGUAGES)}.")
        if code == SOURCE_LOCALE:
            continue
        catalog = translations_dir / code / "LC_MESSAGES" / "messages.mo"
        if not catalog.is_file():
            raise LocaleConfigError(
                f"LANGUAGES names {code!r} but {catalog} does not exist: "
                "compile the catalogs (see README, 'Translations').")
    if SOURCE_LOCALE not in codes:
        raise LocaleConfigError(f"LANGUAGES must include {SOURCE_LOCALE}.")


def normalise(tag: str | None, available: tuple[str, ...]) -> str | None:
    """Map a tag such as 'ar-SA', 'fa-af' or 'prs' onto an available code, or None."""
    if not tag:
        return None
    cleaned = tag.strip().replace("-", "_")
    if cleaned in available:
        return cleaned
    alias = ALIASES.get(cleaned.lower())
    if alias in available:
        return alias
    for code in available:
        if code.lower() == cleaned.lower():
            return code
    negotiated = negotiate_locale([cleaned], list(available), sep="_")
    if negotiated:
        return negotiated
    # A regional variant we do not have ('en-US', 'fa-IR') falls back to its language.
    primary = cleaned.split("_", 1)[0].lower()
    if primary in available:
        return primary
    alias = ALIASES.get(primary)
    return alias if alias in available else None


def negotiate_accept_language(header_values: list[str], available: tuple[str, ...]) -> str | None:
    for tag in header_values:
        code = normalise(tag, available)
        if code:
            return code
    return None


def select_locale() -> str:
    available: tuple[str, ...] = current_app.config["LANGUAGES"]
    if request.blueprint == "staff":
        return SOURCE_LOCALE
    chosen = normalise(request.args.get("lang"), available)
    if chosen:
        session[SESSION_KEY] = chosen
        return chosen
    remembered = normalise(session.get(SESSION_KEY), available)
    if remembered:
        return remembered
    from_browser = negotiate_accept_language(
        [tag for tag, _quality in request.accept_languages], available)
    if from_browser:
        return from_browser
    fallback = normalise(g.get("invitation_language"), available)
    return fallback or SOURCE_LOCALE


def current_language() -> Language:
    locale = get_locale()
    code = str(locale) if locale else SOURCE_LOCALE
    return LANGUAGES.get(code, LANGUAGES[SOURCE_LOCALE])


def language_name(code: str | None) -> str:
    """A respondent's language as staff see it: its English name and its own."""
    language = LANGUAGES.get(code or "")
    if language is None:
        return code or ""
    english = Locale.parse(language.code).get_display_name("en")
    if language.code == "fa_AF":
        english = "Dari"
    return english if language.code == SOURCE_LOCALE else f"{english} ({language.own_name})"


def init_app(app: Flask) -> None:
    check_configured(app.config["LANGUAGES"], Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale, default_locale=SOURCE_LOCALE)

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {
            "current_language": current_language(),
            "offered_languages": [LANGUAGES[code] for code in app.config["LANGUAGES"]],
            "language_name": language_name,
        }
