"""Locale choice and the languages table."""

from __future__ import annotations

import pytest

from consult import i18n

ALL = tuple(i18n.LANGUAGES)


@pytest.mark.parametrize("tag, expected", [
    ("ar-SA", "ar"), ("ar", "ar"), ("prs", "fa_AF"), ("fa-AF", "fa_AF"), ("fa-af", "fa_AF"),
    ("fa-IR", "fa"), ("ti-ER", "ti"), ("en-US", "en_GB"), ("en", "en_GB"), ("kmr", "ku"),
    ("xx", None), ("", None), (None, None), ("../../etc", None), ("a" * 500, None),
])
def test_tags_map_onto_our_locales(tag, expected):
    assert i18n.normalise(tag, ALL) == expected


def test_only_available_locales_are_chosen():
    assert i18n.normalise("ar-SA", ("en_GB",)) is None
    assert i18n.negotiate_accept_language(["de", "ar-SA", "en"], ALL) == "ar"


def test_the_table_has_the_thirteen_languages_with_their_directions():
    rtl = {code for code, language in i18n.LANGUAGES.items() if language.direction == "rtl"}
    assert len(i18n.LANGUAGES) == 13
    assert rtl == {"ar", "ps", "fa_AF", "fa", "ckb"}
    assert i18n.LANGUAGES["fa_AF"].own_name == "دری"
    assert i18n.LANGUAGES["fa_AF"].html_lang == "fa-AF"


def test_staff_see_a_respondents_language_in_english_and_its_own_name():
    assert i18n.language_name("ti") == "Tigrinya (ትግርኛ)"
    assert i18n.language_name("fa_AF") == "Dari (دری)"
    assert i18n.language_name("en_GB") == "English (United Kingdom)"


def test_pages_declare_their_language_and_direction(client):
    html = client.get("/your-say?lang=nonsense").get_data(as_text=True)
    assert '<html lang="en-GB" dir="ltr">' in html
