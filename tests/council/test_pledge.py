"""The Pledge in the child's language, or the English one with a notice, or a plain empty state."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import render_template

from consult import config, council
from consult.extensions import db
from consult.models import AuditEvent, StaffRole
from tests import factories
from tests.conftest import CheckedClient, make_app


def test_the_childs_own_language_comes_first(app):
    admin = factories.staff(StaffRole.ADMIN)
    council.save_pledge("en_GB", "We promise.\r\n\r\nWe listen.", staff=admin)
    council.save_pledge("ar", "نعد", staff=admin)

    shown = council.pledge_for("ar")

    assert (shown.text, shown.language, shown.is_fallback) == ("نعد", "ar", False)
    english = council.pledge_for("en_GB")
    assert english.paragraphs == ["We promise.", "We listen."]
    assert english.is_fallback is False


def test_a_language_without_a_pledge_gets_the_english_one_marked_as_such(app):
    admin = factories.staff(StaffRole.ADMIN)
    council.save_pledge("en_GB", "We promise.", staff=admin)
    council.save_pledge("ti", "", staff=admin)

    shown = council.pledge_for("ti")

    assert (shown.text, shown.language, shown.is_fallback) == ("We promise.", "en_GB", True)


def test_no_pledge_at_all_until_an_admin_adds_the_english_one(app):
    admin = factories.staff(StaffRole.ADMIN)
    council.save_pledge("ps", "ژمنه", staff=admin)

    assert council.pledge_for("en_GB") is None
    assert council.pledge_for("ar") is None
    assert council.pledge_for("ps").is_fallback is False


def test_emptying_a_pledge_removes_it_and_is_audited_without_its_text(app):
    admin = factories.staff(StaffRole.ADMIN)
    council.save_pledge("fa_AF", "متن", staff=admin)
    council.save_pledge("fa_AF", "  ", staff=admin)
    db.session.commit()

    assert "fa_AF" not in council.pledges()
    actions = [(e.action, e.details) for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == [("council.pledge_changed", {"language": "fa_af"}),
                       ("council.pledge_removed", {"language": "fa_af"})]


def test_the_pledge_page_shows_the_fallback_notice_and_marks_the_english_text(app):
    shown = council.ShownPledge("We promise.", "en_GB", True)
    with app.test_request_context("/your-rights/pledge"):
        html = render_template("rights/pledge.html", pledge=shown,
                               council=council.current(), child_invitation=None)

    assert "The Pledge is not in your language yet, so here it is in English." in html
    assert '<div class="pledge" lang="en-GB" dir="auto">' in html
    assert "<p>We promise.</p>" in html


def test_the_pledge_page_in_english_shows_the_english_pledge_without_a_notice(client, app):
    council.save_pledge("en_GB", "We promise to listen.", staff=factories.staff(StaffRole.ADMIN))
    db.session.commit()

    html = client.get("/your-rights/pledge").get_data(as_text=True)

    assert "We promise to listen." in html
    assert "not in your language yet" not in html


NOTICE = ("The Pledge is not in your language yet, so here it is in English. You can ask your "
          "IRO for a copy in your language.")


@pytest.fixture
def arabic_app(app, database_url, tmp_path, monkeypatch):
    """The app offering Arabic, from a small catalog that translates only the notice."""
    catalog = Catalog(locale="ar")
    catalog.add(NOTICE, "ملاحظة: التعهد ليس بلغتك بعد")
    folder = tmp_path / "translations" / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    arabic = make_app(database_url, LANGUAGES="en_GB,ar")
    arabic.test_client_class = CheckedClient
    yield arabic
    with arabic.app_context():
        db.engine.dispose()


def test_in_arabic_without_an_arabic_pledge_the_english_one_comes_with_a_translated_notice(
        app, arabic_app):
    admin = factories.staff(StaffRole.ADMIN)
    council.save_pledge("en_GB", "We promise to listen.", staff=admin)
    db.session.commit()
    browser = arabic_app.test_client()

    html = browser.get("/your-rights/pledge?lang=ar").get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in html
    assert "ملاحظة: التعهد ليس بلغتك بعد" in html and NOTICE not in html
    assert '<div class="pledge" lang="en-GB" dir="auto">' in html
    assert "We promise to listen." in html

    council.save_pledge("ar", "نعدكم بالاستماع", staff=admin)
    db.session.commit()
    html = browser.get("/your-rights/pledge").get_data(as_text=True)
    assert "نعدكم بالاستماع" in html and "ملاحظة" not in html
