"""The termbase: one rendering per key term in each language, used in every string.

Each translated language has `translations/<code>/termbase.toml` (docs/languages.md,
"Termbase"): for each key term its rendering, an English back-translation, the forms a
translation may use (inflections, with or without the article or a possessive), and a note
where the rendering is a compromise; and the one form of "you" used to address the reader.

The check: every msgid that uses the English term has a translation containing one of the
listed forms. A drift is named by locale, term and msgid.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from consult.config import PROJECT_ROOT, SETTINGS

TRANSLATIONS = PROJECT_ROOT / "translations"
SHIPPED = tuple(next(s.default for s in SETTINGS if s.name == "LANGUAGES").split(","))
TRANSLATED = tuple(code for code in SHIPPED if code != "en_GB")

# Each key term, and how to find it in an English msgid. Case-insensitive unless the term is a
# name; "%(council)s" is a placeholder, not the word.
ENGLISH = {
    "iro": re.compile(r"\bIROs?\b"),
    "advocate": re.compile(r"\badvocates?\b", re.IGNORECASE),
    "independent_visitor": re.compile(r"\bindependent visitors?\b", re.IGNORECASE),
    "foster_carer": re.compile(r"\bfoster carers?\b", re.IGNORECASE),
    "key_worker": re.compile(r"\bkey workers?\b", re.IGNORECASE),
    "review": re.compile(r"\breviews?\b", re.IGNORECASE),
    "review_meeting": re.compile(r"\breview meetings?\b", re.IGNORECASE),
    "care_plan": re.compile(r"\bcare plans?\b", re.IGNORECASE),
    "pathway_plan": re.compile(r"\bpathway plans?\b", re.IGNORECASE),
    "council": re.compile(r"(?<![(\w])councils?\b", re.IGNORECASE),
    "pledge": re.compile(r"\bPledge\b"),
    "help_at_hand": re.compile(r"\bHelp at Hand\b"),
    "social_worker": re.compile(r"\bsocial workers?\b", re.IGNORECASE),
}
HELP_AT_HAND = "Help at Hand"


@dataclass(frozen=True)
class Drift:
    locale: str
    term: str
    msgid: str
    translation: str

    def __str__(self) -> str:
        return (f"{self.locale}: {self.term!r} drifts in {self.msgid!r}: "
                f"{self.translation!r} uses none of its termbase forms")


def termbase_path(code: str) -> Path:
    return TRANSLATIONS / code / "termbase.toml"


def load_termbase(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _texts(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _form_pattern(form: str) -> re.Pattern:
    """A listed form, found anywhere and in any case; 'a…b' needs both parts, in that order
    (a possessive may come between: Kurmanji 'xebatkarê te yê civakî')."""
    return re.compile(".*?".join(re.escape(part) for part in form.split("…")),
                      re.IGNORECASE | re.DOTALL)


def find_drift(code: str, catalog_path: Path, termbase: dict) -> list[Drift]:
    """Every (term, msgid) whose translation uses none of the term's listed forms."""
    with open(catalog_path, "rb") as handle:
        catalog = read_po(handle, locale=code)
    drifts = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        english = " ".join(_texts(message.id))
        for term, pattern in ENGLISH.items():
            if not pattern.search(english):
                continue
            forms = [_form_pattern(form) for form in termbase["terms"][term]["forms"]]
            for translation in _texts(message.string):
                if not any(form.search(translation) for form in forms):
                    drifts.append(Drift(code, term, english, translation))
    return drifts


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_has_a_complete_termbase(code):
    termbase = load_termbase(termbase_path(code))
    assert termbase["language"] == code
    you = termbase["you"]
    assert you["form"].strip() and you["back_translation"].strip(), f"{code}: say which 'you'"
    assert set(termbase["terms"]) == set(ENGLISH), f"{code}: the termbase lists other terms"
    for term, entry in termbase["terms"].items():
        for field in ("rendering", "back_translation"):
            assert entry[field].strip(), f"{code}: {term} has no {field}"
        assert entry["forms"], f"{code}: {term} lists no forms"
        assert all(isinstance(form, str) and form.strip() for form in entry["forms"])
        assert any(_form_pattern(form).search(entry["rendering"]) for form in entry["forms"]), (
            f"{code}: {term}'s rendering is not one of its own forms")
        if "compromise" in entry:
            assert entry["compromise"].strip()
    # A name a child hears on the phone keeps its English beside the translation.
    help_at_hand = termbase["terms"]["help_at_hand"]
    assert help_at_hand["forms"] == [HELP_AT_HAND], f"{code}: every use must keep the English name"
    assert HELP_AT_HAND in help_at_hand["rendering"] and help_at_hand["rendering"] != HELP_AT_HAND


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_uses_the_termbase_rendering(code):
    drifts = find_drift(code, TRANSLATIONS / code / "LC_MESSAGES" / "messages.po",
                        load_termbase(termbase_path(code)))
    assert not drifts, f"{len(drifts)} drift(s):\n" + "\n".join(f"  {d}" for d in drifts)


def test_the_check_names_the_locale_and_msgid_of_a_planted_drift(tmp_path):
    code = "ku"
    termbase = load_termbase(termbase_path(code))
    source = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    planted = tmp_path / "messages.po"
    shutil.copy(source, planted)
    assert find_drift(code, planted, termbase) == []

    msgid = "My foster carer"
    rendering = termbase["terms"]["foster_carer"]["rendering"]
    text = planted.read_text(encoding="utf-8")
    entry = f'msgid "{msgid}"\nmsgstr "'
    assert text.count(entry) == 1
    start = text.index(entry) + len(entry)
    end = text.index('"\n', start)
    assert rendering.casefold() in text[start:end].casefold()
    # The drift a tired translator makes: the old word for "owner" comes back.
    planted.write_text(text[:start] + "Xwedîkarê min" + text[end:], encoding="utf-8")

    drifts = find_drift(code, planted, termbase)
    assert [(d.locale, d.term, d.msgid) for d in drifts] == [(code, "foster_carer", msgid)]
    assert "ku" in str(drifts[0]) and msgid in str(drifts[0])


def test_a_term_dropped_from_a_plural_form_is_drift_too(tmp_path):
    termbase = {"terms": {term: {"forms": ["IRO"] if term == "iro" else ["x"]}
                          for term in ENGLISH}}
    planted = tmp_path / "messages.po"
    planted.write_text(
        'msgid ""\nmsgstr ""\n"Language: ro\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "%(n)s message for your IRO"\nmsgid_plural "%(n)s messages for your IRO"\n'
        'msgstr[0] "%(n)s mesaj pentru IRO"\nmsgstr[1] "%(n)s mesaje pentru ofițer"\n',
        encoding="utf-8")
    drifts = find_drift("ro", planted, termbase)
    assert [(d.term, d.translation) for d in drifts] == [("iro", "%(n)s mesaje pentru ofițer")]
