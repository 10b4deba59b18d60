"""The one cleaning step for typed text, the sane range of dates and page numbers."""

from __future__ import annotations

from datetime import date

import pytest

from consult import inputs


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
