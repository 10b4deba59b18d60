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

import binascii
import re
import unicodedata
from datetime import date
from urllib.parse import unquote_to_bytes

# Bidi controls that can make a message display differently from how it is stored
# (Trojan Source); they have no place in what people write, so they are removed, not refused.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# Unicode's categories Cc (controls: U+0000-U+001F, U+007F-U+009F) and Cs (surrogates:
# U+D800-U+DFFF), as character classes: one pass in C over a long answer (16 ms for 100,000
# emoji, where asking `unicodedata.category` of each character took 72 ms). Both categories
# are closed by Unicode's stability policy; `tests/test_inputs.py` checks the ranges against
# `unicodedata` for every code point. Newline and tab are kept in long text.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_NEWLINE_AND_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


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
    text = _CONTROLS_BUT_NEWLINE_AND_TAB.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def has_control_characters(text: str) -> bool:
    """Whether anything in the text is a control character or a lone surrogate (CR, LF too)."""
    return _CONTROLS.search(text) is not None


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


# Form bodies -------------------------------------------------------------------------------

# Why this is written here rather than left to the library: Werkzeug reads a form body
# with `urllib.parse.parse_qsl`, whose `unquote_to_bytes` loops in Python over every
# %-escape. An answer of 100,000 emoji is 1.2 MB of escapes and took 0.41 s of CPU to read
# before the view ran, so a few such posts a second could keep a worker busy. This is the
# same function with the escapes decoded in C: `binascii.a2b_qp` decodes "=XX" as
# `unquote_to_bytes` decodes "%XX", so a chunk whose every % starts an escape is decoded by
# it once its own "=" are written "=3D" and its "%" "=" (25 ms for those emoji). A chunk with
# a % that starts no escape goes to `unquote_to_bytes` itself. `tests/test_inputs.py` checks
# that this gives what `parse_qsl` gives on the bad-input corpus and on random bodies.
_NOT_AN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_ASCII_RUNS = re.compile("([\x00-\x7f]+)")


def _unquote_to_bytes(chunk: bytes) -> bytes:
    """`urllib.parse.unquote_to_bytes`: %XX is a byte, any other % is itself."""
    if b"%" not in chunk:
        return chunk
    if _NOT_AN_ESCAPE.search(chunk):
        return unquote_to_bytes(chunk)
    return binascii.a2b_qp(chunk.replace(b"=", b"=3D").replace(b"%", b"="))


def _unquote(text: str, errors: str) -> str:
    """`urllib.parse.unquote(text, "utf-8", errors)`: each run of ASCII is unquoted and
    decoded on its own; other characters are kept as they are."""
    if "%" not in text:
        return text
    bits = _ASCII_RUNS.split(text)
    words = [bits[0]]
    for i in range(1, len(bits), 2):
        words += (_unquote_to_bytes(bits[i].encode("ascii")).decode("utf-8", errors),
                  bits[i + 1])
    return "".join(words)


def parse_form_body(body: str, errors: str = "replace") -> list[tuple[str, str]]:
    """`urllib.parse.parse_qsl(body, keep_blank_values=True, errors=errors)`."""
    pairs = []
    for name_value in body.split("&") if body else []:
        if not name_value:
            continue
        name, _equals, value = name_value.partition("=")
        pairs.append((_unquote(name.replace("+", " "), errors),
                      _unquote(value.replace("+", " "), errors)))
    return pairs
