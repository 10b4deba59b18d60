"""The translation template lists exactly the strings the code marks for translation."""

from __future__ import annotations

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from consult.config import PROJECT_ROOT


def _msgids(path) -> set:
    with open(path, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_the_template_is_up_to_date_with_the_code(tmp_path, monkeypatch):
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(PROJECT_ROOT)
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(fresh),
        "--no-location", "--sort-output", "."])

    committed = _msgids(PROJECT_ROOT / "translations" / "messages.pot")
    extracted = _msgids(fresh)
    assert extracted - committed == set(), "strings missing from messages.pot: re-extract"
    assert committed - extracted == set(), "messages.pot has strings no longer used: re-extract"
