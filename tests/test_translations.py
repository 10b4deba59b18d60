"""The catalogs: the template matches the code, and every shipped catalog is complete.

After `pybabel update`, these tests say exactly which locale and which msgid is missing,
fuzzy, or has placeholders or HTML tags that differ from the English; and whether a
compiled catalog (.mo, committed) is out of date with its .po.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel, force_locale
from flask_babel import gettext as translate

from consult import i18n
from consult.config import PROJECT_ROOT, SETTINGS

TRANSLATIONS = PROJECT_ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
SHIPPED = tuple(next(s.default for s in SETTINGS if s.name == "LANGUAGES").split(","))
TRANSLATED = tuple(code for code in SHIPPED if code != i18n.SOURCE_LOCALE)

# %(name)s, %(num)d, %s, %%, and {name} / {0} (str.format)
PLACEHOLDER = re.compile(
    r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{\w*(?:![rsa])?(?::[^{}]*)?\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)[^>]*>")


def _read(path: Path, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def _msgids(path: Path) -> set:
    return {message.id for message in _read(path) if message.id}


def _catalog_path(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


def _placeholders(text: str) -> list[str]:
    return sorted(match for match in PLACEHOLDER.findall(text) if match != "%%")


def _tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def test_the_template_is_up_to_date_with_the_code(tmp_path, monkeypatch):
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(PROJECT_ROOT)
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(fresh),
        "--no-location", "--sort-output", "."])

    committed = _msgids(TEMPLATE)
    extracted = _msgids(fresh)
    assert extracted - committed == set(), "strings missing from messages.pot: re-extract"
    assert committed - extracted == set(), "messages.pot has strings no longer used: re-extract"


def test_every_language_we_ship_has_a_catalog_and_no_catalog_is_orphaned():
    assert set(SHIPPED) == set(i18n.LANGUAGES), "LANGUAGES should default to all 13"
    on_disk = {path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert on_disk == set(TRANSLATED)


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_has_every_string_of_the_template_translated(code):
    catalog = _read(_catalog_path(code), locale=code)
    template_ids = _msgids(TEMPLATE)
    missing, untranslated, fuzzy = [], [], []
    for msgid in sorted(template_ids, key=str):
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(form.strip() for form in forms):
            untranslated.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
    problems = "\n".join(
        [f"  not in the catalog (run pybabel update): {m!r}" for m in missing]
        + [f"  untranslated: {m!r}" for m in untranslated]
        + [f"  fuzzy (check, then remove the flag): {m!r}" for m in fuzzy])
    to_do = len(missing) + len(untranslated) + len(fuzzy)
    assert not problems, f"{code}: {to_do} to do\n{problems}"
    assert not catalog.fuzzy, f"{code}: the catalog header is marked fuzzy"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders_and_tags_of_the_english(code):
    problems = []
    for message in _read(_catalog_path(code), locale=code):
        if not message.id or not message.string:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        expected_placeholders = _placeholders(english[-1])
        expected_tags = _tags(english[-1])
        for index, form in enumerate(forms):
            if not form:
                continue
            where = f"{message.id!r}" + (f" form [{index}]" if len(forms) > 1 else "")
            if _placeholders(form) != expected_placeholders:
                problems.append(f"  placeholders {_placeholders(form)} instead of "
                                f"{expected_placeholders} in {where}")
            if _tags(form) != expected_tags:
                problems.append(f"  HTML tags {_tags(form)} instead of {expected_tags} in {where}")
    assert not problems, f"{code}:\n" + "\n".join(problems)


def _same_choices(expression: str, reference: str) -> list[tuple[int, int, int]]:
    """Where two gettext plural rules choose different forms, for every count 0 to 1,000."""
    rule, expected = gettext.c2py(expression), gettext.c2py(reference)
    return [(n, rule(n), expected(n)) for n in range(1001) if rule(n) != expected(n)]


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_has_the_cldr_plural_forms(code):
    """The catalog's rule picks the form the locked Babel's CLDR rule picks, for every count.

    Rules are compared by what they do, not how they are spelled: Babel 2.19 writes
    `n % 100` where 2.18 wrote `n%100`, and a re-spelling must not turn the suite red,
    while a change of meaning (a form chosen for a different count) must.
    """
    catalog = _read(_catalog_path(code), locale=code)
    expected = get_plural(Locale.parse(code))
    assert catalog.num_plurals == expected.num_plurals, code
    differences = _same_choices(catalog.plural_expr, expected.plural_expr)
    assert not differences, (
        f"{code}: (count, catalog's form, CLDR's form) {differences[:10]}: regenerate the "
        "catalog's Plural-Forms from Babel and reorder its plural forms to match")
    for message in catalog:
        if message.pluralizable and message.string:
            assert len(message.string) == expected.num_plurals, f"{code}: {message.id!r}"


def test_the_plural_check_sees_a_change_of_meaning_and_not_of_spelling():
    """Arabic's old table (forms 4 and 5 swapped) differs; a re-spelling of CLDR's does not."""
    cldr = get_plural(Locale.parse("ar")).plural_expr
    respelled = ("(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
                 "n%100>=11 && n%100<=99 ? 4 : 5)")
    old_table = ("(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
                 "n%100>=0 && n%100<=2 ? 4 : 5)")
    assert respelled != cldr and _same_choices(respelled, cldr) == []
    assert (11, 5, 4) in _same_choices(old_table, cldr)
    assert (100, 4, 5) in _same_choices(old_table, cldr)


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_compiled_catalog_matches_its_source(code):
    """The .mo files are committed so a fresh clone runs without a compile step."""
    compiled = i18n.compiled_catalog(TRANSLATIONS, code)
    assert compiled.is_file(), f"{compiled} is missing: pybabel compile -d translations"
    with open(compiled, "rb") as handle:
        loaded = gettext.GNUTranslations(handle)
    expected = {}
    for message in _read(_catalog_path(code), locale=code):
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for index, form in enumerate(message.string):
                expected[(message.id[0], index)] = form
        else:
            expected[message.id] = message.string
    actual = {key: value for key, value in loaded._catalog.items() if key != ""}
    stale = sorted(str(key) for key in expected.keys() | actual.keys()
                   if expected.get(key) != actual.get(key))
    assert not stale, (f"{compiled} is out of date with its .po "
                       f"(run pybabel compile -d translations) for: {stale}")


@pytest.fixture(scope="module")
def babel_app() -> Flask:
    """Flask-Babel over the real catalogs, without a database."""
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app)
    return app


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogs_load_through_flask_babel(babel_app, code):
    wrong = []
    with babel_app.test_request_context("/"), force_locale(code):
        for message in _read(_catalog_path(code), locale=code):
            singular = message.id and isinstance(message.id, str) and message.string
            if singular and translate(message.id) != message.string:
                wrong.append(message.id)
    assert not wrong, f"{code}: Flask-Babel does not serve these translations: {wrong}"


def test_the_checks_see_placeholders_and_tags():
    text = 'Call %(emergency)s or {name} now, <a href="x">%d</a> is %% free'
    assert _placeholders(text) == ["%(emergency)s", "%d", "{name}"]
    assert _tags(text) == ["a", "a"]


def _typed_numbers(translation: str, english: str) -> list[str]:
    """Digits (in any script: ۲, ٢, 2) a translation has that its English does not: a number
    typed into a translation instead of a placeholder the locale formats (docs/languages.md)."""
    in_english = DIGITS.findall(PLACEHOLDER.sub("", english))
    return [number for number in DIGITS.findall(PLACEHOLDER.sub("", translation))
            if number not in in_english]


DIGITS = re.compile(r"\d+")  # \d is every script's decimal digits


@pytest.mark.parametrize("code", TRANSLATED)
def test_numbers_come_from_placeholders_not_typed_into_translations(code):
    problems = []
    for message in _read(_catalog_path(code), locale=code):
        if not message.id or not message.string:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            if typed := _typed_numbers(form, english[-1]):
                problems.append(f"  {typed} typed into {message.id!r}")
    assert not problems, f"{code}: use a placeholder formatted for the locale\n" + "\n".join(
        problems)


def test_the_number_check_sees_persian_digits_and_allows_phone_numbers():
    assert _typed_numbers("ظرف ۲ روز کاری", "within %(days)s working days") == ["۲"]
    assert _typed_numbers("ظرف %(days)s روز کاری", "within %(days)s working days") == []
    assert _typed_numbers("به 999 زنگ بزنید", "call 999") == []
