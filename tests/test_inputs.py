"""The one cleaning step for typed text, the sane range of dates and page numbers."""

from __future__ import annotations

import random
import unicodedata
from datetime import date
from urllib.parse import parse_qsl

import pytest
from flask import request

from consult import inputs, web
from tests.test_bad_input import CORPUS, _body


@pytest.mark.parametrize("raw, kept", [
    ("nul\x00byte", "nulbyte"),
    ("bell\x07", "bell"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("windows\r\nand old mac\rlines", "windows\nand old mac\nlines"),
    ("e\u0301", "\u00e9"),
    ("\u2067isolate\u2069", "isolate"),
    ("evil\u202eoverride", "eviloverride"),
    ("\ud800lone surrogate", "lone surrogate"),
    ("  spaced  ", "spaced"),
    (None, ""),
])
def test_text_is_kept_without_invisible_controls(raw, kept):
    assert inputs.clean_text(raw) == kept


def test_plain_ascii_is_kept_as_typed_but_for_the_spaces_around_it():
    """The quick path for cells and fields of printable ASCII (most of an import's)."""
    printable = "".join(map(chr, range(0x21, 0x7F)))
    for multiline in (True, False):
        assert inputs.clean_text(f"  {printable} x ", multiline=multiline) == f"{printable} x"
        assert inputs.clean_text(f"{printable}\x7f", multiline=multiline) == printable


def test_one_line_of_text_keeps_no_line_break():
    assert inputs.clean_text("Sam\r\nBcc: x@example.com\tz", multiline=False) == (
        "Sam Bcc: x@example.com z")


def test_emoji_and_other_scripts_are_kept_whole():
    text = "\U0001F600 \u0633\u0644\u0627\u0645 \u1230\u120b\u121d"
    assert inputs.clean_text(text) == text


def test_control_characters_are_found():
    assert inputs.has_control_characters("/staff/\r\nX-Injected: 1")
    assert inputs.has_control_characters("/staff/\x00")
    assert not inputs.has_control_characters("/staff/children?closed=1")


@pytest.mark.parametrize("day, sane", [
    (date(1, 1, 1), False), (date(1899, 12, 31), False), (date(1900, 1, 1), True),
    (date(2026, 4, 1), True), (date(2100, 12, 31), True), (date(2101, 1, 1), False),
    (date(9999, 12, 31), False),
])
def test_dates_outside_a_sane_range_are_refused(day, sane):
    assert inputs.is_sane_date(day) is sane


@pytest.mark.parametrize("raw, page", [(None, 1), ("", 1), ("1", 1), (" 7 ", 7),
                                       ("100000", 100_000)])
def test_page_numbers(raw, page):
    assert inputs.page_number(raw) == page


@pytest.mark.parametrize("raw", ["0", "-1", "100001", "9223372036854775807", "1e3", "2.5",
                                 "\u0663", "\uff13", "one", "1\x00"])
def test_page_numbers_out_of_range_or_not_ascii_are_refused(raw):
    with pytest.raises(inputs.PageError, match="whole number from 1 to 100,000"):
        inputs.page_number(raw)


def test_codes_are_ascii_digits_only():
    assert inputs.is_ascii_digits("123456", 6)
    assert not inputs.is_ascii_digits("\u0661\u0662\u0663\u0664\u0665\u0666", 6)
    assert not inputs.is_ascii_digits("12345", 6)


def test_the_control_character_classes_are_unicodes_categories_cc_and_cs():
    """`clean_text` and `has_control_characters` find controls with a character class, not
    by asking `unicodedata` of each character: the class must be those categories exactly."""
    every = "".join(map(chr, range(0x110000)))
    categorised = {i for i, ch in enumerate(every) if unicodedata.category(ch) in ("Cc", "Cs")}
    assert {found.start() for found in inputs._CONTROLS.finditer(every)} == categorised
    controls = "".join(every[i] for i in sorted(categorised))
    # Of them all, long text keeps tab and newline (CR is a newline too); one line, none.
    assert inputs.clean_text("a" + controls + "z") == "a\t\n\nz"
    assert inputs.clean_text("a" + controls + "z", multiline=False) == "a   z"


# Pieces of form bodies, each a case `unquote` treats apart: escapes (valid, cut short, not
# hex, of "=" and "%"), "=" and "%" as themselves, "+", separators, newlines and spaces
# (`binascii.a2b_qp` is for e-mail, where these mean something), non-ASCII characters,
# what is not UTF-8 once unquoted, and a lone surrogate.
_BODY_PIECES = ["%", "%4", "%41", "%e2%82%ac", "%E2%82", "%ff", "%zz", "%%", "%3D", "%3d",
                "%25", "=", "==", "=\n", "=3D", "=41", "+", "&", "&&", "a", "_", " ", "\t",
                " \n", "\r\n", "\r", "%0A", "%0D%0A", "%20", "\x00", "\x7f", "é", "\U0001F600",
                "%f0%9f%98%80", "%F0%9F", "\udc80"]


@pytest.mark.parametrize("errors", ["replace", "strict", "werkzeug.url_quote"])
def test_a_form_body_is_read_exactly_as_parse_qsl_reads_it(errors):
    def both(body):
        results = []
        for parse in (lambda: inputs.parse_form_body(body, errors),
                      lambda: parse_qsl(body, keep_blank_values=True, errors=errors)):
            try:
                results.append(parse())
            except UnicodeDecodeError as error:
                results.append(("refused", error.reason))
        return results

    bodies = [_body({"field": value, "other": "plain"}) for value in CORPUS.values()]
    pick = random.Random(903)
    bodies += ["".join(pick.choices(_BODY_PIECES, k=pick.randint(0, 12))) for _ in range(5000)]
    for body in bodies:
        ours, standard = both(body)
        assert ours == standard, body[:200]


def test_the_app_reads_form_bodies_with_parse_form_body(app):
    """Every request of the app parses its form with `inputs.parse_form_body`."""
    with app.test_request_context("/", method="POST", data="a=%F0%9F%98%80&b=%zz&c=x%3Dy",
                                  content_type="application/x-www-form-urlencoded"):
        assert isinstance(request.make_form_data_parser(), web.FormDataParser)
        assert list(request.form.items(multi=True)) == [("a", "\U0001F600"), ("b", "%zz"),
                                                        ("c", "x=y")]
