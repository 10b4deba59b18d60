"""The printed invitation: a letter in the person's language with a QR code and a short code."""

from __future__ import annotations

import segno
from flask import render_template
from flask_babel import force_locale, gettext
from markupsafe import Markup

from consult import short_codes
from consult.i18n import LANGUAGES, SOURCE_LOCALE, Language, served_language
from consult.links import external_url
from consult.models import Invitation, InviteeRole
from consult.questionnaires import definitions


def qr_svg(link: str, title: str) -> Markup:
    # Inline SVG draws with attributes, not style, so the CSP needs nothing extra; medium
    # error correction survives a creased or smudged letter.
    code = segno.make(link, error="m")
    # segno writes the SVG itself and escapes the title; nothing else in it comes from input.
    svg = code.svg_inline(scale=4, title=title, svgclass="letter__qr", lineclass=None)
    return Markup(svg)  # nosec B704


def render_letter(invitation: Invitation, link: str, code: str) -> Markup:
    """The letter's HTML, its words in the person's language whatever the staff page uses,
    and, when that is not English, the same letter in English to print on the back, for
    the adult who helps them read it (issue 17)."""
    language = served_language(invitation.language)
    sides = [_letter_side(invitation, link, code, language)]
    if language.code != SOURCE_LOCALE:
        sides.append(_letter_side(invitation, link, code, LANGUAGES[SOURCE_LOCALE]))
    # Already HTML, escaped by the template's autoescaping: marked so it is not escaped twice.
    return Markup("\n".join(sides))  # nosec B704


def _letter_side(invitation: Invitation, link: str, code: str, language: Language) -> str:
    review = invitation.review
    with force_locale(language.code):
        return render_template(
            "staff/_letter.html", invitation=invitation, review=review, language=language,
            for_child=invitation.role is InviteeRole.CHILD,
            minutes=definitions.for_invitation(invitation).minutes,
            qr=qr_svg(link, gettext("QR code that opens your form")),
            code=short_codes.formatted(code), code_address=external_url("participation.enter_code"),
        )
