"""What every input must be before anything uses it: one home for these rules.

- Typed text goes through `clean_text` (WTForms fields through `CleanForm`'s filter, and
  the forms read by hand call it themselves): NUL bytes, other control characters, lone
  surrogates and bidi overrides cannot be stored by every database or shown safely, and
  carry nothing a person meant to write.
- Dates are between `EARLIEST_DAY` and `LATEST_DAY`: anything outside is a typing slip,
  and date arithmetic near year 1 or 9999 overflows.
- Page numbers are whole ASCII numbers from 1 to `LAST_PAGE`.
- Codes (one-time codes, numbers read from a form) are ASCII digits only: `str.isdigit`
  and `\\d` accept Arabic-Indic and other digits, which are never a right code.

Standard library only, so every layer may use it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Bidi controls that can make a message display differently from how it is stored
# (Trojan Source); they have no place in what people write, so they are removed, not refused.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_KEPT_IN_LONG_TEXT = "\n\t"


def clean_text(raw: str | None, *, multiline: bool = True) -> str:
    """Typed text as we keep it: one kind of newline, composed, without invisible controls.

    One line of text (`multiline=False`: a name, an email address) keeps no newline or tab
    either; each becomes a space.
    """
    if not raw:
        return ""
    if raw.isascii() and raw.isprintable():  # nothing to remove or compose (most cells)
        return raw.strip()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_BIDI_CONTROLS)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    text = "".join(ch for ch in text if ch in _KEPT_IN_LONG_TEXT
                   or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", text).strip()


def has_control_characters(text: str) -> bool:
    """Whether anything in the text is a control character or a lone surrogate (CR, LF too)."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


# Dates ---------------------------------------------------------------------------------------

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2100, 12, 31)
DATE_RANGE_MESSAGE = (f"must be between {EARLIEST_DAY:%-d %B %Y} and {LATEST_DAY:%-d %B %Y}")


def is_sane_date(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


# Numbers ---------------------------------------------------------------------------------------

_ASCII_DIGITS = re.compile(r"[0-9]+")
LAST_PAGE = 100_000


class PageError(ValueError):
    """A page number no list has; the message says what to use."""


def is_ascii_digits(text: str, length: int | None = None) -> bool:
    return bool(_ASCII_DIGITS.fullmatch(text)) and (length is None or len(text) == length)


def page_number(raw: str | None) -> int:
    """The page asked for in `?page=`; 1 when left out; PageError for anything else."""
    if raw is None or raw == "":
        return 1
    raw = raw.strip()
    if not is_ascii_digits(raw) or len(raw) > len(str(LAST_PAGE)) \
            or not 1 <= int(raw) <= LAST_PAGE:
        raise PageError(f"The page must be a whole number from 1 to {LAST_PAGE:,}.")
    return int(raw)
