"""Invitations that reach people: a printable letter with a QR code and a short code,
typed at /code into the same session as the link; re-issue, hand-over and states."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult import short_codes
from consult.config import PROJECT_ROOT
from consult.extensions import db
from consult.models import AuditEvent, Invitation, StaffRole
from consult.questionnaires import definitions
from tests import factories
from tests.html_checks import parse, text_of

CODE = re.compile(r'<p class="letter__code"><bdi dir="ltr">([0-9A-Z-]{13})</bdi></p>')


def _invite(client, app, language: str = "en_GB", iro=None):
    iro = iro or factories.staff(StaffRole.IRO)
    review = factories.review(factories.child(iro, name="Layla"))
    db.session.commit()
    factories.sign_in(client, iro)
    page = factories.post_form(
        client, f"/staff/reviews/{review.id}/invitations",
        {"role": "child", "invitee_name": "Layla", "language": language},
        page_url=f"/staff/reviews/{review.id}")
    return review, page.get_data(as_text=True)


def _type_code(browser, code: str):
    return factories.post_form(browser, "/code", {"code": code})


def test_short_codes_are_unambiguous_and_long_enough():
    assert short_codes.BITS >= 50
    assert not set("01ILOUV") & set(short_codes.ALPHABET)
    code = short_codes.new_code()
    assert short_codes.normalised(short_codes.formatted(code).lower().replace("-", " ")) == code
    assert short_codes.normalised("O0O0-O0O0-O0O") is None
    assert short_codes.normalised("ABC") is None


def test_the_letter_has_a_qr_code_and_a_short_code_that_opens_the_same_form(client, app):
    review, html = _invite(client, app)

    assert '<svg' in html and 'class="letter__qr"' in html and "data:" not in html
    assert "http://localhost/code" in html
    code = CODE.search(html).group(1)
    invitation = db.session.query(Invitation).one()
    assert invitation.short_code_hash != code and len(invitation.short_code_hash) == 64
    assert code.replace("-", "") not in invitation.short_code_hash

    child_browser = app.test_client()
    entered = _type_code(child_browser, code.lower().replace("-", " "))

    assert entered.status_code == 303 and entered.headers["Location"].endswith("/your-say")
    assert "Would you like to come to your review meeting?" in child_browser.get(
        "/your-say/questions/attend_meeting").get_data(as_text=True)
    db.session.expire_all()
    assert invitation.opened_at is not None
    assert "Opened" in client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)


def test_a_wrong_code_gets_a_clear_message_and_too_many_tries_are_stopped(client, app):
    browser = app.test_client()
    wrong = _type_code(browser, "ABCD-EFGH-JKM")
    empty = _type_code(browser, "")

    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "<title>Error: Type the code from your letter" in html
    assert "That code does not work." in html and 'value="ABCD-EFGH-JKM"' in html
    assert "Enter the code from your letter." in empty.get_data(as_text=True)
    statuses = [_type_code(browser, "ABCD-EFGH-JKM").status_code for _ in range(10)]
    assert statuses[-1] == 429
    assert "You have tried too many codes." in _type_code(browser, "x").get_data(as_text=True)


def test_a_new_link_and_letter_stop_the_old_ones(client, app):
    review, html = _invite(client, app)
    old_code = CODE.search(html).group(1)
    old_link = re.search(r"http://localhost(/start/[A-Za-z0-9_-]{43})", html).group(1)
    invitation = db.session.query(Invitation).one()

    renewed = factories.post_form(client, f"/staff/invitations/{invitation.id}/reissue", {},
                                  page_url=f"/staff/reviews/{review.id}")

    new_code = CODE.search(renewed.get_data(as_text=True)).group(1)
    assert new_code != old_code
    assert _type_code(app.test_client(), old_code).status_code == 400
    assert app.test_client().get(old_link).status_code == 404
    assert _type_code(app.test_client(), new_code).status_code == 303


def test_an_invitation_is_not_sent_until_the_iro_says_so(client, app):
    review, _html = _invite(client, app)
    invitation = db.session.query(Invitation).one()
    assert "Not sent yet" in client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)

    factories.post_form(client, f"/staff/invitations/{invitation.id}/handed-over", {},
                        page_url=f"/staff/reviews/{review.id}")

    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert "Not sent yet" not in page and "Not opened" in page


def test_the_letter_is_in_the_invitees_language_when_we_serve_it(client, app):
    app.config["LANGUAGES"] = ("en_GB", "ar")

    _review, html = _invite(client, app, language="ar")

    letter = html.split('<article class="letter"', 1)[1]
    assert letter.startswith(' lang="ar" dir="rtl"')
    assert re.search(r"[\u0600-\u06ff]", letter.split("</article>")[0])  # an Arabic date
    assert '<html lang="en-GB" dir="ltr">' in html  # the staff page around it stays English


def test_a_letter_in_a_language_not_offered_falls_back_to_english(client, app):
    _review, html = _invite(client, app, language="en_GB")
    assert '<article class="letter" lang="en-GB" dir="ltr"' in html
    assert "Your review meeting is on" in html
    assert html.count('<article class="letter"') == 1  # English only: one side


def test_the_letter_prints_two_sided_with_english_on_the_back(client, app):
    app.config["LANGUAGES"] = ("en_GB", "ar")

    _review, html = _invite(client, app, language="ar")

    letters = parse(html).findall(".//article[@class='letter']")
    assert [(a.get("lang"), a.get("dir")) for a in letters] == [("ar", "rtl"), ("en-GB", "ltr")]
    assert "Your review meeting is on" in "".join(letters[1].itertext())
    # The same code on both sides, and the back starts a new page when printed.
    codes = ["".join(a.find(".//p[@class='letter__code']").itertext()) for a in letters]
    assert codes[0] == codes[1]
    print_css = (PROJECT_ROOT / "consult/static/css/print.css").read_text()
    assert ".letter + .letter { break-before: page; }" in print_css
    assert "two-sided" in html and "in Arabic on the front and in English on the back" in html


def test_the_letter_gives_an_honest_time(client, app):
    _review, html = _invite(client, app, language="en_GB")
    minutes = definitions.CURRENT["young_person"].minutes
    assert f"It takes about {minutes} minutes." in html


def _letters_of(client, app, iro, language: str):
    _review, html = _invite(client, app, language, iro)
    return parse(html).findall(".//article[@class='letter']")


def test_the_letter_gives_the_iros_work_phone_and_email_on_both_sides(client, app):
    app.config["LANGUAGES"] = ("en_GB", "ar")
    iro = factories.staff(StaffRole.IRO, name="Imani Reviewing")
    db.session.commit()
    # The IRO gives their own work contact details on their account page.
    own = app.test_client()
    factories.sign_in(own, iro)
    saved = factories.post_form(own, "/staff/account/contact",
                                {"work_phone": "01632  960 123",
                                 "work_email": "Imani@Council.Example"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert (iro.work_phone, iro.work_email) == ("01632 960 123", "Imani@council.example")

    letters = _letters_of(client, app, iro, "ar")

    assert len(letters) == 2
    for letter in letters:
        [phone] = letter.findall(".//bdi[@class='letter__phone']")
        [email] = letter.findall(".//bdi[@class='letter__email']")
        assert (text_of(phone), phone.get("dir")) == ("01632 960 123", "ltr")
        assert (text_of(email), email.get("dir")) == ("Imani@council.example", "ltr")
    contact = [text_of(item) for item in letters[1].findall(".//ul[@class='letter__contact']/li")]
    assert contact == ["You can phone Imani Reviewing on 01632 960 123.",
                       "You can email Imani Reviewing at Imani@council.example."]
    arabic = text_of(letters[0].find(".//ul[@class='letter__contact']"))
    assert "يمكنك الاتصال" in arabic and "Imani Reviewing" in arabic


def test_a_letter_without_work_contact_details_prints_no_empty_line(client, app):
    letters = _letters_of(client, app, factories.staff(StaffRole.IRO), "en_GB")
    assert letters[0].findall(".//ul[@class='letter__contact']") == []


def test_work_contact_details_are_checked_and_an_admin_may_edit_anyones(client, app):
    iro = factories.staff(StaffRole.IRO, name="Imani Reviewing")
    admin = factories.staff(StaffRole.ADMIN)
    db.session.commit()
    factories.sign_in(client, admin)
    url = f"/staff/admin/users/{iro.id}/contact"

    refused = factories.post_form(client, url, {"work_phone": "call me", "work_email": "nope"})

    page = parse(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert page.find(".//input[@id='work_phone']").get("value") == "call me"
    assert "Enter a phone number in digits" in text_of(page.find(".//*[@id='work_phone-error']"))
    assert "Enter an email address" in text_of(page.find(".//*[@id='work_email-error']"))
    saved = factories.post_form(client, url, {"work_phone": "+44 1632 960123", "work_email": ""})
    assert saved.status_code == 303
    db.session.expire_all()
    assert (iro.work_phone, iro.work_email) == ("+44 1632 960123", None)
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "staff.work_contact_changed")).all()
    assert (event.actor_staff_id, event.subject_id, event.details) == (
        admin.id, iro.id, {"phone": True, "email": False})
